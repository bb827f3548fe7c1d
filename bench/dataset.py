"""Benchmark datasets: every region, about 800 establishments per scale unit (10x: 8 000), two campaigns with
a request for each establishment in a mix of every state, decisions within each envelope, history.

Run through ``bench/run.py``; it can also be run alone against the configured database:
``python bench/dataset.py --scale 1``.
"""

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCH_PASSWORD = "bench-hse-2024"
STATES = [  # (status, share, decision)
    ("brouillon", 10, None),
    ("deposee", 15, None),
    ("en_instruction", 20, None),
    ("a_completer", 5, None),
    ("attribuee", 10, "attribution"),
    ("notifiee", 30, "attribution"),
    ("refusee", 5, "refus"),
    ("retiree", 5, None),
]
OUTCOMES = {status: decision for status, _share, decision in STATES}


def build(scale: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.geography import REGION_DEPARTMENTS
    from accounts.models import Establishment, Region, User
    from accounts.uai import make_uai
    from allocations import services as allocation_services
    from allocations.models import Decision, Envelope
    from reports import services as report_services
    from requests_app.demo import demo_request_values
    from requests_app.models import LEVEL_KEYS, Campaign, Request, RequestEvent

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    call_command("migrate", verbosity=0)
    rng = random.Random(f"bench-{scale}")
    regions = list(Region.objects.order_by("code"))
    weights = {r.code: max(1, len(REGION_DEPARTMENTS[r.code])) for r in regions}
    total_weight = sum(weights.values())
    per_region = {r.code: max(1, round(800 * scale * weights[r.code] / total_weight)) for r in regions}

    with transaction.atomic():
        establishments = []
        for region in regions:
            departments = list(REGION_DEPARTMENTS[region.code])
            for index in range(per_region[region.code]):
                department = departments[index % len(departments)]
                number = 1000 + index // len(departments)
                kind = rng.choice(["eplefpa", "cneap", "unrep", "mfr", "mfr"])
                establishments.append(
                    Establishment(
                        uai=make_uai(f"{department}{number:04d}"),
                        name=f"Établissement agricole {region.code}-{index:05d}",
                        address="1 route de la Gare",
                        postal_code="00000",
                        commune=f"Commune {department}-{index}",
                        department=department,
                        region=region,
                        status="public" if kind == "eplefpa" else "prive",
                        network=kind,
                    )
                )
        Establishment.objects.bulk_create(establishments, batch_size=2000)
        establishments = list(Establishment.objects.select_related("region"))

        def user(email, role, region=None, **extra):
            account = User(email=email, full_name=email.split("@")[0], role=role, region=region, **extra)
            account.set_password(BENCH_PASSWORD)
            account.save()
            return account

        dger = user("dger@bench.example.org", "national")
        user("admin@bench.example.org", "admin", is_staff=True, is_superuser=True)
        staff = {r.pk: user(f"draaf.{r.code}@bench.example.org", "regional", r) for r in regions}
        head = user("chef@bench.example.org", "head")
        head.establishments.set([e for e in establishments if e.region.code == "53"][:3])

        campaigns = []
        for year in (2026, 2027):
            campaign = Campaign.objects.create(
                start_year=year, **Campaign.default_calendar(year), national_volume=200_000 * scale
            )
            campaigns.append(campaign)
            counts = {r.pk: 0 for r in regions}
            for e in establishments:
                counts[e.region_id] += 1
            envelope_hours = {pk: n * 120 for pk, n in counts.items()}
            allocation_services.set_initial_envelopes(dger, campaign, envelope_hours)
            allocation_services.notify_envelopes(dger, campaign)

            statuses = [s for s, share, _d in STATES for _ in range(share)]
            requests, events, decisions = [], [], []
            for e in establishments:
                status = rng.choice(statuses)
                values = demo_request_values(rng, e)
                submitted = (
                    None if status == "brouillon" else timezone.now() - datetime.timedelta(days=rng.randint(1, 60))
                )
                requests.append(
                    Request(
                        campaign=campaign,
                        establishment=e,
                        reference=Request.make_reference(campaign, e),
                        status=status,
                        submitted_at=submitted,
                        **values,
                    )
                )
            Request.objects.bulk_create(requests, batch_size=2000)
            used = {r.pk: 0 for r in regions}
            for request in Request.objects.filter(campaign=campaign).select_related("establishment", "campaign"):
                events.append(
                    RequestEvent(
                        request=request,
                        actor=staff[request.establishment.region_id],
                        action="created",
                        to_status="brouillon",
                    )
                )
                if request.status != "brouillon":
                    events.append(
                        RequestEvent(request=request, action="submitted", from_status="brouillon", to_status="deposee")
                    )
                outcome = OUTCOMES[request.status]
                if outcome:
                    region = request.establishment.region_id
                    caps = allocation_services.requested_caps(request)
                    hours = (
                        {k: caps[k] // 2 for k in LEVEL_KEYS}
                        if outcome == "attribution"
                        else dict.fromkeys(LEVEL_KEYS, 0)
                    )
                    if used[region] + sum(hours.values()) > envelope_hours[region]:
                        hours = dict.fromkeys(LEVEL_KEYS, 0)
                        outcome = "refus"
                        Request.objects.filter(pk=request.pk).update(status="refusee")
                    used[region] += sum(hours.values())
                    decisions.append(
                        Decision(
                            request=request,
                            outcome=outcome,
                            decided_by=staff[region],
                            justification="Banc d'essai",
                            notified_at=timezone.now() if request.status == "notifiee" else None,
                            letter_sent_at=timezone.now() if request.status == "notifiee" else None,
                            notified_by=staff[region] if request.status == "notifiee" else None,
                            **{f"hours_{k}": v for k, v in hours.items()},
                        )
                    )
                    events.append(
                        RequestEvent(
                            request=request,
                            actor=staff[region],
                            action="allocated",
                            from_status="en_instruction",
                            to_status=request.status,
                            data={"after": {"total": sum(hours.values())}},
                        )
                    )
            RequestEvent.objects.bulk_create(events, batch_size=5000)
            Decision.objects.bulk_create(decisions, batch_size=2000)

    bretagne = Region.objects.get(code="53")
    transmission = report_services.transmit(staff[bretagne.pk], "repartition", campaigns[0], bretagne)
    detail = (
        Request.objects.filter(campaign=campaigns[1], establishment__region=bretagne, status="notifiee")
        .order_by("pk")
        .first()
    )
    return {
        "scale": scale,
        "establishments": len(establishments),
        "requests": Request.objects.count(),
        "decisions": Decision.objects.count(),
        "events": RequestEvent.objects.count(),
        "detail_request": detail.pk,
        "transmission": transmission.pk,
        "envelopes": Envelope.objects.count(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    print(build(parser.parse_args().scale))
