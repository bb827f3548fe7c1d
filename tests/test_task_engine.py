"""The thin layer over the task engine: periodic tasks, recovery of a dead worker's tasks, time limits, the
health probe, one job per document, structured logs and the settings that configure them."""

import datetime
import gzip
import json
import logging
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import brotli
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pythonjsonlogger.json import JsonFormatter

from core import housekeeping, periodic
from core.models import PeriodicSchedule, WorkerHeartbeat
from core.tasks import job
from core.worker import HseWorker, recover
from reports import jobs
from reports.models import PdfJob
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


@job
def noop():
    return "done"


@job(time_limit=1)
def sleepy():
    time.sleep(10)


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(periodic, "REGISTRY", {})
    periodic.periodic(every=datetime.timedelta(minutes=5), name="noop")(noop)
    return periodic.REGISTRY


def _worker(worker_id="w-test"):
    return HseWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def test_a_periodic_task_is_enqueued_once_per_period_whatever_the_ticks(db, database_backend, registry):
    now = timezone.now()
    assert periodic.tick(now) == ["noop"]
    assert periodic.tick(now) == []  # a second worker ticking at the same moment enqueues nothing
    assert periodic.tick(now + datetime.timedelta(minutes=4)) == []
    assert DBTaskResult.objects.filter(task_path="tests.test_task_engine.noop").count() == 1
    assert periodic.tick(now + datetime.timedelta(minutes=5)) == ["noop"]
    # A long stop gives one run, not a burst of the missed ones.
    assert periodic.tick(now + datetime.timedelta(hours=3)) == ["noop"]
    assert periodic.tick(now + datetime.timedelta(hours=3, minutes=1)) == []
    assert DBTaskResult.objects.count() == 3
    assert PeriodicSchedule.objects.get(name="noop").next_run_at == now + datetime.timedelta(hours=3, minutes=5)


def test_the_worker_runs_periodic_tasks_of_every_app(db, database_backend):
    periodic.autodiscover()
    assert {"outbox-sweep", "prune-task-results"} <= set(periodic.REGISTRY)


def test_old_task_results_and_heartbeats_are_pruned(db, database_backend):
    noop.enqueue()
    noop.enqueue()
    old = timezone.now() - datetime.timedelta(days=8)
    first, second = DBTaskResult.objects.all()
    DBTaskResult.objects.filter(pk=first.pk).update(status="SUCCESSFUL", finished_at=old)
    WorkerHeartbeat.objects.create(worker_id="gone", hostname="h", pid=1, last_seen_at=old)
    WorkerHeartbeat.objects.create(worker_id="here", hostname="h", pid=2)
    assert housekeeping.prune.call() == {"successful": 1, "failed": 0, "workers": 1}
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [second.pk]
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["here"]


@pytest.mark.tasks_may_fail
def test_a_dead_workers_task_goes_back_to_the_queue_then_fails_after_three_runs(db, database_backend, settings):
    national = factories.NationalFactory()
    campaign = factories.CampaignFactory()
    pdf_job = jobs.start(national, "national-repartition", campaign)
    task = DBTaskResult.objects.get()
    stale = timezone.now() - datetime.timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=1)
    for number in range(1, 4):
        WorkerHeartbeat.objects.create(worker_id=f"dead-{number}", hostname="h", pid=2, last_seen_at=stale)
        task.claim(f"dead-{number}")
        DBTaskResult.objects.filter(pk=task.pk).update(started_at=stale)
        outcome = recover()
        task.refresh_from_db()
        if number < 3:
            assert outcome["requeued"] == [str(task.pk)]
            assert task.status == "READY"
    assert outcome["failed"] == [str(task.pk)]
    assert task.status == "FAILED"
    assert "WorkerLost" in task.exception_class_path
    pdf_job.refresh_from_db()
    assert pdf_job.status == PdfJob.Status.FAILED
    assert "arrêté à plusieurs reprises" in pdf_job.error


def test_a_running_task_of_a_live_worker_is_left_alone(db, database_backend):
    noop.enqueue()
    task = DBTaskResult.objects.get()
    WorkerHeartbeat.objects.create(worker_id="alive", hostname="h", pid=1)
    task.claim("alive")
    assert recover() == {"requeued": [], "failed": []}


@pytest.mark.tasks_may_fail
def test_a_task_over_its_time_limit_is_stopped(db, database_backend):
    sleepy.enqueue()
    began = time.monotonic()
    _worker().run_task(DBTaskResult.objects.get())
    assert time.monotonic() - began < 5
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED"
    assert task.exception_class_path == "core.tasks.TimeLimitExceeded"


def test_a_national_pdf_over_its_time_limit_says_so(db, national, campaign, monkeypatch):
    pdf_job = PdfJob.objects.create(document="national-repartition", campaign=campaign, requested_by=national)

    def slow(*args, **kwargs):
        raise jobs.TimeLimitExceeded("reports.jobs.build ran longer than 900 s")

    monkeypatch.setattr(jobs, "render_pdf", slow)
    assert jobs.run(pdf_job.pk) == PdfJob.Status.FAILED
    pdf_job.refresh_from_db()
    assert pdf_job.status == PdfJob.Status.FAILED
    assert "Délai dépassé" in pdf_job.error


