"""National documents assembled from what already exists.

Only the national part (cover, table by region, chart, transmission status) is laid out by WeasyPrint. Each
region's annex is then appended as a whole PDF:

- the region's latest transmitted report, read through the storage API and appended as it is (its pages' content
  streams unchanged), once its SHA-256 matches the one recorded at transmission;
- otherwise its working version, stamped « NON TRANSMIS » on every page. The working versions are rendered in the
  background every ``REFRESH_EVERY`` (``reports.tasks``) when their region's figures changed, so that asking for a
  national document does not gather nor lay out every region again: one checked less than ``FRESH_FOR`` ago is
  appended as it is (its footer says when it was made); one not checked for longer is checked against the figures
  first.

A transmitted file whose SHA-256 no longer matches is never appended: the region's working version stands in for
it, stamped as such, the national table says the stored file was altered, and the error is logged.

The assembled PDF has one bookmark per region and « page N / M » at the top of every page, written over each page
by ``core.pdf_stamp`` (the page's own content streams are kept byte for byte).
"""

import io
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from core.pdf import sha256
from core.pdf_stamp import MM, Stamper, Text
from reports import services
from reports.models import WorkingCopy

logger = logging.getLogger(__name__)
REFRESH_EVERY = timedelta(minutes=5)  # the periodic task of ``reports.tasks``
FRESH_FOR = 2 * REFRESH_EVERY

NOT_TRANSMITTED = "NON TRANSMIS — version de travail de la région"
ALTERED = "NON TRANSMIS — le fichier transmis a été altéré (empreinte SHA-256 invalide) : version de travail jointe"


@dataclass
class Annex:
    """One region's part of a national document."""

    region: object
    content: bytes
    transmission: object = None  # the transmission appended (None: the working version is)
    altered: object = None  # a transmission whose stored file failed its SHA-256 check

    @property
    def stamp(self) -> str:
        if self.transmission is not None:
            return ""
        return ALTERED if self.altered is not None else NOT_TRANSMITTED

    @property
    def status(self) -> str:
        """In words, for the national table and the bookmarks."""
        if self.transmission is not None:
            t = self.transmission
            return f"transmis, version {t.version} du {timezone.localtime(t.transmitted_at):%d/%m/%Y}"
        if self.altered is not None:
            return "non transmis (fichier transmis altéré)"
        return "non transmis"


# --- What each region contributes ----------------------------------------------------------------------------


def verified_pdf(transmission) -> bytes | None:
    """The transmission's stored PDF, or None when it is missing or its SHA-256 is not the recorded one."""
    try:
        with transmission.pdf.open("rb") as stream:
            content = stream.read()
    except OSError:
        logger.error("transmission %s: stored PDF %s missing", transmission.pk, transmission.pdf.name)
        return None
    if sha256(content) != transmission.sha256:
        logger.error(
            "transmission %s: stored PDF %s does not match its SHA-256, left out of the national document",
            transmission.pk,
            transmission.pdf.name,
        )
        return None
    return content


def _cached(copy, fingerprint: str) -> bytes | None:
    if copy is None or copy.data_sha256 != fingerprint:
        return None
    try:
        with copy.pdf.open("rb") as stream:
            content = stream.read()
    except OSError:
        return None
    return content if sha256(content) == copy.sha256 else None


def working_pdf(kind: str, campaign, region, copy=None) -> bytes:
    """The region's working version as its data stand now: the cached one when its data fingerprint is the
    current one, otherwise rendered now and cached for the next time."""
    return _working(kind, campaign, region, copy)[0]


def _working(kind, campaign, region, copy=None, recent=False) -> tuple[bytes, bool]:
    """The working version and whether it was rendered now. ``recent``: a cached version checked against the
    region's figures less than ``FRESH_FOR`` ago is taken as it is, without gathering the figures again."""
    if copy is None:
        copy = WorkingCopy.objects.filter(kind=kind, campaign=campaign, region=region).first()
    if recent and copy is not None and copy.checked_at >= timezone.now() - FRESH_FOR:
        content = _cached(copy, copy.data_sha256)
        if content is not None:
            return content, False
    data = services.build(kind, campaign, region)
    content = _cached(copy, data["fingerprint"])
    if content is not None:
        WorkingCopy.objects.filter(pk=copy.pk).update(checked_at=timezone.now())
        return content, False
    content = services.render(kind, data, services.working_footer(data))
    _store(kind, campaign, region, copy, content, data["fingerprint"])
    return content, True


