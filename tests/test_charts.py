"""reports.charts: the bar chart's two layouts (labels beside the bars, or above them on a phone)."""

import re
from html import unescape

from reports.charts import FONT_SIZE, LINE_WIDTH, bar_chart_svg, text_width

ROWS = [
    ("Provence-Alpes-Côte d'Azur", (900, 450, 300)),
    ("Bourgogne-Franche-Comté", (600, 0, 0)),
    ("Île-de-France", (300, 200, 100)),
]
SERIES = (("enveloppe", "#000091"), ("demandé", "#929292"), ("attribué", "#18753c"))


def _draw(**layout):
    return bar_chart_svg(ROWS, SERIES, title="Titre", desc="Description", ident="c", **layout)


TEXT = re.compile(r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)"[^>]*>([^<]*)</text>')


def _texts(svg):
    return [(float(x), float(y), anchor, unescape(text)) for x, y, anchor, text in TEXT.findall(svg)]


def _bars(svg):
    return [
        (float(x), float(y), float(w), unescape(label))
        for x, y, w, label in re.findall(
            r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="\d+" fill="[^"]+"><title>([^<]*)</title>', svg
        )
    ]


def test_labels_above_sit_over_their_bars_across_the_whole_width():
    svg = _draw(width=320, labels_above=True)
    assert 'viewBox="0 0 320 ' in svg
    texts, bars = _texts(svg), _bars(svg)
    assert {anchor for _x, _y, anchor, _t in texts} == {"start"}
    assert {x for x, _y, _a, _t in texts} == {0}
    assert {x for x, _y, _w, _l in bars} == {0}
    # The longest bar (900 h) spans the width, less its margin; the others on the same scale.
    assert max(w for _x, _y, w, _l in bars) == 310
    assert [w for _x, _y, w, label in bars if label.startswith("Bourgogne")] == [round(310 * 600 / 900, 1), 0, 0]
    # Each region's name lines come before its three bars, and after the previous region's bars.
    previous_bottom = 0
    for label, _values in ROWS:
        lines = [y for _x, y, _a, text in texts if text and label.startswith(text.split()[0])]
        own = [y for _x, y, _w, title in bars if title.startswith(label)]
        assert len(own) == 3
        assert previous_bottom < min(lines) - FONT_SIZE
        assert max(lines) <= min(own)
        previous_bottom = max(own)
    # The text keeps the drawing's full size and never runs past the right edge.
    assert all(text_width(text) <= 320 for _x, _y, _a, text in texts)


def test_labels_beside_the_bars_keep_their_column():
    svg = _draw()
    texts, bars = _texts(svg), _bars(svg)
    assert {anchor for _x, _y, anchor, _t in texts} == {"end"}
    column = {x for x, _y, _a, _t in texts}
    assert len(column) == 1
    assert {x for x, _y, _w, _l in bars} == {column.pop() + 8}
    assert all(text_width(text) <= LINE_WIDTH for _x, _y, _a, text in texts)
    assert 'class="hse-chart-svg"' in svg
