"""Demo envelopes, requests and decisions for the three demo campaigns (created once: a second run finds
them and changes nothing).

- the completed campaign: every request decided and notified;
- the campaign in progress: requests decided and notified;
- the open campaign: requests being filed (drafts, submitted, under review), nothing decided, so that the
  regional staff can run the assistant and notify. In Bretagne, 0350700W has submitted its request and
  0350940G has not started yet.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Establishment, Region, User
from allocations import services
from allocations.apportion import apportion
from allocations.models import Decision, Envelope
from requests_app.demo import demo_request_values
from requests_app.models import LEVEL_KEYS, Request, RequestEvent, Submission

PARIS = timezone.get_default_timezone()
NOT_STARTED = {"0350940G"}
ALWAYS_SUBMITTED = {"0350700W"}


def _at(day: datetime.date, rng) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=PARIS)


def _envelopes(campaign, dger):
    if Envelope.objects.filter(campaign=campaign).exists():
        return
    regions = list(Region.objects.all())
    counts = {r.pk: Establishment.objects.filter(region=r).count() for r in regions}
    # DGER keeps 3 % in reserve for supplementary delegations during the year.
    shares = apportion(campaign.national_volume * 97 // 100, counts)
    services.set_initial_envelopes(dger, campaign, shares)
    services.notify_envelopes(dger, campaign)
    Envelope.objects.filter(campaign=campaign).update(
        notified_at=datetime.datetime.combine(campaign.envelopes_date, datetime.time(10), tzinfo=PARIS)
    )


def _requests(campaign, phase: str, heads_by_establishment):
    rng = random.Random(f"hse-demo-requests-{campaign.start_year}")
    establishments = list(Establishment.objects.select_related("region").order_by("uai"))
    requests, events, submissions = [], [], []
    for establishment in establishments:
        if phase == "open" and establishment.uai in NOT_STARTED:
            continue
        roll = rng.random()
        if phase != "open":
            if roll < 0.12:
                continue  # no request this year
            status = Request.Status.NOTIFIED
        else:
            if establishment.uai in ALWAYS_SUBMITTED:
                status = Request.Status.SUBMITTED
            elif roll < 0.10:
                continue
            elif roll < 0.22:
                status = Request.Status.DRAFT
            elif establishment.region.code == "53" and roll < 0.92:
                status = Request.Status.UNDER_REVIEW
            elif roll < 0.97:
                status = Request.Status.SUBMITTED
            else:
                status = Request.Status.WITHDRAWN
        values = demo_request_values(rng, establishment)
        submitted_at = None
        if status != Request.Status.DRAFT:
            day = campaign.request_deadline - datetime.timedelta(days=rng.randint(0, 30))
            submitted_at = _at(day, rng)
        requests.append(
            Request(
                campaign=campaign,
                establishment=establishment,
                reference=Request.make_reference(campaign, establishment),
                status=status,
                submitted_at=submitted_at,
                updated_by=heads_by_establishment.get(establishment.pk),
                **values,
            )
        )
    Request.objects.bulk_create(requests, batch_size=500)
    created = {
        r.establishment_id: r
        for r in Request.objects.filter(campaign=campaign).select_related("campaign", "establishment__region")
    }
    for request in created.values():
        head = heads_by_establishment.get(request.establishment_id)
        start = (request.submitted_at or timezone.now()) - datetime.timedelta(days=3)
        events.append(RequestEvent(request=request, at=start, actor=head, action="created", to_status="brouillon"))
        if request.submitted_at:
            events.append(
                RequestEvent(
                    request=request,
                    at=request.submitted_at,
                    actor=head,
                    action="submitted",
                    from_status="brouillon",
                    to_status="deposee",
                    data={"submission": 1, "weekly_total": str(request.total_weekly)},
                )
            )
            if head:
                submissions.append(
                    Submission(request=request, number=1, submitted_at=request.submitted_at, submitted_by=head)
                )
        if request.status == Request.Status.WITHDRAWN:
            events.append(
                RequestEvent(
                    request=request,
                    at=request.submitted_at + datetime.timedelta(days=2),
                    actor=head,
                    action="withdrawn",
                    from_status="deposee",
                    to_status="retiree",
                    message="Projet reporté à l'an prochain.",
                )
            )
    RequestEvent.objects.bulk_create(events, batch_size=1000)
    Submission.objects.bulk_create(submissions, batch_size=1000)
    return list(created.values())


def _decisions(campaign, requests, staff_by_region):
    """Share each region's envelope pro rata of the hours asked (as the assistant does), a few refusals."""
    rng = random.Random(f"hse-demo-decisions-{campaign.start_year}")
    envelopes = {e.region_id: e.hours for e in Envelope.objects.filter(campaign=campaign).with_hours()}
    by_region = {}
    for request in requests:
        by_region.setdefault(request.establishment.region_id, []).append(request)
    decisions, events = [], []
    for region_id, region_requests in by_region.items():
        staff = staff_by_region[region_id]
        refused = {r.pk for r in region_requests if rng.random() < 0.05}
        granted = [r for r in region_requests if r.pk not in refused]
        caps = {r.pk: services.requested_caps(r) for r in granted}
        totals = apportion(
            envelopes.get(region_id, 0),
            {r.pk: r.total_annual for r in granted},
            caps={pk: sum(c.values()) for pk, c in caps.items()},
        )
        decided = datetime.datetime.combine(campaign.allocation_deadline, datetime.time(11), tzinfo=PARIS)
        for request in region_requests:
            if request.pk in refused:
                hours = dict.fromkeys(LEVEL_KEYS, 0)
                outcome, text = (
                    Decision.Outcome.REFUSED,
                    "Le projet ne relève pas de l'accompagnement individuel prévu par la note.",
                )
            else:
                asked = {k: (request.weekly(k) or Decimal(0)) * campaign.weeks_per_year for k in LEVEL_KEYS}
                hours = apportion(totals[request.pk], asked, caps[request.pk])
                outcome, text = Decision.Outcome.ALLOCATED, "Répartition au prorata des heures demandées."
            decisions.append(
                Decision(
                    request=request,
                    outcome=outcome,
                    justification=text,
                    decided_by=staff,
                    decided_at=decided - datetime.timedelta(days=5),
                    notified_at=decided,
                    notified_by=staff,
                    letter_sent_at=decided,
                    **{f"hours_{k}": v for k, v in hours.items()},
                )
            )
            status = "attribuee" if outcome == Decision.Outcome.ALLOCATED else "refusee"
            action = "allocated" if outcome == Decision.Outcome.ALLOCATED else "refused"
            events.append(
                RequestEvent(
                    request=request,
                    at=decided - datetime.timedelta(days=20),
                    actor=staff,
                    action="review",
                    from_status="deposee",
                    to_status="en_instruction",
                )
            )
            events.append(
                RequestEvent(
                    request=request,
                    at=decided - datetime.timedelta(days=5),
                    actor=staff,
                    action=action,
                    from_status="en_instruction",
                    to_status=status,
                    message=text,
                    data={"after": {"outcome": outcome, "hours": hours, "total": sum(hours.values())}},
                )
            )
            events.append(
                RequestEvent(
                    request=request,
                    at=decided,
                    actor=staff,
                    action="notified",
                    from_status=status,
                    to_status="notifiee",
                )
            )
    Decision.objects.bulk_create(decisions, batch_size=500)
    RequestEvent.objects.bulk_create(events, batch_size=1000)


