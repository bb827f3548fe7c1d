from django.contrib import admin

from requests_app.models import Campaign, Extension, Request, RequestEvent, Submission, UsageReport


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("label", "request_deadline", "allocation_deadline", "weeks_per_year", "national_volume")
    ordering = ("-start_year",)


class EventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "action", "from_status", "to_status", "message", "data")

    def has_add_permission(self, request, obj=None):
        return False


class SubmissionInline(admin.TabularInline):
    model = Submission
    extra = 0
    can_delete = False
    readonly_fields = ("number", "submitted_at", "submitted_by", "pdf", "sha256")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ("reference", "establishment", "campaign", "status", "hse_total_weekly", "submitted_at")
    list_filter = ("campaign", "status", "establishment__region", "establishment__network")
    search_fields = ("reference", "establishment__name", "establishment__uai", "establishment__commune")
    list_select_related = ("establishment", "campaign")
    raw_id_fields = ("establishment", "updated_by")
    readonly_fields = ("reference", "version", "hse_total_weekly", "submitted_at", "created_at", "updated_at")
    inlines = [SubmissionInline, EventInline]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("establishment", "campaign", "until", "granted_by", "granted_at")
    list_filter = ("campaign",)
    raw_id_fields = ("establishment", "granted_by")


@admin.register(UsageReport)
class UsageReportAdmin(admin.ModelAdmin):
    list_display = ("request", "status", "hours_used_total", "submitted_at")
    list_filter = ("status", "request__campaign", "request__establishment__region")
    search_fields = ("request__reference", "request__establishment__name")
    list_select_related = ("request__establishment",)
    raw_id_fields = ("request", "submitted_by", "updated_by")
    readonly_fields = ("hours_used_total",)
