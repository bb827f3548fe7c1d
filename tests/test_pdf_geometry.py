"""Every kind of PDF the service makes fits its pages: nothing past the page edge, nothing drawn over
anything else, no text under 7 pt, the establishments table on landscape pages with its header on each page.

The documents are built through the real services at national scale for the region with the longest
authority name (Île-de-France, « Direction régionale et interdépartementale de l'alimentation, de
l'agriculture et de la forêt d'Île-de-France – Service régional de la formation et du développement »),
made the largest region, with the longest establishment names, four levels asked and large figures."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models.functions import Length
from weasyprint import HTML

from accounts.models import Region
from allocations import services as allocation_services
from core.pdf import _weasy
from reports import jobs
from reports import services as report_services
from reports.models import PdfJob
from requests_app import services as request_services
from requests_app import usage_services
from requests_app.models import Decision, Request
from tests import factories
from tests.long_names import LONG_COMMUNE, LONG_NAME, allocate_all, long_requests, read, weekly
from tests.pdf_geometry import check_pdf, problems_of

DUMP = Path(os.environ["PDF_DUMP"]) if os.environ.get("PDF_DUMP") else None  # to look at them: PDF_DUMP=folder
LARGEST_REGION_SIZE = 110  # Nouvelle-Aquitaine and Auvergne-Rhône-Alpes have about a hundred establishments


@pytest.fixture
def documents(db, travel, settings, django_capture_on_commit_callbacks):
    """Every kind of PDF, built by the services as a user would get it: ``{name: bytes}``."""
    travel(datetime.date(2027, 7, 20))
    campaign = factories.CampaignFactory(start_year=2027, national_volume=10_000_000)
    factories.region("11")  # reloads the shipped regions after a flushing browser test
    regions = list(Region.objects.all())
    largest = Region.objects.order_by(Length("authority_name").desc()).first()
    assert largest.code == "11"  # Île-de-France, the longest authority name of the list
    dger = factories.NationalFactory(full_name="Marie-Clémentine de La Tour-Saint-Ygest")
    allocation_services.set_initial_envelopes(dger, campaign, {r.pk: 400_000 for r in regions})
    allocation_services.notify_envelopes(dger, campaign)

    regional = factories.RegionalFactory(region=largest, full_name="Jean-Baptiste de Montmorency-Laval")
    head = factories.HeadFactory(full_name="Anne-Charlotte Le Goff-Kerguelen de Saint-Pol")
    # A deposit through the real service: the Annexe 1 as the head gets it.
    own = factories.EstablishmentFactory(
        region=largest, name=LONG_NAME.format(n="déposant", c=LONG_COMMUNE), commune=LONG_COMMUNE
    )
    head.establishments.add(own)
    travel(datetime.date(2027, 7, 1))
    deposited = request_services.start_request(head, own, campaign)
    values = factories.complete_values(
        level_bac_gt=True, level_sup=True, head_name=head.full_name, **weekly(3), project="Projet. " * 300
    )
    deposited = request_services.save_draft(head, deposited, values, deposited.version)
    deposited = request_services.submit_request(head, deposited, deposited.version)
    travel(datetime.date(2027, 7, 20))

    many = long_requests(largest, campaign, LARGEST_REGION_SIZE, "IDF")
    # Three decisions notified first (letters of an allocation and of a refusal), the rest allocated after.
    refused = many.pop()
    allocate_all(regional, [deposited, many[0]])
    allocation_services.start_review(regional, [refused])
    allocation_services.refuse(regional, refused, "Motif du refus : " + "projet insuffisamment décrit. " * 20, 0)
    with django_capture_on_commit_callbacks(execute=True):  # the letters are built by tasks run on commit
        allocation_services.notify_decisions(regional, campaign, largest)
    allocate_all(regional, many[1:])
    for region in regions:  # the rest of the country, for the national documents
        if region != largest:
            allocate_all(factories.RegionalFactory(region=region), long_requests(region, campaign, 2, region.code))

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
            "actions_methodological": "Ateliers de méthodologie. " * 40,
            "evaluation": "Positionnements. " * 30,
            "observations": "Progrès. " * 30,
            "teaching_staff": 120,
            "projects_count": 3,
            "projects": "Voyage d'étude en Irlande ; concours de plaidoiries ; jardin partagé.",
            "pupils_continuing": 1000,
            "effects_practices": "Travail en binôme des enseignants de lettres et de mathématiques. " * 20,
        },
        report.version,
    )
    report = usage_services.submit_usage_report(head, report, report.version)

    review = report_services.save_review(
        regional,
        campaign,
        largest,
        {"what_worked": "Tutorat. " * 80, "difficulties": "Recrutement. " * 60, "recommendations": "Anticiper. " * 60},
        0,
    )
    assert review.version
    summary = report_services.transmit(regional, "repartition", campaign, largest)
    qualitative = report_services.transmit(regional, "qualitatif", campaign, largest)

    built = {}
    for kind in ("repartition", "qualitatif"):
        data = report_services.build(kind, campaign, largest)
        built[f"{kind} (version de travail)"] = report_services.render(kind, data, report_services.working_footer(data))
    built["repartition (transmis)"] = read(summary.pdf)
    built["qualitatif (transmis)"] = read(qualitative.pdf)
    submission = deposited.submissions.get()
    built["Annexe 1 déposée (accusé de réception)"] = read(submission.pdf)
    letters = Decision.objects.filter(request__in=[deposited, refused]).order_by("outcome")
    for decision in letters:
        built[f"lettre de notification ({decision.get_outcome_display()})"] = read(decision.letter)
    report.refresh_from_db()
    built["bilan d'utilisation"] = read(report.pdf)
    for document in jobs.DOCUMENTS:
        job = PdfJob.objects.create(document=document, campaign=campaign, requested_by=dger)
        jobs.run(job.pk)
        job.refresh_from_db()
        built[jobs.DOCUMENTS[document][0]] = read(job.pdf)
    assert Request.objects.filter(establishment__region=largest).count() == LARGEST_REGION_SIZE + 1
    return built


def test_every_pdf_fits_its_pages(documents):
    assert len(documents) == 10
    problems = []
    for name, content in documents.items():
        if DUMP:
            (DUMP / f"{name}.pdf").write_bytes(content)
        pages = check_pdf(content)
        problems += problems_of(name, pages)
        if "repartition" in name or "répartition" in name:
            # The establishments table: landscape pages, its header at the top of each of them.
            tables = [page for page in pages if "UAI" in page.text and "Attr." in page.text]
            assert tables, f"{name}: no establishments table"
            assert all(page.landscape for page in tables), f"{name}: establishments table on a portrait page"
            landscape = [page for page in pages if page.landscape]
            headless = [page.number for page in landscape if "UAI" not in page.text]
            assert headless == [], f"{name}: landscape pages without the table header: {headless}"
    assert problems == [], "\n" + "\n".join(problems)
    # The letter's header holds the authority's long name and the verification code, nothing over them.
    letter = check_pdf(documents["lettre de notification (Attribution)"])[0]
    assert "interdépartementale de l'alimentation" in letter.text.replace("\n", " ")
    assert "code de vérification" in letter.text


def _pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()


def test_the_checker_sees_what_it_must_refuse():
    """The checks above are not blind: text drawn over text, a table past the edge, small print."""
    overlapping = _pdf(
        '<div style="position:absolute;top:0">Direction régionale</div><div style="position:absolute;top:2px">'
        "MINISTÈRE DE L'AGRICULTURE</div>"
    )
    wide = _pdf(
        '<table style="width:300mm"><tr><td>colonne</td><td style="text-align:right">Attribué</td></tr></table>'
    )
    small = _pdf('<p style="font-size:6pt">petit</p>')
    html, stylesheet, fonts = _weasy()  # the documents' own font (Marianne) and stylesheet
    kerned = html(string="<p>7, 7, 1,5 · AVAWAY Tâ</p>").write_pdf(stylesheets=[stylesheet], font_config=fonts)
    assert any("drawn over" in p for p in check_pdf(overlapping)[0].problems)
    assert any("past the page edge" in p for p in check_pdf(wide)[0].problems)
    assert any("under 7 pt" in p for p in check_pdf(small)[0].problems)
    assert check_pdf(kerned)[0].problems == []  # kerning is not an overlap