def _store(kind, campaign, region, copy, content: bytes, fingerprint: str) -> None:
    """Cache a working version (a new file each time; the previous one is deleted once replaced)."""
    previous = copy.pdf.name if copy is not None else None
    copy = copy or WorkingCopy(kind=kind, campaign=campaign, region=region)
    copy.sha256 = sha256(content)
    copy.data_sha256 = fingerprint
    copy.built_at = copy.checked_at = timezone.now()
    copy.pdf.save(f"{kind}-{campaign.label}-{region.code}.pdf", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError:  # cached at the same moment by another process: theirs stands
        copy.pdf.storage.delete(copy.pdf.name)
        return
    if previous and previous != copy.pdf.name:
        copy.pdf.storage.delete(previous)


def annexes(kind: str, campaign, regions, latest: dict, progress=None) -> list[Annex]:
    """One annex per region, in the order given; ``latest`` maps a region's id to its latest transmission. A
    working version cached less than ``FRESH_FOR`` ago is appended as it is (it says when it was made); an older
    one is checked against the region's figures first."""
    copies = {c.region_id: c for c in WorkingCopy.objects.filter(kind=kind, campaign=campaign)}
    result = []
    for index, region in enumerate(regions):
        if progress:
            progress(index, len(regions), region)
        transmission = latest.get(region.pk)
        content = verified_pdf(transmission) if transmission is not None else None
        if content is not None:
            result.append(Annex(region, content, transmission=transmission))
            continue
        content = _working(kind, campaign, region, copies.get(region.pk), recent=True)[0]
        result.append(Annex(region, content, altered=transmission))
    return result


def refresh_working_copies(campaign) -> int:
    """Bring the cached working versions of the regions that have not transmitted up to date (the periodic task
    ``refresh-working-versions``); returns how many were rendered."""
    from accounts.models import Region
    from reports.models import Kind, Transmission

    transmitted = set(Transmission.objects.filter(campaign=campaign).values_list("region_id", "kind"))
    copies = {(c.region_id, c.kind): c for c in WorkingCopy.objects.filter(campaign=campaign)}
    rendered = 0
    for kind in Kind.values:
        for region in Region.objects.order_by("sort_name"):
            if (region.pk, kind) in transmitted:
                continue
            rendered += _working(kind, campaign, region, copies.get((region.pk, kind)))[1]
    return rendered


# --- The assembled document --------------------------------------------------------------------------------

MARGIN = 12 * MM
BASELINE = 8 * MM  # below the page's top edge, above the documents' own top margin (12 mm at least)


def _lines(number: int, total: int, title: str, stamp: str) -> list[Text]:
    lines = [Text(f"{title} — page {number} / {total}", MARGIN, BASELINE, align="right")]
    if stamp:
        lines.append(Text(stamp, MARGIN, BASELINE, bold=True, rgb=(0.808, 0.02, 0)))
    return lines


def assemble(national: bytes, parts: list[Annex], title: str, national_bookmark: str = "Synthèse nationale") -> bytes:
    """The national part followed by each region's annex, with a bookmark per region and « page N / M » on every
    page."""
    writer = PdfWriter()
    stamper = Stamper(writer)
    readers = [(None, PdfReader(io.BytesIO(national)))] + [(a, PdfReader(io.BytesIO(a.content))) for a in parts]
    total = sum(len(reader.pages) for _annex, reader in readers)
    starts = []
    for annex, reader in readers:
        starts.append(len(writer.pages))
        for source in reader.pages:
            page = writer.add_page(source)
            stamper.stamp(page, _lines(len(writer.pages), total, title, annex.stamp if annex else ""))
    writer.add_outline_item(title=national_bookmark, page_number=starts[0])
    for (annex, _reader), start in zip(readers[1:], starts[1:], strict=True):
        writer.add_outline_item(title=f"{annex.region.name} — {annex.status}", page_number=start)
    writer.page_mode = "/UseOutlines"
    writer.root_object[NameObject("/Lang")] = TextStringObject("fr")
    writer.add_metadata({"/Title": title, "/Creator": "HSE appui personnalisé"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
