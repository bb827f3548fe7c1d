"""Short lines of text written over the pages of an existing PDF (page numbers, a « non transmis » mark), in the
house font, without laying anything out again and without touching the pages' own content streams.

The Marianne font is embedded once: WeasyPrint lays out a sample of every character we may write (one page, once
per process), and the glyph of each character and its advance width are read back from that PDF's font (its
``/ToUnicode`` map and ``/W`` widths). Each stamped page then gets one small content stream of its own, drawn
after its original streams, which are wrapped in a saved graphics state and kept byte for byte; text extraction
and screen readers read the stamp through the font's ``/ToUnicode`` map.
"""

import io
import re
import string
from dataclasses import dataclass
from functools import lru_cache

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

from core.pdf import render_bare_pdf

MM = 72 / 25.4
SAMPLE = string.printable.strip() + "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ«»—–’…°€ "
FONT_NAMES = {False: NameObject("/HseStampRegular"), True: NameObject("/HseStampBold")}


@dataclass(frozen=True)
class Text:
    """A line of text: ``x`` from the page's left edge (or its right edge when ``align`` is « right »), its
    baseline ``from_top`` below the page's top edge, in points."""

    text: str
    x: float
    from_top: float
    size: float = 7.5
    bold: bool = False
    rgb: tuple = (0.333, 0.333, 0.333)
    align: str = "left"


@dataclass
class _Font:
    reader: PdfReader  # kept open: the font objects are read from it
    font: object
    glyphs: dict  # character -> (glyph id, advance width in thousandths of an em)

    def encode(self, text: str) -> tuple[str, float]:
        """The text as hexadecimal glyph ids, and its width for a 1 pt font."""
        codes, width = [], 0
        for char in text:
            gid, advance = self.glyphs.get(char) or self.glyphs["?"]
            codes.append(f"{gid:04x}")
            width += advance
        return "".join(codes), width / 1000


def _widths(w_array) -> dict:
    widths, items, index = {}, list(w_array), 0
    while index < len(items):
        first = int(items[index])
        following = items[index + 1]
        if isinstance(following, list):
            for offset, value in enumerate(following):
                widths[first + offset] = float(value)
            index += 2
        else:
            for gid in range(first, int(following) + 1):
                widths[gid] = float(items[index + 2])
            index += 3
    return widths


def _read_font(reader: PdfReader, font_ref) -> _Font:
    font = font_ref.get_object()
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    glyphs = {}
    widths = _widths(font["/DescendantFonts"][0].get_object().get("/W", []))
    for gid, code in re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>", cmap.split("beginbfchar", 1)[-1]):
        gid = int(gid, 16)
        glyphs.setdefault(chr(int(code, 16)), (gid, widths.get(gid, 500.0)))
    return _Font(reader, font_ref, glyphs)


@lru_cache(maxsize=1)
def _fonts() -> dict:
    """Marianne regular and bold, with the glyph of every character of ``SAMPLE`` (laid out once per process)."""
    spaced = " ".join(SAMPLE)  # one glyph per character: no ligature, no contextual form
    html = f'<p>{escape_html(spaced)}</p><p class="b">{escape_html(spaced)}</p>'
    css = "@page { size: A3 landscape } p { font-family: Marianne; font-size: 8pt } .b { font-weight: bold }"
    reader = PdfReader(io.BytesIO(render_bare_pdf(html, css)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    found = {}
    for ref in fonts.values():
        name = str(ref.get_object()["/BaseFont"])
        found["Bold" in name] = _read_font(reader, ref)
    return found


def warm_up() -> None:
    """Lay out the glyph sample now (a worker at start), and with it load WeasyPrint and the house fonts."""
    _fonts()


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Stamper:
    """Writes lines of text over the pages of a ``PdfWriter``; the fonts are added to the writer once."""

    def __init__(self, writer):
        self.writer = writer
        self.fonts = _fonts()
        self.refs = {}

    def _font_ref(self, bold: bool):
        if bold not in self.refs:
            cloned = self.fonts[bold].font.get_object().clone(self.writer)
            self.refs[bold] = cloned.indirect_reference or self.writer._add_object(cloned)
        return self.refs[bold]

    def _stream(self, data: bytes):
        stream = DecodedStreamObject()
        stream.set_data(data)
        return self.writer._add_object(stream)

    def stamp(self, page, lines: list[Text]) -> None:
        box = page.mediabox
        left, right, top = float(box.left), float(box.right), float(box.top)
        operations = []
        for line in lines:
            font = self.fonts[line.bold]
            codes, width = font.encode(line.text)
            x = right - line.x - width * line.size if line.align == "right" else left + line.x
            r, g, b = line.rgb
            operations.append(
                f"BT {FONT_NAMES[line.bold]} {line.size:g} Tf {r:g} {g:g} {b:g} rg "
                f"{x:.2f} {top - line.from_top:.2f} Td <{codes}> Tj ET"
            )
        if "/Resources" not in page:
            page[NameObject("/Resources")] = DictionaryObject()
        resources = page["/Resources"].get_object()
        if "/Font" not in resources:
            resources[NameObject("/Font")] = DictionaryObject()
        fonts = resources["/Font"].get_object()
        for bold in {line.bold for line in lines}:
            fonts[FONT_NAMES[bold]] = self._font_ref(bold)
        contents = page.get(NameObject("/Contents"))
        if contents is None:
            contents = []
        elif isinstance(contents.get_object(), ArrayObject):
            contents = list(contents.get_object())
        else:
            contents = [contents]
        after = ("Q\nq\n" + "\n".join(operations) + "\nQ\n").encode()
        page[NameObject("/Contents")] = ArrayObject([self._stream(b"q\n"), *contents, self._stream(after)])
