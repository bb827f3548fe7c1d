from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reports.models import PdfJob, RegionalReview, Transmission, WorkingCopy


@admin.register(Transmission)
class TransmissionAdmin(ReadOnlyAdmin):
    list_display = ("kind", "region", "campaign", "version", "transmitted_at", "transmitted_by", "sha256")
    list_filter = ("kind", "campaign", "region")
    list_select_related = ("region", "campaign", "transmitted_by")
    readonly_fields = (
        "kind",
        "campaign",
        "region",
        "version",
        "pdf",
        "sha256",
        "data_sha256",
        "transmitted_at",
        "transmitted_by",
    )


@admin.register(RegionalReview)
class RegionalReviewAdmin(ReadOnlyAdmin):
    list_display = ("region", "campaign", "updated_at", "updated_by")
    list_filter = ("campaign",)


@admin.register(PdfJob)
class PdfJobAdmin(ReadOnlyAdmin):
    list_display = ("document", "campaign", "status", "progress", "requested_by", "created_at", "finished_at")
    list_filter = ("status", "document")


@admin.register(WorkingCopy)
class WorkingCopyAdmin(ReadOnlyAdmin):
    list_display = ("kind", "region", "campaign", "built_at", "checked_at", "data_sha256")
    list_filter = ("kind", "campaign")
    list_select_related = ("region", "campaign")
