from django.contrib import admin

from campaigns.models import Campaign, CampaignEvent, RegionalDeadline
from core.admin import ReadOnlyAdmin


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    """Calendar, weeks and volume are changed on DGER's pages (history, checks against the envelopes): the
    admin shows them."""

    list_display = ("label", "request_deadline", "allocation_deadline", "weeks_per_year", "national_volume")
    ordering = ("-start_year",)


@admin.register(CampaignEvent)
class CampaignEventAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "action", "region", "actor", "at")
    list_filter = ("campaign", "action")


@admin.register(RegionalDeadline)
class RegionalDeadlineAdmin(ReadOnlyAdmin):
    """Set by each region on its page (checks, history, e-mail to the heads): the admin shows them."""

    list_display = ("campaign", "region", "request_deadline", "set_by", "set_at")
    list_filter = ("campaign",)
