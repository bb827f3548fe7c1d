"""Campaigns, national volume, envelopes and (next) decisions: one function per action, transactional,
history recorded, ``AllocationError`` raised with a French message.

Locks, always taken in this order: the campaign row (national volume vs. the sum of the envelopes), then the
envelope row (an envelope vs. the hours allocated in its region). ``lock_envelope`` is the one place that
takes the envelope lock: envelope movements and allocations both go through it.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import check
from accounts.models import Region, User
from allocations import permissions
from allocations.apportion import floor_hours
from allocations.models import CampaignEvent, Decision, Envelope, EnvelopeMovement, InternalNote
from config.background import run_in_background
from config.mail import send_templated
from config.pdf import render_pdf, sha256
from requests_app.models import LEVEL_KEYS, LEVEL_LABELS, Campaign, Request, RequestEvent
from requests_app.services import head_emails, record, transition


class AllocationError(Exception):
    """A refused action; its message is French and meant for the user."""


def _check(permission) -> None:
    check(permission, AllocationError)


def _fmt(hours: int) -> str:
    return f"{hours:,}".replace(",", "\u202f") + " h"


def shift_one_year(value: datetime.date) -> datetime.date:
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year + 1, day=28)


def next_campaign_values(previous: Campaign | None, today=None) -> dict:
    """Settings of the campaign that follows ``previous``: copied, every date moved one year."""
    if previous is None:
        today = today or timezone.localdate()
        year = today.year if today < datetime.date(today.year, 7, 12) else today.year + 1
        return {"start_year": year, **Campaign.default_calendar(year), "weeks_per_year": 36, "national_volume": 0}
    values = {"start_year": previous.start_year + 1}
    for field, _label, _who in Campaign.DEADLINE_FIELDS:
        values[field] = shift_one_year(getattr(previous, field))
    values["weeks_per_year"] = previous.weeks_per_year
    values["national_volume"] = previous.national_volume
    return values


def lock_campaign(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def lock_envelope(campaign_id: int, region_id: int) -> Envelope:
    """The envelope row, locked until the end of the transaction. Every change to an envelope or to the
    hours allocated in its region starts here, so they cannot interleave."""
    try:
        return Envelope.objects.select_for_update().get(campaign_id=campaign_id, region_id=region_id)
    except Envelope.DoesNotExist:
        raise AllocationError("La DGER n'a pas encore fixé l'enveloppe de cette région pour cette campagne.") from None


def envelopes_total(campaign: Campaign) -> int:
    return EnvelopeMovement.objects.filter(envelope__campaign=campaign).aggregate(
        total=Coalesce(Sum("hours"), Value(0))
    )["total"]


@transaction.atomic
def create_campaign(user, values: dict) -> Campaign:
    _check(permissions.can_manage_campaigns(user))
    if Campaign.objects.filter(start_year=values["start_year"]).exists():
        raise AllocationError(f"La campagne {values['start_year']}-{values['start_year'] + 1} existe déjà.")
    campaign = Campaign(**values)
    campaign.full_clean()
    campaign.save()
    CampaignEvent.objects.create(
        campaign=campaign, actor=user, action=CampaignEvent.Action.CREATED, data=_campaign_snapshot(campaign)
    )
    return campaign


def _campaign_snapshot(campaign: Campaign) -> dict:
    data = {field: getattr(campaign, field).isoformat() for field, _l, _w in Campaign.DEADLINE_FIELDS}
    data.update(weeks_per_year=campaign.weeks_per_year, national_volume=campaign.national_volume)
    return data


@transaction.atomic
def update_campaign(user, campaign: Campaign, values: dict) -> Campaign:
    _check(permissions.can_manage_campaigns(user))
    campaign = lock_campaign(campaign)
    before = _campaign_snapshot(campaign)
    for key, value in values.items():
        setattr(campaign, key, value)
    campaign.full_clean()
    allocated_envelopes = envelopes_total(campaign)
    if campaign.national_volume < allocated_envelopes:
        raise AllocationError(
            f"Le volume national ({_fmt(campaign.national_volume)}) ne peut pas être inférieur à la somme des "
            f"enveloppes régionales déjà fixées ({_fmt(allocated_envelopes)})."
        )
    weeks_changed = before["weeks_per_year"] != campaign.weeks_per_year
    if weeks_changed and campaign.requests.exclude(status="brouillon").exists():
        raise AllocationError(
            "Le nombre de semaines ne peut plus changer : des demandes ont été déposées avec "
            f"{before['weeks_per_year']} semaines."
        )
    campaign.save()
    after = _campaign_snapshot(campaign)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        CampaignEvent.objects.create(
            campaign=campaign, actor=user, action=CampaignEvent.Action.UPDATED, data={"changes": changes}
        )
    return campaign


@transaction.atomic
def set_initial_envelopes(user, campaign: Campaign, hours_by_region: dict[int, int]) -> None:
    """Fix the initial envelope of each region (before notification). Their sum may not exceed the
    national volume."""
    _check(permissions.can_manage_envelopes(user))
    campaign = lock_campaign(campaign)
    if campaign.envelopes.filter(notified_at__isnull=False).exists():
        raise AllocationError(
            "Les enveloppes sont déjà notifiées : ajoutez une délégation complémentaire ou un retrait sur "
            "l'enveloppe d'une région."
        )
    if any(h < 0 for h in hours_by_region.values()):
        raise AllocationError("Une enveloppe ne peut pas être négative.")
    total = sum(hours_by_region.values())
    if total > campaign.national_volume:
        raise AllocationError(
            f"La somme des enveloppes ({_fmt(total)}) dépasse le volume national ({_fmt(campaign.national_volume)}) "
            f"de {_fmt(total - campaign.national_volume)}."
        )
    before = dict(
        EnvelopeMovement.objects.filter(envelope__campaign=campaign, kind=EnvelopeMovement.Kind.INITIAL).values_list(
            "envelope__region_id", "hours"
        )
    )
    today = timezone.localdate()
    for region_id, hours in hours_by_region.items():
        envelope, _created = Envelope.objects.get_or_create(campaign=campaign, region_id=region_id)
        EnvelopeMovement.objects.update_or_create(
            envelope=envelope,
            kind=EnvelopeMovement.Kind.INITIAL,
            defaults={"hours": hours, "author": user, "effective_date": today, "created_at": timezone.now()},
        )
    names = dict(Region.objects.values_list("pk", "name"))
    changes = {names[r]: [before.get(r), h] for r, h in sorted(hours_by_region.items()) if before.get(r) != h}
    CampaignEvent.objects.create(
        campaign=campaign,
        actor=user,
        action=CampaignEvent.Action.ENVELOPES_SET,
        data={"total": total, "changes": changes},
    )


@transaction.atomic
def notify_envelopes(user, campaign: Campaign) -> int:
    """Notify every region of its envelope (e-mail to its staff); notifying twice sends nothing twice."""
    _check(permissions.can_manage_envelopes(user))
    campaign = lock_campaign(campaign)
    region_count = Region.objects.count()
    envelopes = list(campaign.envelopes.select_related("region").filter(notified_at__isnull=True).with_hours())
    if campaign.envelopes.count() < region_count:
        raise AllocationError("Fixez d'abord l'enveloppe de chacune des régions (0 heure est possible).")
    if not envelopes:
        raise AllocationError("Les enveloppes de cette campagne sont déjà notifiées.")
    now = timezone.now()
    staff = {}
    for address, region_id in User.objects.filter(role="regional", is_active=True).values_list("email", "region_id"):
        staff.setdefault(region_id, []).append(address)
    for envelope in envelopes:
        envelope.notified_at = now
        envelope.notified_by = user
        envelope.save(update_fields=["notified_at", "notified_by"])
        send_templated(
            staff.get(envelope.region_id, []),
            f"Enveloppe régionale HSE appui personnalisé {campaign.label} : {_fmt(envelope.hours)}",
            "allocations/email/envelope_notified.txt",
            {"envelope": envelope, "campaign": campaign, "hours": envelope.hours},
        )
    CampaignEvent.objects.create(
        campaign=campaign,
        actor=user,
        action=CampaignEvent.Action.ENVELOPES_NOTIFIED,
        data={"regions": len(envelopes), "total": envelopes_total(campaign)},
    )
    return len(envelopes)


@transaction.atomic
def add_movement(user, envelope: Envelope, kind: str, hours: int, effective_date, reason: str) -> EnvelopeMovement:
    """A supplementary delegation (+) or a withdrawal (−) on a notified envelope. ``hours`` is positive."""
    _check(permissions.can_add_movement(user, envelope))
    if kind not in (EnvelopeMovement.Kind.SUPPLEMENT, EnvelopeMovement.Kind.WITHDRAWAL):
        raise AllocationError("Choisissez une délégation complémentaire ou un retrait.")
    if hours <= 0:
        raise AllocationError("Indiquez un nombre d'heures supérieur à 0.")
    if not (reason or "").strip():
        raise AllocationError("Indiquez le motif du mouvement.")
    campaign = lock_campaign(envelope.campaign)
    envelope = lock_envelope(campaign.pk, envelope.region_id)
    current = envelope.total_hours()
    if kind == EnvelopeMovement.Kind.SUPPLEMENT:
        total = envelopes_total(campaign)
        if total + hours > campaign.national_volume:
            raise AllocationError(
                f"Cette délégation porterait la somme des enveloppes à {_fmt(total + hours)}, au-delà du volume "
                f"national de {_fmt(campaign.national_volume)} (dépassement de "
                f"{_fmt(total + hours - campaign.national_volume)}). Augmentez d'abord le volume national."
            )
        signed = hours
    else:
        allocated = envelope.allocated_hours()
        if current - hours < allocated:
            raise AllocationError(
                f"Ce retrait de {_fmt(hours)} laisserait l'enveloppe à {_fmt(current - hours)}, en dessous des "
                f"{_fmt(allocated)} déjà attribuées aux établissements de la région (retrait possible : au plus "
                f"{_fmt(current - allocated)})."
            )
        signed = -hours
    movement = EnvelopeMovement.objects.create(
        envelope=envelope, kind=kind, hours=signed, effective_date=effective_date, reason=reason.strip(), author=user
    )
    staff = User.objects.filter(role="regional", is_active=True, region_id=envelope.region_id)
    send_templated(
        staff.values_list("email", flat=True),
        f"Enveloppe régionale HSE {campaign.label} : {movement.get_kind_display().lower()} de {_fmt(hours)}",
        "allocations/email/movement.txt",
        {
            "envelope": envelope,
            "movement": movement,
            "campaign": campaign,
            "before": current,
            "after": current + signed,
        },
    )
    return movement


# --- Decisions ---------------------------------------------------------------------------------------------


class StaleDecision(AllocationError):
    """The decision changed since the form was opened (another member of staff)."""

    def __init__(self, decision):
        self.decision = decision
        if decision is None:
            message = "La décision a été annulée entre-temps. Rechargez la page."
        else:
            when = timezone.localtime(decision.decided_at)
            message = (
                f"Cette décision a été modifiée entre-temps par {decision.decided_by.full_name} le "
                f"{when:%d/%m/%Y à %H:%M}. Votre saisie n'a pas été enregistrée : vérifiez la décision actuelle "
                "ci-dessous avant de la modifier à nouveau."
            )
        super().__init__(message)


def requested_caps(request) -> dict[str, int]:
    """The most each level may receive: the annual hours asked, in whole hours."""
    weeks = request.campaign.weeks_per_year
    return {key: floor_hours((request.weekly(key) or 0) * weeks) for key in LEVEL_KEYS}


def region_allocated(campaign_id: int, region_id: int, exclude_request_ids=()) -> int:
    return (
        Decision.objects.filter(
            outcome=Decision.Outcome.ALLOCATED,
            request__campaign_id=campaign_id,
            request__establishment__region_id=region_id,
        )
        .exclude(request_id__in=list(exclude_request_ids))
        .aggregate(total=Coalesce(Sum("total"), Value(0)))["total"]
    )


def _lock_for_decision(request):
    """Locks in the project's order: the envelope of the request's region, then the request itself."""
    envelope = lock_envelope(request.campaign_id, request.establishment.region_id)
    if not envelope.is_notified:
        raise AllocationError("L'enveloppe de la région n'est pas encore notifiée par la DGER.")
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("campaign", "establishment__region")
        .get(pk=request.pk)
    )
    return envelope, locked


def _snapshot(decision) -> dict | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome,
        "hours": {key: decision.hours(key) for key in LEVEL_KEYS},
        "total": decision.computed_total(),
    }


def _describe(snapshot) -> str:
    if snapshot is None:
        return "aucune"
    if snapshot["outcome"] == Decision.Outcome.REFUSED:
        return "refus"
    parts = [f"{LEVEL_LABELS[k]} {h} h" for k, h in snapshot["hours"].items() if h]
    return f"{snapshot['total']} h ({', '.join(parts)})"


def _write_decision(user, request, envelope, outcome, hours, text, expected_version, envelope_hours, others):
    decision = Decision.objects.filter(request=request).select_related("decided_by").first()
    if (decision.version if decision else 0) != expected_version:
        raise StaleDecision(decision)
    before = _snapshot(decision)
    if decision is None:
        decision = Decision(request=request)
    decision.outcome = outcome
    for key in LEVEL_KEYS:
        setattr(decision, f"hours_{key}", hours.get(key, 0))
    decision.justification = text
    decision.decided_by = user
    decision.decided_at = timezone.now()
    decision.version = (decision.version or 0) + 1 if decision.pk else 1
    decision.save()
    after = _snapshot(decision)
    if outcome == Decision.Outcome.REFUSED:
        action = RequestEvent.Action.REFUSED
    else:
        action = RequestEvent.Action.ALLOCATED if before is None else RequestEvent.Action.ALLOCATION_CHANGED
    region_total = others + after["total"]
    transition(
        request,
        user,
        Request.Status.ALLOCATED if outcome == Decision.Outcome.ALLOCATED else Request.Status.REFUSED,
        action,
        message=text,
        data={
            "before": before,
            "after": after,
            "envelope": envelope_hours,
            "region_allocated_after": region_total,
            "changes": [
                f"Décision : {_describe(before)} → {_describe(after)}",
                f"Enveloppe {envelope_hours} h ; attribué dans la région : {region_total} h ; reste "
                f"{envelope_hours - region_total} h",
            ],
        },
    )
    return decision


def _validate_hours(request, hours: dict) -> dict[str, int]:
    caps = requested_caps(request)
    clean = {}
    for key in LEVEL_KEYS:
        value = hours.get(key) or 0
        if not isinstance(value, int) or value < 0:
            raise AllocationError(f"{LEVEL_LABELS[key]} : indiquez un nombre entier d'heures positif ou nul.")
        if value > caps[key]:
            raise AllocationError(
                f"{LEVEL_LABELS[key]} : {value} h dépasse ce que l'établissement a demandé ({caps[key]} h par an)."
            )
        clean[key] = value
    return clean


@transaction.atomic
def allocate(user, request, hours: dict, justification: str, expected_version: int) -> Decision:
    """Grant hours per level (annual, whole hours) to a request; refused if the region's allocations would
    exceed its envelope. Can be changed until notified."""
    _check(permissions.can_decide(user, request))
    envelope, request = _lock_for_decision(request)
    _check(permissions.can_decide(user, request))
    clean = _validate_hours(request, hours)
    total = sum(clean.values())
    if total <= 0:
        raise AllocationError("Attribuez au moins une heure, ou refusez la demande en indiquant le motif.")
    envelope_hours = envelope.total_hours()
    others = region_allocated(request.campaign_id, request.establishment.region_id, [request.pk])
    remaining = envelope_hours - others
    if total > remaining:
        raise AllocationError(
            f"Cette attribution de {_fmt(total)} dépasse ce qui reste dans l'enveloppe : {_fmt(max(remaining, 0))} "
            f"(enveloppe {_fmt(envelope_hours)}, déjà attribuées aux autres établissements {_fmt(others)})."
        )
    return _write_decision(
        user,
        request,
        envelope,
        Decision.Outcome.ALLOCATED,
        clean,
        justification.strip(),
        expected_version,
        envelope_hours,
        others,
    )


@transaction.atomic
def refuse(user, request, reason: str, expected_version: int) -> Decision:
    _check(permissions.can_decide(user, request))
    if not (reason or "").strip():
        raise AllocationError("Indiquez le motif du refus : il figure dans la lettre de notification.")
    envelope, request = _lock_for_decision(request)
    _check(permissions.can_decide(user, request))
    envelope_hours = envelope.total_hours()
    others = region_allocated(request.campaign_id, request.establishment.region_id, [request.pk])
    return _write_decision(
        user, request, envelope, Decision.Outcome.REFUSED, {}, reason.strip(), expected_version, envelope_hours, others
    )


@transaction.atomic
def start_review(user, requests) -> int:
    """Put submitted requests « en instruction »; the others are left as they are. Returns how many moved."""
    moved = 0
    for request in (
        Request.objects.select_for_update(of=("self",))
        .select_related("establishment")
        .filter(pk__in=[r.pk for r in requests])
    ):
        if not permissions.can_start_review(user, request)[0]:
            continue
        transition(request, user, Request.Status.UNDER_REVIEW, RequestEvent.Action.REVIEW_STARTED)
        moved += 1
    return moved


@transaction.atomic
def apply_assistant(user, campaign, region, proposals: dict[int, dict[str, int]], justification: str) -> int:
    """Allocate every proposal at once, or nothing: ``proposals`` maps a request id to hours per level.
    Lines with no hours are left under review. Returns the number of allocations made."""
    _check(permissions.can_use_regional_board(user))
    if not permissions.is_regional_of(user, region.pk):
        raise AllocationError("Seuls les agents de la DRAAF-SRFD de la région répartissent son enveloppe.")
    envelope = lock_envelope(campaign.pk, region.pk)
    if not envelope.is_notified:
        raise AllocationError("L'enveloppe de la région n'est pas encore notifiée par la DGER.")
    requests = {
        r.pk: r
        for r in Request.objects.select_for_update(of=("self",))
        .select_related("campaign", "establishment__region")
        .filter(pk__in=list(proposals), campaign=campaign, establishment__region=region)
    }
    missing = set(proposals) - set(requests)
    if missing:
        raise AllocationError("Une des demandes proposées n'appartient pas à cette campagne ou à cette région.")
    already = set(Decision.objects.filter(request_id__in=list(requests)).values_list("request_id", flat=True))
    for pk, request in requests.items():
        if request.status != Request.Status.UNDER_REVIEW or pk in already:
            raise AllocationError(
                f"La demande de {request.establishment.name} n'est plus en instruction (décision prise entre-temps) : "
                "relancez l'assistant. Rien n'a été enregistré."
            )
    cleaned = {}
    for pk, hours in proposals.items():
        try:
            cleaned[pk] = _validate_hours(requests[pk], hours)
        except AllocationError as error:
            raise AllocationError(f"{requests[pk].establishment.name} — {error} Rien n'a été enregistré.") from None
    total = sum(sum(h.values()) for h in cleaned.values())
    envelope_hours = envelope.total_hours()
    others = region_allocated(campaign.pk, region.pk, list(requests))
    if total > envelope_hours - others:
        raise AllocationError(
            f"Les propositions totalisent {_fmt(total)}, mais il ne reste que {_fmt(max(envelope_hours - others, 0))} "
            "dans l'enveloppe. Rien n'a été enregistré."
        )
    made = 0
    running = others
    for pk in sorted(cleaned, key=lambda k: requests[k].establishment.name):
        hours = cleaned[pk]
        if sum(hours.values()) == 0:
            continue
        _write_decision(
            user,
            requests[pk],
            envelope,
            Decision.Outcome.ALLOCATED,
            hours,
            justification.strip(),
            0,
            envelope_hours,
            running,
        )
        running += sum(hours.values())
        made += 1
    return made


def _letter(decision, user, now) -> tuple[str, bytes]:
    request = decision.request
    content = render_pdf(
        "allocations/pdf/letter.html",
        {
            "decision": decision,
            "request": request,
            "rows": [{**row, "allocated": decision.hours(row["key"])} for row in request.level_rows()],
            "signatory": user,
            "date": timezone.localtime(now),
        },
    )
    return f"{request.reference}-notification.pdf", content


@transaction.atomic
def ensure_letter(decision):
    """A notified decision recorded without its letter (imported or demo data) gets it built once, from the
    notification's own date and signatory, then stored for good."""
    if decision.letter or not decision.notified_at:
        return decision
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("request__campaign", "request__establishment__region", "decided_by", "notified_by")
        .get(pk=decision.pk)
    )
    if not decision.letter:
        name, content = _letter(decision, decision.notified_by or decision.decided_by, decision.notified_at)
        decision.letter.save(name, ContentFile(content), save=False)
        decision.letter_sha256 = sha256(content)
        decision.save(update_fields=["letter", "letter_sha256"])
    return decision


