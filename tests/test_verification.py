"""Anyone can check a frozen document at /verifier/: by its code, by its file (byte for byte), and a file
altered after issue is told apart; the page is public, rate-limited per address, and shows only what the
document itself prints."""

import datetime
import html
import io
from urllib.parse import unquote

import pdfplumber
import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Region
from allocations import services as allocation_services
from core import verification
from reports import jobs
from reports import services as report_services
from reports.models import PdfJob
from requests_app import services as request_services
from tests import factories
from tests.helpers import pdf_text
from tests.long_names import read

URL = "/verifier/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(db, travel, bretagne, django_capture_on_commit_callbacks):
    """A deposited request (Annexe 1), its notification letter and a transmitted report."""
    travel(datetime.date(2027, 7, 1))
    campaign = factories.CampaignFactory(start_year=2027)
    school = factories.EstablishmentFactory(region=bretagne, name="Lycée Théodore Monod", uai="0350700W")
    head = factories.HeadFactory(full_name="Camille Le Goff", establishments=[school])
    regional = factories.RegionalFactory(full_name="Agent Bretagne", region=bretagne)
    dger = factories.NationalFactory()
    allocation_services.set_initial_envelopes(dger, campaign, {r.pk: 500 for r in Region.objects.all()})
    allocation_services.notify_envelopes(dger, campaign)
    request = request_services.start_request(head, school, campaign)
    request = request_services.save_draft(head, request, factories.complete_values(), request.version)
    request = request_services.submit_request(head, request, request.version)
    allocation_services.start_review(regional, [request])
    allocation_services.allocate(regional, request, {"cap": 40, "bac_pro": 50}, "", 0)
    with django_capture_on_commit_callbacks(execute=True):  # the letter is built by a task run on commit
        allocation_services.notify_decisions(regional, campaign, bretagne)
    request.refresh_from_db()
    transmission = report_services.transmit(regional, "repartition", campaign, bretagne)
    return {"submission": request.submissions.get(), "decision": request.decision, "transmission": transmission}


def _qr_strokes(content: bytes) -> int:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        page = pdf.pages[0]
        drawn = page.lines + page.rects + page.curves
        return sum(1 for o in drawn if o["top"] < 200 and o["x0"] > page.width * 0.7)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _upload(content: bytes, name="document.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_frozen_documents_carry_their_code_and_qr_code(issued):
    submission, decision, transmission = issued["submission"], issued["decision"], issued["transmission"]
    for code, content in (
        (submission.verification_code, read(submission.pdf)),
        (decision.verification_code, read(decision.letter)),
        (transmission.verification_code, read(transmission.pdf)),
    ):
        assert code
        assert verification.normalize(code) == code
        text = pdf_text(content)
        assert f"code de vérification {verification.display(code)}" in text
        assert verification.find_code(text) == code
        assert _qr_strokes(content) > 100  # the QR code, drawn as vector strokes in the header's right corner
    assert len({submission.verification_code, decision.verification_code, transmission.verification_code}) == 3


def test_the_qr_code_leads_to_the_check_of_its_document(issued, settings):
    code = issued["decision"].verification_code
    stamp = verification.stamp(code)
    assert stamp["url"] == f"{settings.SITE_URL}{reverse('verification:check')}?code={verification.display(code)}"
    assert stamp["qr"].startswith("data:image/svg+xml")


def test_a_code_names_the_document_who_issued_it_and_when(client, issued):
    decision = issued["decision"]
    typed = verification.display(decision.verification_code).lower().replace("-", " ")
    response = client.get(URL, {"code": typed})  # typed loosely: lower case, a space for the dash
    text = _text(response)
    assert response.status_code == 200
    assert "correspond à un document émis par le service" in text
    assert "Lettre de notification de la dotation complémentaire en HSE (attribution)" in text
    assert decision.request.reference in text
    assert "Lycée Théodore Monod (UAI 0350700W)" in text
    assert "DRAAF-SRFD Bretagne, signée par Agent Bretagne" in text
    assert decision.letter_sha256 in text
    # Nothing personal beyond what the letter prints: not the head's name or address, not an e-mail.
    assert "Camille Le Goff" not in text
    assert "@example.org" not in text


def test_the_issued_file_is_recognised_byte_for_byte(client, issued):
    submission = issued["submission"]
    response = client.post(URL, {"document": _upload(read(submission.pdf), "ma-demande.pdf")})
    text = _text(response)
    assert response.status_code == 200
    assert "Document authentique" in text
    assert "octet pour octet" in text
    assert "Demande de dotation complémentaire en HSE (Annexe 1), dépôt n° 1" in text
    assert "déposée par Camille Le Goff" in text
    assert submission.sha256 in text


def test_a_transmitted_report_is_recognised(client, issued):
    transmission = issued["transmission"]
    response = client.post(URL, {"document": _upload(read(transmission.pdf))})
    text = _text(response)
    assert "Document authentique" in text
    assert "Bilan de la répartition (septembre), version 1, transmis à la DGER" in text
    assert "transmis par Agent Bretagne" in text


def test_a_tampered_file_is_told_apart_from_the_document_it_claims_to_be(client, issued):
    original = read(issued["decision"].letter)
    tampered = original + b"\n% modified after issue\n"  # still a readable PDF, no longer the same bytes
    assert tampered != original
    response = client.post(URL, {"document": _upload(tampered, "lettre.pdf")})
    text = _text(response)
    assert response.status_code == 200
    assert "Fichier différent du document émis" in text
    assert "Document authentique" not in text
    assert "Lettre de notification" in text  # the code printed on the file names the genuine document
    assert issued["decision"].letter_sha256 in text  # the genuine file's fingerprint, to compare


def test_an_unknown_code_or_file_is_not_a_document_of_the_service(client, issued):
    response = client.get(URL, {"code": "ZZZZ-9999"})
    assert "Aucun document émis par le service ne correspond" in _text(response)
    response = client.post(URL, {"document": _upload(b"%PDF-1.7\n% un autre document\n%%EOF\n")})
    assert "Aucun document émis par le service ne correspond" in _text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "1234"}, "Un code de vérification compte 8 lettres ou chiffres"),
        ({}, "Saisissez le code de vérification du document ou choisissez son fichier PDF."),
        ({"document": SimpleUploadedFile("note.txt", b"pas un PDF")}, "Ce fichier n'est pas un PDF."),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(client, db, data, message):
    response = client.post(URL, data)
    assert response.status_code == 422
    assert message in _text(response)


