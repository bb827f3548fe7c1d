"""The national documents are assembled from what already exists (``reports.assembly``): each region's latest
transmitted PDF appended as it is once its SHA-256 checks, the working version of a region that has not
transmitted stamped « non transmis », one bookmark per region, « page N / M » on every page."""

import datetime
import io
import logging
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Region
from allocations import services as allocation_services
from core import periodic
from core.pdf import render_pdf
from reports import assembly, jobs, services
from reports.models import Transmission, WorkingCopy
from tests import factories
from tests.helpers import pdf_text


@pytest.fixture
def allocated(national, regional, campaign, bretagne, occitanie, establishment_a, establishment_b, travel):
    travel(datetime.date(2027, 8, 20))
    allocation_services.set_initial_envelopes(
        national, campaign, {r.pk: 1000 if r.code in ("53", "76") else 0 for r in Region.objects.all()}
    )
    allocation_services.notify_envelopes(national, campaign)
    for establishment, hours in ((establishment_a, {"cap": 40, "bac_pro": 60}), (establishment_b, {"cap": 26})):
        request = factories.HseRequestFactory(
            campaign=campaign, establishment=establishment, status="en_instruction", complete=True
        )
        allocation_services.allocate(regional, request, hours, "", 0)
    travel(datetime.date(2027, 9, 20))


def _latest(kind, campaign):
    return {t.region_id: t for t in Transmission.objects.filter(kind=kind, campaign=campaign).latest()}


def _assembled(kind, campaign, regions, document="national-repartition"):
    """The national document for the given regions only (the whole country takes longer to lay out)."""
    annexes = assembly.annexes(kind, campaign, regions, _latest(kind, campaign))
    data = jobs.national_context(document, campaign, annexes)
    footer = {"draft": True, "at": datetime.datetime(2027, 9, 20, 10), "fingerprint": data["fingerprint"]}
    national = render_pdf(jobs.DOCUMENTS[document][1], {**data, "footer": footer})
    return national, annexes, assembly.assemble(national, annexes, f"{jobs.title(document)} {campaign.label}")


