"""The data version (``core.changes``): every committed write to a watched table makes it grow, whoever writes;
what the national board keeps in memory is built again as soon as it changed, or when the day turns."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection, transaction

from accounts.models import Establishment, Region
from allocations import services as allocation_services
from core import changes
from reports import services as report_services
from requests_app import services
from requests_app import usage_services as usage
from requests_app.models import Decision, Request
from tests import factories

WATCHED = [
    "accounts_region",
    "accounts_establishment",
    "campaigns_campaign",
    "allocations_envelope",
    "allocations_envelopemovement",
    "requests_app_request",
    "requests_app_decision",
    "requests_app_usagereport",
    "reports_transmission",
]


@pytest.fixture
def world(national, regional, head_a, establishment_a, bretagne, campaign, travel):
    """A row in every watched table: envelopes and their movements, a notified allocation with its usage report,
    a transmitted September summary."""
    travel(datetime.date(2027, 6, 10))
    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 1000 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)
    request = services.start_request(head_a, establishment_a, campaign)
    request = services.save_draft(head_a, request, factories.complete_values(), request.version)
    request = services.submit_request(head_a, request, request.version)
    travel(datetime.date(2027, 8, 10))
    allocation_services.allocate(regional, request, {"cap": 40, "bac_pro": 60}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    travel(datetime.date(2027, 9, 20))
    report_services.transmit(regional, "repartition", campaign, bretagne)
    travel(datetime.date(2028, 4, 20))
    report = usage.start_usage_report(head_a, Request.objects.get(pk=request.pk))
    usage.save_usage_report(head_a, report, factories.usage_values(), report.version)
    return request


@pytest.mark.parametrize("table", WATCHED)
def test_any_write_to_a_watched_table_makes_the_version_grow(world, table):
    """By SQL typed by hand, the way nothing in the code writes: the triggers see it all the same."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        assert cursor.fetchone()[0] > 0, f"nothing in {table}: the test would prove nothing"
        before = changes.data_version()
        cursor.execute(f'UPDATE "{table}" SET id = id')
        assert changes.data_version() > before


def test_updates_and_deletes_through_the_orm_count_too(world):
    before = changes.data_version()
    Establishment.objects.filter(pk=world.establishment_id).update(status="prive")
    after_update = changes.data_version()
    assert after_update > before
    Decision.objects.filter(request=world).delete()
    assert changes.data_version() > after_update


def test_a_write_rolled_back_leaves_the_version_as_it_was(world):
    before = changes.data_version()

    def write_then_fail():
        with transaction.atomic():
            Request.objects.filter(pk=world.pk).update(hse_cap=9)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert changes.data_version() == before


def test_reading_and_other_tables_leave_the_version_as_it_was(world, client, national):
    before = changes.data_version()
    list(Request.objects.select_for_update().filter(pk=world.pk))
    client.force_login(national)  # sessions and users are not watched
    assert changes.data_version() == before


def test_memo_builds_again_once_the_data_changed(world):
    built = []

    def build():
        built.append(1)
        return len(built)

    assert changes.memo(("test",), build) == 1
    assert changes.memo(("test",), build) == 1  # kept
    assert changes.memo(("other",), build) == 2  # another key
    Request.objects.filter(pk=world.pk).update(hse_sup=1)
    assert changes.memo(("test",), build) == 3


def test_compacting_keeps_the_version(world):
    before = changes.data_version()
    folded = changes.compact.call()
    assert changes.data_version() == before
    if connection.vendor == "postgresql":
        assert folded > 1
        assert changes.compact.call() == 1  # a single row left, folded into itself
        assert changes.data_version() == before


def _tables(client):
    page = BeautifulSoup(client.get("/national/?campagne=2027").content, "html.parser")
    regions = {
        tr.th.get_text(" ", strip=True): [td.get_text(strip=True) for td in tr("td")]
        for tr in page.find(id="tableau-regions").tbody("tr")
    }
    deadlines = {
        tr.th.get_text(" ", strip=True): [b.get_text(strip=True) for b in tr.find_all(class_="fr-badge")]
        for tr in page.find(id="tableau-echeances").tbody("tr")
    }
    return regions, deadlines


def test_the_national_board_shows_a_change_at_once_and_the_new_day(world, client, national, travel):
    """Kept between readers while nothing changes; a change made anywhere (here a correction in the admin's way,
    by ``QuerySet.update``) shows on the next reading; the lateness is that of the day."""
    travel(datetime.date(2027, 9, 25))
    client.force_login(national)
    regions, deadlines = _tables(client)
    assert regions["Bretagne"][2] == "100"  # attribué
    assert deadlines["Bretagne"][1] == "à l'heure"
    Decision.objects.filter(request=world).update(total=70, hours_bac_pro=30)
    regions, _deadlines = _tables(client)
    assert regions["Bretagne"][2] == "70"
    travel(datetime.date(2027, 10, 1))
    client.force_login(national)
    _regions, deadlines = _tables(client)
    assert deadlines["Occitanie"][1] == "en retard de 1 jour"
