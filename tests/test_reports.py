import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.template.loader import render_to_string
from pypdf import PdfReader

from accounts.models import Region
from allocations import services as allocation_services
from reports import jobs, services
from reports.models import PdfJob, RegionalReview, Transmission
from requests_app import usage_services as usage
from requests_app.models import UsageReport
from tests import factories
from tests.helpers import pdf_text


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def allocated(
    national, regional, campaign, bretagne, occitanie, establishment_a, establishment_b, head_a, head_b, travel
):
    """Bretagne: envelope 1 000 h; A gets 100 h (CAP 40, bac pro 60), B 26 h; both notified."""
    travel(datetime.date(2027, 8, 20))
    allocation_services.set_initial_envelopes(
        national, campaign, {r.pk: 1000 if r.code in ("53", "76") else 0 for r in Region.objects.all()}
    )
    allocation_services.notify_envelopes(national, campaign)
    a = factories.HseRequestFactory(
        campaign=campaign, establishment=establishment_a, status="en_instruction", complete=True
    )
    b = factories.HseRequestFactory(
        campaign=campaign, establishment=establishment_b, status="en_instruction", complete=True
    )
    allocation_services.allocate(regional, a, {"cap": 40, "bac_pro": 60}, "", 0)
    allocation_services.allocate(regional, b, {"cap": 26}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    a.refresh_from_db()
    b.refresh_from_db()
    return a, b


usage_values = factories.usage_values


@pytest.fixture
def filed(allocated, head_a, travel):
    travel(datetime.date(2028, 4, 10))
    a, _b = allocated
    report = usage.start_usage_report(head_a, a)
    report = usage.save_usage_report(head_a, report, usage_values(), report.version)
    return usage.submit_usage_report(head_a, report, report.version)


class TestUsageReport:
    def test_submitted_report_has_a_frozen_pdf_and_history(self, filed, head_a, on_commit):
        assert filed.status == UsageReport.Status.SUBMITTED
        with filed.pdf.open("rb") as stream:
            content = stream.read()
        assert hashlib.sha256(content).hexdigest() == filed.sha256
        text = pdf_text(content)
        assert "Bilan d'utilisation" in text
        assert "CAP agricole 40 38,5" in text
        assert "Total 100 98,5" in text
        assert filed.request.events.filter(action="usage_report").exists()

    def test_incomplete_report_is_refused_per_field(self, allocated, head_a, travel):
        travel(datetime.date(2028, 4, 10))
        report = usage.start_usage_report(head_a, allocated[0])
        report = usage.save_usage_report(
            head_a, report, usage_values(hours_used_bac_pro=None, observations="", actions_dropout=""), report.version
        )
        with pytest.raises(usage.IncompleteUsageReport) as refused:
            usage.submit_usage_report(head_a, report, report.version)
        assert set(refused.value.errors) == {"hours_used_bac_pro", "observations", "actions_dropout"}

    def test_form_decimal_comma_bound_and_text_kept(self, client, allocated, head_a, travel):
        travel(datetime.date(2028, 4, 10))
        client.force_login(head_a)
        a = allocated[0]
        client.post(f"/demandes/{a.pk}/bilan/commencer/")
        report = UsageReport.objects.get(request=a)
        data = {
            "version": report.version,
            "hours_used_cap": "12,5",
            "hours_used_bac_pro": "61",
            "observations": "Mon texte",
        }
        response = client.post(f"/demandes/{a.pk}/bilan/", {**data, "save": "1"})
        assert response.status_code == 422
        page = response.content.decode()
        assert "Au plus 60 h : c&#x27;est la dotation attribuée pour ce niveau." in page
        assert 'value="61"' in page
        report.refresh_from_db()
        assert report.hours_used_cap == Decimal("12.5")
        assert report.observations == "Mon texte"

    def test_second_tab_is_refused(self, allocated, head_a, travel):
        travel(datetime.date(2028, 4, 10))
        report = usage.start_usage_report(head_a, allocated[0])
        version = report.version
        usage.save_usage_report(head_a, report, {"observations": "Onglet 1"}, version)
        with pytest.raises(usage.StaleUsageReport):
            usage.save_usage_report(head_a, report, {"observations": "Onglet 2"}, version)

    def test_scoping(self, client, filed, allocated, head_a, head_b, regional, regional_other, national):
        a = allocated[0]
        client.force_login(head_b)
        assert client.get(f"/demandes/{a.pk}/bilan/").status_code == 404
        assert client.get(f"/demandes/{a.pk}/bilan/pdf/").status_code == 404
        client.force_login(regional_other)
        assert client.get(f"/demandes/{a.pk}/bilan/").status_code == 404
        for user in (head_a, regional, national):
            client.force_login(user)
            assert client.get(f"/demandes/{a.pk}/bilan/").status_code == 200
            response = client.get(f"/demandes/{a.pk}/bilan/pdf/")
            assert response.status_code == 200
            b"".join(response.streaming_content)

    def test_a_draft_stays_with_the_establishment(self, client, allocated, head_a, regional, travel):
        travel(datetime.date(2028, 4, 10))
        usage.start_usage_report(head_a, allocated[0])
        client.force_login(regional)
        assert client.get(f"/demandes/{allocated[0].pk}/bilan/").status_code == 404

    def test_refused_or_unnotified_requests_get_no_report(self, allocated, head_a):
        later = factories.CampaignFactory(start_year=2028)
        other = factories.HseRequestFactory(campaign=later, establishment=head_a.establishments.get(), status="deposee")
        from requests_app.services import RequestError

        with pytest.raises(RequestError, match="dotation notifiée"):
            usage.start_usage_report(head_a, other)


class TestReminders:
    def test_only_those_who_have_not_filed(self, filed, allocated, regional, campaign, bretagne, on_commit):
        mail.outbox.clear()
        with on_commit():
            assert services.send_reminders(regional, campaign, bretagne) == 1
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["chef.b@example.org", "direction@example.org"]
        assert "Rappel" in mail.outbox[0].subject
        assert allocated[1].events.filter(action="reminder").exists()

    def test_follow_up_page(self, client, filed, regional, regional_other, national, head_a):
        client.force_login(regional)
        page = client.get("/rapports/2027/53/bilans/").content.decode()
        assert "1 bilan déposé, 1 manquant" in page
        assert client.post("/rapports/2027/53/bilans/").status_code == 302
        assert "Relance envoyée à 1 établissement" in client.get("/rapports/2027/53/bilans/").content.decode()
        client.force_login(regional_other)
        assert client.get("/rapports/2027/53/bilans/").status_code == 404
        client.force_login(national)
        assert client.get("/rapports/2027/53/bilans/").status_code == 403
        client.force_login(head_a)
        assert client.get("/rapports/2027/53/bilans/").status_code == 404


class TestSeptemberSummary:
    def test_pdf_numbers_match_the_database(self, client, allocated, regional):
        client.force_login(regional)
        response = client.get("/rapports/2027/53/repartition/pdf/")
        text = pdf_text(b"".join(response.streaming_content))
        assert "Enveloppe régionale 1 000 h" in text.replace("\u202f", " ")
        assert "Heures attribuées 126 h" in text
        assert "Heures demandées par les établissements 252 h (7 HSE par semaine)" in text
        assert "Reste 874 h" in text
        assert "Lycée agricole A" in text
        assert "version de travail" in text

    def test_transmission_is_frozen_and_versioned(self, allocated, regional, campaign, bretagne, national, on_commit):
        with on_commit():
            first = services.transmit(regional, "repartition", campaign, bretagne)
        assert mail.outbox[-1].to == ["dger.test@example.org"]
        with first.pdf.open("rb") as stream:
            frozen = stream.read()
        assert hashlib.sha256(frozen).hexdigest() == first.sha256
        text = pdf_text(frozen)
        assert "version 1 transmise le" in text
        assert first.data_sha256 in text  # the data fingerprint on the page footers
        # Later changes do not touch the transmitted version; transmitting again makes version 2.
        other = factories.HseRequestFactory(
            campaign=campaign, establishment__region=bretagne, status="en_instruction", complete=True
        )
        allocation_services.allocate(regional, other, {"cap": 54}, "", 0)
        second = services.transmit(regional, "repartition", campaign, bretagne)
        assert second.version == 2
        first.refresh_from_db()
        with first.pdf.open("rb") as stream:
            assert stream.read() == frozen
        with second.pdf.open("rb") as stream:
            assert "Heures attribuées 180 h" in pdf_text(stream.read())
        assert second.data_sha256 != first.data_sha256

    def test_the_versions_are_listed_with_their_verification_code(
        self, client, allocated, regional, campaign, bretagne
    ):
        first = services.transmit(regional, "repartition", campaign, bretagne)
        client.force_login(regional)
        page = client.get("/rapports/2027/53/repartition/").content.decode()
        assert f'code de vérification <a href="/verifier/?code={first.shown_code}">{first.shown_code}</a>' in page
        assert first.sha256 not in page  # the hash is for machines; the code is what a reader checks

    def test_the_levels_chart_has_a_drawing_for_phones(self, client, allocated, regional, campaign, bretagne):
        """The page shows the levels chart beside its bars on a wide screen and with the level names above them on
        a phone (one displayed at a time, each with its own ids); the PDF keeps the single wide drawing."""
        client.force_login(regional)
        page = client.get("/rapports/2027/53/repartition/").content.decode()
        assert page.count("<svg") == 2
        assert page.count('id="chart-levels-title"') == page.count('id="chart-levels-narrow-title"') == 1
        narrow = page[page.rindex("<svg", 0, page.index("hse-chart-svg--narrow")) :]
        narrow = narrow[: narrow.index("</svg>")]
        assert 'viewBox="0 0 320 ' in narrow
        assert 'text-anchor="start"' in narrow
        assert 'text-anchor="end"' not in narrow
        data = services.build("repartition", campaign, bretagne)
        html = render_to_string(services.TEMPLATES["repartition"], {**data, "footer": services.working_footer(data)})
        assert html.count("<svg") == 1
        assert "hse-chart-svg--narrow" not in html

    def test_transmission_scoping(
        self, client, allocated, regional, regional_other, national, head_a, campaign, bretagne
    ):
        transmission = services.transmit(regional, "repartition", campaign, bretagne)
        url = f"/rapports/transmissions/{transmission.pk}/pdf/"
        for user, status in {regional: 200, national: 200, regional_other: 404, head_a: 404}.items():
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == status, user
            if status == 200:
                with transmission.pdf.open("rb") as stream:
                    assert b"".join(response.streaming_content) == stream.read()
        client.force_login(national)
        assert client.post("/rapports/2027/53/repartition/transmettre/").status_code == 403
        client.force_login(regional_other)
        assert client.get("/rapports/2027/53/repartition/").status_code == 404
        assert client.post("/rapports/2027/53/repartition/transmettre/").status_code == 404

    def test_table_exports(self, client, allocated, regional):
        import csv
        import io

        from openpyxl import load_workbook

        client.force_login(regional)
        rows = list(
            load_workbook(io.BytesIO(client.get("/rapports/2027/53/repartition.xlsx").content)).active.iter_rows(
                values_only=True
            )
        )
        header = rows[0]
        records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
        a = next(r for r in records if r["Établissement"] == "Lycée agricole A")
        assert a["Attribué total (h/an)"] == 100
        assert a["Demandé CAP agricole (HSE/semaine)"] == 1.5
        assert records[-1]["Établissement"] == "Total"
        assert records[-1]["Attribué total (h/an)"] == 126
        content = client.get("/rapports/2027/53/repartition.csv").content.decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(content), delimiter=";"))
        assert table[-1][1] == "Total"

    def test_the_total_is_the_sum_of_the_rows_and_withdrawn_requests_are_named_apart(
        self, client, allocated, regional, campaign, bretagne
    ):
        from bs4 import BeautifulSoup

        gone = factories.HseRequestFactory(
            campaign=campaign,
            establishment=factories.EstablishmentFactory(region=bretagne, name="Lycée retiré"),
            status="retiree",
            complete=True,
        )
        client.force_login(regional)
        page = BeautifulSoup(client.get("/rapports/2027/53/repartition/").content, "html.parser")
        table = next(t for t in page.find_all("table") if "par établissement" in t.caption.get_text())
        names = [row.find("td").get_text(" ", strip=True) for row in table.tbody.find_all("tr")]
        assert not any("Lycée retiré" in name for name in names)
        demanded = [row.find_all("td")[3].get_text(strip=True).replace("\u202f", "") for row in table.tbody("tr")]
        total = table.tfoot.find_all("td")[1].get_text(strip=True).replace("\u202f", "")
        assert sum(int(v) for v in demanded) == int(total)
        note = page.find(string=lambda text: text and "non comptée" in text).parent.get_text(" ", strip=True)
        assert f"Lycée retiré ({gone.establishment.uai})" in note
        text = pdf_text(client.get("/rapports/2027/53/repartition/pdf/").getvalue())
        assert "Total (2 établissements)" in text
        assert f"Lycée retiré ({gone.establishment.uai})" in text

    def test_national_board_shows_the_transmission(self, client, allocated, regional, national, campaign, bretagne):
        services.transmit(regional, "repartition", campaign, bretagne)
        client.force_login(national)
        page = client.get("/national/?campagne=2027").content.decode()
        assert "transmis le 20 août 2027 (version 1)" in page


