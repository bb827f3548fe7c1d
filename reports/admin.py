from django.contrib import admin

from reports.models import PdfJob, RegionalReview, Transmission


@admin.register(Transmission)
class TransmissionAdmin(admin.ModelAdmin):
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

    def has_change_permission(self, request, obj=None):
        return False  # a transmitted document never changes


@admin.register(RegionalReview)
class RegionalReviewAdmin(admin.ModelAdmin):
    list_display = ("region", "campaign", "updated_at", "updated_by")
    list_filter = ("campaign",)


@admin.register(PdfJob)
class PdfJobAdmin(admin.ModelAdmin):
    list_display = ("document", "campaign", "status", "progress", "requested_by", "created_at", "finished_at")
    list_filter = ("status", "document")
