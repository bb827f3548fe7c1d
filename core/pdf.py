"""PDF documents with WeasyPrint: one stylesheet and one font configuration for every document.

The DSFR's Marianne font (shipped by django-dsfr) is embedded, so PDFs look the same on every server and
need no system font.
"""

import atexit
import hashlib
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


def render_pdf(template: str, context: dict) -> bytes:
    HTML, stylesheet, fonts = _weasy()
    html = render_to_string(template, context)
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def render_bare_pdf(html: str, css: str) -> bytes:
    """A PDF from HTML with the house font and only the given stylesheet (no house layout, no page footer): the
    overlays stamped on assembled documents."""
    from weasyprint import CSS

    HTML, _stylesheet, fonts = _weasy()
    stylesheet = CSS(string=_faces() + "\n" + css, font_config=fonts)
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)
