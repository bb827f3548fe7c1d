"""A worker killed (SIGKILL) in the middle of building a national PDF: the next worker takes the job up by itself
and stores a whole PDF; nobody asks twice."""

import hashlib
import io
import time

import pytest
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from accounts.models import Establishment, Region
from reports import jobs
from reports.models import PdfJob
from tests import factories
from tests.operations.conftest import wait_until

pytestmark = pytest.mark.timeout(300)

PER_REGION = 14  # about 300 establishments: a PDF of some twenty pages, a few seconds to lay out


def national_campaign():
    campaign = factories.CampaignFactory(start_year=2027)
    for region in Region.objects.order_by("code"):
        for number in range(PER_REGION):
            establishment = factories.EstablishmentFactory(region=region, name=f"Lycée {region.code}-{number:02d}")
            factories.HseRequestFactory(campaign=campaign, establishment=establishment, status="deposee", complete=True)
    return campaign


def test_a_killed_worker_job_is_completed_by_another_worker(processes):
    factories.region("53")  # the regions, reloaded after an earlier transactional test
    campaign = national_campaign()
    national = factories.NationalFactory(email="dger.ops@example.org")
    job = jobs.start(national, "national-repartition", campaign)
    assert jobs.start(national, "national-repartition", campaign).pk == job.pk  # a double click: one job

    first = processes.worker("worker-1")
    wait_until(
        lambda: PdfJob.objects.filter(pk=job.pk, status="running", progress__gte=30).exists(),
        timeout=120,
        every=0.02,
        message="the first worker laying the PDF out",
    )
    processes.kill(first)  # SIGKILL: no chance to clean up
    killed = PdfJob.objects.get(pk=job.pk)
    assert killed.status == PdfJob.Status.RUNNING, "the PDF was finished before the kill: make it longer"
    assert not killed.pdf
    task = DBTaskResult.objects.get(task_path=jobs.build.module_path)  # the periodic tasks have theirs too
    assert task.status == "RUNNING"
    print(f"\nkilled at {killed.progress} % ({killed.step})")

    began = time.monotonic()
    processes.worker("worker-2")
    wait_until(
        lambda: PdfJob.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(),
        timeout=180,
        message="the second worker finishing the job",
    )
    job.refresh_from_db()
    assert job.status == PdfJob.Status.DONE, job.error
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert len(task.worker_ids) == 2
    assert task.worker_ids[0] != task.worker_ids[1]
    with job.pdf.open("rb") as stream:
        content = stream.read()
    assert hashlib.sha256(content).hexdigest() == job.sha256
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Bilan national de la répartition" in text
    missing = [name for name in Establishment.objects.values_list("name", flat=True) if name not in text]
    assert missing == []  # every establishment of every region: the PDF is whole
    assert PdfJob.objects.count() == 1
    took = time.monotonic() - began
    print(f"taken up and finished {took:.1f} s after the second worker started, {len(reader.pages)} pages")
