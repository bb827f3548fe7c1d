from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reminders.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "user", "kind", "campaign", "deadline", "days_before")
    list_filter = ("kind", "campaign")
    search_fields = ("user__email", "subject")
