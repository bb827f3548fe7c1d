"""Long PDFs built in the background, with visible progress.

The national documents take several seconds at national scale: the page that asks for one gets a job at
once and shows its progress; a background task (``config.background``) builds the PDF, reporting
WeasyPrint's layout progress page by page, then stores it for download.
"""

import logging
import threading
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Region
from config.background import run_in_background
from config.pdf import render_pdf, sha256
from reports import documents
from reports.models import Kind, PdfJob, RegionalReview, Transmission

logger = logging.getLogger(__name__)
_current = threading.local()
STALE_AFTER = timedelta(minutes=15)

DOCUMENTS = {
    "national-repartition": ("Bilan national de la répartition", "reports/pdf/national_summary.html"),
    "national-qualitatif": ("Bilan qualitatif national", "reports/pdf/national_review.html"),
}


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
            _update(job, 30 + int(60 * page / expected), f"Mise en page : page {page}")


_progress_logger = logging.getLogger("weasyprint.progress")
_progress_logger.addHandler(_LayoutProgress())
_progress_logger.setLevel(logging.INFO)
_progress_logger.propagate = False


def _update(job_id, progress, step, **fields):
    PdfJob.objects.filter(pk=job_id).update(progress=min(progress, 99), step=step, **fields)


def national_context(document: str, campaign) -> dict:
    regions = list(Region.objects.order_by("name"))
    kind = Kind.SUMMARY if document == "national-repartition" else Kind.REVIEW
    latest = {}
    for transmission in Transmission.objects.filter(kind=kind, campaign=campaign).select_related("transmitted_by"):
        current = latest.get(transmission.region_id)
        if current is None or transmission.version > current.version:
            latest[transmission.region_id] = transmission
    if kind == Kind.SUMMARY:
        data = documents.national_summary(campaign, latest)
        annexes = {annex["region"].code: annex["rows"] for annex in documents.national_annexes(campaign, regions)}
        by_code = {region.code: region for region in regions}
        data["regions"] = [
            {
                "board": row,
                "transmission": latest.get(by_code[row.key].pk),
                "establishments": annexes.get(row.key, []),
            }
            for row in data["board"].rows
        ]
        return data
    syntheses = {r.region_id: r for r in RegionalReview.objects.filter(campaign=campaign)}
    return documents.national_review(campaign, regions, syntheses, latest)


def run(job_id: int) -> None:
    job = PdfJob.objects.select_related("campaign").get(pk=job_id)
    _current.job = job.pk
    try:
        _update(job.pk, 5, "Rassemblement des chiffres", status=PdfJob.Status.RUNNING)
        data = national_context(job.document, job.campaign)
        rows = sum(len(r.get("establishments", [])) for r in data.get("regions", [])) + len(data.get("rows", []))
        _current.expected_pages = 4 + rows // 28 + len(data.get("regions", []))
        _update(job.pk, 30, "Mise en page")
        footer = {"draft": True, "at": timezone.localtime(), "fingerprint": data["fingerprint"]}
        content = render_pdf(DOCUMENTS[job.document][1], {**data, "footer": footer})
        _update(job.pk, 95, "Enregistrement")
        with transaction.atomic():
            job = PdfJob.objects.select_for_update().get(pk=job.pk)
            job.pdf.save(f"{job.document}-{job.campaign.label}-{job.pk}.pdf", ContentFile(content), save=False)
            job.sha256 = sha256(content)
            job.status = PdfJob.Status.DONE
            job.progress = 100
            job.step = "Terminé"
            job.finished_at = timezone.now()
            job.save()
    except Exception as error:
        logger.exception("PDF job %s failed", job_id)
        PdfJob.objects.filter(pk=job_id).update(
            status=PdfJob.Status.FAILED, error=str(error)[:2000], step="Échec", finished_at=timezone.now()
        )
    finally:
        _current.job = None


def start(user, document: str, campaign) -> PdfJob:
    if document not in DOCUMENTS:
        raise ValueError(document)
    # A job already under way for the same document is reused rather than started twice.
    recent = (
        PdfJob.objects.filter(
            document=document,
            campaign=campaign,
            status__in=[PdfJob.Status.PENDING, PdfJob.Status.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        return recent
    job = PdfJob.objects.create(document=document, campaign=campaign, requested_by=user, step="En attente")
    run_in_background(run, job.pk)
    return job
