"""Benchmark datasets, from the project's one generator of demo and benchmark data (``demo``): every region,
about 800 establishments per scale unit (10x: 8 000), two campaigns with a request for each establishment in a
mix of every state, decisions within each envelope, history — written by the generator's bulk path
(``demo.bulk``, see there why the benchmark does not replay the services like the demo).

Run through ``bench/run.py``; it can also be run alone against the configured database:
``python bench/dataset.py --scale 1``.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def build(scale: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django_tasks.signals import clear_tasks_handlers

    from demo.bulk import build_bench

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "core.tasks.ImmediateOnCommitBackend"}}
    clear_tasks_handlers(setting="TASKS")  # the backends were configured when the apps loaded
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    result = build_bench(scale)
    result["build_seconds"] = round(time.monotonic() - started, 1)
    from django.db import connection

    if connection.vendor == "postgresql":  # planner statistics, as autovacuum keeps them on a live database
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    print(build(parser.parse_args().scale))