def _pages(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def _content_streams(page) -> list[bytes]:
    contents = page["/Contents"].get_object()
    items = contents if isinstance(contents, list) else [contents]
    return [item.get_object().get_data() for item in items]


def test_a_transmitted_region_is_appended_as_it_is_and_the_others_are_marked_not_transmitted(
    allocated, regional, campaign, bretagne, occitanie
):
    transmission = services.transmit(regional, "repartition", campaign, bretagne)
    with transmission.pdf.open("rb") as stream:
        transmitted = PdfReader(io.BytesIO(stream.read()))
    national, annexes, content = _assembled("repartition", campaign, [bretagne, occitanie])
    document = PdfReader(io.BytesIO(content))
    first = len(PdfReader(io.BytesIO(national)).pages)
    count = len(transmitted.pages)
    occitan = len(PdfReader(io.BytesIO(annexes[1].content)).pages)
    assert len(document.pages) == first + count + occitan

    # Bretagne's pages: the transmitted pages' own content streams, byte for byte, and their text.
    for index, original in enumerate(transmitted.pages):
        page = document.pages[first + index]
        assert original.get_contents().get_data() in _content_streams(page)
        assert " ".join(original.extract_text().split()) in " ".join(page.extract_text().split())
    pages = _pages(content)
    assert not any("NON TRANSMIS" in text for text in pages[: first + count])
    # Occitanie has not transmitted: its working version, marked on every page.
    assert all(assembly.NOT_TRANSMITTED in text for text in pages[first + count :])
    assert all("Version de travail" in text or "version de travail" in text for text in pages[first + count :])

    # « page N / M » on every page, in order.
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Bilan national de la répartition 2027-2028 — page {number} / {total}" in text

    # One bookmark for the national part, one per region, each on the region's first page.
    outline = [(item.title, document.get_destination_page_number(item)) for item in document.outline]
    assert outline == [
        ("Synthèse nationale", 0),
        ("Bretagne — transmis, version 1 du 20/09/2027", first),
        ("Occitanie — non transmis", first + count),
    ]
    assert document.trailer["/Root"]["/Lang"] == "fr"
    assert document.metadata.title == "Bilan national de la répartition 2027-2028"
    table = pdf_text(national)
    assert "Bretagne 1 000 2 2 " in table
    assert re.search(r"Bretagne( [\d  ]+)+ [\d,]+ % v1 du 20/09/2027", table)
    assert "Occitanie 1 000 0 0 0 0 1 000 0,0 % non transmis" in table


def test_a_transmitted_file_altered_in_storage_is_left_out(allocated, regional, campaign, bretagne, caplog):
    transmission = services.transmit(regional, "repartition", campaign, bretagne)
    with transmission.pdf.open("rb") as stream:
        original = stream.read()
    altered = original.replace(b"Lyc\xc3\xa9e", b"Lyc\xc3\xa8e", 1) if b"Lyc\xc3\xa9e" in original else original + b"\n"
    storage = transmission.pdf.storage
    storage.delete(transmission.pdf.name)
    storage.save(transmission.pdf.name, io.BytesIO(altered))
    assert assembly.verified_pdf(transmission) is None

    with caplog.at_level(logging.ERROR, logger="reports.assembly"):
        national, annexes, content = _assembled("repartition", campaign, [bretagne])
    assert "does not match its SHA-256" in caplog.text
    annex = annexes[0]
    assert annex.transmission is None
    assert annex.altered == transmission
    assert annex.content != altered
    pages = _pages(content)
    first = len(PdfReader(io.BytesIO(national)).pages)
    assert all(assembly.ALTERED in text for text in pages[first:])
    assert "non transmis (fichier transmis altéré)" in pdf_text(national)
    outline = [item.title for item in PdfReader(io.BytesIO(content)).outline]
    assert outline == ["Synthèse nationale", "Bretagne — non transmis (fichier transmis altéré)"]
    # The stored file is left as it was found (evidence), never rewritten.
    with transmission.pdf.open("rb") as stream:
        assert stream.read() == altered


def test_the_may_review_appends_the_transmitted_review(allocated, regional, campaign, bretagne, occitanie):
    services.save_review(
        regional,
        campaign,
        bretagne,
        {"what_worked": "Le tutorat breton.", "difficulties": "Aucune.", "recommendations": "Continuer."},
        0,
    )
    transmission = services.transmit(regional, "qualitatif", campaign, bretagne)
    with transmission.pdf.open("rb") as stream:
        transmitted = PdfReader(io.BytesIO(stream.read()))
    national, _annexes, content = _assembled("qualitatif", campaign, [bretagne, occitanie], "national-qualitatif")
    document = PdfReader(io.BytesIO(content))
    first = len(PdfReader(io.BytesIO(national)).pages)
    for index, original in enumerate(transmitted.pages):
        assert original.get_contents().get_data() in _content_streams(document.pages[first + index])
    text = pdf_text(content)
    assert "Le tutorat breton." in text
    assert "Bilan qualitatif national 2027-2028 — page 1 / " in text
    assert [item.title for item in document.outline][1:] == [
        "Bretagne — transmis, version 1 du 20/09/2027",
        "Occitanie — non transmis",
    ]


def test_working_versions_are_kept_while_their_figures_stand(allocated, regional, campaign, occitanie, monkeypatch):
    first = assembly.working_pdf("repartition", campaign, occitanie)
    copy = WorkingCopy.objects.get(kind="repartition", campaign=campaign, region=occitanie)
    old_name = copy.pdf.name
    rendered = []
    real_render = services.render
    monkeypatch.setattr(services, "render", lambda *a, **k: rendered.append(a) or real_render(*a, **k))

    assert assembly.working_pdf("repartition", campaign, occitanie) == first  # from the cache, not laid out
    assert rendered == []

    request = factories.HseRequestFactory(
        campaign=campaign,
        establishment=factories.EstablishmentFactory(region=occitanie),
        status="en_instruction",
        complete=True,
    )
    allocation_services.allocate(factories.RegionalFactory(region=occitanie), request, {"cap": 10}, "", 0)
    assembly.working_pdf("repartition", campaign, occitanie)  # the figures changed: laid out again
    assert len(rendered) == 1
    copy.refresh_from_db()
    assert copy.pdf.name != old_name
    assert not copy.pdf.storage.exists(old_name)  # the previous file is not left behind


def test_the_periodic_refresh_renders_only_what_changed(allocated, regional, campaign, bretagne, monkeypatch):
    from reports import tasks

    assert periodic.REGISTRY["refresh-working-versions"].task is tasks.refresh_working_versions
    services.transmit(regional, "repartition", campaign, bretagne)
    regions = Region.objects.count()
    assert assembly.refresh_working_copies(campaign) == 2 * regions - 1  # all but Bretagne's transmitted summary
    assert not WorkingCopy.objects.filter(kind="repartition", region=bretagne).exists()
    assert assembly.refresh_working_copies(campaign) == 0


def test_a_recent_working_version_is_appended_without_gathering_the_figures_again(
    allocated, campaign, occitanie, travel, monkeypatch
):
    cached = assembly.working_pdf("repartition", campaign, occitanie)
    gathered = []
    real_build = services.build
    monkeypatch.setattr(services, "build", lambda *a, **k: gathered.append(a) or real_build(*a, **k))
    annex = assembly.annexes("repartition", campaign, [occitanie], {})[0]
    assert annex.content == cached
    assert gathered == []
    # Once older than FRESH_FOR (no periodic refresh meanwhile), it is checked against the figures first.
    travel(timezone.now() + assembly.FRESH_FOR + datetime.timedelta(minutes=1))
    annex = assembly.annexes("repartition", campaign, [occitanie], {})[0]
    assert len(gathered) == 1
    assert annex.content == cached  # the figures did not change
    assembly.annexes("repartition", campaign, [occitanie], {})
    assert len(gathered) == 1  # checked: fresh again
