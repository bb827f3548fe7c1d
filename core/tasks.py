"""Background tasks on Django's tasks API (the ``django-tasks`` backport of Django 6's ``django.tasks``).

The engine is configured in ``settings.TASKS``: the ORM backend of ``django-tasks-db`` (tasks are rows of the
project's database, written in the caller's transaction, run by ``manage.py worker`` processes on any node), or
the immediate backend in the tests. Another backend of the same API (RQ, Celery…) can replace it without touching
the code that enqueues.

What the engine leaves to us, kept thin here and in ``core.worker``:

- ``@job(time_limit=…)``: a task with a time limit (the worker interrupts it with ``TimeLimitExceeded``);
- ``enqueue_later``: run a task after a delay when the backend can (retries with backoff use it);
- a task whose worker died is given to another worker (``core.worker.recover``), at most ``MAX_ATTEMPTS`` times;
- periodic tasks: ``core.periodic``.

Every task must be safe to run again: a worker killed in the middle re-runs it from the start.
"""

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task_backends
from django_tasks import task as engine_task
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.signals import task_finished, task_started
from django_tasks.utils import get_random_id

logger = logging.getLogger("hse.tasks")

DEFAULT_TIME_LIMIT = 10 * 60  # seconds
MAX_ATTEMPTS = 3  # runs of one task (the first and those after a dead worker)
TIME_LIMITS: dict[str, int] = {}


class TimeLimitExceeded(Exception):
    """Raised inside a task that ran longer than its time limit."""


def job(function=None, *, time_limit: int = DEFAULT_TIME_LIMIT, queue_name: str | None = None, priority: int = 0):
    """``@job`` or ``@job(time_limit=300)``: a task of the engine with its time limit (seconds)."""

    def wrap(fn):
        options = {"priority": priority}
        if queue_name:
            options["queue_name"] = queue_name
        registered = engine_task(**options)(fn)
        TIME_LIMITS[registered.module_path] = time_limit
        return registered

    return wrap(function) if function is not None else wrap


def time_limit_of(task_path: str) -> int:
    return TIME_LIMITS.get(task_path, DEFAULT_TIME_LIMIT)


def can_defer(task) -> bool:
    return task.get_backend().supports_defer


def enqueue_later(task, delay: timedelta, *args, **kwargs):
    """Enqueue ``task`` to run after ``delay``; with a backend that cannot defer (the immediate one of the
    tests) nothing is enqueued: the periodic sweep that owns the work takes it up when it is due."""
    if not can_defer(task):
        return None
    return task.using(run_after=timezone.now() + delay).enqueue(*args, **kwargs)


def backend():
    return task_backends["default"]


class ImmediateOnCommitBackend(ImmediateBackend):
    """Runs each task in the caller's process once the caller's transaction has committed, as a worker would
    see it (``TASKS_BACKEND=immediate``: the tests, one-off scripts). No worker needed, nothing deferred."""

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        transaction.on_commit(lambda: self._execute_task(result))
        return result


# --- One structured log line per task: what ran, on which worker, how long, with what outcome. ------------

_started: dict[str, float] = {}


def _on_started(sender, task_result, **kwargs):
    _started[task_result.id] = time.monotonic()


def _on_finished(sender, task_result, **kwargs):
    began = _started.pop(task_result.id, None)
    duration = None if began is None else round((time.monotonic() - began) * 1000, 1)
    status = str(getattr(task_result.status, "value", task_result.status)).lower()
    error = task_result.errors[-1].exception_class_path if task_result.errors else ""
    level = logging.ERROR if status == "failed" else logging.INFO
    logger.log(
        level,
        "task %s %s",
        task_result.task.module_path,
        status,
        extra={
            "event": "task",
            "task": task_result.task.module_path,
            "task_id": str(task_result.id),
            "outcome": status,
            "duration_ms": duration,
            "attempt": len(task_result.worker_ids),
            "error": error,
        },
    )


task_started.connect(_on_started, dispatch_uid="hse-task-started")
task_finished.connect(_on_finished, dispatch_uid="hse-task-finished")
