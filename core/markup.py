"""Markup written in Python for the long lists (``requests_app.rows``, ``allocations.rows``, ``reports.rows``):
Django's ``format_html`` with a cheaper escape.

``django.utils.html.escape`` is the standard library's ``html.escape`` wrapped to accept lazy strings, which
costs five times the escape itself; a board of 25 rows escapes 400 values. Here a value that is already markup
(``__html__``: a ``SafeString``, a ``format_html`` result) is kept as it is, any other is turned into text and
escaped by ``html.escape`` (the same five characters, the same entities as Django's). The result is marked safe.
"""

from html import escape

from django.utils.safestring import SafeString


def escaped(value) -> str:
    """``value`` as markup: kept when it is markup already, else its text escaped (lazy strings included)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def markup(template: str, /, **values) -> SafeString:
    """``format_html(template, **values)``: every value escaped unless it is markup."""
    return SafeString(template.format_map({name: escaped(value) for name, value in values.items()}))


def markup_join(separator: str, template: str, rows) -> SafeString:
    """``format_html_join(separator, template, rows)`` for rows given as dicts of named values."""
    return SafeString(separator.join(markup(template, **row) for row in rows))
