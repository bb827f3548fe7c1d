from django.contrib import admin

from requests_app.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("label", "request_deadline", "allocation_deadline", "weeks_per_year", "national_volume")
    ordering = ("-start_year",)
