"""The home page of each role names that role's own next deadline, with what is left to do: a head their
request's date (12 July, the region's own date or their extension), later their usage report; regional staff 23
August, 30 September and May; DGER the envelopes in early June and the reports to receive."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Region
from allocations import services as allocation_services
from campaigns import services as campaign_services
from reports import services as report_services
from requests_app import services
from tests import factories


def _home(client, user):
    client.force_login(user)
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    callout = soup.find(id="prochaine-echeance")
    late = soup.find(id="en-retard")
    return (
        " ".join(callout.get_text(" ", strip=True).split()),
        " ".join(late.get_text(" ", strip=True).split()) if late else "",
    )


def _deposit(head, establishment, campaign):
    request = services.start_request(head, establishment, campaign)
    request = services.save_draft(head, request, factories.complete_values(), request.version)
    return services.submit_request(head, request, request.version)


@pytest.fixture
def envelopes(national, campaign, travel):
    travel(datetime.date(2027, 6, 3))
    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 1000 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)


# --- Heads --------------------------------------------------------------------------------------------------


def test_a_head_sees_12_july_and_the_request_to_start(client, head_a, campaign, today):
    next_deadline, late = _home(client, head_a)
    assert next_deadline.startswith("Votre prochaine échéance : 12 juillet 2027 — dans 27 jours")
    assert "Déposer la demande (Annexe 1) de la campagne 2027-2028 (date nationale)" in next_deadline
    assert "Reste à faire : demande à commencer." in next_deadline
    assert late == ""


def test_a_head_sees_the_date_of_their_region(client, head_a, regional, campaign, bretagne, today):
    campaign_services.set_regional_deadline(regional, campaign, bretagne, datetime.date(2027, 7, 5))
    next_deadline, _late = _home(client, head_a)
    assert next_deadline.startswith("Votre prochaine échéance : 5 juillet 2027 — dans 20 jours")
    assert "(date fixée par la DRAAF-SRFD Bretagne)" in next_deadline


def test_a_head_sees_their_extension(client, head_a, regional, establishment_a, campaign, travel):
    travel(datetime.date(2027, 7, 13))
    services.grant_extension(regional, establishment_a, campaign, datetime.date(2027, 7, 20))
    services.start_request(head_a, establishment_a, campaign)
    next_deadline, _late = _home(client, head_a)
    assert next_deadline.startswith("Votre prochaine échéance : 20 juillet 2027 — dans 7 jours")
    assert "(délai accordé par la DRAAF-SRFD)" in next_deadline
    assert "brouillon à compléter et à déposer" in next_deadline


def test_a_head_with_hours_sees_the_usage_report_next(
    client, head_a, regional, establishment_a, campaign, bretagne, envelopes, travel
):
    travel(datetime.date(2027, 6, 20))
    request = _deposit(head_a, establishment_a, campaign)
    next_deadline, _late = _home(client, head_a)
    assert next_deadline.startswith("Rien à faire pour le moment")
    allocation_services.allocate(regional, request, {"cap": 54}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    travel(datetime.date(2028, 4, 1))
    next_deadline, _late = _home(client, head_a)
    assert next_deadline.startswith("Votre prochaine échéance : 31 mai 2028 — dans 60 jours")
    assert "Déposer le bilan d'utilisation des HSE 2027-2028 (dotation de 54 h)" in next_deadline
    assert "bilan à rédiger" in next_deadline


# --- Regional staff ----------------------------------------------------------------------------------------


def test_regional_staff_see_23_august_and_the_requests_to_decide(
    client, regional, head_a, head_b, establishment_a, establishment_b, campaign, envelopes, travel
):
    travel(datetime.date(2027, 7, 1))
    _deposit(head_a, establishment_a, campaign)
    _deposit(head_b, establishment_b, campaign)
    travel(datetime.date(2027, 7, 20))
    next_deadline, late = _home(client, regional)
    assert next_deadline.startswith("Votre prochaine échéance : 23 août 2027 — dans 34 jours")
    assert "Notifier les décisions de la campagne 2027-2028" in next_deadline
    assert "Reste à faire : 2 demandes à décider." in next_deadline
    assert late == ""


def test_regional_staff_see_30_september_then_their_lateness(
    client, regional, head_a, establishment_a, campaign, bretagne, envelopes, travel
):
    travel(datetime.date(2027, 7, 1))
    request = _deposit(head_a, establishment_a, campaign)
    travel(datetime.date(2027, 8, 20))
    allocation_services.allocate(regional, request, {"cap": 30}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    travel(datetime.date(2027, 9, 1))
    next_deadline, late = _home(client, regional)
    assert next_deadline.startswith("Votre prochaine échéance : 30 septembre 2027 — dans 29 jours")
    assert "bilan de la répartition à transmettre" in next_deadline
    travel(datetime.date(2027, 10, 3))
    next_deadline, late = _home(client, regional)
    assert next_deadline.startswith("Votre prochaine échéance : 31 mai 2028")
    assert late.startswith("En retard")
    assert (
        "Transmettre le bilan de la répartition 2027-2028 à la DGER : échéance du 30 septembre 2027, "
        "en retard de 3 jours" in late
    )
    report_services.transmit(regional, "repartition", campaign, bretagne)
    _next, late = _home(client, regional)
    assert late == ""


def test_regional_staff_see_may_and_the_missing_usage_reports(
    client, regional, head_a, establishment_a, campaign, bretagne, envelopes, travel
):
    travel(datetime.date(2027, 7, 1))
    request = _deposit(head_a, establishment_a, campaign)
    travel(datetime.date(2027, 8, 20))
    allocation_services.allocate(regional, request, {"cap": 30}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    travel(datetime.date(2027, 9, 20))
    report_services.transmit(regional, "repartition", campaign, bretagne)
    travel(datetime.date(2028, 5, 10))
    next_deadline, late = _home(client, regional)
    assert next_deadline.startswith("Votre prochaine échéance : 31 mai 2028 — dans 21 jours")
    assert "Reste à faire : bilan qualitatif à transmettre, 1 bilan d'utilisation non déposé sur 1." in next_deadline
    assert late == ""


# --- DGER ------------------------------------------------------------------------------------------------


def test_dger_sees_the_envelopes_of_early_june(client, national, campaign, travel):
    travel(datetime.date(2027, 5, 2))
    next_deadline, _late = _home(client, national)
    assert next_deadline.startswith("Votre prochaine échéance : 3 juin 2027 — dans 32 jours")
    assert "Notifier les enveloppes régionales 2027-2028 (début juin)" in next_deadline
    assert "22 enveloppes régionales à fixer" in next_deadline


def test_dger_sees_the_reports_to_receive(
    client, national, regional, head_a, establishment_a, campaign, bretagne, envelopes, travel
):
    travel(datetime.date(2027, 7, 1))
    request = _deposit(head_a, establishment_a, campaign)
    travel(datetime.date(2027, 8, 20))
    allocation_services.allocate(regional, request, {"cap": 30}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    travel(datetime.date(2027, 9, 10))
    report_services.transmit(regional, "repartition", campaign, bretagne)
    next_deadline, _late = _home(client, national)
    assert next_deadline.startswith("Votre prochaine échéance : 30 septembre 2027 — dans 20 jours")
    assert "Bilans de la répartition 2027-2028 à recevoir" in next_deadline
    assert "21 régions n'ont pas transmis leur bilan" in next_deadline
    travel(datetime.date(2027, 10, 2))
    _next, late = _home(client, national)
    assert "Bilans de la répartition 2027-2028 à recevoir : échéance du 30 septembre 2027" in late
    assert "21 régions n'ont pas transmis leur bilan" in late


@pytest.mark.parametrize("role", ["head_a", "regional", "national"])
def test_each_home_page_runs_a_constant_number_of_queries(
    client, request, role, head_a, regional, campaign, envelopes, travel, django_assert_num_queries
):
    travel(datetime.date(2027, 7, 1))
    user = request.getfixturevalue(role)
    client.force_login(user)
    client.get("/")  # session and caches warmed
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    for code in ("53", "53", "76", "84"):
        head = factories.HeadFactory()
        establishment = factories.EstablishmentFactory(region=factories.region(code))
        head.establishments.set([establishment])
        _deposit(head, establishment, campaign)
    head_a.establishments.add(factories.EstablishmentFactory(region=factories.region("53")))
    with django_assert_num_queries(len(before.captured_queries)):
        client.get("/")
