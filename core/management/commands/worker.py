"""``manage.py worker``: one worker process of the task engine (run several, on any node, to scale out)."""

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

from core.worker import HseWorker


class Command(db_worker.Command):
    help = "Runs background tasks (PDFs, letters, e-mails, periodic work) until stopped (Ctrl-C or SIGTERM)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # An idle worker looks for new tasks twice a second (one indexed query): a national document asked for is
        # taken up at once rather than after up to a second.
        parser.set_defaults(interval=0.5)

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        worker = HseWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id if worker_id else get_random_string(32),
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
