"""The calendar watched: decisions notified by 23 August, the September summary transmitted by 30 September, the
May review transmitted by 31 May. Around each date (moving the clock): not yet due, on time, late by N days (to
the region on its home page, to DGER on the national board and in its CSV/XLSX), done N days late."""

import csv
import datetime
import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from accounts.models import Region, User
from allocations import services as allocation_services
from campaigns.calendar import WATCHED_BY_FIELD, Progress, State, watch
from reports import services as report_services
from reports.board import NationalBoard
from requests_app import services
from tests import factories

ALLOCATION = WATCHED_BY_FIELD["allocation_deadline"]
AUG_23 = datetime.date(2027, 8, 23)


@pytest.mark.parametrize(
    ("progress", "today", "state", "text"),
    [
        (Progress(3), AUG_23, State.NOT_DUE, "pas encore dû"),
        (Progress(3), datetime.date(2027, 8, 24), State.LATE, "en retard de 1 jour"),
        (Progress(1, datetime.date(2027, 8, 1)), datetime.date(2027, 9, 2), State.LATE, "en retard de 10 jours"),
        (Progress(0, datetime.date(2027, 8, 23)), datetime.date(2027, 9, 2), State.ON_TIME, "à l'heure"),
        (Progress(0, datetime.date(2027, 8, 20)), AUG_23, State.ON_TIME, "à l'heure"),
        (
            Progress(0, datetime.date(2027, 8, 26)),
            datetime.date(2027, 9, 2),
            State.DONE_LATE,
            "fait avec 3 jours de retard",
        ),
        (Progress(0, None), AUG_23, State.NOT_DUE, "pas encore dû"),
        (Progress(0, None), datetime.date(2027, 8, 24), State.ON_TIME, "à l'heure"),  # nothing was asked
    ],
)
def test_the_rule(progress, today, state, text):
    result = watch(ALLOCATION, AUG_23, progress, today)
    assert result.state is state
    assert result.text == text


@pytest.fixture
def world(national, regional, head_a, establishment_a, campaign, travel):
    """Bretagne has one deposited request; Occitanie none."""
    travel(datetime.date(2027, 6, 10))
    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 1000 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)
    request = services.start_request(head_a, establishment_a, campaign)
    request = services.save_draft(head_a, request, factories.complete_values(), request.version)
    return services.submit_request(head_a, request, request.version)


def _dger():
    return User.objects.get(email="dger.test@example.org")


def _board_row(campaign, code, today):
    board = NationalBoard(campaign, today)
    return next(row for row in board.rows if row.key == code)


def _texts(client, campaign):
    """The lateness columns of the national board page, per region name (signed in afresh: the clock moves)."""
    client.force_login(_dger())
    soup = BeautifulSoup(client.get(f"/national/?campagne={campaign.start_year}").content, "html.parser")
    rows = {}
    for tr in soup.find(id="tableau-echeances").find("tbody").find_all("tr"):
        name = tr.find("th").get_text(" ", strip=True).replace(" (non notifiée)", "")
        rows[name] = [badge.get_text(strip=True) for badge in tr.find_all(class_="fr-badge")]
    return rows


def test_decisions_not_notified_by_23_august(client, world, regional, national, campaign, bretagne, travel):
    client.force_login(national)
    travel(AUG_23)
    assert _texts(client, campaign)["Bretagne"][0] == "pas encore dû"
    travel(datetime.date(2027, 8, 24))
    assert _texts(client, campaign)["Bretagne"][0] == "en retard de 1 jour"
    assert _texts(client, campaign)["Occitanie"][0] == "à l'heure"  # nothing to decide there
    travel(datetime.date(2027, 8, 26))
    assert _texts(client, campaign)["Bretagne"][0] == "en retard de 3 jours"
    # Decided but not notified is still late.
    allocation_services.allocate(regional, world, {"cap": 30}, "", 0)
    row = _board_row(campaign, "53", datetime.date(2027, 8, 26))
    assert row.work.to_notify == 1
    assert row.work.watch("allocation_deadline").text == "en retard de 3 jours"
    allocation_services.notify_decisions(regional, campaign, bretagne)
    assert _texts(client, campaign)["Bretagne"][0] == "fait avec 3 jours de retard"
    # The total counts the regions late and those that did it late.
    page = BeautifulSoup(client.get(f"/national/?campagne={campaign.start_year}").content, "html.parser")
    total = page.find(id="tableau-echeances").find("tfoot").find_all("td")[0].get_text(" ", strip=True)
    assert total == "0 région en retard, 1 fait en retard"


