"""What a PDF page must respect, read back from the PDF itself (pdfplumber): every character inside the
page, no character drawn over another, no text under 7 pt.

Characters rather than words: where two lines of text are drawn over each other, a word extractor merges
their letters into one garbled word and the overlap goes unseen."""

import io
from dataclasses import dataclass

import pdfplumber

MIN_SIZE = 6.95  # points; 7 pt text, give or take the rounding of the font matrix


@dataclass
class Page:
    number: int
    width: float
    height: float
    text: str
    problems: list

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def _overlap(a, b) -> bool:
    """Two glyph boxes cover each other: more than kerning (« 7, » touch), less than nothing."""
    dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    wa, wb = a["x1"] - a["x0"], b["x1"] - b["x0"]
    ha, hb = a["bottom"] - a["top"], b["bottom"] - b["top"]
    return dx > max(0.5 * min(wa, wb), 0.3 * max(wa, wb)) and dy > 0.4 * min(ha, hb)


def check_page(page, number: int) -> Page:
    chars = [c for c in page.chars if c["text"].strip()]
    width, height = float(page.width), float(page.height)
    problems = []
    small = sorted({round(c["size"], 1) for c in chars if c["size"] < MIN_SIZE})
    if small:
        problems.append(f"text under 7 pt ({small} pt)")
    outside = [c["text"] for c in chars if c["x0"] < 0 or c["top"] < 0 or c["x1"] > width or c["bottom"] > height]
    if outside:
        problems.append(f"{len(outside)} characters past the page edge: {''.join(outside[:40])!r}")
    overlaps = []
    ordered = sorted(chars, key=lambda c: c["x0"])
    for index, a in enumerate(ordered):  # sweep along x: only neighbours can overlap
        for b in ordered[index + 1 :]:
            if b["x0"] >= a["x1"]:
                break
            if _overlap(a, b):
                overlaps.append(f"{a['text']}/{b['text']} at ({a['x0']:.0f}, {a['top']:.0f})")
    if overlaps:
        problems.append(f"{len(overlaps)} characters drawn over others: {overlaps[:6]}")
    return Page(number, width, height, page.extract_text() or "", problems)


def check_pdf(content: bytes) -> list[Page]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [check_page(page, number) for number, page in enumerate(pdf.pages, start=1)]


def problems_of(name: str, pages: list[Page]) -> list[str]:
    return [f"{name}, page {page.number}: {problem}" for page in pages for problem in page.problems]
