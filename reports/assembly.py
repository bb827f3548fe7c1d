"""National documents assembled from what already exists.

Only the national part (cover, table by region, chart, transmission status) is laid out by WeasyPrint. Each
region's annex is then appended as a whole PDF:

- the region's latest transmitted report, read through the storage API and appended as it is (its pages' content
  streams unchanged), once its SHA-256 matches the one recorded at transmission;
- otherwise its working version, stamped « NON TRANSMIS » on every page. The working versions are rendered in the
  background (``reports.tasks``) and kept while their data fingerprint is the current one, so that asking for a
  national document does not lay out every region again.

A transmitted file whose SHA-256 no longer matches is never appended: the region's working version stands in for
it, stamped as such, the national table says the stored file was altered, and the error is logged.

The assembled PDF has one bookmark per region and « page N / M » at the top of every page: a small overlay laid
out once for all the pages, added to each page as a form XObject (the page's own content stream is kept byte for
byte).
"""

import io
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

from core.pdf import render_bare_pdf, sha256
from reports import services
from reports.models import WorkingCopy

logger = logging.getLogger(__name__)

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


def _working(kind, campaign, region, copy=None) -> tuple[bytes, bool]:
    data = services.build(kind, campaign, region)
    if copy is None:
        copy = WorkingCopy.objects.filter(kind=kind, campaign=campaign, region=region).first()
    content = _cached(copy, data["fingerprint"])
    if content is not None:
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
    copy.built_at = timezone.now()
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
    """One annex per region, in the order given; ``latest`` maps a region's id to its latest transmission."""
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
        content = working_pdf(kind, campaign, region, copies.get(region.pk))
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
        for region in Region.objects.order_by("name"):
            if (region.pk, kind) in transmitted:
                continue
            rendered += _working(kind, campaign, region, copies.get((region.pk, kind)))[1]
    return rendered


# --- The assembled document --------------------------------------------------------------------------------

OVERLAY_CSS = """
body { margin: 0; font-family: Marianne, sans-serif; font-size: 7.5pt; line-height: 1.2; color: #555; }
.sheet { display: table; width: 100%; }
.sheet + .sheet { break-before: page; }
.sheet > div { display: table-cell; vertical-align: top; }
.stamp { color: #ce0500; font-weight: 700; padding-right: 4mm; }
.number { text-align: right; white-space: nowrap; width: 55mm; }
"""


def _overlay(pages: list[tuple[float, float, str]], title: str) -> PdfReader:
    """One overlay page per page of the document (its size, its stamp): the page number at the top, and the
    stamp of a region that has not transmitted."""
    sizes = {}
    css = [OVERLAY_CSS]
    sheets = []
    total = len(pages)
    for number, (width, height, stamp) in enumerate(pages, start=1):
        size = sizes.setdefault((round(width, 2), round(height, 2)), f"s{len(sizes)}")
        sheets.append(
            f'<div class="sheet" style="page: {size}"><div class="stamp">{escape(stamp)}</div>'
            f'<div class="number">{escape(title)} — page {number} / {total}</div></div>'
        )
    for (width, height), name in sizes.items():
        css.append(f"@page {name} {{ size: {width}pt {height}pt; margin: 4.5mm 12mm 0 12mm; }}")
    html = f'<!DOCTYPE html><html lang="fr"><body>{"".join(sheets)}</body></html>'
    return PdfReader(io.BytesIO(render_bare_pdf(html, "\n".join(css))))


def _stream(writer, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _stamp(writer, page, overlay_page, index: int) -> None:
    """Draw the overlay page over ``page`` as a form XObject; the page's own content streams are kept as they are,
    wrapped in a saved graphics state."""
    form = DecodedStreamObject()
    form.set_data(overlay_page.get_contents().get_data())
    box = overlay_page.mediabox
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(v) for v in (box.left, box.bottom, box.right, box.top)]),
            NameObject("/Resources"): overlay_page["/Resources"].get_object().clone(writer),
        }
    )
    name = NameObject(f"/HseOverlay{index}")
    if "/Resources" not in page:
        page[NameObject("/Resources")] = DictionaryObject()
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[name] = writer._add_object(form)
    contents = page.get(NameObject("/Contents"))
    if contents is None:
        contents = []
    elif isinstance(contents.get_object(), ArrayObject):
        contents = list(contents.get_object())
    else:
        contents = [contents]
    # Placed so that the overlay's top edge is the page's top edge.
    dx = float(page.mediabox.left)
    dy = float(page.mediabox.top) - float(box.top)
    after = f"Q\nq 1 0 0 1 {dx:.2f} {dy:.2f} cm {name} Do Q\n".encode()
    page[NameObject("/Contents")] = ArrayObject([_stream(writer, b"q\n"), *contents, _stream(writer, after)])


def assemble(national: bytes, parts: list[Annex], title: str, national_bookmark: str = "Synthèse nationale") -> bytes:
    """The national part followed by each region's annex, with a bookmark per region and « page N / M » on every
    page."""
    writer = PdfWriter()
    readers = [(None, PdfReader(io.BytesIO(national)))] + [(a, PdfReader(io.BytesIO(a.content))) for a in parts]
    starts = []
    layout = []
    for annex, reader in readers:
        starts.append(len(layout))
        for page in reader.pages:
            layout.append((float(page.mediabox.width), float(page.mediabox.height), annex.stamp if annex else ""))
    overlay = _overlay(layout, title)
    index = 0
    for _annex, reader in readers:
        for source in reader.pages:
            page = writer.add_page(source)
            _stamp(writer, page, overlay.pages[index], index)
            index += 1
    writer.add_outline_item(title=national_bookmark, page_number=starts[0])
    for (annex, _reader), start in zip(readers[1:], starts[1:], strict=True):
        writer.add_outline_item(title=f"{annex.region.name} — {annex.status}", page_number=start)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": title, "/Creator": "HSE appui personnalisé"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
