"""``core.markup``: the long lists' rows give the markup Django's ``format_html`` gives, for every kind of value."""

from decimal import Decimal

import pytest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from core.markup import escaped, markup, markup_join

VALUES = [
    "Lycée <b>« L'Avenir »</b> & fils",
    "\"quoted\" 'single'",
    mark_safe("<em>déjà du balisage</em>"),
    format_html("<span>{}</span>", "<x>"),
    gettext_lazy("Établissement <lazy>"),
    12,
    Decimal("3.5"),
    None,
    "",
    "\u202f1 000",
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_a_value_is_escaped_as_format_html_escapes_it(value):
    made = markup('<td title="{value}">{value}</td>', value=value)
    assert made == format_html('<td title="{value}">{value}</td>', value=value)
    assert isinstance(made, SafeString)


def test_markup_is_kept_and_text_escaped():
    assert escaped(mark_safe("<b>")) == "<b>"
    assert escaped("<b>") == "&lt;b&gt;"
    assert escaped("'\"&") == "&#x27;&quot;&amp;"


def test_rows_are_joined_as_format_html_join_joins_them():
    rows = [{"a": value, "b": index} for index, value in enumerate(VALUES)]
    made = markup_join("\n", "<tr><td>{a}</td><td>{b}</td></tr>", rows)
    assert made == format_html_join("\n", "<tr><td>{a}</td><td>{b}</td></tr>", rows)
    assert isinstance(made, SafeString)
    assert markup_join("\n", "<tr>{a}</tr>", []) == ""
