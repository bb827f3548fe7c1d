"""The benchmark's datasets, built in bulk: for the benchmark only.

The demo goes through the services (``demo.replay``): each deposit renders its Annexe 1 PDF, each notification
its letter. At the benchmark's ten-times scale (about 8 000 establishments, two campaigns) that would be about
30 000 PDFs — hours of WeasyPrint — while what the benchmark measures (pages, boards, exports, query counts, the
PDFs it times itself) needs the rows, not their frozen files. So this path writes the same establishments as the
demo (``demo.directory``) and the requests, decisions and history rows directly with ``bulk_create``, a request
for every establishment in a mix of every state, decisions within each envelope. Deposits have no frozen PDF
here; nothing but the benchmark uses this path.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Establishment, Region, User
from allocations import services as allocations
from allocations.models import Envelope
from campaigns.models import Campaign
from demo.directory import seed_establishments
from demo.texts import request_values
from reports import services as reports
from requests_app import lifecycle
from requests_app.models import LEVEL_KEYS, Decision, Request, RequestEvent

BENCH_PASSWORD = "bench-hse-2024"
Status, Outcome, Action = lifecycle.Status, lifecycle.Outcome, lifecycle.Action
STATES = [  # (status, share, decision)
    (Status.DRAFT, 10, None),
    (Status.SUBMITTED, 15, None),
    (Status.UNDER_REVIEW, 20, None),
    (Status.TO_COMPLETE, 5, None),
    (Status.ALLOCATED, 10, Outcome.ALLOCATED),
    (Status.NOTIFIED, 30, Outcome.ALLOCATED),
    (Status.REFUSED, 5, Outcome.REFUSED),
    (Status.WITHDRAWN, 5, None),
]
OUTCOMES = {status: decision for status, _share, decision in STATES}


def _user(email, role, region=None, **extra):
    account = User(email=email, full_name=email.split("@")[0], role=role, region=region, **extra)
    account.set_password(BENCH_PASSWORD)
    account.save()
    return account


def _campaign(year, scale, establishments, regions, dger, staff, rng):
    campaign = Campaign.objects.create(
        start_year=year, **Campaign.default_calendar(year), national_volume=200_000 * scale
    )
    counts = {r.pk: 0 for r in regions}
    for establishment in establishments:
        counts[establishment.region_id] += 1
    envelope_hours = {pk: n * 120 for pk, n in counts.items()}
    allocations.set_initial_envelopes(dger, campaign, envelope_hours)
    allocations.notify_envelopes(dger, campaign)
    statuses = [status for status, share, _d in STATES for _ in range(share)]
    requests = []
    for establishment in establishments:
        status = rng.choice(statuses)
        submitted = None if status == Status.DRAFT else timezone.now() - datetime.timedelta(days=rng.randint(1, 60))
        requests.append(
            Request(
                campaign=campaign,
                establishment=establishment,
                reference=Request.make_reference(campaign, establishment),
                status=status,
                submitted_at=submitted,
                **request_values(rng, establishment, "Direction"),
            )
        )
    Request.objects.bulk_create(requests, batch_size=2000)
    used = {r.pk: 0 for r in regions}
    events, decisions = [], []
    for request in Request.objects.filter(campaign=campaign).select_related("establishment", "campaign"):
        region = request.establishment.region_id
        events.append(
            RequestEvent(
                request=request,
                actor=staff[region],
                action=Action.CREATED,
                to_status=Status.DRAFT,
                audience=lifecycle.Audience.SHARED,
            )
        )
        if request.status != Status.DRAFT:
            events.append(
                RequestEvent(
                    request=request,
                    action=Action.SUBMITTED,
                    from_status=Status.DRAFT,
                    to_status=Status.SUBMITTED,
                    audience=lifecycle.Audience.SHARED,
                )
            )
        outcome = OUTCOMES[request.status]
        if not outcome:
            continue
        caps = allocations.requested_caps(request)
        hours = {k: caps[k] // 2 for k in LEVEL_KEYS} if outcome == Outcome.ALLOCATED else dict.fromkeys(LEVEL_KEYS, 0)
        if used[region] + sum(hours.values()) > envelope_hours[region]:
            hours, outcome = dict.fromkeys(LEVEL_KEYS, 0), Outcome.REFUSED
            Request.objects.filter(pk=request.pk).update(status=Status.REFUSED)
        used[region] += sum(hours.values())
        notified = request.status == Status.NOTIFIED
        decisions.append(
            Decision(
                request=request,
                outcome=outcome,
                decided_by=staff[region],
                justification="Banc d'essai",
                notified_at=timezone.now() if notified else None,
                letter_sent_at=timezone.now() if notified else None,
                notified_by=staff[region] if notified else None,
                **{f"hours_{k}": v for k, v in hours.items()},
            )
        )
        events.append(
            RequestEvent(
                request=request,
                actor=staff[region],
                action=Action.ALLOCATED,
                from_status=Status.UNDER_REVIEW,
                to_status=request.status,
                data={"after": {"total": sum(hours.values())}},
            )
        )
    RequestEvent.objects.bulk_create(events, batch_size=5000)
    Decision.objects.bulk_create(decisions, batch_size=2000)
    return campaign


def build_bench(scale: int) -> dict:
    """Every region, about 800 × ``scale`` establishments, campaigns 2026-2027 and 2027-2028 with a request per
    establishment in every state; one transmission (through the service) for the frozen-PDF measure."""
    rng = random.Random(f"bench-{scale}")
    regions = list(Region.objects.order_by("code"))
    with transaction.atomic():
        seed_establishments(scale)
        establishments = list(Establishment.objects.select_related("region").order_by("uai"))
        dger = _user("dger@bench.example.org", "national")
        _user("admin@bench.example.org", "admin", is_staff=True, is_superuser=True)
        staff = {r.pk: _user(f"draaf.{r.code}@bench.example.org", "regional", r) for r in regions}
        head = _user("chef@bench.example.org", "head")
        head.establishments.set([e for e in establishments if e.region.code == "53"][:3])
        campaigns = [_campaign(year, scale, establishments, regions, dger, staff, rng) for year in (2026, 2027)]
    bretagne = next(r for r in regions if r.code == "53")
    transmission = reports.transmit(staff[bretagne.pk], "repartition", campaigns[0], bretagne)
    # The request page and the decision page measured: a notified request whose establishment's request of the
    # year before was notified too (the decision page then shows last year's figures beside it).
    detail = (
        Request.objects.filter(campaign=campaigns[1], establishment__region=bretagne, status="notifiee")
        .filter(establishment__requests__campaign=campaigns[0], establishment__requests__status="notifiee")
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
