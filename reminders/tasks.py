"""The daily reminders, run by the task engine's periodic tick (``core.periodic``)."""

from datetime import timedelta

from django.utils import timezone

from core.periodic import periodic
from core.tasks import job
from reminders.services import send_due_reminders

SENDING_FROM_HOUR = 7  # reminders leave in the morning (local time), never in the night


@periodic(every=timedelta(hours=1), name="send-due-reminders")
@job(time_limit=900)
def send_reminders() -> int:
    """Hourly; idempotent (each reminder once per person, deadline and delay), so the first run after 7 a.m.
    sends the day's reminders and the others find nothing new."""
    if timezone.localtime().hour < SENDING_FROM_HOUR:
        return 0
    return send_due_reminders()
