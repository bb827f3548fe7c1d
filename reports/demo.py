"""Demo reports: the completed campaign has every document (usage reports, both regional reports
transmitted by every region, both national PDFs); the campaign in progress has its September summaries."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Region, User
from allocations.models import Decision
from reports import jobs, services
from reports.models import Kind, PdfJob, RegionalReview, Transmission
from requests_app.models import LEVEL_KEYS, UsageReport

PARIS = timezone.get_default_timezone()
SYNTHESES = {
    "what_worked": "Le tutorat individuel et les ateliers de méthodologie ont été bien investis par les élèves de "
    "seconde ; les établissements qui ont articulé l'appui personnalisé avec le suivi des élèves en difficulté "
    "du PACTE ont touché les publics visés.",
    "difficulties": "La notification tardive des dotations a compliqué l'organisation des emplois du temps à la "
    "rentrée ; certains établissements peinent à mobiliser des intervenants volontaires en fin d'année.",
    "recommendations": "Notifier les enveloppes plus tôt, mutualiser les outils de positionnement entre "
    "établissements et partager les pratiques remarquables lors d'une journée régionale.",
}


def _usage_reports(campaign):
    rng = random.Random(f"hse-demo-usage-{campaign.start_year}")
    decisions = Decision.objects.filter(
        request__campaign=campaign, outcome=Decision.Outcome.ALLOCATED, notified_at__isnull=False
    ).select_related("request")
    reports = []
    submitted = datetime.datetime.combine(
        campaign.review_deadline - datetime.timedelta(days=20), datetime.time(15), tzinfo=PARIS
    )
    for decision in decisions:
        if rng.random() < 0.08:
            continue  # a few establishments never filed
        rate = Decimal(rng.randint(80, 100)) / 100
        used = {f"hours_used_{k}": (Decimal(decision.hours(k)) * rate).quantize(Decimal("0.1")) for k in LEVEL_KEYS}
        reports.append(
            UsageReport(
                request=decision.request,
                status=UsageReport.Status.SUBMITTED,
                pupils_supported=rng.randint(10, 80),
                teachers_involved=rng.randint(2, 10),
                actions_methodological_count=rng.randint(1, 6),
                actions_methodological="Ateliers de méthodologie et de lecture de consignes en petits groupes.",
                actions_civic_count=rng.randint(0, 3),
                actions_civic="Projets de classe autour de la vie en société et de l'engagement.",
                actions_dropout_count=rng.randint(0, 4),
                actions_dropout="Tutorat individuel des élèves repérés en risque de décrochage.",
                evaluation="Positionnements de début et de fin d'année, suivi de l'assiduité, entretiens de bilan.",
                observations="Assiduité en hausse chez les élèves suivis ; progrès nets en organisation du travail.",
                difficulties="Disponibilité des intervenants en fin d'année.",
                submitted_at=submitted,
                submitted_by=decision.request.updated_by,
                **used,
            )
        )
    UsageReport.objects.bulk_create(reports, batch_size=500)


def _transmit_all(campaign, kind, staff, at):
    for region in Region.objects.all():
        if not Transmission.objects.filter(campaign=campaign, region=region, kind=kind).exists():
            services.transmit(staff[region.pk], kind, campaign, region, at=at)


@transaction.atomic
def seed_reports(campaigns) -> dict:
    completed, in_progress, _open = campaigns
    dger = User.objects.get(email="dger@example.org")
    staff = {u.region_id: u for u in User.objects.filter(role="regional").order_by("-is_active", "email")}
    if not UsageReport.objects.filter(request__campaign=completed).exists():
        _usage_reports(completed)
    for region in Region.objects.all():
        RegionalReview.objects.get_or_create(
            campaign=completed, region=region, defaults={**SYNTHESES, "updated_by": staff[region.pk]}
        )
    for campaign in (completed, in_progress):
        at = datetime.datetime.combine(
            campaign.summary_deadline - datetime.timedelta(days=3), datetime.time(11), tzinfo=PARIS
        )
        _transmit_all(campaign, Kind.SUMMARY, staff, at)
    review_at = datetime.datetime.combine(
        completed.review_deadline - datetime.timedelta(days=2), datetime.time(11), tzinfo=PARIS
    )
    _transmit_all(completed, Kind.REVIEW, staff, review_at)
    for document in jobs.DOCUMENTS:
        if not PdfJob.objects.filter(campaign=completed, document=document, status=PdfJob.Status.DONE).exists():
            job = PdfJob.objects.create(document=document, campaign=completed, requested_by=dger)
            jobs.run(job.pk)
    return {
        "usage_reports": UsageReport.objects.filter(request__campaign=completed).count(),
        "transmissions": Transmission.objects.count(),
    }