@transaction.atomic
def notify_decisions(user, campaign, region) -> int:
    """Notify every establishment of the region with an unnotified decision: the decisions are frozen and the
    requests become « notifiée » at once; the letters (PDF) are then built and e-mailed in the background,
    each exactly once (``send_letters``). Notifying twice sends nothing twice. Returns how many were notified."""
    _check(permissions.can_notify_decisions(user, region.pk))
    lock_envelope(campaign.pk, region.pk)
    decisions = list(
        Decision.objects.select_for_update(of=("self",))
        .select_related("request__campaign", "request__establishment__region")
        .filter(
            request__campaign=campaign,
            request__establishment__region=region,
            notified_at__isnull=True,
            request__status__in=[Request.Status.ALLOCATED, Request.Status.REFUSED],
        )
        .order_by("request__establishment__name")
    )
    now = timezone.now()
    for decision in decisions:
        decision.notified_at = now
        decision.notified_by = user
        decision.save(update_fields=["notified_at", "notified_by"])
        transition(
            decision.request,
            user,
            Request.Status.NOTIFIED,
            RequestEvent.Action.NOTIFIED,
            data={"after": _snapshot(decision)},
        )
    if decisions:
        run_in_background(send_letters, campaign.pk, region.pk)
    return len(decisions)