def test_one_job_waiting_or_running_per_document(db, national, campaign):
    first = jobs.start(national, "national-repartition", campaign)
    assert jobs.start(national, "national-repartition", campaign).pk == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        PdfJob.objects.create(document="national-repartition", campaign=campaign, requested_by=national)
    assert jobs.start(national, "national-qualitatif", campaign).pk != first.pk
    PdfJob.objects.filter(pk=first.pk).update(status=PdfJob.Status.DONE)
    assert jobs.start(national, "national-repartition", campaign).pk != first.pk  # a new build once done


def test_healthz_reports_workers_and_the_oldest_waiting_task(client, db, database_backend, settings):
    body = client.get("/healthz").json()
    assert (body["workers"], body["oldest_waiting_task_seconds"]) == (0, None)
    assert "no worker" in body["warning"]
    noop.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(seconds=90))
    WorkerHeartbeat.objects.create(worker_id="w", hostname="h", pid=1)
    body = client.get("/healthz").json()
    assert body["workers"] == 1
    assert 90 <= body["oldest_waiting_task_seconds"] < 120
    assert body["worker_last_seen_seconds"] < 5


def test_healthz_is_503_in_production_when_the_workers_are_gone(client, db, settings):
    settings.PRODUCTION = True
    WorkerHeartbeat.objects.create(
        worker_id="w", hostname="h", pid=1, last_seen_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker_last_seen_seconds"] >= 300
    WorkerHeartbeat.objects.update(last_seen_at=timezone.now())
    assert client.get("/healthz").status_code == 200


def test_one_json_line_per_request_with_duration_and_outcome(client, db, caplog, head_a):
    client.force_login(head_a)
    with caplog.at_level(logging.INFO, logger="hse.request"):
        client.get("/demandes/")
        client.get("/demandes/999999/")
    formatter = JsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )
    lines = [json.loads(formatter.format(record)) for record in caplog.records if record.name == "hse.request"]
    assert [(line["path"], line["status"], line["outcome"]) for line in lines] == [
        ("/demandes/", 200, "ok"),
        ("/demandes/999999/", 404, "client_error"),
    ]
    assert all(line["duration_ms"] > 0 and line["user_id"] == head_a.pk for line in lines)
    assert lines[0]["event"] == "request"


def _settings_value(expression: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "HOST", "S3_BUCKET", "SENTRY_DSN"}}
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            f"from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_links_follow_the_port_served_and_bad_retry_settings_stop_the_start():
    assert _settings_value("settings.SITE_URL", PORT="8123").stdout.strip() == "http://127.0.0.1:8123"
    assert _settings_value("settings.SITE_URL", HOST="0.0.0.0", PORT="9000").stdout.strip() == "http://127.0.0.1:9000"
    explicit = _settings_value("settings.SITE_URL", PORT="8123", SITE_URL="https://hse.example.gouv.fr/")
    assert explicit.stdout.strip() == "https://hse.example.gouv.fr"
    too_short = _settings_value("settings.EMAIL_RETRY_HOURS", EMAIL_RETRY_HOURS="12")
    assert too_short.returncode != 0
    assert "EMAIL_RETRY_HOURS=12 must be at least 24" in too_short.stderr


def test_object_storage_is_configured_from_the_environment():
    result = _settings_value(
        "settings.STORAGES['default']['BACKEND'], settings.STORAGES['default']['OPTIONS']['querystring_expire']",
        S3_BUCKET="hse",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    assert result.stdout.strip() == "storages.backends.s3.S3Storage 60"
    default = _settings_value("settings.STORAGES['default']['BACKEND']")
    assert default.stdout.strip() == "django.core.files.storage.FileSystemStorage"


def test_errors_go_to_sentry_when_a_dsn_is_set():
    received = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "")
            body = (
                brotli.decompress(body) if encoding == "br" else gzip.decompress(body) if encoding == "gzip" else body
            )
            received.append((self.path, body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dsn = f"http://public@127.0.0.1:{server.server_port}/42"
        result = _settings_value(
            "__import__('sentry_sdk').capture_message('essai Sentry HSE') and __import__('sentry_sdk').flush(5)",
            SENTRY_DSN=dsn,
        )
        assert result.returncode == 0, result.stderr
    finally:
        server.shutdown()
        server.server_close()
    assert received, "no event reached the Sentry endpoint"
    path, body = received[0]
    assert path.startswith("/api/42/")
    assert b"essai Sentry HSE" in body


def test_the_job_page_says_when_no_worker_is_there(client, db, national, campaign):
    job = PdfJob.objects.create(document="national-repartition", campaign=campaign, requested_by=national)
    client.force_login(national)
    assert "Aucun processus de travail n'est actif" in client.get(f"/rapports/generations/{job.pk}/").content.decode()
    assert client.get(f"/rapports/generations/{job.pk}/?format=json").json()["no_worker"] is True
    WorkerHeartbeat.objects.create(worker_id="w", hostname="h", pid=1)
    assert "Aucun processus" not in client.get(f"/rapports/generations/{job.pk}/").content.decode()
