"""``manage.py run_periodic [NAME]``: list the periodic tasks, or enqueue one run of NAME at once."""

from django.core.management.base import BaseCommand, CommandError

from core import periodic
from core.models import PeriodicSchedule


class Command(BaseCommand):
    help = "Lists the periodic tasks and when they are next due, or enqueues one run of the one named."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?")

    def handle(self, *, name, **options):
        periodic.autodiscover()
        if name is None:
            due = dict(PeriodicSchedule.objects.values_list("name", "next_run_at"))
            for key, entry in sorted(periodic.REGISTRY.items()):
                self.stdout.write(f"{key}\tevery {entry.every}\tnext {due.get(key, 'at the next tick')}")
            return
        if name not in periodic.REGISTRY:
            raise CommandError(f"Unknown periodic task {name!r}: {', '.join(sorted(periodic.REGISTRY))}")
        result = periodic.run_now(name)
        self.stdout.write(f"{name} enqueued ({result.id})")