def letters_pending(campaign, region) -> int:
    return Decision.objects.filter(
        request__campaign=campaign,
        request__establishment__region=region,
        notified_at__isnull=False,
        letter_sent_at__isnull=True,
    ).count()


def send_letters(campaign_id: int, region_id: int) -> int:
    """Build and e-mail the letter of every notified decision of the region not sent yet; one decision at a
    time, each in its own transaction, so that an interruption loses nothing and a new run resumes."""
    sent = 0
    pending = Decision.objects.filter(
        request__campaign_id=campaign_id,
        request__establishment__region_id=region_id,
        notified_at__isnull=False,
        letter_sent_at__isnull=True,
    ).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            decision = (
                Decision.objects.select_for_update(of=("self",))
                .select_related("request__campaign", "request__establishment__region", "decided_by", "notified_by")
                .get(pk=pk)
            )
            if decision.letter_sent_at:
                continue
            decision = ensure_letter(decision)
            request = decision.request
            with decision.letter.open("rb") as stream:
                content = stream.read()
            send_templated(
                head_emails(request),
                f"Notification de votre dotation complémentaire en HSE {request.campaign.label} ({request.reference})",
                "allocations/email/decision_notified.txt",
                {"decision": decision, "request": request},
                attachments=[(f"{request.reference}-notification.pdf", content, "application/pdf")],
            )
            decision.letter_sent_at = timezone.now()
            decision.save(update_fields=["letter_sent_at"])
            record(
                request, decision.notified_by, RequestEvent.Action.LETTER_SENT, data={"sha256": decision.letter_sha256}
            )
            sent += 1
    return sent


@transaction.atomic
def add_internal_note(user, request, text: str):
    _check(permissions.can_read_internal_notes(user, request))
    if not (text or "").strip():
        raise AllocationError("La note est vide.")
    return InternalNote.objects.create(request=request, author=user, text=text.strip())


def resume_letters(user, campaign, region) -> int:
    """Start sending the letters left unsent (after an interrupted run); returns how many were pending."""
    _check(permissions.can_notify_decisions(user, region.pk))
    pending = letters_pending(campaign, region)
    if pending:
        run_in_background(send_letters, campaign.pk, region.pk)
    return pending
