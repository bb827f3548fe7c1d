"""PDF documents with WeasyPrint: one stylesheet and one font configuration for every document.

The DSFR's Marianne font (shipped by django-dsfr) is embedded, so PDFs look the same on every server and
need no system font.
"""

import atexit
import gc
import hashlib
from contextlib import contextmanager
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


@lru_cache(maxsize=1)
def _weasy():
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    stylesheet = CSS(string=_faces() + "\n" + render_to_string("pdf/base.css"), font_config=fonts)
    return HTML, stylesheet, fonts


def _faces() -> str:
    faces = []
    for weight, name in ((400, "Regular"), (700, "Bold")):
        path = finders.find(f"dsfr/dist/fonts/Marianne-{name}.woff")
        faces.append(f"@font-face {{ font-family: Marianne; font-weight: {weight}; src: url('file://{path}'); }}")
    return "\n".join(faces)


# Release WeasyPrint's font configuration before the interpreter tears its modules down.
atexit.register(_weasy.cache_clear)


@contextmanager
def _without_cycle_collector():
    """WeasyPrint allocates a box, a style and a text layout per cell, and Python's cycle collector walks them again
    and again while a document is laid out (about 370 passes for a regional September summary): 10 to 25 % of
    the time, for no memory, since every box lives until the PDF is written (same peak measured with and without).
    It runs again as soon as the document is written. Only the thread that turned it off turns it back on."""
    turned_off = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if turned_off:
            gc.enable()


def _write(html: str, stylesheet, fonts) -> bytes:
    HTML = _weasy()[0]
    with _without_cycle_collector():
        return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def render_pdf(template: str, context: dict) -> bytes:
    _HTML, stylesheet, fonts = _weasy()
    return _write(render_to_string(template, context), stylesheet, fonts)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def render_bare_pdf(html: str, css: str) -> bytes:
    """A PDF from HTML with the house font and only the given stylesheet (no house layout, no page footer): the
    overlays stamped on assembled documents."""
    from weasyprint import CSS

    fonts = _weasy()[2]
    return _write(html, CSS(string=_faces() + "\n" + css, font_config=fonts), fonts)
