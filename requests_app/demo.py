"""Demo campaigns: one completed two years back, one in progress (allocations notified, spring review to
come) and one open for requests whose deadline is after today."""

import datetime

from django.db import transaction
from django.utils import timezone

from requests_app.models import Campaign

NATIONAL_VOLUMES = {-2: 72_000, -1: 74_000, 0: 76_000}


def open_campaign_year(today: datetime.date) -> int:
    """The first school year whose request deadline (12 July) is after ``today``."""
    return today.year if today < datetime.date(today.year, 7, 12) else today.year + 1


@transaction.atomic
def seed_campaigns(today=None) -> list[Campaign]:
    today = today or timezone.localdate()
    year = open_campaign_year(today)
    campaigns = []
    for offset, volume in NATIONAL_VOLUMES.items():
        campaign, _created = Campaign.objects.get_or_create(
            start_year=year + offset,
            defaults={**Campaign.default_calendar(year + offset), "national_volume": volume},
        )
        campaigns.append(campaign)
    return campaigns
