"""Periodic housekeeping of the engine's own records: finished task results and the heartbeats of workers
that stopped long ago (the outbox keeps every e-mail: it is the record of what was sent)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import WorkerHeartbeat
from core.periodic import periodic
from core.tasks import job

KEEP_SUCCESSFUL = timedelta(days=7)
KEEP_FAILED = timedelta(days=90)


@periodic(every=timedelta(hours=6), name="prune-task-results")
@job(time_limit=600)
def prune() -> dict:
    now = timezone.now()
    successful = DBTaskResult.objects.successful().filter(finished_at__lt=now - KEEP_SUCCESSFUL).delete()[0]
    failed = DBTaskResult.objects.failed().filter(finished_at__lt=now - KEEP_FAILED).delete()[0]
    workers = WorkerHeartbeat.objects.filter(last_seen_at__lt=now - KEEP_SUCCESSFUL).delete()[0]
    return {"successful": successful, "failed": failed, "workers": workers}
