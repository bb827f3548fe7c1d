"""Every page of each role's journey, with data that stresses a layout (the longest establishment names,
four levels asked, five- and six-digit figures, the longest authority name), on a laptop (1280×800) and on a
phone (390×844): ``audit`` checks axe-core and the layout of each page (see conftest.py and layout.js).

These pages are also the sample of the accessibility audit (docs/rgaa/pages.csv)."""

import csv
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models.functions import Length

from accounts.models import Region
from allocations import services as allocation_services
from allocations.models import Envelope
from reports import jobs
from reports import services as report_services
from reports.models import PdfJob
from requests_app import services as request_services
from requests_app import usage_services
from tests import factories
from tests.long_names import LONG_COMMUNE, LONG_NAME, allocate_all, long_requests, weekly

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parent.parent.parent / "docs" / "rgaa" / "pages.csv"


def build_world(travel):
    travel(datetime.date(2027, 7, 1))
    campaign = factories.CampaignFactory(start_year=2027, national_volume=10_000_000)
    factories.region("11")  # reloads the shipped regions after a flushing browser test
    regions = list(Region.objects.all())
    region = Region.objects.order_by(Length("authority_name").desc()).first()
    dger = factories.NationalFactory(email="dger@example.org", full_name="Marie-Clémentine de La Tour-Saint-Ygest")
    allocation_services.set_initial_envelopes(dger, campaign, {r.pk: 400_000 for r in regions})
    allocation_services.notify_envelopes(dger, campaign)
    regional = factories.RegionalFactory(
        email="draaf@example.org", full_name="Jean-Baptiste de Montmorency-Laval", region=region
    )
    draft_school, notified_school = (
        factories.EstablishmentFactory(
            region=region, name=LONG_NAME.format(n=name, c=LONG_COMMUNE), commune=LONG_COMMUNE
        )
        for name in ("brouillon", "notifié")
    )
    head = factories.HeadFactory(
        email="chef@example.org",
        full_name="Anne-Charlotte Le Goff-Kerguelen de Saint-Pol",
        establishments=[draft_school, notified_school],
    )
    draft = request_services.start_request(head, draft_school, campaign)
    deposited = request_services.start_request(head, notified_school, campaign)
    values = factories.complete_values(level_bac_gt=True, level_sup=True, head_name=head.full_name, **weekly(2))
    deposited = request_services.save_draft(head, deposited, values, deposited.version)
    deposited = request_services.submit_request(head, deposited, deposited.version)

    travel(datetime.date(2027, 7, 20))
    many = long_requests(region, campaign, 30, "IDF")
    allocate_all(regional, [deposited, *many[:20]])
    allocation_services.notify_decisions(regional, campaign, region)
    allocation_services.start_review(regional, many[20:25])  # left for the assistant
    for region_elsewhere in regions:
        if region_elsewhere != region:
            allocate_all(
                factories.RegionalFactory(region=region_elsewhere), long_requests(region_elsewhere, campaign, 1, "R")
            )
    deposited.refresh_from_db()
    report = usage_services.start_usage_report(head, deposited)
    report = usage_services.save_usage_report(
        head,
        report,
        {
            **{f"hours_used_{k}": Decimal(deposited.decision.hours(k)) for k in ("cap", "bac_pro", "bac_gt", "sup")},
            "pupils_supported": 1200,
            "teachers_involved": 45,
            "actions_methodological_count": 12,
            "actions_methodological": "Ateliers de méthodologie.",
            "evaluation": "Positionnements.",
            "observations": "Progrès.",
            "teaching_staff": 120,
            "projects_count": 3,
            "projects": "Voyage d'étude en Irlande ; concours de plaidoiries ; jardin partagé.",
            "pupils_continuing": 1000,
            "effects_practices": "Travail en binôme des enseignants.",
        },
        report.version,
    )
    usage_services.submit_usage_report(head, report, report.version)
    report_services.save_review(
        regional,
        campaign,
        region,
        {"what_worked": "Tutorat.", "difficulties": "Recrutement.", "recommendations": "Anticiper."},
        0,
    )
    report_services.transmit(regional, "repartition", campaign, region)
    report_services.transmit(regional, "qualitatif", campaign, region)
    job = PdfJob.objects.create(document="national-repartition", campaign=campaign, requested_by=dger)
    jobs.run(job.pk)
    return {
        "year": campaign.start_year,
        "code": region.code,
        "draft": draft.pk,
        "notified": deposited.pk,
        "decision": many[0].pk,
        "envelope": Envelope.objects.get(campaign=campaign, region=region).pk,
        "job": job.pk,
    }


def sample_pages():
    """``[(role, page name, path template)]`` from docs/rgaa/pages.csv, the audit's documented sample."""
    with SAMPLE.open(newline="", encoding="utf-8") as stream:
        return [(row["role"], row["page"], row["path"]) for row in csv.DictReader(stream)]


ACCOUNTS = {
    "chef·fe d'établissement": "chef@example.org",
    "DRAAF-SRFD": "draaf@example.org",
    "DGER": "dger@example.org",
}


def test_every_page_fits_a_laptop_and_a_phone(page, sign_in, sign_out, audit, travel):
    ids = build_world(travel)
    pages = sample_pages()
    assert len(pages) >= 20
    current = None
    for role, name, path in pages:
        if role != current:
            if current in ACCOUNTS:
                sign_out(page)
            if role in ACCOUNTS:
                sign_in(page, ACCOUNTS[role])
            current = role
        if path == "/connexion/" or (path == "/" and role in ACCOUNTS):
            continue  # already audited by sign_in
        response = page.goto(path.format(**ids))
        assert response.status == 200, f"{name} ({path}): {response.status}"
        audit(page, name)
