"""Property: random path segments and query strings sent to every URL pattern of the project (the admin's
included), as every role, by GET and by POST, never get a server error. Hypothesis, bounded in examples and in
time; every POST is rolled back so that each example meets the same world."""

import re
import time
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Region
from allocations import services as allocation_services
from requests_app import services as request_services
from requests_app import usage_services
from tests import factories

ROLES = ("anonymous", "head_a", "head_b", "regional", "regional_other", "national", "admin_user")
BUDGET_SECONDS = 90  # the whole property, whatever the machine: examples drawn after that return at once
CONVERTER = re.compile(r"<(?:\w+:)?\w+>")
REGEX_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)")


def _routes(patterns=None, prefix=""):
    """Every URL pattern as a template whose variable parts are ``{}`` (admin's regular expressions too)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = str(pattern.pattern)
        if text.startswith("^"):  # a regular expression: its groups become variable parts
            text = REGEX_GROUP.sub("{}", text).lstrip("^").rstrip("$").replace("\\", "")
        else:
            text = CONVERTER.sub("{}", text)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + text)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + text


ROUTES = sorted(set(_routes()))
PROJECT_ROUTES = [route for route in ROUTES if not route.startswith("/admin/")]
ADMIN_ROUTES = [route for route in ROUTES if route.startswith("/admin/")]
# The project's pages drawn three times as often as the admin's (125 routes of Django's own).
route_strategy = st.one_of(*[st.sampled_from(PROJECT_ROUTES)] * 3, st.sampled_from(ADMIN_ROUTES))

# What goes into a path segment or a parameter: the world's real values, ids beyond any key, odd digits,
# NUL and other control characters, markup, very long text.
REAL = ["1", "2", "3", "2027", "2028", "53", "76", "csv", "xlsx", "repartition", "qualitatif", "national"]
segment = st.one_of(
    st.sampled_from(REAL),
    st.from_regex(r"[0-9]{1,25}", fullmatch=True),
    st.sampled_from(["", "0", "-1", "²", "٣", "1e3", "%00", "\x00", "..", "a/b", "é", "<script>", "' OR 1=1 --"]),
    st.text(max_size=40),
    st.text(alphabet="0123456789", min_size=300, max_size=400),
)
PARAMETERS = ["q", "statut", "niveau", "secteur", "reseau", "region", "campagne", "page", "tri", "format", "next"]
query = st.dictionaries(st.one_of(*[st.sampled_from(PARAMETERS)] * 4, st.text(max_size=10)), segment, max_size=4)
form = st.dictionaries(
    st.one_of(
        st.sampled_from(["version", "establishment", "campaign", "demandes", "document", "hours", "kind", "ids"]),
        st.text(max_size=10),
    ),
    segment,
    max_size=5,
)


@pytest.fixture
def world(national, regional, regional_other, campaign, bretagne, head_a, head_b, admin_user, establishment_a, today):
    """A deposited request (head A), a notified allocation with its usage report (head B), notified envelopes:
    the random segments sometimes land on real objects."""
    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 1000 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)
    draft = request_services.start_request(head_a, establishment_a, campaign)
    draft = request_services.save_draft(head_a, draft, factories.complete_values(), draft.version)
    request_services.submit_request(head_a, draft, draft.version)
    allocated = factories.HseRequestFactory(
        campaign=campaign, establishment=head_b.establishments.get(), status="en_instruction", complete=True
    )
    allocation_services.allocate(regional, allocated, {"cap": 54}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    allocated.refresh_from_db()
    usage_services.start_usage_report(head_b, allocated)


def test_routes_cover_the_project_and_the_admin():
    assert "/demandes/{}/" in ROUTES
    assert "/rapports/{}/{}/{}/pdf/" in ROUTES
    assert any(route.startswith("/admin/accounts/establishment/") for route in ROUTES)
    assert len(ROUTES) > 60


def test_random_paths_and_queries_never_get_a_server_error(client, world, request):
    users = {role: None if role == "anonymous" else request.getfixturevalue(role) for role in ROLES}
    deadline = time.monotonic() + BUDGET_SECONDS
    seen = []

    @settings(
        max_examples=1000,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        route=route_strategy,
        role=st.sampled_from(ROLES),
        segments=st.lists(segment, min_size=4, max_size=4),
        params=query,
        data=st.one_of(st.none(), form),
    )
    def probe(route, role, segments, params, data):
        if time.monotonic() > deadline:
            return
        path = route.format(*(quote(s, safe="") for s in segments[: route.count("{}")]))
        url = f"{path}?{urlencode(params)}" if params else path
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        with transaction.atomic():
            response = client.get(url) if data is None else client.post(url, data)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        seen.append(response.status_code)
        assert response.status_code < 500, f"{'GET' if data is None else 'POST'} {url} as {role}: {data}"

    probe()
    assert len(seen) >= 50, f"only {len(seen)} requests within {BUDGET_SECONDS} s"
    assert {200, 302, 404} <= set(seen)
