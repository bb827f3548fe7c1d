"""Rows of the regional board's table, written in Python (see ``requests_app.rows`` for why): one
``core.markup.markup`` of a fixed piece of markup per request, every value escaped."""

from core.formatting import format_number
from core.markup import markup, markup_join
from requests_app.rows import badge_html, url_maker

SELECT = (
    '<div class="fr-checkbox-group fr-checkbox-group--sm hse-select">'
    '<input type="checkbox" name="demandes" value="{pk}" id="sel-{pk}">'
    '<label class="fr-label" for="sel-{pk}"><span class="hse-sr-only">Sélectionner {name}</span></label></div>'
)
BOARD_ROW = (
    '<tr><td class="fr-cell--fixed hse-name">{select}<a href="{url}">{name}</a><br>'
    '<span class="fr-text--xs">{uai} — {commune}</span></td>'
    '<td>{network}</td><td>{badge}</td><td class="hse-num">{weekly}</td><td class="hse-num">{annual}</td>'
    '<td class="hse-num">{decided}</td><td>{outcome}</td></tr>'
)


def board_rows(rows, viewer):
    """The rows of the board (``RequestQuerySet.list_rows`` with ``network``, ``decided``, ``outcome`` and
    ``notified_at``, their labels and ``selectable`` set by the view): a tick box for the bulk « mettre en
    instruction » on a deposited request, a link to its decision page."""
    decision = url_maker("allocations:decision")
    return markup_join(
        "\n",
        BOARD_ROW,
        (
            {
                "select": markup(SELECT, pk=row["pk"], name=row["name"]) if row["selectable"] else "",
                "url": decision(row["pk"]),
                "name": row["name"],
                "uai": row["uai"],
                "commune": row["commune"],
                "network": row["network"],
                "badge": badge_html(row["status"], viewer),
                "weekly": format_number(row["hse_total_weekly"]),
                "annual": format_number(row["requested_annual"]),
                "decided": format_number(row["decided"]) if row["outcome"] else "—",
                "outcome": (f"{row['outcome']}, notifiée" if row["notified_at"] else row["outcome"])
                if row["outcome"]
                else "—",
            }
            for row in rows
        ),
    )
