"""What an establishment head sees of the region's work: a decision only once notified, never the envelope's
figures or the authority's internal reasons — on every page, PDF and list a head can open."""

import pytest

from accounts.models import Region
from allocations import services as allocation_services
from requests_app import lifecycle, usage_services
from requests_app import services as request_services
from requests_app.models import Request, RequestEvent
from tests import factories
from tests.helpers import pdf_text

REFUSAL_REASON = "Motif confidentiel : projet jugé trop fragile par le comité régional"
JUSTIFICATION = "Justification interne de la répartition régionale"
ENVELOPE = 1815  # distinctive figures, searched for in every answer
OTHER_ALLOCATED = 1401

# What a head must not read before notification, and never for the envelope.
DECISION_WORDS = ("Attribuée", "Refusée", "Dotation attribuée", "Demande refusée", "Demande non retenue")
ENVELOPE_WORDS = (
    "Enveloppe 1",
    "1815",
    "1 815",
    "1\u202f815",
    "1401",
    "1 401",
    "1\u202f401",
    "attribué dans la région",
    "reste 3",
)


@pytest.fixture
def world(national, regional, campaign, bretagne, head_a, establishment_a, today):
    """A Bretagne envelope of 1815 h, 1401 h already allocated to another establishment, and head A's request
    deposited through the real services."""
    allocation_services.set_initial_envelopes(
        national, campaign, {r.pk: ENVELOPE if r.code == "53" else 0 for r in Region.objects.all()}
    )
    allocation_services.notify_envelopes(national, campaign)
    other = factories.HseRequestFactory(
        campaign=campaign,
        establishment=factories.EstablishmentFactory(region=bretagne),
        status="en_instruction",
        complete=True,
        hse_cap=20,
        hse_bac_pro=20,
    )
    allocation_services.allocate(regional, other, {"cap": 700, "bac_pro": 701}, "", 0)
    draft = request_services.start_request(head_a, establishment_a, campaign)
    draft = request_services.save_draft(head_a, draft, factories.complete_values(), draft.version)
    return request_services.submit_request(head_a, draft, draft.version)


def _decide(regional, req, outcome):
    if outcome == "allocated":
        allocation_services.allocate(regional, req, {"cap": 54, "bac_pro": 60}, JUSTIFICATION, 0)
    elif outcome == "refused":
        allocation_services.refuse(regional, req, REFUSAL_REASON, 0)
    else:
        allocation_services.start_review(regional, [req])
    req.refresh_from_db()
    return req


def _notify(regional, campaign, bretagne, on_commit):
    with on_commit(execute=True):
        assert allocation_services.notify_decisions(regional, campaign, bretagne) >= 1


def _head_pages(client, req):
    """Every page and document a head can open about their request, as text."""
    pages = {}
    for url in (
        "/",
        "/demandes/",
        f"/demandes/{req.pk}/",
        f"/demandes/{req.pk}/confirmation/",
        f"/demandes/{req.pk}/modifier/",
        f"/demandes/{req.pk}/retirer/",
        f"/demandes/{req.pk}/lettre/",
        f"/demandes/{req.pk}/pdf/",
        f"/demandes/{req.pk}/depots/1/pdf/",
        f"/demandes/{req.pk}/bilan/",
        f"/demandes/{req.pk}/bilan/pdf/",
        "/rapports/",
    ):
        # The form of a request no longer editable leads back to the request's page, with the reason.
        response = client.get(url, follow=url.endswith("/modifier/"))
        assert response.status_code < 500, url
        if response.get("Content-Type") == "application/pdf":
            pages[url] = (response.status_code, pdf_text(b"".join(response.streaming_content)))
        elif response.status_code < 300 or response.status_code in (403, 404):
            pages[url] = (response.status_code, response.content.decode())
    return pages


def _assert_never_shown(pages, words):
    for url, (_status, text) in pages.items():
        for word in words:
            assert word not in text, f"{word!r} shown to the head on {url}"


@pytest.mark.parametrize("outcome", ["undecided", "allocated", "refused"])
def test_before_notification_a_head_sees_the_request_under_review_and_nothing_of_the_decision(
    client, world, regional, head_a, outcome
):
    req = _decide(regional, world, outcome)
    client.force_login(head_a)
    pages = _head_pages(client, req)
    _assert_never_shown(pages, (*DECISION_WORDS, *ENVELOPE_WORDS, REFUSAL_REASON, JUSTIFICATION, "114 h"))
    # The request reads « en instruction » in the list, on its page and among the head's documents.
    for url in ("/demandes/", f"/demandes/{req.pk}/", "/rapports/"):
        assert "En instruction" in pages[url][1], url
    # No letter yet: the same answer whether a decision was taken or not.
    assert pages[f"/demandes/{req.pk}/lettre/"][0] == 404
    # The head's own steps are in the history; the region's decision is not.
    detail = pages[f"/demandes/{req.pk}/"][1]
    assert "Demande déposée" in detail
    assert "Interne à l" not in detail
    # Refusals of the head's actions name no decision either.
    assert pages[f"/demandes/{req.pk}/retirer/"][0] in (200, 403)
    if outcome != "undecided":
        assert "ne peut plus être retirée" in pages[f"/demandes/{req.pk}/retirer/"][1]
        assert "« En instruction »" in pages[f"/demandes/{req.pk}/modifier/"][1]


