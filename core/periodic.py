"""Periodic tasks: a thin layer over the task engine, run by the workers' tick (``core.worker``).

Declare one next to its task, in any app's ``tasks`` module (the worker imports them all at start)::

    from core.periodic import periodic
    from core.tasks import job

    @periodic(every=timedelta(hours=1))
    @job
    def send_due_reminders():
        ...                      # must be idempotent: it may run late, never twice for one slot

Each worker calls ``tick()`` every few seconds. A run is enqueued on the engine by the one worker that moves
the schedule's ``next_run_at`` forward (a conditional UPDATE: with any number of workers on any number of
nodes, one run per period). A period missed while every worker was stopped gives one run, not a burst.
``manage.py run_periodic NAME`` enqueues one run at once.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import PeriodicSchedule

logger = logging.getLogger("hse.periodic")


@dataclass(frozen=True)
class Periodic:
    name: str
    task: object
    every: timedelta


REGISTRY: dict[str, Periodic] = {}


def periodic(*, every: timedelta, name: str | None = None):
    """Register the decorated task (a ``@job``) to run every ``every``."""
    if every < timedelta(seconds=1):
        raise ValueError("A periodic task runs at most once a second.")

    def wrap(registered):
        key = name or registered.module_path
        REGISTRY[key] = Periodic(key, registered, every)
        return registered

    return wrap


CORE_MODULES = ("core.outbox", "core.housekeeping", "core.changes")


def autodiscover() -> None:
    """Import the shared machinery's periodic tasks and the ``tasks`` module of every installed app, so that
    their periodic tasks are registered."""
    for module in CORE_MODULES:
        import_module(module)
    for config in apps.get_app_configs():
        module = f"{config.name}.tasks"
        if find_spec(config.name) is not None and find_spec(module) is not None:
            import_module(module)


def tick(now=None) -> list[str]:
    """Enqueue every periodic task that is due; returns the names enqueued by this call."""
    now = now or timezone.now()
    enqueued = []
    known = dict(PeriodicSchedule.objects.filter(name__in=REGISTRY).values_list("name", "next_run_at"))
    for name, entry in REGISTRY.items():
        if name not in known:
            try:
                with transaction.atomic():
                    PeriodicSchedule.objects.create(name=name, next_run_at=now)
            except IntegrityError:
                pass  # another worker created it at the same moment
            known[name] = now
        if known[name] > now:
            continue
        with transaction.atomic():
            claimed = PeriodicSchedule.objects.filter(name=name, next_run_at=known[name]).update(
                next_run_at=now + entry.every, last_enqueued_at=now
            )
            if claimed:
                entry.task.enqueue()
                enqueued.append(name)
                logger.info("periodic task %s enqueued", name, extra={"event": "periodic", "task": name})
    return enqueued


def run_now(name: str):
    return REGISTRY[name].task.enqueue()
