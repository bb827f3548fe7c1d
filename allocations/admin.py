from django.contrib import admin

from allocations.models import CampaignEvent, Decision, Envelope, EnvelopeMovement, InternalNote


class MovementInline(admin.TabularInline):
    model = EnvelopeMovement
    extra = 0
    raw_id_fields = ("author",)


@admin.register(Envelope)
class EnvelopeAdmin(admin.ModelAdmin):
    list_display = ("region", "campaign", "notified_at")
    list_filter = ("campaign", "region")
    list_select_related = ("region", "campaign")
    inlines = [MovementInline]


@admin.register(EnvelopeMovement)
class EnvelopeMovementAdmin(admin.ModelAdmin):
    list_display = ("envelope", "kind", "hours", "effective_date", "author", "created_at")
    list_filter = ("kind", "envelope__campaign")
    list_select_related = ("envelope__region", "envelope__campaign", "author")
    raw_id_fields = ("author",)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("request", "outcome", "total", "decided_by", "decided_at", "notified_at")
    list_filter = ("outcome", "request__campaign", "request__establishment__region")
    search_fields = ("request__reference", "request__establishment__name", "request__establishment__uai")
    list_select_related = ("request__establishment", "decided_by")
    raw_id_fields = ("request", "decided_by", "notified_by")
    readonly_fields = ("total",)


@admin.register(CampaignEvent)
class CampaignEventAdmin(admin.ModelAdmin):
    list_display = ("campaign", "action", "actor", "at")
    list_filter = ("campaign", "action")


@admin.register(InternalNote)
class InternalNoteAdmin(admin.ModelAdmin):
    list_display = ("request", "author", "at")
    raw_id_fields = ("request", "author")