@pytest.mark.parametrize("outcome", ["allocated", "refused"])
def test_once_notified_the_head_sees_the_decision_but_never_the_envelope(
    client, world, regional, head_a, campaign, bretagne, outcome, django_capture_on_commit_callbacks
):
    req = _decide(regional, world, outcome)
    _notify(regional, campaign, bretagne, django_capture_on_commit_callbacks)
    req.refresh_from_db()
    assert req.status == Request.Status.NOTIFIED
    if outcome == "allocated":
        report = usage_services.start_usage_report(head_a, req)
        usage_services.save_usage_report(head_a, report, {"hours_used_cap": 50}, report.version)
    client.force_login(head_a)
    pages = _head_pages(client, req)
    _assert_never_shown(pages, ENVELOPE_WORDS)
    detail = pages[f"/demandes/{req.pk}/"][1]
    assert "Notifiée" in detail
    assert "Décision notifiée à l" in detail
    letter = pages[f"/demandes/{req.pk}/lettre/"][1]
    if outcome == "allocated":
        assert "Dotation attribuée : 114 heures par an" in detail
        assert "114" in letter
        assert "Heures effectivement utilisées" in pages[f"/demandes/{req.pk}/bilan/"][1] or (
            "heures effectivement utilisées" in pages[f"/demandes/{req.pk}/bilan/"][1]
        )
    else:
        assert "Demande non retenue" in detail
        assert REFUSAL_REASON in detail  # the reason written in the letter, shown once notified
        assert REFUSAL_REASON in letter
    # The history entry of the decision itself (with its envelope figures) stays internal.
    assert "Dotation attribuée</strong>" not in detail
    assert "Demande refusée</strong>" not in detail


def test_staff_read_the_whole_history_with_internal_entries_marked(client, world, regional, national):
    _decide(regional, world, "refused")
    for user in (regional, national):
        client.force_login(user)
        page = client.get(f"/demandes/{world.pk}/").content.decode()
        assert "Refusée" in page
        assert REFUSAL_REASON in page
        assert "Enveloppe 1\u202f815 h" in page
        assert "Interne à l'autorité" in page


def test_every_history_entry_has_the_audience_of_its_transition(world, regional):
    _decide(regional, world, "allocated")
    audiences = dict(world.events.values_list("action", "audience"))
    assert audiences == {
        RequestEvent.Action.CREATED: "shared",
        RequestEvent.Action.SUBMITTED: "shared",
        RequestEvent.Action.ALLOCATED: "internal",
    }
    for transition in lifecycle.TRANSITIONS:
        expected = "internal" if transition.target in lifecycle.DECIDED else "shared"
        assert transition.audience == expected, transition.name


def test_a_head_never_reads_internal_entries_whatever_their_action(world, head_a, regional, national):
    request_services.record(world, regional, RequestEvent.Action.EXTENSION, audience=RequestEvent.Audience.INTERNAL)
    assert world.events.visible_to(head_a).filter(audience="internal").count() == 0
    assert world.events.visible_to(regional).filter(audience="internal").count() == 1
    assert world.events.visible_to(national).filter(audience="internal").count() == 1


def _my_requests_row(client, req) -> dict:
    """The head's row of ``req`` in « Toutes mes demandes », by column header."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/demandes/").content, "html.parser")
    table = page.find(id="toutes").find_next("table")
    headers = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
    row = next(tr for tr in table.tbody.find_all("tr") if req.establishment.uai in tr.get_text())
    return dict(zip(headers, [td.get_text(" ", strip=True) for td in row.find_all("td")], strict=True))


@pytest.mark.parametrize("outcome", ["undecided", "allocated", "refused"])
def test_the_head_list_shows_what_was_allocated_and_the_heads_own_next_step(
    client, world, regional, head_a, campaign, bretagne, outcome, django_capture_on_commit_callbacks
):
    req = _decide(regional, world, outcome)
    client.force_login(head_a)
    row = _my_requests_row(client, req)
    assert row["Demandé (h/an)"] == "126"
    assert row["Attribué (h/an)"] == "—"  # nothing before notification, whatever was decided
    assert row["Prochaine étape"] == "Décision attendue au plus tard : 23 août 2027"
    if outcome == "undecided":
        return
    _notify(regional, campaign, bretagne, django_capture_on_commit_callbacks)
    row = _my_requests_row(client, req)
    if outcome == "allocated":
        assert row["Attribué (h/an)"] == "114"
        # The establishment's own next step, not the region's May review.
        assert row["Prochaine étape"] == "Dépôt du bilan d'utilisation : 31 mai 2028"
    else:
        assert row["Attribué (h/an)"] == "Refusée"
        assert row["Prochaine étape"] == "—"


def test_the_letter_exists_only_once_the_decision_is_notified(client, world, regional, campaign, bretagne):
    """Even the region's staff, who see the decision, get no letter before the notification: the letter is what
    the establishment receives, and it is built then."""
    _decide(regional, world, "allocated")
    client.force_login(regional)
    response = client.get(f"/demandes/{world.pk}/lettre/")
    assert response.status_code == 403
    assert "une fois la décision notifiée" in response.content.decode()
