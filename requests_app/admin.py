"""Requests, decisions and usage reports in the admin: readable, never changed there. Their states, figures
and history change only through the services (lifecycle, locks, versions, history)."""

from django.contrib import admin
from django.utils.html import format_html_join

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from requests_app import lifecycle
from requests_app.models import Decision, Extension, Request, RequestEvent, Submission, UsageReport


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("at", "actor", "action", "from_status", "to_status", "message", "data")
    readonly_fields = fields


class SubmissionInline(ReadOnlyInline):
    model = Submission
    fields = ("number", "submitted_at", "submitted_by", "pdf", "sha256")
    readonly_fields = fields


@admin.register(Request)
class RequestAdmin(ReadOnlyAdmin):
    list_display = ("reference", "establishment", "campaign", "status", "hse_total_weekly", "submitted_at")
    list_filter = ("campaign", "status", "establishment__region", "establishment__network")
    search_fields = ("reference", "establishment__name", "establishment__uai", "establishment__commune")
    list_select_related = ("establishment", "campaign")
    readonly_fields = ("next_transitions",)
    inlines = [SubmissionInline, EventInline]

    @admin.display(description="transitions possibles (cycle de vie)")
    def next_transitions(self, obj):
        steps = lifecycle.next_states(obj.status)
        if not steps:
            return "aucune : état final"
        return format_html_join(", ", "{} → {}", ((name, target.label) for name, target in steps))


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("request", "outcome", "total", "decided_by", "decided_at", "notified_at", "letter_sent_at")
    list_filter = ("outcome", "request__campaign", "request__establishment__region")
    search_fields = ("request__reference", "request__establishment__name", "request__establishment__uai")
    list_select_related = ("request__establishment", "decided_by")


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ("establishment", "campaign", "until", "granted_by", "granted_at")
    list_filter = ("campaign",)


@admin.register(UsageReport)
class UsageReportAdmin(ReadOnlyAdmin):
    list_display = ("request", "status", "hours_used_total", "submitted_at")
    list_filter = ("status", "request__campaign", "request__establishment__region")
    search_fields = ("request__reference", "request__establishment__name")
    list_select_related = ("request__establishment",)
