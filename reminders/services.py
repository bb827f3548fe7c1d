"""Who is reminded of what, before which deadline; run every day by the task engine (``reminders.tasks``).

- heads and team members of an establishment with a draft or nothing deposited: 7 and 2 days before their
  own deadline (the campaign's, their region's, or their extension: ``requests_app.deadlines``);
- regional staff with requests still to decide or to notify: 7 days before the notification deadline;
- regional staff whose September summary or May review is not transmitted: 7 days before its deadline.

Each reminder goes once per person, deadline and delay (a unique constraint, checked in the transaction that
writes the e-mail to the outbox). A run that comes late (a worker down for a day) still sends the reminder
due, once; when the second reminder is due the first is no longer sent.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Establishment, User
from campaigns.models import Campaign, RegionalDeadline
from core.mail import send_templated
from reminders.models import Reminder
from reports.models import Kind, Transmission
from requests_app import lifecycle
from requests_app.deadlines import submission_deadline
from requests_app.models import Extension, Request

DELAYS = (7, 2)  # days before a head's request deadline
STAFF_DELAY = 7  # days before the region's deadlines


def due_delay(deadline: datetime.date, today: datetime.date, delays=DELAYS) -> int | None:
    """The reminder due today for ``deadline``: the smallest delay already reached, before the deadline."""
    days_left = (deadline - today).days
    if days_left < 0:
        return None
    reached = [delay for delay in delays if days_left <= delay]
    return min(reached) if reached else None


def _remind(user, kind, campaign, deadline, delay, subject, template, context, establishment=None) -> bool:
    """Record and send one reminder, unless it was already sent."""
    try:
        with transaction.atomic():
            Reminder.objects.create(
                user=user,
                kind=kind,
                campaign=campaign,
                establishment=establishment,
                deadline=deadline,
                days_before=delay,
                subject=subject,
            )
            send_templated(
                [user.email],
                subject,
                template,
                {**context, "user": user, "campaign": campaign, "deadline": deadline, "days_left": delay},
                about=user,
            )
    except IntegrityError:
        return False  # already reminded for this deadline and delay
    return True


def _people_of(establishments) -> dict:
    """Active heads and team members of each establishment (one query)."""
    people = {}
    for user in User.objects.filter(
        is_active=True, role__in=[User.Role.HEAD, User.Role.TEAM], establishments__in=establishments
    ).prefetch_related("establishments"):
        for establishment in user.establishments.all():
            people.setdefault(establishment.pk, []).append(user)
    return people


def remind_heads(campaign, today) -> int:
    """Establishments of the campaign with a draft or nothing deposited, whose deadline comes in 7 or 2 days."""
    deposited = Request.objects.filter(campaign=campaign).exclude(
        status__in=[lifecycle.Status.DRAFT, lifecycle.Status.TO_COMPLETE]
    )
    establishments = list(
        Establishment.objects.filter(is_open=True)
        .exclude(requests__in=deposited)
        .select_related("region")
        .order_by("pk")
    )
    extensions = {e.establishment_id: e for e in Extension.objects.filter(campaign=campaign)}
    regionals = {d.region_id: d for d in RegionalDeadline.objects.filter(campaign=campaign)}
    drafts = {
        r.establishment_id: r for r in Request.objects.filter(campaign=campaign, establishment__in=establishments)
    }
    people = _people_of(establishments)
    sent = 0
    for establishment in establishments:
        deadline = submission_deadline(
            campaign, establishment, extensions.get(establishment.pk), regionals.get(establishment.region_id)
        ).date
        delay = due_delay(deadline, today)
        if delay is None:
            continue
        request = drafts.get(establishment.pk)
        for user in people.get(establishment.pk, []):
            sent += _remind(
                user,
                Reminder.Kind.REQUEST,
                campaign,
                deadline,
                delay,
                f"Rappel : demande d'HSE {campaign.label} de {establishment.name} à déposer avant le "
                f"{deadline:%d/%m/%Y}",
                "reminders/email/request.txt",
                {"establishment": establishment, "request": request},
                establishment=establishment,
            )
    return sent


def remind_regions(campaign, today) -> int:
    """Regional staff: decisions before 23 August, the September summary and the May review before theirs."""
    staff = {}
    for user in User.objects.regional_staff():
        staff.setdefault(user.region_id, []).append(user)
    sent = 0
    delay = due_delay(campaign.allocation_deadline, today, (STAFF_DELAY,))
    if delay is not None:
        counts = {}
        for region_id, status in Request.objects.filter(
            campaign=campaign, status__in=lifecycle.AWAITING_DECISION | lifecycle.BY_NAME["notify"].sources
        ).values_list("establishment__region_id", "status"):
            undecided, unnotified = counts.get(region_id, (0, 0))
            pending = status in lifecycle.AWAITING_DECISION
            counts[region_id] = (undecided + pending, unnotified + (not pending))
        for region_id, (undecided, unnotified) in counts.items():
            for user in staff.get(region_id, []):
                sent += _remind(
                    user,
                    Reminder.Kind.DECISIONS,
                    campaign,
                    campaign.allocation_deadline,
                    delay,
                    f"Rappel : dotations HSE {campaign.label} à notifier avant le "
                    f"{campaign.allocation_deadline:%d/%m/%Y}",
                    "reminders/email/decisions.txt",
                    {"undecided": undecided, "unnotified": unnotified},
                )
    for kind, reminder_kind, deadline, what in (
        (Kind.SUMMARY, Reminder.Kind.SUMMARY, campaign.summary_deadline, "le bilan de la répartition"),
        (Kind.REVIEW, Reminder.Kind.REVIEW, campaign.review_deadline, "le bilan qualitatif"),
    ):
        delay = due_delay(deadline, today, (STAFF_DELAY,))
        if delay is None:
            continue
        transmitted = set(Transmission.objects.filter(campaign=campaign, kind=kind).values_list("region_id", flat=True))
        for region_id, users in staff.items():
            if region_id in transmitted:
                continue
            for user in users:
                sent += _remind(
                    user,
                    reminder_kind,
                    campaign,
                    deadline,
                    delay,
                    f"Rappel : {what} {campaign.label} à transmettre à la DGER avant le {deadline:%d/%m/%Y}",
                    "reminders/email/report.txt",
                    {"what": what, "kind": kind},
                )
    return sent


def send_due_reminders(today=None) -> int:
    """Every reminder due today, for every campaign in progress; returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for campaign in Campaign.objects.in_progress(today):
        sent += remind_heads(campaign, today) + remind_regions(campaign, today)
    return sent
