"""Regional envelopes: DGER fixes and notifies them, then adds supplementary delegations or withdrawals.

Locks, always taken in this order: the campaign row (the national volume vs. the sum of the envelopes), then
the envelope row (an envelope vs. the hours allocated in its region). ``lock_envelope`` is the one place
that takes the envelope lock: envelope movements, allocations and transmissions all go through it.
"""

from django.db import transaction
from django.db.models import Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Region, User
from allocations import permissions
from allocations.models import Envelope, EnvelopeMovement
from allocations.services.errors import AllocationError
from campaigns.models import Campaign, CampaignEvent
from campaigns.services import CampaignError, lock_campaign
from campaigns.services import record as record_campaign
from core.access import check
from core.formatting import format_hours
from core.mail import send_templated
from requests_app.models import Decision


def _check(permission) -> None:
    check(permission, AllocationError)


def region_allocated(campaign_id: int, region_id: int, exclude_request_ids=()) -> int:
    """Hours allocated in a region for a campaign (leaving out some requests, e.g. the one being decided)."""
    return Decision.objects.in_region(campaign_id, region_id).exclude(request_id__in=list(exclude_request_ids)).hours()


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
def set_initial_envelopes(user, campaign: Campaign, hours_by_region: dict[int, int]) -> None:
    """Fix the initial envelope of each region (before notification). Their sum may not exceed the
    national volume."""
    _check(permissions.can_manage_envelopes(user))
    campaign = lock_campaign(campaign)
    if Envelope.objects.filter(campaign=campaign, notified_at__isnull=False).exists():
        raise AllocationError(
            "Les enveloppes sont déjà notifiées : ajoutez une délégation complémentaire ou un retrait sur "
            "l'enveloppe d'une région."
        )
    if any(h < 0 for h in hours_by_region.values()):
        raise AllocationError("Une enveloppe ne peut pas être négative.")
    total = sum(hours_by_region.values())
    if total > campaign.national_volume:
        raise AllocationError(
            f"La somme des enveloppes ({format_hours(total)}) dépasse le volume national "
            f"({format_hours(campaign.national_volume)}) de {format_hours(total - campaign.national_volume)}."
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
    record_campaign(campaign, user, CampaignEvent.Action.ENVELOPES_SET, {"total": total, "changes": changes})


@transaction.atomic
def notify_envelopes(user, campaign: Campaign) -> int:
    """Notify every region of its envelope (e-mail to its staff); notifying twice sends nothing twice."""
    _check(permissions.can_manage_envelopes(user))
    campaign = lock_campaign(campaign)
    region_count = Region.objects.count()
    of_campaign = Envelope.objects.filter(campaign=campaign)
    envelopes = list(of_campaign.select_related("region").filter(notified_at__isnull=True).with_hours())
    if of_campaign.count() < region_count:
        raise AllocationError("Fixez d'abord l'enveloppe de chacune des régions (0 heure est possible).")
    if not envelopes:
        raise AllocationError("Les enveloppes de cette campagne sont déjà notifiées.")
    now = timezone.now()
    staff = {}
    for address, region_id in User.objects.regional_staff().values_list("email", "region_id"):
        staff.setdefault(region_id, []).append(address)
    for envelope in envelopes:
        envelope.notified_at = now
        envelope.notified_by = user
        envelope.save(update_fields=["notified_at", "notified_by"])
        send_templated(
            staff.get(envelope.region_id, []),
            f"Enveloppe régionale HSE appui personnalisé {campaign.label} : {format_hours(envelope.hours)}",
            "allocations/email/envelope_notified.txt",
            {"envelope": envelope, "campaign": campaign, "hours": envelope.hours},
        )
    record_campaign(
        campaign,
        user,
        CampaignEvent.Action.ENVELOPES_NOTIFIED,
        {"regions": len(envelopes), "total": envelopes_total(campaign)},
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
                f"Cette délégation porterait la somme des enveloppes à {format_hours(total + hours)}, au-delà du "
                f"volume national de {format_hours(campaign.national_volume)} (dépassement de "
                f"{format_hours(total + hours - campaign.national_volume)}). Augmentez d'abord le volume national."
            )
        signed = hours
    else:
        allocated = region_allocated(envelope.campaign_id, envelope.region_id)
        if current - hours < allocated:
            raise AllocationError(
                f"Ce retrait de {format_hours(hours)} laisserait l'enveloppe à {format_hours(current - hours)}, en "
                f"dessous des {format_hours(allocated)} déjà attribuées aux établissements de la région (retrait "
                f"possible : au plus {format_hours(current - allocated)})."
            )
        signed = -hours
    movement = EnvelopeMovement.objects.create(
        envelope=envelope, kind=kind, hours=signed, effective_date=effective_date, reason=reason.strip(), author=user
    )
    staff = User.objects.regional_staff(envelope.region_id)
    send_templated(
        staff.values_list("email", flat=True),
        f"Enveloppe régionale HSE {campaign.label} : {movement.get_kind_display().lower()} de {format_hours(hours)}",
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


def volume_covers_envelopes(before: dict, campaign: Campaign) -> None:
    """Campaign guard: the national volume can never drop below the sum of the regional envelopes."""
    fixed = envelopes_total(campaign)
    if campaign.national_volume < fixed:
        raise CampaignError(
            f"Le volume national ({format_hours(campaign.national_volume)}) ne peut pas être inférieur à la somme "
            f"des enveloppes régionales déjà fixées ({format_hours(fixed)}).",
            field="national_volume",
        )
