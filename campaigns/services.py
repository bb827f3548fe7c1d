"""What DGER does to a campaign: create it from the previous one, change its calendar, weeks or volume.
One function per action, transactional, history recorded (``CampaignEvent``), ``CampaignError`` raised.

Rules that belong to the apps built on campaigns (the national volume covers the regional envelopes; the
weeks per year are frozen once requests were deposited) are registered by those apps as *guards*
(``register_guard``, called from their ``AppConfig.ready``) and run inside the campaign's lock.
"""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from campaigns import permissions
from campaigns.models import Campaign, CampaignEvent, RegionalDeadline
from core.access import check
from core.errors import DomainError
from core.formatting import format_date
from core.mail import send_templated


class CampaignError(DomainError):
    pass


# A guard gets the locked campaign as it was and as it will be, and raises CampaignError to refuse.
Guard = Callable[[dict, Campaign], None]
_GUARDS: list[Guard] = []


def register_guard(guard: Guard) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


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
    """The campaign row, locked until the end of the transaction (first in the project's lock order)."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def snapshot(campaign: Campaign) -> dict:
    data = {field: getattr(campaign, field).isoformat() for field, _l, _w in Campaign.DEADLINE_FIELDS}
    data.update(weeks_per_year=campaign.weeks_per_year, national_volume=campaign.national_volume)
    return data


def record(campaign: Campaign, user, action: str, data: dict | None = None, region=None, message="") -> CampaignEvent:
    return CampaignEvent.objects.create(
        campaign=campaign, actor=user, action=action, data=data or {}, region=region, message=message
    )


@transaction.atomic
def create_campaign(user, values: dict) -> Campaign:
    check(permissions.can_manage_campaigns(user), CampaignError)
    if Campaign.objects.filter(start_year=values["start_year"]).exists():
        raise CampaignError(f"La campagne {values['start_year']}-{values['start_year'] + 1} existe déjà.")
    campaign = Campaign(**values)
    campaign.full_clean()
    campaign.save()
    record(campaign, user, CampaignEvent.Action.CREATED, snapshot(campaign))
    return campaign


@transaction.atomic
def update_campaign(user, campaign: Campaign, values: dict) -> Campaign:
    check(permissions.can_manage_campaigns(user), CampaignError)
    campaign = lock_campaign(campaign)
    before = snapshot(campaign)
    for key, value in values.items():
        setattr(campaign, key, value)
    campaign.full_clean()
    for guard in _GUARDS:
        guard(before, campaign)
    campaign.save()
    after = snapshot(campaign)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        record(campaign, user, CampaignEvent.Action.UPDATED, {"changes": changes})
    return campaign


@transaction.atomic
def set_regional_deadline(user, campaign: Campaign, region, date, reason: str = "") -> RegionalDeadline | None:
    """Set the region's own request deadline for ``campaign`` (``date``), or go back to the national one
    (``date`` None). On or before the national date, never already past; recorded in the campaign's history and
    announced to the region's heads."""
    check(permissions.can_set_regional_deadline(user, region.pk), CampaignError)
    campaign = lock_campaign(campaign)  # the national date cannot move meanwhile
    today = timezone.localdate()
    current = RegionalDeadline.objects.filter(campaign=campaign, region=region).first()
    if date is not None:
        if date > campaign.request_deadline:
            raise CampaignError(
                "La date régionale ne peut pas être après la date nationale "
                f"({format_date(campaign.request_deadline)}) fixée par la DGER.",
                field="request_deadline",
            )
        if date < today:
            raise CampaignError(
                f"La date limite ne peut pas être déjà passée (aujourd'hui : {format_date(today)}).",
                field="request_deadline",
            )
    elif current is None:
        raise CampaignError("Votre région suit déjà la date nationale.")
    before = current.request_deadline if current else None
    reason = (reason or "").strip()
    if date is None:
        current.delete()
        result = None
        action = CampaignEvent.Action.REGIONAL_DEADLINE_REMOVED
    else:
        result, _created = RegionalDeadline.objects.update_or_create(
            campaign=campaign,
            region=region,
            defaults={"request_deadline": date, "reason": reason, "set_by": user, "set_at": timezone.now()},
        )
        action = CampaignEvent.Action.REGIONAL_DEADLINE_SET
    shown = [format_date(d) if d else "date nationale" for d in (before, date)]
    record(
        campaign,
        user,
        action,
        {
            "region": region.code,
            "before": before.isoformat() if before else None,
            "after": date.isoformat() if date else None,
            "changes": {"Date limite de dépôt de la région": shown},
        },
        region=region,
        message=reason,
    )
    effective = date or campaign.request_deadline
    send_templated(
        region_heads(region),
        f"Demandes de dotation HSE {campaign.label} : date limite de dépôt le {format_date(effective)}",
        "campaigns/email/regional_deadline.txt",
        {"campaign": campaign, "region": region, "date": effective, "regional": date is not None, "reason": reason},
    )
    return result


def region_heads(region) -> list[str]:
    return list(
        User.objects.filter(role=User.Role.HEAD, is_active=True, establishments__region=region)
        .values_list("email", flat=True)
        .distinct()
    )