class TestMayReview:
    def test_indicators_synthesis_and_transmission(self, client, filed, regional, campaign, bretagne):
        client.force_login(regional)
        page = client.get("/rapports/2027/53/qualitatif/").content.decode()
        assert "Bilans d'utilisation reçus" in page
        with pytest.raises(services.ReportError, match="trois parties"):
            services.transmit(regional, "qualitatif", campaign, bretagne)
        response = client.post(
            "/rapports/2027/53/qualitatif/",
            {
                "version": "0",
                "what_worked": "Le tutorat.",
                "difficulties": "Les emplois du temps.",
                "recommendations": "Anticiper.",
            },
        )
        assert response.status_code == 302
        transmission = services.transmit(regional, "qualitatif", campaign, bretagne)
        with transmission.pdf.open("rb") as stream:
            text = pdf_text(stream.read())
        assert "Bilans d'utilisation reçus / manquants 1 / 1" in text
        assert "Heures utilisées (bilans reçus) 98,5 h sur 100 h (98,5 %)" in text
        assert "Élèves accompagnés 30" in text
        assert "Le tutorat." in text

    def test_synthesis_lost_update_refused(self, filed, regional, campaign, bretagne):
        services.save_review(regional, campaign, bretagne, {"what_worked": "A"}, 0)
        with pytest.raises(services.ReportError, match="modifiée entre-temps"):
            services.save_review(regional, campaign, bretagne, {"what_worked": "B"}, 0)
        assert RegionalReview.objects.get().what_worked == "A"


