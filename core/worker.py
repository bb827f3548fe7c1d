"""The worker process (``manage.py worker``): django-tasks-db's worker, plus what keeps work from being lost.

- a **heartbeat**: every ``WORKER_HEARTBEAT_SECONDS`` a thread records that this worker is alive (/healthz
  reads it);
- **recovery**: a task left « running » by a worker whose heartbeat stopped (killed, machine lost, deploy) is
  given back to the queue and taken up by the next worker — at most ``MAX_ATTEMPTS`` runs in all, then it is
  recorded as failed (and the code that owns it is told through the engine's ``task_finished`` signal);
- a **time limit** per task (``@job(time_limit=…)``): the task is interrupted by ``TimeLimitExceeded``;
- the **periodic tick** (``core.periodic``).
"""

import logging
import os
import signal
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from core import pdf_stamp, periodic
from core.models import WorkerHeartbeat
from core.tasks import MAX_ATTEMPTS, TimeLimitExceeded, time_limit_of

logger = logging.getLogger("hse.worker")


class WorkerLost(Exception):
    """Recorded on a task given up after its workers died ``MAX_ATTEMPTS`` times."""


def stale_after() -> timedelta:
    return timedelta(seconds=settings.WORKER_STALE_SECONDS)


def live_workers(now=None):
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(stopped_at__isnull=True, last_seen_at__gte=now - stale_after())


def beat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen_at=now, stopped_at=None)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, hostname=socket.gethostname()[:255], pid=os.getpid(), started_at=now, last_seen_at=now
        )


def recover(now=None) -> dict:
    """Give the tasks of dead workers back to the queue (or fail them after ``MAX_ATTEMPTS`` runs)."""
    now = now or timezone.now()
    live = set(live_workers(now).values_list("worker_id", flat=True))
    known = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    outcome = {"requeued": [], "failed": []}
    for result in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        owner = result.worker_ids[-1] if result.worker_ids else None
        if owner in live:
            continue
        if owner not in known and result.started_at and result.started_at > now - stale_after():
            continue  # a worker that has not beaten yet
        with transaction.atomic():
            locked = DBTaskResult.objects.select_for_update(skip_locked=True).filter(pk=result.pk).first()
            if locked is None or locked.status != "RUNNING" or locked.worker_ids != result.worker_ids:
                continue
            if len(locked.worker_ids) >= MAX_ATTEMPTS:
                locked.set_failed(WorkerLost(f"worker {owner} stopped during the task, {MAX_ATTEMPTS} times"))
                outcome["failed"].append(str(locked.pk))
                finished = locked
            else:
                locked.status = "READY"
                locked.save(update_fields=["status"])
                outcome["requeued"].append(str(locked.pk))
                finished = None
        if finished is not None:
            task_finished.send(sender=type(finished.task.get_backend()), task_result=finished.task_result)
        logger.warning(
            "task %s of a stopped worker %s",
            result.pk,
            "failed" if finished is not None else "requeued",
            extra={"event": "recovery", "task_id": str(result.pk), "worker": owner},
        )
    return outcome


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str):
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self):
        try:
            while not self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS):
                try:
                    beat(self.worker_id)
                    recover()
                    periodic.tick()
                except Exception:
                    logger.exception("worker tick failed")
        finally:
            connection.close()


def warm_up() -> None:
    """Load WeasyPrint, its fonts and the stamps' glyphs before the first task rather than during it (the first
    national document asked for after a start would otherwise wait about a second more)."""
    try:
        pdf_stamp.warm_up()
    except Exception:
        logger.exception("PDF warm-up failed")


class HseWorker(Worker):
    def run(self) -> None:
        periodic.autodiscover()
        warm_up()
        beat(self.worker_id)
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stopping.set()
            close_old_connections()
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(stopped_at=timezone.now())

    def shutdown(self, signum, frame) -> None:
        if not self.running and self.running_task:
            # A second signal while a task runs: leave at once; the task stays « running » and the next worker
            # takes it up once this worker's heartbeat is stale (it is not recorded as failed).
            logger.warning("second %s: stopping now, the current task will be taken up again", signum)
            os._exit(1)
        super().shutdown(signum, frame)

    def run_task(self, db_task_result) -> None:
        limit = time_limit_of(db_task_result.task_path)

        def interrupt(signum, frame):
            raise TimeLimitExceeded(f"{db_task_result.task_path} ran longer than {limit} s")

        previous = signal.signal(signal.SIGALRM, interrupt)
        signal.alarm(limit)
        try:
            super().run_task(db_task_result)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
