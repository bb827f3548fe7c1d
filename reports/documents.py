"""The figures behind each report, gathered with a fixed number of queries and summed by the database (those
of the May review in ``reports.may_review``). Every builder returns a plain dict for the templates (page, PDF)
and the tables (CSV, XLSX), and its data fingerprint (SHA-256 of a canonical JSON) that every PDF page footer
carries."""

import hashlib
import json
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.safestring import mark_safe

from accounts.models import Establishment
from allocations.models import Envelope
from core.aggregates import total, total_decimal
from reports.board import NationalBoard
from reports.charts import bar_chart_svg
from requests_app.models import LEVEL_KEYS, LEVELS, Decision, Request

ALLOCATED = Q(decision__outcome=Decision.Outcome.ALLOCATED)
OUTCOMES = [
    ("allocated", "Dotation attribuée", ALLOCATED),
    ("refused", "Refusée", Q(decision__outcome=Decision.Outcome.REFUSED)),
    ("pending", "Sans décision", Q(decision__isnull=True) & ~Q(status=Request.Status.WITHDRAWN)),
    ("withdrawn", "Retirée", Q(status=Request.Status.WITHDRAWN)),
]


def levels_chart(
    levels,
    width: int = 640,
    *,
    ident: str = "chart-levels",
    labels_above: bool = False,
    css_class: str = "hse-chart-svg",
) -> str:
    """The September summary's chart, requested and allocated hours per level (``levels`` as ``build`` gives them);
    the same drawing for the PDF and the page (the layout arguments: see ``bar_chart_svg``)."""
    return bar_chart_svg(
        [(level["label"], (level["requested"], level["allocated"])) for level in levels],
        (("demandé", "#929292"), ("attribué", "#18753c")),
        title="Demandé et attribué par niveau, en heures par an",
        desc="Deux barres par niveau : demandé (gris) et attribué (vert). Les mêmes chiffres figurent dans le "
        "tableau par niveau.",
        ident=ident,
        width=width,
        font_family="Marianne",
        labels_above=labels_above,
        css_class=css_class,
    )


