"""The request lifecycle is declared once (``requests_app.lifecycle``); the services move requests only
through it, and the pages offer exactly the actions it allows."""

import pytest
from bs4 import BeautifulSoup

from requests_app import lifecycle, services
from requests_app.lifecycle import Status
from tests import factories

# Every transition of the note: (name, from, to, who).
EXPECTED = {
    ("submit", Status.DRAFT, Status.SUBMITTED, "head"),
    ("resubmit", Status.TO_COMPLETE, Status.SUBMITTED, "head"),
    ("withdraw", Status.SUBMITTED, Status.WITHDRAWN, "head"),
    ("withdraw", Status.UNDER_REVIEW, Status.WITHDRAWN, "head"),
    ("withdraw", Status.TO_COMPLETE, Status.WITHDRAWN, "head"),
    ("reopen", Status.WITHDRAWN, Status.DRAFT, "head"),
    ("return", Status.SUBMITTED, Status.TO_COMPLETE, "regional"),
    ("return", Status.UNDER_REVIEW, Status.TO_COMPLETE, "regional"),
    ("start_review", Status.SUBMITTED, Status.UNDER_REVIEW, "regional"),
    ("allocate", Status.SUBMITTED, Status.ALLOCATED, "regional"),
    ("allocate", Status.UNDER_REVIEW, Status.ALLOCATED, "regional"),
    ("reallocate", Status.ALLOCATED, Status.ALLOCATED, "regional"),
    ("reallocate", Status.REFUSED, Status.ALLOCATED, "regional"),
    ("refuse", Status.SUBMITTED, Status.REFUSED, "regional"),
    ("refuse", Status.UNDER_REVIEW, Status.REFUSED, "regional"),
    ("refuse", Status.ALLOCATED, Status.REFUSED, "regional"),
    ("refuse", Status.REFUSED, Status.REFUSED, "regional"),
    ("notify", Status.ALLOCATED, Status.NOTIFIED, "regional"),
    ("notify", Status.REFUSED, Status.NOTIFIED, "regional"),
}


def test_the_table_is_the_lifecycle_of_the_note():
    declared = {(t.name, source, t.target, t.actor.value) for t in lifecycle.TRANSITIONS for source in t.sources}
    assert declared == EXPECTED
    assert set(lifecycle.EDITABLE) == {Status.DRAFT, Status.TO_COMPLETE}
    assert set(lifecycle.COUNTED) == set(Status) - {Status.DRAFT, Status.WITHDRAWN}
    assert lifecycle.next_states(Status.NOTIFIED) == []  # notified is final


@pytest.mark.parametrize("status", list(Status))
def test_transition_refuses_what_the_table_does_not_allow(status, head_a, regional, establishment_a, campaign):
    request = factories.HseRequestFactory(establishment=establishment_a, campaign=campaign, status=status)
    for transition in lifecycle.TRANSITIONS:
        actor = head_a if transition.actor is lifecycle.Actor.HEAD else regional
        other = regional if actor is head_a else head_a
        with pytest.raises(services.RequestError):
            services.transition(request, other, transition.name)  # never the other role
        if status in transition.sources:
            continue
        with pytest.raises(services.RequestError):
            services.transition(request, actor, transition.name)
        request.refresh_from_db()
        assert request.status == status


def test_transition_records_what_the_table_says(head_a, establishment_a, campaign):
    request = factories.HseRequestFactory(establishment=establishment_a, campaign=campaign, status=Status.SUBMITTED)
    event = services.transition(request, head_a, "withdraw", message="Projet reporté")
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN
    assert (event.action, event.from_status, event.to_status) == (
        lifecycle.Action.WITHDRAWN,
        Status.SUBMITTED,
        Status.WITHDRAWN,
    )


def _offered(client, request) -> set[str]:
    page = BeautifulSoup(client.get(f"/demandes/{request.pk}/").content, "html.parser")
    actions = page.select_one("ul#actions")
    return {element.get_text(" ", strip=True) for element in actions.select("a, button")} if actions else set()


@pytest.mark.parametrize(
    ("status", "head_sees", "region_sees"),
    [
        (Status.DRAFT, {"Modifier la demande"}, None),
        (Status.SUBMITTED, {"Retirer la demande"}, {"Renvoyer à compléter", "Instruire et décider"}),
        (Status.TO_COMPLETE, {"Compléter la demande", "Retirer la demande"}, {"Instruire et décider"}),
        (Status.WITHDRAWN, {"Reprendre la demande"}, {"Instruire et décider"}),
        (Status.NOTIFIED, set(), {"Instruire et décider"}),
    ],
)
def test_request_page_offers_the_actions_the_lifecycle_allows(
    client, status, head_sees, region_sees, head_a, regional, establishment_a, campaign, today
):
    request = factories.HseRequestFactory(establishment=establishment_a, campaign=campaign, status=status)
    client.force_login(head_a)
    assert {a for a in _offered(client, request) if not a.startswith("Télécharger")} == head_sees
    if region_sees is not None:
        client.force_login(regional)
        assert {a for a in _offered(client, request) if not a.startswith("Télécharger")} == region_sees
