"""The allocation invariant under real concurrency: many writers, each on its own PostgreSQL connection,
racing for one region's envelope. On SQLite these tests are skipped with the reason shown (a failure under
``CI=true``)."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connections

from accounts.models import Region
from allocations import services
from allocations.models import Envelope
from requests_app.models import Decision
from tests import factories
from tests.helpers import join_all, require_postgresql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 12


@pytest.fixture(autouse=True)
def _postgres_only():
    require_postgresql("row locks, concurrent connections")


@pytest.fixture
def setup(travel):
    travel(datetime.date(2027, 7, 20))
    campaign = factories.CampaignFactory(start_year=2027)
    bretagne = factories.region("53")
    national = factories.NationalFactory()
    regional = factories.RegionalFactory(region=bretagne)
    services.set_initial_envelopes(
        national, campaign, {r.pk: 1000 if r.code == "53" else 0 for r in Region.objects.all()}
    )
    services.notify_envelopes(national, campaign)
    requests = [
        factories.HseRequestFactory(
            campaign=campaign,
            establishment=factories.EstablishmentFactory(region=bretagne),
            status="en_instruction",
            complete=True,
            hse_cap=Decimal("20"),
            hse_bac_pro=None,
            level_bac_pro=False,
        )
        for _ in range(WRITERS)
    ]
    envelope = Envelope.objects.get(campaign=campaign, region=bretagne)
    return campaign, bretagne, national, regional, requests, envelope


def _race(jobs):
    """Run each job in its own thread (its own database connection), all released at once."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            job()
            outcomes[index] = "ok"
        except services.AllocationError as error:
            outcomes[index] = error
        except BaseException as error:  # a crash, not a domain refusal
            outcomes[index] = ("crash", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    join_all(threads, timeout=60)
    return outcomes, time.perf_counter() - started


def test_concurrent_allocations_never_exceed_the_envelope(setup):
    campaign, bretagne, _national, regional, requests, envelope = setup
    # 12 writers x 100 h = 1 200 h asked of a 1 000 h envelope.
    jobs = [lambda r=r: services.allocate(regional, r, {"cap": 100}, "", 0) for r in requests]
    outcomes, elapsed = _race(jobs)
    crashes = [o for o in outcomes if isinstance(o, tuple)]
    assert crashes == []
    granted = [o for o in outcomes if o == "ok"]
    refused = [o for o in outcomes if isinstance(o, services.AllocationError)]
    assert len(granted) == 10
    assert len(refused) == 2
    assert all("reste dans l'enveloppe : 0 h" in str(error) for error in refused)
    assert services.region_allocated(campaign.pk, bretagne.pk) == 1000 <= envelope.total_hours()
    print(f"\n{WRITERS} concurrent writers: {len(granted)} granted, {len(refused)} refused in {elapsed:.3f} s")


def test_withdrawal_racing_allocations_keeps_the_invariant(setup):
    campaign, bretagne, national, regional, requests, envelope = setup
    jobs = [lambda r=r: services.allocate(regional, r, {"cap": 90}, "", 0) for r in requests[:10]]
    jobs += [
        lambda: services.add_movement(national, envelope, "withdrawal", 150, datetime.date(2027, 7, 20), "Reprise")
        for _ in range(2)
    ]
    outcomes, _elapsed = _race(jobs)
    assert [o for o in outcomes if isinstance(o, tuple)] == []
    allocated = services.region_allocated(campaign.pk, bretagne.pk)
    assert allocated <= envelope.total_hours()
    assert Decision.objects.count() == sum(1 for o in outcomes[:10] if o == "ok")
