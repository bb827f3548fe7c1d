"""The list pages run the same SQL whatever the number of rows, and that SQL is the one in ``tests/snapshots/``
(see ``tests/sql_snapshots.py``): a query added per row, or any change of the queries, fails here."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Region
from allocations import services as allocation_services
from requests_app.models import Request
from tests import factories
from tests.sql_snapshots import assert_sql_snapshot, normalise, normalised

SIZES = (2, 7)

PAGES = {
    # snapshot name: (role, URL)
    "regional_board": ("regional", "/allocations/?campagne=2027"),
    "regional_board_sorted": ("regional", "/allocations/?campagne=2027&tri=-attribue"),
    "requests_list_regional": ("regional", "/demandes/?campagne=2027"),
    "requests_list_national": ("national", "/demandes/?campagne=2027"),
    "requests_list_head": ("head", "/demandes/"),
    "national_board": ("national", "/national/?campagne=2027"),
    "accounts_list_regional": ("regional", "/comptes/"),
    "accounts_list_national": ("national", "/comptes/"),
    "usage_follow_up": ("regional", "/rapports/2027/53/bilans/"),
}


def _world(size):
    """``size`` establishments in Bretagne and in Occitanie, each with its head and a deposited request; every
    other one in Bretagne allocated. One head holds every Bretagne establishment (their list grows too)."""
    campaign = factories.CampaignFactory(start_year=2027)
    bretagne, occitanie = factories.region("53"), factories.region("76")
    national = factories.NationalFactory()
    regional = factories.RegionalFactory(region=bretagne)
    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 1000 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)
    establishments = []
    for index in range(size):
        for region in (bretagne, occitanie):
            establishment = factories.EstablishmentFactory(region=region)
            factories.HeadFactory(establishments=[establishment])
            request = factories.HseRequestFactory(
                campaign=campaign, establishment=establishment, status="en_instruction", complete=True
            )
            if region == bretagne:
                establishments.append(establishment)
                if index % 2:
                    allocation_services.allocate(regional, request, {"cap": 10}, "", 0)
    head = factories.HeadFactory(establishments=establishments)
    return {"regional": regional, "national": national, "head": head}


def _queries(client, user, url):
    client.force_login(user)
    ContentType.objects.clear_cache()  # the same cold cache whatever ran before in the process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return normalised(captured)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_list_page_sql_is_constant_and_matches_its_snapshot(db, client, name, travel):
    role, url = PAGES[name]
    travel(datetime.date(2027, 7, 20))
    runs = []
    for size in SIZES:
        with transaction.atomic():  # each size on the same empty database: the first is rolled back
            users = _world(size)
            assert Request.objects.count() == 2 * size
            runs.append(_queries(client, users[role], url))
            transaction.set_rollback(True)
    small, large = runs
    assert len(small) == len(large), f"{name}: {len(small)} queries with {SIZES[0]} rows, {len(large)} with {SIZES[1]}"
    assert small == large, f"{name}: the queries differ with the number of rows"
    assert_sql_snapshot(name, large)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 1 FROM t WHERE id = 42 AND s = 'deposee'", "SELECT ? FROM t WHERE id = ? AND s = ?"),
        ("WHERE id IN (1, 2, 3)", "WHERE id IN (?...)"),
        ("WHERE id IN (7)", "WHERE id IN (?)"),
        ('SAVEPOINT "s140_x12"', "SAVEPOINT <savepoint>"),
        ("WHERE at < '2027-07-20T10:00:00+00:00'::timestamptz", "WHERE at < ?"),
        ('SELECT "t"."hse_cap" FROM "t"', 'SELECT "t"."hse_cap" FROM "t"'),
    ],
)
def test_normalise(sql, expected):
    assert normalise(sql) == expected
