"""Instruction with memory: beside the new request, the decision page shows the establishment's previous campaign
(hours asked, allocated, used according to its usage report, pupils supported)."""

import datetime

import pytest
from bs4 import BeautifulSoup

from accounts.models import Region
from allocations import services as allocation_services
from requests_app import services
from requests_app import usage_services as usage
from tests import factories


def _deposit(head, establishment, campaign):
    request = services.start_request(head, establishment, campaign)
    request = services.save_draft(head, request, factories.complete_values(), request.version)
    return services.submit_request(head, request, request.version)


def _envelopes(national, campaign):
    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 1000 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)


@pytest.fixture
def last_year(national, regional, head_a, establishment_a, bretagne, travel):
    """2026-2027: A asked 3,5 HSE per week (126 h), received 100 h (CAP 40, bac pro 60), used 98,5 h with 30
    pupils."""
    previous = factories.CampaignFactory(start_year=2026)
    travel(datetime.date(2026, 6, 5))
    _envelopes(national, previous)
    request = _deposit(head_a, establishment_a, previous)
    travel(datetime.date(2026, 8, 10))
    allocation_services.allocate(regional, request, {"cap": 40, "bac_pro": 60}, "", 0)
    allocation_services.notify_decisions(regional, previous, bretagne)
    travel(datetime.date(2027, 4, 20))
    report = usage.start_usage_report(head_a, request)
    report = usage.save_usage_report(head_a, report, factories.usage_values(), report.version)
    usage.submit_usage_report(head_a, report, report.version)
    return request


def _memory(client, regional, request):
    client.force_login(regional)
    soup = BeautifulSoup(client.get(f"/allocations/demandes/{request.pk}/").content, "html.parser")
    section = soup.find(id="campagne-precedente")
    return " ".join(section.get_text(" ", strip=True).split()) if section else None


def test_the_decision_page_shows_last_year_beside_the_new_request(
    client, last_year, national, regional, head_a, establishment_a, campaign, travel
):
    travel(datetime.date(2027, 6, 10))
    _envelopes(national, campaign)
    new = _deposit(head_a, establishment_a, campaign)
    memory = _memory(client, regional, new)
    assert memory.startswith("Campagne précédente (2026-2027)")
    assert "Demandé 3,5 HSE par semaine, soit 126 h par an" in memory
    assert "Attribué 100 h" in memory
    assert "Utilisé selon le bilan d'utilisation 98,5 h (98 % de l'attribué)" in memory
    assert "Élèves accompagnés 30" in memory


def test_last_year_is_read_with_its_campaign_in_one_query(
    client, last_year, national, regional, head_a, establishment_a, campaign, travel, django_assert_num_queries
):
    """Last year's request brings its campaign, decision and usage report: the campaign is read on its own only
    when the establishment did not ask then."""
    travel(datetime.date(2027, 6, 10))
    _envelopes(national, campaign)
    new = _deposit(head_a, establishment_a, campaign)
    client.force_login(regional)
    client.get(f"/allocations/demandes/{new.pk}/")
    # session, user, request, envelope, last year's request, notes, history.
    with django_assert_num_queries(7):
        client.get(f"/allocations/demandes/{new.pk}/")


def test_without_a_usage_report_the_page_says_so(
    client, national, regional, head_a, establishment_a, bretagne, campaign, travel
):
    previous = factories.CampaignFactory(start_year=2026)
    travel(datetime.date(2026, 6, 5))
    _envelopes(national, previous)
    request = _deposit(head_a, establishment_a, previous)
    allocation_services.allocate(regional, request, {"cap": 20}, "", 0)
    allocation_services.notify_decisions(regional, previous, bretagne)
    travel(datetime.date(2027, 6, 10))
    _envelopes(national, campaign)
    memory = _memory(client, regional, _deposit(head_a, establishment_a, campaign))
    assert "Attribué 20 h" in memory
    assert "Utilisé selon le bilan d'utilisation bilan non déposé" in memory


def test_no_request_last_year(client, national, regional, head_a, establishment_a, campaign, travel):
    factories.CampaignFactory(start_year=2026)
    travel(datetime.date(2027, 6, 10))
    _envelopes(national, campaign)
    memory = _memory(client, regional, _deposit(head_a, establishment_a, campaign))
    assert memory == ("Campagne précédente (2026-2027) Pas de demande de cet établissement pour la campagne 2026-2027.")


def test_another_establishment_s_past_is_not_mixed_in(
    client, last_year, national, regional, head_b, establishment_b, campaign, travel
):
    travel(datetime.date(2027, 6, 10))
    _envelopes(national, campaign)
    memory = _memory(client, regional, _deposit(head_b, establishment_b, campaign))
    assert "Pas de demande de cet établissement" in memory


def test_last_year_s_state_links_and_request_are_those_of_its_request(
    client, last_year, national, regional, head_a, establishment_a, campaign, travel
):
    travel(datetime.date(2027, 6, 10))
    _envelopes(national, campaign)
    new = _deposit(head_a, establishment_a, campaign)
    client.force_login(regional)
    soup = BeautifulSoup(client.get(f"/allocations/demandes/{new.pk}/").content, "html.parser")
    section = soup.find(id="campagne-precedente")
    assert section.find(class_="fr-badge").get_text(strip=True) == "Notifiée"
    links = {a.get_text(" ", strip=True): a["href"] for a in section.find_all("a")}
    assert links == {
        f"Demande {last_year.reference}": f"/demandes/{last_year.pk}/",
        "bilan d'utilisation": f"/demandes/{last_year.pk}/bilan/",
    }


@pytest.mark.parametrize(
    ("decide", "allocated", "used", "pupils"),
    [
        ("refuse", "Attribué refus", "Utilisé selon le bilan d'utilisation —", "Élèves accompagnés —"),
        ("allocate", "Attribué 20 h (décision non notifiée)", "bilan non déposé", "Élèves accompagnés —"),
        (None, "Attribué aucune décision", "Utilisé selon le bilan d'utilisation —", "Élèves accompagnés —"),
        ("draft_report", "Attribué 20 h", "bilan non déposé", "Élèves accompagnés —"),
    ],
)
def test_last_year_s_decision_and_report_as_they_stood(
    client, national, regional, head_a, establishment_a, bretagne, campaign, travel, decide, allocated, used, pupils
):
    """A refusal, a decision never notified, no decision, a usage report left as a draft (it says nothing yet)."""
    previous = factories.CampaignFactory(start_year=2026)
    travel(datetime.date(2026, 6, 5))
    _envelopes(national, previous)
    request = _deposit(head_a, establishment_a, previous)
    if decide == "refuse":
        allocation_services.refuse(regional, request, "Hors du cadre de la note", 0)
    elif decide is not None:
        allocation_services.allocate(regional, request, {"cap": 20}, "", 0)
    if decide == "draft_report":
        allocation_services.notify_decisions(regional, previous, bretagne)
        travel(datetime.date(2027, 4, 20))
        report = usage.start_usage_report(head_a, request)
        usage.save_usage_report(head_a, report, factories.usage_values(), report.version)
    travel(datetime.date(2027, 6, 10))
    _envelopes(national, campaign)
    memory = _memory(client, regional, _deposit(head_a, establishment_a, campaign))
    assert allocated in memory
    assert used in memory
    assert pupils in memory
