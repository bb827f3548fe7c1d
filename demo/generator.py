"""The one generator of demo and benchmark data.

- ``build_demo(scale)``: the demo of ``seed_demo``. Establishments and people, then the campaign of the year
  and the previous one replayed through the services users go through (``demo.replay``), each step at its date,
  up to now. Every deposited request has its frozen PDF, every notified decision its letter, every transmission
  its file, because the services made them.
- ``demo.bulk.build_bench(scale)``: the benchmark's datasets (``bench/dataset.py``), same establishments,
  written in bulk (see there why).

``scale`` 1 is the national scale (about 800 establishments). The demo loads a quarter of it by default (about
220 establishments, every region kept, all of the real ones): replayed through the services, each deposit,
letter and usage report renders its PDF (about a tenth of a second each), so the national scale takes about four
times as long.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import Establishment
from campaigns.models import Campaign
from demo.directory import seed_establishments
from demo.people import seed_people
from demo.replay import CampaignReplay, Timeline, current_year
from reports.models import Transmission
from requests_app.models import Decision, Request, UsageReport

# The national volumes of the note's years, for the national number of establishments (about 800): a smaller
# demo gets its share, so that the regions ration their envelopes as they do.
NATIONAL_VOLUMES = {-1: 74_000, 0: 76_000}
NATIONAL_ESTABLISHMENTS = 800


def build_demo(scale: float = 0.25, log=None) -> dict:
    """Load the demo (idempotent: a campaign already there is left as it is; accounts are reset)."""
    log = log or (lambda message: None)
    now = timezone.now()
    establishments = seed_establishments(scale)
    log(
        f"Établissements réels (extrait de l'Annuaire de l'éducation) : {establishments['real'].summary()}\n"
        f"Établissements générés créés : {establishments['generated']} ; "
        f"total : {Establishment.objects.count()} établissements"
    )
    cast = seed_people()
    year = current_year(timezone.localdate(now))
    timeline = Timeline(until=now)
    replayed = []
    for offset in (-1, 0):
        if Campaign.objects.filter(start_year=year + offset).exists():
            continue
        volume = round(NATIONAL_VOLUMES[offset] * Establishment.objects.count() / NATIONAL_ESTABLISHMENTS, -2)
        replay = CampaignReplay(year + offset, cast, timeline, is_current=offset == 0, volume=volume)
        replay.plan()
        replayed.append(replay.year)
    if replayed:
        labels = ", ".join(f"{y}-{y + 1}" for y in replayed)
        log(f"Campagnes rejouées jusqu'à aujourd'hui : {labels} ({len(timeline.steps)} étapes)")
    with transaction.atomic():
        timeline.run(log)
    return {
        "accounts": cast.accounts,
        "campaigns": [c.label for c in Campaign.objects.order_by("start_year")],
        "requests": Request.objects.deposited().count(),
        "decisions": Decision.objects.notified().count(),
        "usage_reports": UsageReport.objects.filter(status=UsageReport.Status.SUBMITTED).count(),
        "transmissions": Transmission.objects.count(),
    }
