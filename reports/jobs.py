"""Long PDFs built by a worker, with visible progress.

The page that asks for a national document gets a job at once and shows its progress; a task of the engine
(``build``, run by ``manage.py worker``) builds the PDF, then stores it for download (any node serves it). Only
the national part is laid out; each region's annex is its transmitted PDF or its cached working version, appended
as it is (``reports.assembly``), so that the document is ready within seconds.

A job survives restarts: its task is a row of the database, taken up again by the next worker when the one
running it dies (``core.worker``); the PDF is stored only once whole. A double click never starts two jobs (a
constraint of the database: one job waiting or running per document and campaign). Each build has a time
limit (``TIME_LIMIT``); a job that exceeds it, or whose workers died ``MAX_ATTEMPTS`` times, is « échec ».
"""

import logging
import threading

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django_tasks.signals import task_finished

from accounts.models import Region
from core.pdf import render_pdf, sha256
from core.tasks import TimeLimitExceeded, job
from reports import assembly, documents, may_review
from reports.models import Kind, PdfJob, RegionalReview, Transmission

logger = logging.getLogger(__name__)
_current = threading.local()
TIME_LIMIT = 15 * 60  # seconds

DOCUMENTS = {
    "national-repartition": ("Bilan national de la répartition", "reports/pdf/national_summary.html"),
    "national-qualitatif": ("Bilan qualitatif national", "reports/pdf/national_review.html"),
}


def title(document: str) -> str:
    """The document's name in words (« Bilan national de la répartition »)."""
    return DOCUMENTS[document][0]


def download_name(job) -> str:
    """The name a downloaded national document gets: its title and campaign, in words."""
    return f"{title(job.document)} {job.campaign.label}.pdf"


class _LayoutProgress(logging.Handler):
    """WeasyPrint logs « Step 5 - Creating layout - Page N »: turn that into the job's progress."""

    def emit(self, record):
        job = getattr(_current, "job", None)
        if job is None:
            return
        message = record.getMessage()
        if "Creating layout - Page" in message:
            page = int(message.rsplit(" ", 1)[-1])
            expected = max(getattr(_current, "expected_pages", 10), page)
            _update(job, 45 + int(40 * page / expected), f"Mise en page : page {page}")


_progress_logger = logging.getLogger("weasyprint.progress")
_progress_logger.addHandler(_LayoutProgress())
_progress_logger.setLevel(logging.INFO)
_progress_logger.propagate = False


def _update(job_id, progress, step, **fields):
    PdfJob.objects.filter(pk=job_id).update(progress=min(progress, 99), step=step, **fields)


def kind_of(document: str) -> str:
    return Kind.SUMMARY if document == "national-repartition" else Kind.REVIEW


def national_context(document: str, campaign, annexes=None) -> dict:
    """The national part's figures; with ``annexes`` (``reports.assembly``), each region's transmission status is
    the one of its annex (a transmitted file that failed its SHA-256 check counts as not transmitted)."""
    regions = list(Region.objects.order_by("sort_name"))
    kind = kind_of(document)
    if annexes is None:
        latest = {t.region_id: t for t in Transmission.objects.filter(kind=kind, campaign=campaign).latest()}
        statuses = {}
    else:
        latest = {a.region.pk: a.transmission for a in annexes if a.transmission is not None}
        statuses = {a.region.pk: a for a in annexes}
    if kind == Kind.SUMMARY:
        data = documents.national_summary(campaign, latest)
        by_code = {region.code: region for region in regions}
        data["regions"] = [
            {
                "board": row,
                "transmission": latest.get(by_code[row.key].pk),
                "annex": statuses.get(by_code[row.key].pk),
            }
            for row in data["board"].rows
        ]
        return data
    syntheses = {r.region_id: r for r in RegionalReview.objects.filter(campaign=campaign)}
    data = may_review.national_review(campaign, regions, syntheses, latest)
    for row in data["rows"]:
        row["annex"] = statuses.get(row["region"].pk)
    return data


