"""Rows of the national board's three tables by region, written in Python (see ``requests_app.rows`` for why):
one ``core.markup.markup`` of a fixed piece of markup per region, every value escaped."""

from django.utils import timezone
from django.utils.safestring import mark_safe

from core.formatting import count, format_date
from core.markup import markup, markup_join
from requests_app.rows import url_maker

REGION = '<th scope="row" class="fr-cell--fixed">{region}</th>'
NOT_NOTIFIED = mark_safe(' <span class="fr-text--xs">(non notifiée)</span>')


def _numbers(cells):
    """Cells of figures, already formatted (``core.formatting``), each escaped."""
    return markup_join("", '<td class="hse-num">{cell}</td>', ({"cell": cell} for cell in cells))


def figure_rows(rows):
    """« Par région »: enveloppe, demandé, attribué, reste, part utilisée, établissements, demandes
    (``BoardRow.figure_cells``); a region whose envelope is not notified says so."""
    return markup_join(
        "\n",
        '<tr><th scope="row" class="fr-cell--fixed">{region}{notified}</th>{cells}</tr>',
        (
            {
                "region": row.label,
                "notified": NOT_NOTIFIED if not row.notified else "",
                "cells": _numbers(row.figure_cells()),
            }
            for row in rows
        ),
    )


def status_rows(rows):
    """« Demandes par état »: the counts by state then the total (``BoardRow.status_cells``)."""
    return markup_join(
        "\n",
        "<tr>" + REGION + "{cells}</tr>",
        ({"region": row.label, "cells": _numbers(row.status_cells())} for row in rows),
    )


WATCH = '<td><p class="fr-badge fr-badge--sm fr-badge--no-icon {badge}">{text}</p>{detail}</td>'
TRANSMITTED = (
    '<br><a class="fr-text--xs" href="{url}">transmis le {day} (version {version})'
    '<span class="hse-sr-only"> {region}</span></a>'
)
NOT_TRANSMITTED = mark_safe('<br><span class="fr-text--xs">non transmis</span>')


def deadline_rows(items):
    """« Échéances des régions »: for each watched deadline (notification, September summary, May review) its
    state as a badge; under the notification, the requests still without a notified decision; under each
    document, its newest transmission (a link to its PDF) or « non transmis ». ``items``: the view's rows (the
    board's row with the region's newest ``summary`` and ``review`` transmissions)."""
    pdf = url_maker("reports:transmission_pdf")

    def transmitted(transmission, region):
        if transmission is None:
            return NOT_TRANSMITTED
        return markup(
            TRANSMITTED,
            url=pdf(transmission.pk),
            day=format_date(timezone.localtime(transmission.transmitted_at)),
            version=transmission.version,
            region=region,
        )

    def cell(watch, detail):
        return markup(WATCH, badge=watch.badge, text=watch.text, detail=detail)

    def row(item):
        board = item["board"]
        notified, summary, review = board.work.watches
        outstanding = (
            markup(
                '<br><span class="fr-text--xs">{text}</span>',
                text=count(notified.outstanding, "demande sans décision notifiée", "demandes sans décision notifiée"),
            )
            if notified.outstanding
            else ""
        )
        return {
            "region": board.label,
            "notified": cell(notified, outstanding),
            "summary": cell(summary, transmitted(item["summary"], board.label)),
            "review": cell(review, transmitted(item["review"], board.label)),
        }

    return markup_join("\n", "<tr>" + REGION + "{notified}{summary}{review}</tr>", (row(item) for item in items))