def test_decisions_notified_before_23_august_are_on_time(world, regional, campaign, bretagne, travel):
    travel(datetime.date(2027, 8, 20))
    allocation_services.allocate(regional, world, {"cap": 30}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    travel(datetime.date(2027, 9, 10))
    assert _board_row(campaign, "53", datetime.date(2027, 9, 10)).work.watch("allocation_deadline").text == "à l'heure"


def test_the_september_summary_not_transmitted_by_30_september(
    client, world, regional, national, campaign, bretagne, travel
):
    client.force_login(national)
    travel(datetime.date(2027, 9, 30))
    assert _texts(client, campaign)["Bretagne"][1] == "pas encore dû"
    travel(datetime.date(2027, 10, 1))
    texts = _texts(client, campaign)
    assert texts["Bretagne"][1] == "en retard de 1 jour"
    assert texts["Occitanie"][1] == "en retard de 1 jour"
    report_services.transmit(regional, "repartition", campaign, bretagne)
    texts = _texts(client, campaign)
    assert texts["Bretagne"][1] == "fait avec 1 jour de retard"
    assert texts["Occitanie"][1] == "en retard de 1 jour"
    # A correction transmitted later does not make it later: the first transmission counts.
    travel(datetime.date(2027, 10, 9))
    report_services.transmit(regional, "repartition", campaign, bretagne)
    assert _texts(client, campaign)["Bretagne"][1] == "fait avec 1 jour de retard"


def test_each_deadline_cell_says_what_is_left_and_links_the_newest_transmission(
    client, world, regional, national, campaign, bretagne, travel
):
    """Under each badge (rows written in Python, ``reports.rows``): the requests still without a notified decision,
    the newest transmitted document (a link to its PDF, the region named for screen readers) or « non transmis »."""
    travel(datetime.date(2027, 10, 1))
    report_services.transmit(regional, "repartition", campaign, bretagne)
    travel(datetime.date(2027, 10, 9))
    newest = report_services.transmit(regional, "repartition", campaign, bretagne)
    client.force_login(national)
    soup = BeautifulSoup(client.get(f"/national/?campagne={campaign.start_year}").content, "html.parser")
    rows = {tr.find("th").get_text(" ", strip=True): tr for tr in soup.find(id="tableau-echeances").tbody("tr")}
    cells = [td.get_text(" ", strip=True) for td in rows["Bretagne"]("td")]
    assert cells == [
        "en retard de 47 jours 1 demande sans décision notifiée",
        "fait avec 1 jour de retard transmis le 9 octobre 2027 (version 2) Bretagne",
        "pas encore dû non transmis",
    ]
    assert rows["Bretagne"]("td")[1].a["href"] == f"/rapports/transmissions/{newest.pk}/pdf/"
    cells = [td.get_text(" ", strip=True) for td in rows["Occitanie"]("td")]
    assert cells == ["à l'heure", "en retard de 9 jours non transmis", "pas encore dû non transmis"]


def test_a_summary_transmitted_on_the_day_is_on_time(world, regional, campaign, bretagne, travel):
    travel(datetime.datetime(2027, 9, 30, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))))
    report_services.transmit(regional, "repartition", campaign, bretagne)
    assert _board_row(campaign, "53", datetime.date(2027, 10, 5)).work.watch("summary_deadline").text == "à l'heure"


def test_the_may_review_not_transmitted_by_31_may(client, world, national, campaign, travel):
    client.force_login(national)
    travel(datetime.date(2028, 5, 31))
    assert _texts(client, campaign)["Bretagne"][2] == "pas encore dû"
    travel(datetime.date(2028, 6, 1))
    assert _texts(client, campaign)["Bretagne"][2] == "en retard de 1 jour"
    travel(datetime.date(2028, 6, 15))
    assert _texts(client, campaign)["Bretagne"][2] == "en retard de 15 jours"


def test_the_national_exports_carry_the_lateness(client, world, national, campaign, travel):
    travel(datetime.date(2027, 10, 3))
    client.force_login(national)
    sheet = load_workbook(io.BytesIO(client.get("/exports/tableau-national.xlsx?campagne=2027").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert headers[-3:] == (
        "Notification des dotations (23 août 2027)",
        "Bilan de la répartition (30 septembre 2027)",
        "Bilan qualitatif (31 mai 2028)",
    )
    by_region = {row[0]: row[-3:] for row in rows[1:]}
    assert by_region["Bretagne"] == ("en retard de 41 jours", "en retard de 3 jours", "pas encore dû")
    assert by_region["France entière"] == ("1 région en retard", "22 régions en retard", "0 région en retard")
    content = client.get("/exports/tableau-national.csv?campagne=2027").content.decode("utf-8-sig")
    table = {row[0]: row[-3:] for row in csv.reader(io.StringIO(content), delimiter=";")}
    assert table["Bretagne"] == ["en retard de 41 jours", "en retard de 3 jours", "pas encore dû"]


def test_the_board_counts_the_same_queries_whatever_the_lateness(
    world, regional, campaign, bretagne, travel, django_assert_max_num_queries, django_assert_num_queries
):
    travel(datetime.date(2027, 10, 3))
    with django_assert_num_queries(5) as first:
        NationalBoard(campaign)
    report_services.transmit(regional, "repartition", campaign, bretagne)
    for index in range(4):
        establishment = factories.EstablishmentFactory(region=factories.region(["53", "76", "84", "01"][index]))
        factories.HseRequestFactory(campaign=campaign, establishment=establishment, status="deposee", complete=True)
    with django_assert_num_queries(len(first.captured_queries)):
        NationalBoard(campaign)


def test_a_corrected_summary_counts_from_its_first_transmission_and_the_board_links_the_newest(
    client, world, national, regional, campaign, bretagne, travel
):
    """Transmitted late on 2 October, corrected on 9 October: done 2 days late (the correction does not make it
    later), and the board links version 2, the one DGER should read."""
    travel(datetime.date(2027, 10, 2))
    first = report_services.transmit(regional, "repartition", campaign, bretagne)
    travel(datetime.date(2027, 10, 9))
    corrected = report_services.transmit(regional, "repartition", campaign, bretagne)
    assert (first.version, corrected.version) == (1, 2)
    assert _texts(client, campaign)["Bretagne"][1] == "fait avec 2 jours de retard"
    soup = BeautifulSoup(client.get(f"/national/?campagne={campaign.start_year}").content, "html.parser")
    row = next(
        tr
        for tr in soup.find(id="tableau-echeances").find("tbody").find_all("tr")
        if tr.find("th").get_text(" ", strip=True).startswith("Bretagne")
    )
    link = row.find_all("td")[1].find("a")
    assert link["href"] == f"/rapports/transmissions/{corrected.pk}/pdf/"
    assert "(version 2)" in link.get_text(" ", strip=True)
