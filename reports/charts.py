"""Horizontal bar charts drawn as SVG, the same drawing for the pages and the PDFs.

Labels are never cut: each one is measured with the metrics of the font that draws it (Marianne, the
DSFR's font, on the pages and in the PDFs) and a label longer than its column (« Baccalauréat général et/ou
technologique ») is wrapped at a space or a hyphen, never inside a word.
"""

from functools import lru_cache

from django.contrib.staticfiles import finders
from django.utils.html import escape
from fontTools.ttLib import TTFont

from core.formatting import format_number

LABEL_WIDTH = 190  # units of the viewBox, label column and its 8-unit margin included
LINE_WIDTH = LABEL_WIDTH - 8
FONT_SIZE = 11
LINE_HEIGHT = 13
BAR_HEIGHT = 8
BAR_STEP = 10
GAP = 10


@lru_cache(maxsize=1)
def _advances():
    """Advance width of each character of Marianne Regular, in font units, and the font's units per em."""
    font = TTFont(finders.find("dsfr/dist/fonts/Marianne-Regular.woff"))
    widths = font["hmtx"].metrics
    advances = {code: widths[glyph][0] for code, glyph in font.getBestCmap().items()}
    return advances, font["head"].unitsPerEm


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Width of ``text`` drawn in Marianne at ``size`` (an unknown character counts as an em: too wide, never
    too narrow)."""
    advances, units = _advances()
    return sum(advances.get(ord(char), units) for char in text) * size / units


def wrap_label(label: str, width: float = LINE_WIDTH) -> list[str]:
    """The label on as few lines as it takes, breaking after a space or a hyphen (never inside a word)."""
    return list(_wrapped(label, width))


@lru_cache(maxsize=1024)
def _wrapped(label: str, width: float) -> tuple[str, ...]:
    """The same labels (region names, levels) come back on every board: each one is measured once."""
    lines, current = [], ""
    for piece in _pieces(label):
        if current and text_width(current + piece.rstrip()) > width:
            lines.append(current.rstrip())
            current = ""
        current += piece
    if current.strip():
        lines.append(current.rstrip())
    return tuple(lines) or ("",)


def _pieces(label: str):
    """Words of the label, each with the space or hyphen that follows it."""
    piece = ""
    for char in label:
        piece += char
        if char in " -":
            yield piece
            piece = ""
    if piece:
        yield piece


def bar_chart_svg(
    rows,
    series,
    *,
    title: str,
    desc: str,
    ident: str,
    width: int = 640,
    font_family: str = "",
    labels_above: bool = False,
    css_class: str = "hse-chart-svg",
) -> str:
    """``rows``: ``[(label, [value per series])]``; ``series``: ``[(name, colour)]``. Every bar is drawn on
    one scale (the largest value); each bar has its figure as a tooltip (``<title>``). ``labels_above``: each
    label on its own line(s) above its bars, across the whole width (for a phone, where a label column beside
    the bars would shrink the text below legibility)."""
    peak = max([1] + [float(value) for _label, values in rows for value in values])
    if labels_above:
        wrapped = [(label, wrap_label(label, width), values) for label, values in rows]
        label_width, bar_left = 0, 0
    else:
        wrapped = [(label, wrap_label(label), values) for label, values in rows]
        # A word longer than the column (none in the regions or levels) widens the column rather than being cut.
        label_width = max([LABEL_WIDTH] + [text_width(line) + 8 for _l, lines, _v in wrapped for line in lines])
        bar_left = label_width
    bar_area = width - bar_left - 10
    font = f' font-family="{escape(font_family)}"' if font_family else ""
    body, y = [], 6
    for label, lines, values in wrapped:
        if labels_above:
            text_x, anchor, bars_y = 0, "start", y + len(lines) * LINE_HEIGHT + 3
            height = len(lines) * LINE_HEIGHT + 3 + len(series) * BAR_STEP
        else:
            text_x, anchor, bars_y = label_width - 8, "end", y
            height = max(len(series) * BAR_STEP, len(lines) * LINE_HEIGHT)
        for index, line in enumerate(lines):
            body.append(
                f'<text x="{text_x:.0f}" y="{y + 10 + index * LINE_HEIGHT}" text-anchor="{anchor}" '
                f'font-size="{FONT_SIZE}"{font} fill="#161616">{escape(line)}</text>'
            )
        for offset, ((name, colour), value) in enumerate(zip(series, values, strict=True)):
            bar = float(value) * bar_area / peak
            body.append(
                f'<rect x="{bar_left:.0f}" y="{bars_y + offset * BAR_STEP}" width="{bar:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{colour}"><title>{escape(label)} — {name} : {format_number(value)} h</title></rect>'
            )
        y += height + GAP
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {width} {y}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMinYMin meet" class="{css_class}">',
            f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>',
            *body,
            "</svg>",
        ]
    )


PHONE_WIDTH = 320  # units of the narrow drawing's viewBox: its 11-unit text is about 12 px high at 390 px


def for_screens(draw, ident: str) -> str:
    """A chart for a page: ``draw`` (a function taking ``bar_chart_svg``'s layout arguments) called twice, labels
    beside the bars for wide screens and above them for a phone (text in an SVG scales with its width: one
    drawing cannot be legible at both). ``hse.css`` displays one of the two, so a screen reader reads one; each has
    its own title and description ids."""
    return draw(ident=ident, css_class="hse-chart-svg hse-chart-svg--wide") + draw(
        width=PHONE_WIDTH, labels_above=True, ident=f"{ident}-narrow", css_class="hse-chart-svg hse-chart-svg--narrow"
    )
