"""The May review speaks the language of seed 004: the usage report asks for the « exemples d'indicateurs de
suivi », the regional and national May reviews compute them, and what their PDFs print equals what the usage
reports hold; the regional review carries the establishments' own words, the national one each region's
indicators and synthesis."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from accounts.models import Region
from allocations import services as allocation_services
from core.formatting import format_number
from reports import jobs
from reports import services as report_services
from reports.models import PdfJob
from requests_app import usage_services as usage
from requests_app.models import UsageReport
from tests import factories
from tests.helpers import pdf_text

A_WORDS = "Les enseignants de lettres et de mathématiques préparent désormais leurs séances ensemble."
B_WORDS = "Un atelier d'écriture commun au CDI a changé la façon de corriger les copies."
O_WORDS = "Les professeurs principaux suivent chacun six élèves."
FIGURES = {
    "A": {
        "pupils_supported": 30,
        "teachers_involved": 5,
        "teaching_staff": 40,
        "projects_count": 2,
        "projects": "Voyage d'étude en Irlande ; exposition avec le musée de Bretagne.",
        "pupils_continuing": 27,
        "effects_practices": A_WORDS,
        "survey_pupils": True,
        "survey_parents": True,
        "tool_portfolio": True,
        "personal_work_assessed": True,
        "pupils_more_involved": 8,
        "personal_work": "Grille d'auto-évaluation remplie chaque trimestre.",
        "promotion_website": True,
        "communication": "Article sur le site du lycée.",
        "actions_methodological_count": 4,
        "actions_dropout_count": 2,
    },
    "B": {
        "hours_used_cap": Decimal("26"),
        "hours_used_bac_pro": None,
        "pupils_supported": 12,
        "teachers_involved": 3,
        "teaching_staff": 20,
        "projects_count": 0,
        "pupils_continuing": 10,
        "effects_practices": B_WORDS,
        "survey_staff": True,
        "tool_positioning": True,
        "tool_portfolio": True,
        "actions_methodological_count": 1,
        "actions_methodological": "Atelier d'écriture.",
        "actions_dropout_count": 0,
        "actions_dropout": "",
    },
    "O": {
        "pupils_supported": 20,
        "teachers_involved": 4,
        "teaching_staff": 25,
        "projects_count": 1,
        "projects": "Échange avec un lycée agricole espagnol.",
        "pupils_continuing": 19,
        "effects_practices": O_WORDS,
        "tool_skills_record": True,
        "promotion_families": True,
    },
}


@pytest.fixture
def filed(national, regional, regional_other, campaign, bretagne, occitanie, travel):
    """Bretagne: A (CAP 40, bac pro 60) and B (CAP 26) filed, C (CAP 10) did not; Occitanie: O filed."""
    travel(datetime.date(2027, 8, 20))
    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 1000 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)
    hours = {"A": {"cap": 40, "bac_pro": 60}, "B": {"cap": 26}, "C": {"cap": 10}, "O": {"cap": 40, "bac_pro": 60}}
    requests = {}
    for name, granted in hours.items():
        region = occitanie if name == "O" else bretagne
        head = factories.HeadFactory()
        establishment = factories.EstablishmentFactory(region=region, name=f"Lycée {name}")
        head.establishments.set([establishment])
        request = factories.HseRequestFactory(
            campaign=campaign, establishment=establishment, status="en_instruction", complete=True
        )
        allocation_services.allocate(regional_other if name == "O" else regional, request, granted, "", 0)
        requests[name] = (head, request)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    allocation_services.notify_decisions(regional_other, campaign, occitanie)
    travel(datetime.date(2028, 5, 2))
    for name, values in FIGURES.items():
        head, request = requests[name]
        request.refresh_from_db()
        report = usage.start_usage_report(head, request)
        report = usage.save_usage_report(head, report, factories.usage_values(**values), report.version)
        usage.submit_usage_report(head, report, report.version)
    return requests


def _expected(reports) -> dict:
    """The seed-004 figures computed here, straight from the usage reports (an oracle apart from the app)."""
    reports = list(reports)
    pct = lambda part, whole: f"{format_number(Decimal(part) * 100 / Decimal(whole), 1)}\u202f%"  # noqa: E731
    staff = sum(r.teaching_staff for r in reports)
    involved = sum(r.teachers_involved for r in reports)
    pupils = sum(r.pupils_supported for r in reports)
    continuing = sum(r.pupils_continuing for r in reports)
    assessed = [r for r in reports if r.personal_work_assessed]
    return {
        "actions": sum(
            (r.actions_methodological_count or 0) + (r.actions_civic_count or 0) + (r.actions_dropout_count or 0)
            for r in reports
        ),
        "teachers": pct(involved, staff),
        "projects": sum(r.projects_count for r in reports),
        "project_schools": sum(1 for r in reports if r.projects_count),
        "continuing": pct(continuing, pupils),
        "practices": sum(1 for r in reports if r.effects_practices),
        "surveys": sum(1 for r in reports if r.survey_pupils or r.survey_parents or r.survey_staff),
        "portfolio": sum(1 for r in reports if r.tool_portfolio),
        "tools": sum(1 for r in reports if r.tool_positioning or r.tool_portfolio or r.tool_skills_record),
        "promotion": sum(1 for r in reports if r.promotion_families or r.promotion_website or r.promotion_event),
        "assessed": len(assessed),
        "more_involved": sum(r.pupils_more_involved for r in assessed),
        "assessed_pupils": sum(r.pupils_supported for r in assessed),
    }


def _flat(line: str) -> str:
    """Whitespace as ``pdf_text`` gives it (the narrow no-break space before « % » included)."""
    return " ".join(line.split())


def _plural(n, word):
    return f"{n} {word}{'s' if n > 1 else ''}"


def test_the_regional_may_review_pdf_prints_the_seed_004_indicators_of_the_usage_reports(
    filed, regional, campaign, bretagne
):
    report_services.save_review(
        regional,
        campaign,
        bretagne,
        {"what_worked": "Le tutorat.", "difficulties": "Les emplois du temps.", "recommendations": "Notifier tôt."},
        0,
    )
    transmission = report_services.transmit(regional, "qualitatif", campaign, bretagne)
    with transmission.pdf.open("rb") as stream:
        text = pdf_text(stream.read())
    e = _expected(UsageReport.objects.filter(request__establishment__region=bretagne, status="depose"))
    assert e["teachers"] == "13,3\u202f%"  # 8 involved out of 60: the oracle itself is right
    for line in (
        f"Nombre et nature des actions conduites au titre de l'accompagnement personnalisé {e['actions']} actions "
        "Compétences méthodologiques : 5 ; Compétences civiques et sociales : 0 ; "
        "Décrochage ou lacunes importantes : 2",
        f"Proportion des enseignants impliqués {e['teachers']} 8 intervenants impliqués sur un effectif de 60",
        f"à l'international {_plural(e['projects'], 'projet')} dans {_plural(e['project_schools'], 'établissement')}",
        f"Effets sur le nombre d'élèves poursuivant leurs études {e['continuing']} 37 élèves poursuivent leur "
        "formation ou leurs études, sur 42 élèves accompagnés",
        f"Effets sur l'évolution des pratiques pédagogiques {_plural(e['practices'], 'établissement')} en décrivent",
        f"Enquêtes auprès des élèves, des parents ou des équipes {_plural(e['surveys'], 'établissement')} "
        "Élèves : 1 ; Parents : 1 ; Équipes mobilisées : 1",
        f"Portfolio de compétences ou webclasseur : {e['portfolio']}",
        f"Stratégies de communication et de valorisation {_plural(e['promotion'], 'établissement')}",
        f"Implication des élèves dans leur travail personnel évaluée dans {_plural(e['assessed'], 'établissement')} "
        f"{e['more_involved']} élèves plus impliqués sur {e['assessed_pupils']} accompagnés (26,7\u202f%)",
    ):
        assert _flat(line) in text, line
    assert "Bilans d'utilisation reçus / manquants 2 / 1" in text
    # The establishments' own words, by establishment; not those of another region.
    annex = text[text.index("Annexe — les bilans des établissements, dans leurs mots") :]
    assert annex.index("Lycée A") < annex.index(A_WORDS) < annex.index("Lycée B") < annex.index(B_WORDS)
    assert "Voyage d'étude en Irlande" in annex
    assert "Grille d'auto-évaluation remplie chaque trimestre." in annex
    assert O_WORDS not in text


def test_the_regional_review_page_shows_the_indicators_and_the_establishments_words(client, filed, regional, campaign):
    client.force_login(regional)
    soup = BeautifulSoup(client.get("/rapports/2027/53/qualitatif/").content, "html.parser")
    table = soup.find(id="indicateurs-de-suivi")
    rows = {tr.find("th").get_text(strip=True): tr.find("td").get_text(strip=True) for tr in table.find_all("tr")[1:]}
    assert rows["Proportion des enseignants impliqués"] == "13,3\u202f%"
    assert rows["Effets sur le nombre d'élèves poursuivant leurs études"] == "88,1\u202f%"
    words = soup.find(id="paroles").find_next("div")
    assert A_WORDS in words.get_text()
    assert B_WORDS in words.get_text()


def test_the_national_may_review_consolidates_the_indicators_by_region_with_each_synthesis(
    filed, national, regional, regional_other, campaign, bretagne, occitanie
):
    for staff, region, words in ((regional, bretagne, "Breton"), (regional_other, occitanie, "Occitan")):
        report_services.save_review(
            staff,
            campaign,
            region,
            {"what_worked": f"{words} : le tutorat.", "difficulties": "x", "recommendations": "y"},
            0,
        )
    job = PdfJob.objects.create(document="national-qualitatif", campaign=campaign, requested_by=national)
    jobs.run(job.pk)
    job.refresh_from_db()
    with job.pdf.open("rb") as stream:
        text = pdf_text(stream.read())
    everyone = _expected(UsageReport.objects.filter(status="depose"))
    breton = _expected(UsageReport.objects.filter(status="depose", request__establishment__region=bretagne))
    occitan = _expected(UsageReport.objects.filter(status="depose", request__establishment__region=occitanie))
    assert _flat(f"Proportion des enseignants impliqués {everyone['teachers']}") in text
    for name, e in (("Bretagne", breton), ("Occitanie", occitan), ("France entière", everyone)):
        row = (
            f"{name} {e['actions']} {e['teachers']} {e['projects']} {e['continuing']} {e['practices']} "
            f"{e['surveys']} {e['tools']} {e['promotion']} {e['assessed']}"
        )
        assert _flat(row) in text, row
    assert "Breton : le tutorat." in text
    assert "Occitan : le tutorat." in text


def test_a_usage_report_cannot_be_deposited_without_the_indicators(national, regional, campaign, bretagne, travel):
    travel(datetime.date(2027, 8, 20))
    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 1000 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)
    head = factories.HeadFactory()
    establishment = factories.EstablishmentFactory(region=bretagne)
    head.establishments.set([establishment])
    request = factories.HseRequestFactory(
        campaign=campaign, establishment=establishment, status="en_instruction", complete=True
    )
    allocation_services.allocate(regional, request, {"cap": 40, "bac_pro": 60}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    request.refresh_from_db()
    report = usage.start_usage_report(head, request)
    values = factories.usage_values(
        teaching_staff=None,
        projects_count=1,
        projects="",
        pupils_continuing=31,
        effects_practices="",
        personal_work_assessed=True,
    )
    report = usage.save_usage_report(head, report, values, report.version)
    with pytest.raises(usage.IncompleteUsageReport) as refused:
        usage.submit_usage_report(head, report, report.version)
    errors = refused.value.errors
    assert set(errors) == {
        "teaching_staff",
        "projects",
        "pupils_continuing",
        "effects_practices",
        "pupils_more_involved",
    }
    assert errors["pupils_continuing"] == "Au plus 30 : le nombre d'élèves accompagnés."
    report = usage.save_usage_report(head, report, {"teaching_staff": 4, "teachers_involved": 5}, report.version)
    with pytest.raises(usage.IncompleteUsageReport) as refused:
        usage.submit_usage_report(head, report, report.version)
    assert "Au plus 4" in refused.value.errors["teachers_involved"]


def test_the_form_asks_for_the_indicators_and_keeps_the_ticked_boxes(client, filed, travel):
    head, request = filed["C"]
    request.refresh_from_db()
    client.force_login(head)
    client.post(f"/demandes/{request.pk}/bilan/commencer/")
    report = UsageReport.objects.get(request=request)
    data = {
        "version": report.version,
        "teaching_staff": "abc",
        "surveys_done": ["pupils", "staff"],
        "tools_used": ["portfolio"],
        "promotion_done": ["event"],
        "effects_practices": "Des séances préparées à deux.",
        "save": "1",
    }
    response = client.post(f"/demandes/{request.pk}/bilan/", data)
    assert response.status_code == 422
    soup = BeautifulSoup(response.content, "html.parser")
    assert "Saisissez un nombre entier" in soup.find(id="div_id_teaching_staff").get_text()
    report.refresh_from_db()
    assert (report.survey_pupils, report.survey_parents, report.survey_staff) == (True, False, True)
    assert (report.tool_portfolio, report.tool_positioning, report.promotion_event) == (True, False, True)
    assert report.effects_practices == "Des séances préparées à deux."
    for legend in (
        "Projets pluridisciplinaires, culturels ou ouverts à l'international",
        "Suivi des élèves",
        "Communication et valorisation",
    ):
        assert legend in soup.get_text()
