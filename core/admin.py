"""The admin keeps reference data; figures, statuses and history change only through the services (their
locks, versions and history), so their admin pages are read-only."""

from django.contrib import admin, messages

from core.formatting import count
from core.models import OutboxEmail, WorkerHeartbeat
from core.outbox import resend


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdmin):
    """Every e-mail of the service and what became of it; those « non remis » can be sent again."""

    list_display = ("created_at", "subject", "recipients", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "topic")
    search_fields = ("subject", "to", "last_error")
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [field.name for field in OutboxEmail._meta.fields if field.name != "id"]
    exclude = ("on_outcome",)

    @admin.display(description="destinataires")
    def recipients(self, email):
        return ", ".join(email.to)

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.is_superuser  # the changelist, for the action; fields stay read-only

    @admin.action(description="Envoyer de nouveau les courriels non remis sélectionnés")
    def send_again(self, request, queryset):
        sent = resend(queryset)
        skipped = queryset.count() - sent
        self.message_user(
            request,
            count(sent, "courriel remis dans la file d'envoi.", "courriels remis dans la file d'envoi."),
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                count(skipped, "courriel ignoré", "courriels ignorés")
                + " : seuls les courriels « non remis » sont envoyés de nouveau (un courriel remis ne l'est jamais "
                "deux fois).",
                messages.WARNING,
            )


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("hostname", "pid", "worker_id", "started_at", "last_seen_at", "stopped_at")
