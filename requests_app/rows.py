"""Rows of the long lists of requests, written in Python rather than by the template engine.

A list page shows 25 to 50 rows; laid out by a template, each row cost about 150 µs (a lookup, a filter and an
escape per cell through the template engine), three quarters of the page's time. Here each row is one
``core.markup.markup`` (``format_html`` with a cheaper escape) of a fixed piece of markup: every value is
escaped, and the markup reads as in a template. The page's template keeps everything else (headers, filters,
pagination) and inserts the rows where they go.
"""

from django.urls import reverse
from django.utils import timezone

from core.formatting import format_number, format_short_datetime
from core.markup import markup, markup_join
from requests_app.lifecycle import BADGES, shown_status

BADGE = '<span class="fr-badge fr-badge--sm fr-badge--no-icon {badge}">{label}</span>'


def badge_html(status, viewer, label=None):
    """A request's state as a DSFR badge, as ``viewer`` may see it (``lifecycle.shown_status``)."""
    shown = shown_status(status, viewer)
    return markup(BADGE, badge=BADGES.get(shown, ""), label=shown.label if label is None else label)


def url_maker(name: str):
    """``pk -> the address of the view `name` for that pk``, reversed once for a whole list: a ``reverse`` per row
    cost as much as the rest of the row."""
    marker = 999999999
    prefix, _marker, suffix = reverse(name, args=[marker]).partition(str(marker))
    return lambda pk: f"{prefix}{int(pk)}{suffix}"


STAFF_ROW = (
    '<tr><td class="fr-cell--fixed hse-name">{name}<br><span class="fr-text--xs">{uai} — {commune}</span></td>'
    "{region}<td>{badge}</td><td>{submitted}</td>"
    '<td class="hse-num">{weekly}</td><td class="hse-num">{annual}</td>'
    '<td><a class="fr-link" href="{url}">Voir<span class="hse-sr-only"> la demande de {name}</span></a></td></tr>'
)


def staff_rows(rows, viewer, with_region: bool):
    """The rows of the staff's list of requests (``RequestQuerySet.list_rows``); ``with_region``: a column with
    the establishment's region (DGER, who sees every region)."""
    detail = url_maker("requests:detail")
    zone = timezone.get_current_timezone()
    return markup_join(
        "\n",
        STAFF_ROW,
        (
            {
                "name": row["name"],
                "uai": row["uai"],
                "commune": row["commune"],
                "region": markup("<td>{region}</td>", region=row["region"]) if with_region else "",
                "badge": badge_html(row["status"], viewer),
                "submitted": format_short_datetime(row["submitted_at"], zone),
                "weekly": format_number(row["hse_total_weekly"]),
                "annual": format_number(row["requested_annual"]),
                "url": detail(row["pk"]),
            }
            for row in rows
        ),
    )
