"""Campaigns, national volume, envelopes and (next) decisions: one function per action, transactional,
history recorded, ``AllocationError`` raised with a French message.

Locks, always taken in this order: the campaign row (national volume vs. the sum of the envelopes), then the
envelope row (an envelope vs. the hours allocated in its region). ``lock_envelope`` is the one place that
takes the envelope lock: envelope movements and allocations both go through it.
"""

import datetime

from django.db import transaction
from django.db.models import Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import Permission
from accounts.models import Region, User
from allocations import permissions
from allocations.models import CampaignEvent, Envelope, EnvelopeMovement
from config.mail import send_templated
from requests_app.models import Campaign


class AllocationError(Exception):
    """A refused action; its message is French and meant for the user."""


def _check(permission: Permission) -> None:
    allowed, reason = permission
    if not allowed:
        raise AllocationError(reason or "Action non autorisée.")


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