class TestNationalDocuments:
    def test_jobs_build_the_national_pdfs(self, client, filed, regional, national, campaign, bretagne, on_commit):
        services.transmit(regional, "repartition", campaign, bretagne)
        services.save_review(regional, campaign, bretagne, {"what_worked": "Le tutorat fonctionne."}, 0)
        client.force_login(national)
        with on_commit():  # the worker takes the job once the request's transaction has committed
            response = client.post("/rapports/2027/national/", {"document": "national-repartition"})
        job = PdfJob.objects.get()
        assert response["Location"] == f"/rapports/generations/{job.pk}/"
        assert client.get(f"/rapports/generations/{job.pk}/?format=json").json()["status"] == "done"
        content = b"".join(client.get(f"/rapports/generations/{job.pk}/pdf/").streaming_content)
        text = pdf_text(content)
        assert "Bilan national de la répartition" in text
        # One bookmark per region, in the table's order, saying whether the region transmitted.
        outline = [item.title for item in PdfReader(io.BytesIO(content)).outline]
        regions = list(Region.objects.values_list("name", flat=True))  # in French order
        assert outline == ["Synthèse nationale"] + [
            f"{name} — transmis, version 1 du 10/04/2028" if name == "Bretagne" else f"{name} — non transmis"
            for name in regions
        ]
        assert "Annexes par région" in text
        assert "Lycée agricole A" in text  # Bretagne's transmitted summary, appended
        assert "v1 du 10/04/2028" in text
        with on_commit():
            client.post("/rapports/2027/national/", {"document": "national-qualitatif"})
        review_job = PdfJob.objects.get(document="national-qualitatif")
        review = pdf_text(b"".join(client.get(f"/rapports/generations/{review_job.pk}/pdf/").streaming_content))
        assert "Le tutorat fonctionne." in review
        assert "Bilans d'utilisation reçus / manquants 1 / 1" in review

    def test_job_progress_is_shown_while_running(self, client, national, campaign):
        job = PdfJob.objects.create(
            document="national-repartition",
            campaign=campaign,
            requested_by=national,
            status="running",
            progress=42,
            step="Mise en page : page 3",
        )
        client.force_login(national)
        page = client.get(f"/rapports/generations/{job.pk}/").content.decode()
        assert 'value="42"' in page
        assert "Mise en page : page 3" in page
        assert client.get(f"/rapports/generations/{job.pk}/pdf/").status_code == 404

    def test_a_failing_job_says_so(self, national, campaign, monkeypatch):
        job = PdfJob.objects.create(document="national-repartition", campaign=campaign, requested_by=national)

        def broken(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(jobs, "render_pdf", broken)
        jobs.run(job.pk)
        job.refresh_from_db()
        assert job.status == "failed"

    def test_roles(self, client, regional, head_a, national, campaign):
        for user, status in {national: 200, regional: 403, head_a: 404}.items():
            client.force_login(user)
            assert client.get("/rapports/2027/national/").status_code == status


class TestIndex:
    def test_each_role_sees_its_documents(
        self, client, filed, allocated, head_a, head_b, regional, national, campaign, bretagne
    ):
        services.transmit(regional, "repartition", campaign, bretagne)
        client.force_login(head_a)
        page = client.get("/rapports/").content.decode()
        assert "Bilan d'utilisation déposé le" in page
        assert "Lycée agricole B" not in page
        client.force_login(regional)
        assert "transmis, version 1 du 10 avril 2028" in client.get("/rapports/").content.decode()
        client.force_login(national)
        assert "1 / 22" in client.get("/rapports/").content.decode()
        assert Transmission.objects.count() == 1