def test_the_page_is_public(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Vérifier un document" in _text(response)


def test_checks_are_rate_limited_per_address(client, issued, settings):
    settings.VERIFICATION_RATE_LIMIT = 3
    code = verification.display(issued["submission"].verification_code)
    for _ in range(3):
        assert client.get(URL, {"code": code}, REMOTE_ADDR="192.0.2.1").status_code == 200
    refused = client.get(URL, {"code": code}, REMOTE_ADDR="192.0.2.1")
    assert refused.status_code == 429
    assert "Trop de vérifications depuis votre adresse" in _text(refused)
    assert "Lycée Théodore Monod" not in _text(refused)  # nothing checked once over the limit
    assert client.post(URL, {"code": code}, REMOTE_ADDR="192.0.2.1").status_code == 429
    # Another address is not held back, and the blank form is not a check.
    assert client.get(URL, {"code": code}, REMOTE_ADDR="192.0.2.2").status_code == 200
    assert client.get(URL, REMOTE_ADDR="192.0.2.1").status_code == 200


def test_codes_are_read_back_as_people_type_them():
    assert verification.normalize("7k3m-q9xd") == "7K3MQ9XD"
    assert verification.normalize(" 7K3M Q9XD ") == "7K3MQ9XD"
    assert verification.normalize("OI1L-0000") == "01110000"  # O for 0, I and L for 1
    assert verification.normalize("7K3M-Q9X") is None
    assert verification.normalize("7K3M-Q9XU") is None  # U is not in the alphabet
    assert verification.find_code("campagne 2026-2027 — code de vérification 7K3M-Q9XD") == "7K3MQ9XD"
    assert verification.find_code("campagne 2026-2027") is None


def test_national_and_transmitted_documents_are_named_in_words(client, issued, settings):
    transmission = issued["transmission"]
    dger = factories.NationalFactory()
    client.force_login(dger)
    response = client.get(reverse("reports:transmission_pdf", args=[transmission.pk]))
    assert "Bilan de la répartition 2027-2028 Bretagne version 1.pdf" in unquote(response["Content-Disposition"])
    b"".join(response.streaming_content)
    job = PdfJob.objects.create(document="national-repartition", campaign=transmission.campaign, requested_by=dger)
    jobs.run(job.pk)
    response = client.get(reverse("reports:job_pdf", args=[job.pk]))
    assert "Bilan national de la répartition 2027-2028.pdf" in unquote(response["Content-Disposition"])
    b"".join(response.streaming_content)
    page = BeautifulSoup(client.get(reverse("reports:national_documents", args=[2027])).content, "html.parser")
    visible = " ".join(page.get_text(" ").split())
    assert "Bilan national de la répartition 2027-2028, généré le" in visible
    assert "national-repartition" not in visible