def fingerprint(data) -> str:
    def default(value):
        if isinstance(value, Decimal):
            return str(value)
        return str(value)

    canonical = json.dumps(data, sort_keys=True, default=default, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _requested(queryset):
    sums = queryset.aggregate(
        weekly=total_decimal("hse_total_weekly"),
        **{f"w_{k}": total_decimal(f"hse_{k}") for k in LEVEL_KEYS},
    )
    return sums


def summary_table_rows(requests, campaign):
    rows = []
    for request in requests:
        decision = request.current_decision
        establishment = request.establishment
        rows.append(
            {
                "uai": establishment.uai,
                "name": establishment.name,
                "commune": establishment.commune,
                "status": establishment.get_status_display(),
                "network": establishment.get_network_display(),
                "network_known": bool(establishment.network),
                "request_status": request.get_status_display(),
                "weekly": {k: request.weekly(k) for k in LEVEL_KEYS},
                "annual": {k: campaign.annual_hours(request.weekly(k) or Decimal(0)) for k in LEVEL_KEYS},
                "weekly_total": request.hse_total_weekly,
                "annual_total": campaign.annual_hours(request.hse_total_weekly),
                "allocated": {k: decision.hours(k) if decision else 0 for k in LEVEL_KEYS},
                "allocated_total": decision.total if decision else 0,
                "outcome": decision.get_outcome_display() if decision else "",
            }
        )
        row = rows[-1]
        row["levels"] = [(row["weekly"][k], row["annual"][k], row["allocated"][k]) for k in LEVEL_KEYS]
    return rows


def regional_summary(campaign, region) -> dict:
    annual = campaign.annual_hours
    envelope = Envelope.objects.with_hours().filter(campaign=campaign, region=region).first()
    movements = list(envelope.movements.select_related("author").order_by("effective_date", "pk")) if envelope else []
    requests = (
        Request.objects.filter(campaign=campaign, establishment__region=region)
        .deposited()
        .figures_only()
        .select_related("establishment", "decision")
        .order_by("establishment__sort_name")
    )
    counted = requests.counted()
    requested = _requested(counted)
    decisions = Decision.objects.allocations().in_region(campaign.pk, region.pk)
    allocated = decisions.aggregate(total=total("total"), **{f"h_{k}": total(f"hours_{k}") for k in LEVEL_KEYS})
    outcome_counts = requests.aggregate(**{key: Count("pk", filter=condition) for key, _l, condition in OUTCOMES})
    sectors = []
    for row in (
        counted.values("establishment__status", "establishment__network")
        .annotate(
            n=Count("pk"),
            weekly=total_decimal("hse_total_weekly"),
            granted=Request.objects.granted(),
        )
        .order_by("establishment__status", "establishment__network")
    ):
        sectors.append(
            {
                "status": dict(Establishment.Status.choices)[row["establishment__status"]],
                "network": dict(Establishment.Network.choices).get(row["establishment__network"], "Réseau à préciser"),
                "requests": row["n"],
                "requested": annual(row["weekly"]),
                "allocated": row["granted"],
            }
        )
    levels = [
        {
            "key": key,
            "label": label,
            "weekly": requested[f"w_{key}"],
            "requested": annual(requested[f"w_{key}"]),
            "allocated": allocated[f"h_{key}"],
        }
        for key, label in LEVELS
    ]
    chart = levels_chart(levels)
    # The table lists the requests that count, so that its total is the sum of its rows; the requests withdrawn
    # by their establishment are named below it.
    rows = summary_table_rows(counted, campaign)
    withdrawn = [
        {"name": r.establishment.name, "uai": r.establishment.uai}
        for r in requests.filter(status=Request.Status.WITHDRAWN)
    ]
    envelope_hours = envelope.hours if envelope else 0
    data = {
        "campaign": campaign.label,
        "region": region.code,
        "envelope": envelope_hours,
        "movements": [(m.kind, m.hours, m.effective_date.isoformat()) for m in movements],
        "requested_weekly": requested["weekly"],
        "requested_annual": annual(requested["weekly"]),
        "allocated": allocated["total"],
        "outcomes": outcome_counts,
        "levels": [(lv["key"], lv["weekly"], lv["allocated"]) for lv in levels],
        "rows": [(r["uai"], r["weekly_total"], r["allocated_total"], r["outcome"]) for r in rows],
        "withdrawn": [w["uai"] for w in withdrawn],
    }
    return {
        "campaign": campaign,
        "region": region,
        "envelope": envelope,
        "envelope_hours": envelope_hours,
        "movements": movements,
        "requested_weekly": requested["weekly"],
        "requested_annual": annual(requested["weekly"]),
        "allocated": allocated["total"],
        "remaining": envelope_hours - allocated["total"],
        "outcomes": [(label, outcome_counts[key]) for key, label, _c in OUTCOMES],
        "levels": levels,
        "chart_svg": mark_safe(chart),  # noqa: S308 (escaped when drawn)
        "sectors": sectors,
        "rows": rows,
        "withdrawn": withdrawn,
        "totals": {
            "weekly": {k: requested[f"w_{k}"] for k in LEVEL_KEYS},
            "annual": {k: annual(requested[f"w_{k}"]) for k in LEVEL_KEYS},
            "allocated": {k: allocated[f"h_{k}"] for k in LEVEL_KEYS},
            "levels": [(requested[f"w_{k}"], annual(requested[f"w_{k}"]), allocated[f"h_{k}"]) for k in LEVEL_KEYS],
        },
        "fingerprint": fingerprint(data),
    }


def summary_table(summary: dict):
    """The establishments table of the September summary, for CSV and XLSX."""
    headers = [
        "UAI",
        "Établissement",
        "Commune",
        "Statut",
        "Réseau",
        "État de la demande",
        *[f"Demandé {label} (HSE/semaine)" for _k, label in LEVELS],
        *[f"Demandé {label} (h/an)" for _k, label in LEVELS],
        "Demandé total (h/an)",
        *[f"Attribué {label} (h/an)" for _k, label in LEVELS],
        "Attribué total (h/an)",
    ]
    rows = [
        [
            r["uai"],
            r["name"],
            r["commune"],
            r["status"],
            r["network"],
            r["request_status"],
            *[r["weekly"][k] for k in LEVEL_KEYS],
            *[r["annual"][k] for k in LEVEL_KEYS],
            r["annual_total"],
            *[r["allocated"][k] for k in LEVEL_KEYS],
            r["allocated_total"],
        ]
        for r in summary["rows"]
    ]
    totals = summary["totals"]
    rows.append(
        [
            "",
            "Total",
            "",
            "",
            "",
            "",
            *[totals["weekly"][k] for k in LEVEL_KEYS],
            *[totals["annual"][k] for k in LEVEL_KEYS],
            summary["requested_annual"],
            *[totals["allocated"][k] for k in LEVEL_KEYS],
            summary["allocated"],
        ]
    )
    return headers, rows


def national_summary(campaign, transmissions) -> dict:
    board = NationalBoard(campaign)
    return {
        "campaign": campaign,
        "board": board,
        "chart": mark_safe(board.chart_svg(width=700, font_family="Marianne")),  # noqa: S308 (escaped when drawn)
        "transmissions": transmissions,
        "fingerprint": fingerprint(
            {
                "campaign": campaign.label,
                "rows": [(r.key, r.envelope, r.requested_annual, r.allocated) for r in board.rows],
            }
        ),
    }