def _demo_staff(dger):
    """One regional agent per region (the two demo accounts where they exist)."""
    staff = {u.region_id: u for u in User.objects.filter(role="regional").order_by("email")}
    for region in Region.objects.all():
        if region.pk not in staff:
            staff[region.pk], _ = User.objects.get_or_create(
                email=f"agent.{region.code}@example.org",
                defaults={
                    "full_name": f"Agent {region.authority_short}",
                    "role": "regional",
                    "region": region,
                    "is_active": False,
                },
            )
    return staff


@transaction.atomic
def seed_allocations(campaigns) -> dict:
    """``campaigns``: completed, in progress, open (oldest first)."""
    dger = User.objects.get(email="dger@example.org")
    staff = _demo_staff(dger)
    heads = {}
    for head in User.objects.filter(role="head").prefetch_related("establishments"):
        for establishment in head.establishments.all():
            heads[establishment.pk] = head
    counts = {}
    for campaign, phase in zip(campaigns, ("completed", "in_progress", "open"), strict=True):
        _envelopes(campaign, dger)
        if Request.objects.filter(campaign=campaign).exists():
            counts[campaign.label] = Request.objects.filter(campaign=campaign).count()
            continue
        requests = _requests(campaign, phase, heads)
        if phase != "open":
            _decisions(campaign, requests, staff)
        counts[campaign.label] = len(requests)
    return counts
