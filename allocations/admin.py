"""Envelopes, their movements and the internal notes in the admin: readable, never changed there (every
change goes through the services, under the envelope lock, with its history)."""

from django.contrib import admin

from allocations.models import Envelope, EnvelopeMovement, InternalNote
from core.admin import ReadOnlyAdmin, ReadOnlyInline


class MovementInline(ReadOnlyInline):
    model = EnvelopeMovement
    fields = ("kind", "hours", "effective_date", "reason", "author", "created_at")
    readonly_fields = fields


@admin.register(Envelope)
class EnvelopeAdmin(ReadOnlyAdmin):
    list_display = ("region", "campaign", "notified_at")
    list_filter = ("campaign", "region")
    list_select_related = ("region", "campaign")
    inlines = [MovementInline]


@admin.register(EnvelopeMovement)
class EnvelopeMovementAdmin(ReadOnlyAdmin):
    list_display = ("envelope", "kind", "hours", "effective_date", "author", "created_at")
    list_filter = ("kind", "envelope__campaign")
    list_select_related = ("envelope__region", "envelope__campaign", "author")


@admin.register(InternalNote)
class InternalNoteAdmin(ReadOnlyAdmin):
    list_display = ("request", "author", "at")
