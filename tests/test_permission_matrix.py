"""Every URL of the project, for every role, on real objects.

The URL patterns come from the URL configuration itself; each one must have an expectation below, so a new
page cannot escape this test. Expected answers, in the order of ``ROLES``: 200 (or another success), 302
(to sign in, or a redirect after an action), 403 (an action the role may not take, with its reason), 404
(an object outside the role's scope, or a page outside its world), 405 (a method the view does not accept).
Every view is tried with both GET and POST for every role: ``EXPECTATIONS`` gives the answers to the view's own
method, ``OTHER_METHOD`` the answers to the other one (a page posted empty, an action opened with GET). Actions
(POST) run inside a transaction rolled back afterwards, so that each role meets the same state.

Every URL pattern has a name (so that it is in this matrix), except Django's own admin, declared as a whole.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from accounts import invitations
from accounts.models import Region
from allocations import services as allocation_services
from allocations.models import Envelope
from reports import jobs
from reports import services as report_services
from requests_app import services as request_services
from requests_app import usage_services as usage
from tests import factories

ROLES = ("anonymous", "head_a", "head_b", "regional", "regional_other", "national", "admin")


@dataclass
class Expect:
    codes: str  # seven answers, in the order of ROLES
    kwargs: object = None  # callable(world) -> dict of URL arguments
    method: str = "get"
    data: object = field(default=None)  # callable(world) -> POST data

    def answers(self):
        values = self.codes.split()
        assert len(values) == len(ROLES), self.codes
        return dict(zip(ROLES, (int(v) for v in values), strict=True))


def pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


EVERYONE = "200 200 200 200 200 200 200"
SIGNED_IN = "302 200 200 200 200 200 200"
DGER_ONLY = "302 404 404 403 403 200 403"
REGIONAL_PAGE = "302 404 404 200 200 403 403"
REGION_A_DOCUMENT = "302 404 404 200 404 200 403"
VISIBLE_REQUEST = "302 200 404 200 404 200 404"

EXPECTATIONS = {
    "home": Expect(SIGNED_IN),
    "healthz": Expect(EVERYONE),
    "accessibility": Expect(EVERYONE),
    "legal_notice": Expect(EVERYONE),
    "personal_data": Expect(EVERYONE),
    "verification:check": Expect(EVERYONE),
    "accounts:login": Expect("200 302 302 302 302 302 302"),
    "accounts:logout": Expect(EVERYONE),
    "accounts:password_reset": Expect(EVERYONE),
    "accounts:password_reset_done": Expect(EVERYONE),
    "accounts:password_reset_confirm": Expect(EVERYONE, lambda w: {"uidb64": "MQ", "token": "lien-perime"}),
    "accounts:password_reset_complete": Expect(EVERYONE),
    "accounts:password_change": Expect(SIGNED_IN),
    "accounts:password_change_done": Expect(SIGNED_IN),
    # ProConnect is off in the tests' settings: its entry sends back to the sign-in page, its return refuses.
    "accounts:proconnect": Expect("302 302 302 302 302 302 302"),
    # Accounts and invitations
    "accounts:list": Expect("302 404 404 200 200 200 403"),
    "accounts:invite": Expect("302 404 404 200 200 200 403"),
    "accounts:invite_region": Expect("302 404 404 302 302 404 403", method="post"),
    "accounts:invitation_resend": Expect("302 404 404 302 404 404 403", pk("invitation"), method="post"),
    "accounts:invitation_cancel": Expect("302 404 404 302 404 404 403", pk("invitation"), method="post"),
    "accounts:deactivate": Expect("302 404 404 302 404 404 403", lambda w: {"pk": w.users["head_b"].pk}, method="post"),
    "accounts:invitation": Expect("200 302 302 302 302 302 302", lambda w: {"token": w.invitation_token}),
    "accounts:invitation_renew": Expect(
        "302 302 302 302 302 302 302", lambda w: {"token": w.invitation_token}, method="post"
    ),
    "accounts:proconnect_callback": Expect("302 302 302 302 302 302 302"),
    # Requests (Annexe 1)
    "requests:list": Expect("302 200 200 200 200 200 404"),
    "requests:start": Expect(
        "302 403 404 404 404 404 404",
        method="post",
        data=lambda w: {"establishment": w.est_a.pk, "campaign": w.campaign.pk},
    ),
    "requests:extensions": Expect("302 404 404 200 200 403 403"),
    "requests:detail": Expect(VISIBLE_REQUEST, pk("submitted")),
    "requests:edit": Expect("302 200 404 404 404 404 404", pk("draft")),
    "requests:submitted": Expect(VISIBLE_REQUEST, pk("submitted")),
    "requests:pdf": Expect(VISIBLE_REQUEST, pk("submitted")),
    "requests:letter": Expect(VISIBLE_REQUEST, pk("notified")),
    "requests:equivalents": Expect("302 200 404 404 404 404 404", pk("draft")),
    "requests:submission_pdf": Expect(VISIBLE_REQUEST, lambda w: {"pk": w.submitted.pk, "number": 1}),
    "requests:withdraw": Expect("302 200 404 403 404 403 404", pk("submitted")),
    "requests:reopen": Expect("302 403 404 403 404 403 404", pk("submitted"), method="post"),
    "requests:return": Expect("302 403 404 200 404 403 404", pk("submitted")),
    "requests:usage_report_start": Expect("302 403 404 403 404 403 404", pk("notified"), method="post"),
    "requests:usage_report": Expect(VISIBLE_REQUEST, pk("notified")),
    "requests:usage_report_pdf": Expect(VISIBLE_REQUEST, pk("notified")),
    # DGER: campaigns and envelopes
    "allocations:campaigns": Expect(DGER_ONLY),
    "campaigns:create": Expect(DGER_ONLY),
    "campaigns:edit": Expect(DGER_ONLY, lambda w: {"year": 2027}),
    "campaigns:regional_deadline": Expect(REGIONAL_PAGE),
    "allocations:envelopes": Expect(DGER_ONLY, lambda w: {"year": 2027}),
    "allocations:notify": Expect("302 404 404 403 403 302 403", lambda w: {"year": 2027}, method="post"),
    "allocations:envelope": Expect("302 404 404 200 404 200 404", pk("envelope")),
    # Regional allocation
    "allocations:board": Expect(REGIONAL_PAGE),
    "allocations:assistant": Expect(REGIONAL_PAGE),
    "allocations:notify_decisions": Expect("302 404 404 302 302 403 403", method="post"),
    "allocations:resume_letters": Expect("302 404 404 302 302 403 403", method="post"),
    "allocations:decision": Expect("302 403 404 200 404 403 404", pk("submitted")),
    # Reports and exports
    "reports:national_board": Expect(DGER_ONLY),
    "reports:national_board_export": Expect(DGER_ONLY, lambda w: {"fmt": "xlsx"}),
    "reports:requests_export_form": Expect("302 404 404 200 200 200 403"),
    "reports:requests_export": Expect("302 404 404 200 200 200 403", lambda w: {"fmt": "csv"}),
    "reports:index": Expect("302 200 200 200 200 200 403"),
    "reports:transmission_pdf": Expect("302 404 404 200 404 200 404", pk("transmission")),
    "reports:job": Expect(DGER_ONLY, pk("job")),
    "reports:job_pdf": Expect(DGER_ONLY, pk("job")),
    "reports:national_documents": Expect(DGER_ONLY, lambda w: {"year": 2027}),
    "reports:summary": Expect(REGION_A_DOCUMENT, lambda w: {"year": 2027, "code": "53"}),
    "reports:summary_table": Expect(REGION_A_DOCUMENT, lambda w: {"year": 2027, "code": "53", "fmt": "xlsx"}),
    "reports:review": Expect(REGION_A_DOCUMENT, lambda w: {"year": 2027, "code": "53"}),
    "reports:usage_follow_up": Expect("302 404 404 200 404 403 404", lambda w: {"year": 2027, "code": "53"}),
    "reports:working_pdf": Expect(REGION_A_DOCUMENT, lambda w: {"year": 2027, "code": "53", "kind": "repartition"}),
    "reports:transmit": Expect(
        "302 404 404 302 404 403 404", lambda w: {"year": 2027, "code": "53", "kind": "repartition"}, method="post"
    ),
}

# The answers to the method each view is not declared with above. A page posted to (empty) answers like its GET
# or with its form's errors (422), never with more than its GET grants; an action opened with GET is refused
# (405) once signed in.
NOT_ALLOWED = "302 405 405 405 405 405 405"
NOT_ALLOWED_PUBLIC = "405 405 405 405 405 405 405"
OTHER_METHOD = {
    "accessibility": "200 200 200 200 200 200 200",
    "accounts:deactivate": NOT_ALLOWED,
    "accounts:invitation": "200 302 302 302 302 302 302",
    "accounts:invitation_cancel": NOT_ALLOWED,
    "accounts:invitation_renew": NOT_ALLOWED_PUBLIC,
    "accounts:invitation_resend": NOT_ALLOWED,
    "accounts:invite": "302 404 404 200 200 200 403",
    "accounts:invite_region": NOT_ALLOWED,
    "accounts:list": "302 404 404 200 200 200 403",
    "accounts:login": "200 302 302 302 302 302 302",
    "accounts:logout": "302 302 302 302 302 302 302",
    "accounts:password_change": "302 200 200 200 200 200 200",
    "accounts:password_change_done": NOT_ALLOWED,
    "accounts:password_reset": "200 200 200 200 200 200 200",
    "accounts:password_reset_complete": NOT_ALLOWED_PUBLIC,
    "accounts:password_reset_confirm": "200 200 200 200 200 200 200",
    "accounts:password_reset_done": NOT_ALLOWED_PUBLIC,
    "accounts:proconnect": NOT_ALLOWED_PUBLIC,
    "accounts:proconnect_callback": NOT_ALLOWED_PUBLIC,
    "allocations:assistant": "302 404 404 200 200 403 403",
    "allocations:board": "302 404 404 302 302 403 403",
    "allocations:campaigns": "302 404 404 403 403 200 403",
    "allocations:decision": "302 403 404 422 404 403 404",
    "allocations:envelope": "302 404 404 403 404 200 404",
    "allocations:envelopes": "302 404 404 403 403 200 403",
    "allocations:notify": NOT_ALLOWED,
    "allocations:notify_decisions": NOT_ALLOWED,
    "allocations:resume_letters": NOT_ALLOWED,
    "campaigns:create": "302 404 404 403 403 200 403",
    "campaigns:edit": "302 404 404 403 403 200 403",
    "campaigns:regional_deadline": "302 404 404 422 422 403 403",
    "healthz": NOT_ALLOWED_PUBLIC,
    "home": "302 200 200 200 200 200 200",
    "legal_notice": NOT_ALLOWED_PUBLIC,
    "personal_data": NOT_ALLOWED_PUBLIC,
    "reports:index": "302 200 200 200 200 200 403",
    "reports:job": "302 404 404 403 403 200 403",
    "reports:job_pdf": "302 404 404 403 403 200 403",
    "reports:national_board": "302 404 404 403 403 200 403",
    "reports:national_board_export": "302 404 404 403 403 200 403",
    "reports:national_documents": "302 404 404 403 403 404 403",
    "reports:requests_export": "302 404 404 200 200 200 403",
    "reports:requests_export_form": "302 404 404 200 200 200 403",
    "reports:review": "302 404 404 422 404 403 403",
    "reports:summary": "302 404 404 200 404 200 403",
    "reports:summary_table": "302 404 404 200 404 200 403",
    "reports:transmission_pdf": "302 404 404 200 404 200 404",
    "reports:transmit": NOT_ALLOWED,
    "reports:usage_follow_up": "302 404 404 302 404 403 404",
    "reports:working_pdf": "302 404 404 200 404 200 403",
    "requests:detail": "302 200 404 200 404 200 404",
    "requests:edit": "302 302 404 404 404 404 404",
    "requests:equivalents": NOT_ALLOWED,
    "requests:extensions": "302 404 404 200 200 403 403",
    "requests:letter": "302 200 404 200 404 200 404",
    "requests:list": "302 200 200 200 200 200 404",
    "requests:pdf": "302 200 404 200 404 200 404",
    "requests:reopen": NOT_ALLOWED,
    "requests:return": "302 403 404 200 404 403 404",
    "requests:start": NOT_ALLOWED,
    "requests:submission_pdf": "302 200 404 200 404 200 404",
    "requests:submitted": "302 200 404 200 404 200 404",
    "requests:usage_report": "302 409 404 403 404 403 404",
    "requests:usage_report_pdf": "302 200 404 200 404 200 404",
    "requests:usage_report_start": NOT_ALLOWED,
    "requests:withdraw": "302 200 404 403 404 403 404",
    "verification:check": "422 422 422 422 422 422 422",
}

# The Django admin is declared as a whole: staff only (others are sent to the admin's sign-in page).
ADMIN_EXPECT = Expect("302 302 302 302 302 302 200")
ADMIN_URLS = [
    "admin:index",
    "admin:requests_app_request_changelist",
    "admin:accounts_establishment_changelist",
    "admin:requests_app_decision_changelist",
    "admin:reports_transmission_changelist",
]


def project_url_names(patterns=None, namespace=None):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from project_url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_a_declared_expectation():
    names = [n for n in project_url_names() if not n.startswith("admin:")]
    for table in (EXPECTATIONS, OTHER_METHOD):
        missing = sorted(set(names) - set(table))
        assert missing == [], f"URLs without an expectation in the permission matrix: {missing}"
        stale = sorted(set(table) - set(names))
        assert stale == [], f"Expectations for URLs that no longer exist: {stale}"


# URL patterns allowed to have no name, each with its reason. Only Django's admin: its object-id redirect and its
# catch-all pattern are unnamed by Django itself, and the admin is tried as a whole (``ADMIN_URLS``).
UNNAMED_ALLOWED = {"admin/": "Django's admin declares unnamed patterns of its own; covered by ADMIN_EXPECT"}


def all_patterns(patterns=None, prefix=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from all_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def test_every_url_pattern_has_a_name():
    """A pattern without a name would escape the matrix (it cannot be reversed, so it is never tried)."""
    unnamed = [
        route
        for route, pattern in all_patterns()
        if not pattern.name and not any(route.startswith(prefix) for prefix in UNNAMED_ALLOWED)
    ]
    assert unnamed == [], f"URL patterns without a name (name them, or justify them in UNNAMED_ALLOWED): {unnamed}"
    assert any(route.startswith("admin/") and not p.name for route, p in all_patterns())  # the allow-list is used


def test_the_unnamed_pattern_check_sees_nested_patterns(monkeypatch):
    from django.urls import path

    from tests import test_permission_matrix as matrix

    nested = URLResolver(RegexPattern(r"^extra/"), [path("sans-nom/", lambda request: None)])
    routes = [route for route, pattern in matrix.all_patterns([nested]) if not pattern.name]
    assert routes == ["^extra/sans-nom/"]


class World:
    """Real objects: establishments A (head A) and B (head B) in Bretagne, one in Occitanie; a submitted
    request, a draft, a notified allocation with its usage report, a transmission, a national PDF."""

    def __init__(self, travel):
        travel(datetime.date(2027, 6, 20))
        self.campaign = factories.CampaignFactory(start_year=2027)
        bretagne, occitanie = factories.region("53"), factories.region("76")
        self.est_a = factories.EstablishmentFactory(region=bretagne, name="Lycée A")
        est_a_draft = factories.EstablishmentFactory(region=bretagne, name="Lycée A bis")
        est_a_notified = factories.EstablishmentFactory(region=bretagne, name="Lycée A ter")
        est_b = factories.EstablishmentFactory(region=bretagne, name="Lycée B")
        factories.EstablishmentFactory(region=occitanie, name="Lycée O")
        self.users = {
            "anonymous": None,
            "head_a": factories.HeadFactory(establishments=[self.est_a, est_a_draft, est_a_notified]),
            "head_b": factories.HeadFactory(establishments=[est_b]),
            "regional": factories.RegionalFactory(region=bretagne),
            "regional_other": factories.RegionalFactory(region=occitanie),
            "national": factories.NationalFactory(),
            "admin": factories.AdminFactory(),
        }
        head, regional, dger = self.users["head_a"], self.users["regional"], self.users["national"]
        allocation_services.set_initial_envelopes(dger, self.campaign, {r.pk: 1000 for r in Region.objects.all()})
        allocation_services.notify_envelopes(dger, self.campaign)
        self.envelope = Envelope.objects.get(campaign=self.campaign, region=bretagne)

        self.submitted = request_services.start_request(head, self.est_a, self.campaign)
        self.submitted = request_services.save_draft(
            head, self.submitted, factories.complete_values(), self.submitted.version
        )
        self.submitted = request_services.submit_request(head, self.submitted, self.submitted.version)
        self.draft = request_services.start_request(head, est_a_draft, self.campaign)

        self.notified = request_services.start_request(head, est_a_notified, self.campaign)
        self.notified = request_services.save_draft(
            head, self.notified, factories.complete_values(), self.notified.version
        )
        self.notified = request_services.submit_request(head, self.notified, self.notified.version)
        allocation_services.allocate(regional, self.notified, {"cap": 50}, "", 0)
        with TestCase.captureOnCommitCallbacks(execute=True):  # the worker builds and sends the letter
            allocation_services.notify_decisions(regional, self.campaign, bretagne)
        self.notified.refresh_from_db()
        report = usage.start_usage_report(head, self.notified)
        values = {
            "hours_used_cap": 40,
            "pupils_supported": 10,
            "teachers_involved": 2,
            "actions_methodological_count": 1,
            "actions_methodological": "Ateliers",
            "evaluation": "Positionnements",
            "observations": "Progrès",
            "teaching_staff": 30,
            "projects_count": 0,
            "pupils_continuing": 9,
            "effects_practices": "Aucun effet observé.",
        }
        report = usage.save_usage_report(head, report, values, report.version)
        usage.submit_usage_report(head, report, report.version)

        self.transmission = report_services.transmit(regional, "repartition", self.campaign, bretagne)
        self.invitation = invitations.invite(regional, "invite@example.org", "", "team", establishment=est_b).invitation
        self.invitation_token = "jeton-de-la-matrice"
        self.invitation.token_hash = invitations._hash(self.invitation_token)
        self.invitation.save()
        self.job = jobs.PdfJob.objects.create(
            document="national-repartition", campaign=self.campaign, requested_by=dger
        )
        jobs.run(self.job.pk)


def _answer(client, user, expect, url, world, method=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        if (method or expect.method) == "post":
            response = client.post(url, expect.data(world) if expect.data else {})
        else:
            response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response.status_code


def _project_urls(world):
    """Every named URL of the project (the admin's apart) with its expectation and its address in ``world``."""
    for name in sorted(set(project_url_names())):
        if name.startswith("admin:"):
            continue
        expect = EXPECTATIONS[name]
        yield name, expect, reverse(name, kwargs=expect.kwargs(world) if expect.kwargs else None)


def test_permission_matrix(client, db, travel, settings):
    world = World(travel)
    mismatches = []
    for name, expect, url in _project_urls(world):
        other = "post" if expect.method == "get" else "get"
        for method, answers in ((expect.method, expect.answers()), (other, Expect(OTHER_METHOD[name]).answers())):
            for role, expected in answers.items():
                got = _answer(client, world.users[role], expect, url, world, method)
                if got != expected:
                    mismatches.append(f"{method.upper()} {url} ({name}) as {role}: expected {expected}, got {got}")
        if expect.method == "get":
            # Posting to a page never gives a role more than the page itself: refused on GET, refused on POST.
            posted = Expect(OTHER_METHOD[name]).answers()
            widened = [r for r, code in expect.answers().items() if code in (403, 404) and posted[r] < 400]
            if widened:
                mismatches.append(f"POST {url} ({name}) grants {widened}, refused on GET")
    for name in ADMIN_URLS:
        url = reverse(name)
        for role, expected in ADMIN_EXPECT.answers().items():
            got = _answer(client, world.users[role], ADMIN_EXPECT, url, world)
            if got != expected:
                mismatches.append(f"GET {url} ({name}) as {role}: expected {expected}, got {got}")
    assert mismatches == [], "\n" + "\n".join(mismatches)


def test_other_methods_are_refused_everywhere(client, db, travel):
    """PUT, PATCH, DELETE and OPTIONS: every address of the project answers 405 (``Allow: GET, HEAD, POST``) for every
    role and for someone not signed in, before any view runs (function views would otherwise treat them like a
    GET), with the page in French."""
    world = World(travel)
    mismatches = []
    for name, _expect, url in _project_urls(world):
        for role, user in world.users.items():
            client.logout()
            if user is not None:
                client.force_login(user)
            for method in ("put", "patch", "delete", "options"):
                with transaction.atomic():
                    response = getattr(client, method)(url)
                    transaction.set_rollback(True)
                if response.status_code != 405 or response["Allow"] != "GET, HEAD, POST":
                    mismatches.append(f"{method.upper()} {url} ({name}) as {role}: {response.status_code}")
    assert mismatches == [], "\n" + "\n".join(mismatches)
    page = client.put("/demandes/").content.decode()
    assert "pas la méthode PUT" in page
    assert "Action impossible depuis cette adresse" in page


@pytest.mark.parametrize("url", ["/demandes/", "/allocations/", "/national/"])
def test_anonymous_is_sent_to_the_sign_in_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/connexion/?next={url}"