def national_pdf(document: str, campaign, job_id=None) -> bytes:
    """The whole national document: the regions' annexes gathered (transmitted PDFs checked, working versions
    from the cache), the national part laid out, then both assembled (``reports.assembly``)."""
    kind = kind_of(document)
    regions = list(Region.objects.order_by("sort_name"))
    latest = {t.region_id: t for t in Transmission.objects.filter(kind=kind, campaign=campaign).latest()}

    def progress(index, count, region):
        if job_id is not None:
            _update(job_id, 5 + int(40 * index / count), f"Annexe : {region.name}")

    annexes = assembly.annexes(kind, campaign, regions, latest, progress)
    if job_id is not None:
        _update(job_id, 45, "Partie nationale")
    data = national_context(document, campaign, annexes)
    _current.expected_pages = 4
    footer = {"draft": True, "at": timezone.localtime(), "fingerprint": data["fingerprint"]}
    national = render_pdf(DOCUMENTS[document][1], {**data, "footer": footer})
    if job_id is not None:
        _update(job_id, 85, "Assemblage des annexes")
    return assembly.assemble(national, annexes, f"{title(document)} {campaign.label}")


@job(time_limit=TIME_LIMIT, priority=5)  # someone is waiting on the page: before letters and refreshes
def build(job_id: int) -> str:
    """Build the job's PDF; run again from the start if interrupted (nothing is stored until it is whole)."""
    job = PdfJob.objects.select_related("campaign").get(pk=job_id)
    if job.status in (PdfJob.Status.DONE, PdfJob.Status.FAILED):
        return job.status
    _current.job = job.pk
    try:
        _update(job.pk, 5, "Rassemblement des annexes", status=PdfJob.Status.RUNNING)
        content = national_pdf(job.document, job.campaign, job.pk)
        _update(job.pk, 95, "Enregistrement")
        with transaction.atomic():
            job = PdfJob.objects.select_for_update().get(pk=job.pk)
            if job.status == PdfJob.Status.DONE:
                return job.status  # another worker finished it meanwhile
            job.pdf.save(f"{job.document}-{job.campaign.label}-{job.pk}.pdf", ContentFile(content), save=False)
            job.sha256 = sha256(content)
            job.status = PdfJob.Status.DONE
            job.progress = 100
            job.step = "Terminé"
            job.finished_at = timezone.now()
            job.save()
    except TimeLimitExceeded as error:
        logger.error("PDF job %s stopped: time limit", job_id)
        _fail(job_id, f"Délai dépassé ({TIME_LIMIT // 60} minutes) : {error}")
        return PdfJob.Status.FAILED
    except Exception as error:
        logger.exception("PDF job %s failed", job_id)
        _fail(job_id, str(error))
        return PdfJob.Status.FAILED
    finally:
        _current.job = None
    return PdfJob.Status.DONE


def run(job_id: int) -> str:
    """Build the job's PDF here and now, in the caller (demo data)."""
    return build.call(job_id)


def _fail(job_id, error: str) -> None:
    PdfJob.objects.filter(pk=job_id).exclude(status=PdfJob.Status.DONE).update(
        status=PdfJob.Status.FAILED, error=error[:2000], step="Échec", finished_at=timezone.now()
    )


@receiver(task_finished, dispatch_uid="reports-pdf-job-finished")
def _task_gave_up(sender, task_result, **kwargs):
    """The engine gave up on a build (its workers died too many times): the job says so."""
    if task_result.task.module_path == build.module_path and str(task_result.status) in ("FAILED", "failed"):
        _fail(task_result.args[0], "Le processus de fabrication s'est arrêté à plusieurs reprises.")


def under_way(document: str, campaign):
    return PdfJob.objects.filter(
        document=document, campaign=campaign, status__in=[PdfJob.Status.PENDING, PdfJob.Status.RUNNING]
    ).first()


def start(user, document: str, campaign) -> PdfJob:
    """A job for the document, and its task enqueued in the same transaction; the job already waiting or
    running for the same document is returned instead (double click, two people at once)."""
    if document not in DOCUMENTS:
        raise ValueError(document)
    existing = under_way(document, campaign)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            job = PdfJob.objects.create(document=document, campaign=campaign, requested_by=user, step="En attente")
            build.enqueue(job.pk)
    except IntegrityError:  # the other click won the race: one job waiting or running per document
        return under_way(document, campaign)
    return PdfJob.objects.get(pk=job.pk)
