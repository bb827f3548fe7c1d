"""The figures behind each report, gathered with a fixed number of queries and summed by the database.
Every builder returns a plain dict for the templates (page, PDF) and the tables (CSV, XLSX), and its data
fingerprint (SHA-256 of a canonical JSON) that every PDF page footer carries."""

import hashlib
import json
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.safestring import mark_safe

from accounts.models import Establishment
from allocations.boards import NationalBoard
from allocations.models import Decision, Envelope
from requests_app.models import AXES, AXIS_SHORT_LABELS, LEVEL_KEYS, LEVELS, Request, UsageReport

ZERO = Value(0, output_field=IntegerField())
ZERO_DEC = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=1))
OUTCOMES = [
    (
        "allocated",
        "Dotation attribuée",
        Q(status__in=[Request.Status.ALLOCATED, Request.Status.NOTIFIED], decision__outcome="attribution"),
    ),
    ("refused", "Refusée", Q(decision__outcome="refus")),
    ("pending", "Sans décision", Q(decision__isnull=True) & ~Q(status=Request.Status.WITHDRAWN)),
    ("withdrawn", "Retirée", Q(status=Request.Status.WITHDRAWN)),
]


def fingerprint(data) -> str:
    def default(value):
        if isinstance(value, Decimal):
            return str(value)
        return str(value)

    canonical = json.dumps(data, sort_keys=True, default=default, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _requested(queryset, weeks):
    sums = queryset.aggregate(
        weekly=Coalesce(Sum("hse_total_weekly"), ZERO_DEC),
        **{f"w_{k}": Coalesce(Sum(f"hse_{k}"), ZERO_DEC) for k in LEVEL_KEYS},
    )
    return sums


def summary_table_rows(requests, weeks):
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
                "request_status": request.get_status_display(),
                "weekly": {k: request.weekly(k) for k in LEVEL_KEYS},
                "annual": {k: (request.weekly(k) or Decimal(0)) * weeks for k in LEVEL_KEYS},
                "weekly_total": request.hse_total_weekly,
                "annual_total": request.hse_total_weekly * weeks,
                "allocated": {k: decision.hours(k) if decision else 0 for k in LEVEL_KEYS},
                "allocated_total": decision.total if decision else 0,
                "outcome": decision.get_outcome_display() if decision else "",
            }
        )
    return rows


def regional_summary(campaign, region) -> dict:
    weeks = campaign.weeks_per_year
    envelope = Envelope.objects.with_hours().filter(campaign=campaign, region=region).first()
    movements = list(envelope.movements.select_related("author").order_by("effective_date", "pk")) if envelope else []
    requests = (
        Request.objects.filter(campaign=campaign, establishment__region=region)
        .exclude(status=Request.Status.DRAFT)
        .figures_only()
        .select_related("establishment", "decision")
        .order_by("establishment__name")
    )
    counted = requests.exclude(status=Request.Status.WITHDRAWN)
    requested = _requested(counted, weeks)
    decisions = Decision.objects.filter(
        request__campaign=campaign, request__establishment__region=region, outcome=Decision.Outcome.ALLOCATED
    )
    allocated = decisions.aggregate(
        total=Coalesce(Sum("total"), ZERO), **{f"h_{k}": Coalesce(Sum(f"hours_{k}"), ZERO) for k in LEVEL_KEYS}
    )
    outcome_counts = requests.aggregate(**{key: Count("pk", filter=condition) for key, _l, condition in OUTCOMES})
    sectors = []
    for row in (
        counted.values("establishment__status", "establishment__network")
        .annotate(
            n=Count("pk"),
            weekly=Coalesce(Sum("hse_total_weekly"), ZERO_DEC),
            granted=Coalesce(Sum("decision__total", filter=Q(decision__outcome="attribution")), ZERO),
        )
        .order_by("establishment__status", "establishment__network")
    ):
        sectors.append(
            {
                "status": dict(Establishment.Status.choices)[row["establishment__status"]],
                "network": dict(Establishment.Network.choices).get(row["establishment__network"], "Réseau à préciser"),
                "requests": row["n"],
                "requested": row["weekly"] * weeks,
                "allocated": row["granted"],
            }
        )
    levels = [
        {
            "key": key,
            "label": label,
            "weekly": requested[f"w_{key}"],
            "requested": requested[f"w_{key}"] * weeks,
            "allocated": allocated[f"h_{key}"],
        }
        for key, label in LEVELS
    ]
    peak = max([1] + [max(int(level["requested"]), level["allocated"]) for level in levels])
    chart = [
        {
            **level,
            "requested_width": round(float(level["requested"]) * 300 / peak, 1),
            "allocated_width": round(level["allocated"] * 300 / peak, 1),
            "y": 10 + index * 40,
        }
        for index, level in enumerate(levels)
    ]
    rows = summary_table_rows(requests, weeks)
    envelope_hours = envelope.hours if envelope else 0
    data = {
        "campaign": campaign.label,
        "region": region.code,
        "envelope": envelope_hours,
        "movements": [(m.kind, m.hours, m.effective_date.isoformat()) for m in movements],
        "requested_weekly": requested["weekly"],
        "requested_annual": requested["weekly"] * weeks,
        "allocated": allocated["total"],
        "outcomes": outcome_counts,
        "levels": [(lv["key"], lv["weekly"], lv["allocated"]) for lv in levels],
        "rows": [(r["uai"], r["weekly_total"], r["allocated_total"], r["outcome"]) for r in rows],
    }
    return {
        "campaign": campaign,
        "region": region,
        "envelope": envelope,
        "envelope_hours": envelope_hours,
        "movements": movements,
        "requested_weekly": requested["weekly"],
        "requested_annual": requested["weekly"] * weeks,
        "allocated": allocated["total"],
        "remaining": envelope_hours - allocated["total"],
        "outcomes": [(label, outcome_counts[key]) for key, label, _c in OUTCOMES],
        "levels": levels,
        "chart": chart,
        "sectors": sectors,
        "rows": rows,
        "totals": {
            "weekly": {k: requested[f"w_{k}"] for k in LEVEL_KEYS},
            "annual": {k: requested[f"w_{k}"] * weeks for k in LEVEL_KEYS},
            "allocated": {k: allocated[f"h_{k}"] for k in LEVEL_KEYS},
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


def _usage_indicators(campaign, region=None) -> dict:
    decisions = Decision.objects.filter(
        request__campaign=campaign, outcome=Decision.Outcome.ALLOCATED, notified_at__isnull=False
    )
    reports = UsageReport.objects.filter(request__campaign=campaign, status=UsageReport.Status.SUBMITTED)
    if region is not None:
        decisions = decisions.filter(request__establishment__region=region)
        reports = reports.filter(request__establishment__region=region)
    filed = Q(request__usage_report__status=UsageReport.Status.SUBMITTED)
    allocated = decisions.aggregate(
        with_report=Coalesce(Sum("total", filter=filed), ZERO),
        hours=Coalesce(Sum("total"), ZERO),
        count=Count("pk"),
        **{f"h_{k}": Coalesce(Sum(f"hours_{k}"), ZERO) for k in LEVEL_KEYS},
    )
    allocated_with_report = allocated["with_report"]
    used = reports.aggregate(
        total=Coalesce(Sum("hours_used_total"), ZERO_DEC),
        count=Count("pk"),
        pupils=Coalesce(Sum("pupils_supported"), ZERO),
        teachers=Coalesce(Sum("teachers_involved"), ZERO),
        **{f"u_{k}": Coalesce(Sum(f"hours_used_{k}"), ZERO_DEC) for k in LEVEL_KEYS},
        **{f"a_{k}": Coalesce(Sum(f"actions_{k}_count"), ZERO) for k, _l in AXES},
        **{f"r_{k}": Count("pk", filter=Q(**{f"actions_{k}_count__gt": 0})) for k, _l in AXES},
    )
    return {
        "establishments": allocated["count"],
        "received": used["count"],
        "missing": allocated["count"] - used["count"],
        "allocated": allocated["hours"],
        "allocated_with_report": allocated_with_report,
        "used": used["total"],
        "usage_rate": (used["total"] * 100 / allocated_with_report).quantize(Decimal("0.1"))
        if allocated_with_report
        else None,
        "pupils": used["pupils"],
        "teachers": used["teachers"],
        "levels": [
            {"label": label, "allocated": allocated[f"h_{key}"], "used": used[f"u_{key}"]} for key, label in LEVELS
        ],
        "axes": [
            {"label": AXIS_SHORT_LABELS[key], "actions": used[f"a_{key}"], "reports": used[f"r_{key}"]}
            for key, _label in AXES
        ],
    }


def regional_review(campaign, region, synthesis) -> dict:
    indicators = _usage_indicators(campaign, region)
    statuses = (
        Decision.objects.filter(
            request__campaign=campaign,
            request__establishment__region=region,
            outcome=Decision.Outcome.ALLOCATED,
            notified_at__isnull=False,
        )
        .order_by("request__establishment__name")
        .values_list(
            "request__establishment__uai",
            "request__establishment__name",
            "total",
            "request__usage_report__status",
            "request__usage_report__hours_used_total",
        )
    )
    establishments = [
        {
            "uai": uai,
            "name": name,
            "allocated": total,
            "filed": status == UsageReport.Status.SUBMITTED,
            "used": used if status == UsageReport.Status.SUBMITTED else None,
        }
        for uai, name, total, status, used in statuses
    ]
    texts = {
        "what_worked": synthesis.what_worked if synthesis else "",
        "difficulties": synthesis.difficulties if synthesis else "",
        "recommendations": synthesis.recommendations if synthesis else "",
    }
    data = {
        "campaign": campaign.label,
        "region": region.code,
        "indicators": indicators,
        "texts": texts,
        "establishments": [(e["uai"], e["filed"], e["used"]) for e in establishments],
    }
    return {
        "campaign": campaign,
        "region": region,
        "indicators": indicators,
        "establishments": establishments,
        "synthesis": texts,
        "fingerprint": fingerprint(data),
    }


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


def national_review(campaign, regions, syntheses, transmissions) -> dict:
    """Indicators per region and nationally (one grouped query per figure, not one per region)."""
    decisions = Decision.objects.filter(
        request__campaign=campaign, outcome=Decision.Outcome.ALLOCATED, notified_at__isnull=False
    )
    reports = UsageReport.objects.filter(request__campaign=campaign, status=UsageReport.Status.SUBMITTED)
    by_region_alloc = {
        row["request__establishment__region_id"]: row
        for row in decisions.values("request__establishment__region_id").annotate(n=Count("pk"), total=Sum("total"))
    }
    by_region_used = {
        row["request__establishment__region_id"]: row
        for row in reports.values("request__establishment__region_id").annotate(
            n=Count("pk"),
            used=Sum("hours_used_total"),
            pupils=Coalesce(Sum("pupils_supported"), ZERO),
            teachers=Coalesce(Sum("teachers_involved"), ZERO),
        )
    }
    rows = []
    for region in regions:
        alloc = by_region_alloc.get(region.pk, {})
        used = by_region_used.get(region.pk, {})
        rows.append(
            {
                "region": region,
                "establishments": alloc.get("n", 0),
                "received": used.get("n", 0),
                "allocated": alloc.get("total") or 0,
                "used": used.get("used") or Decimal(0),
                "pupils": used.get("pupils", 0),
                "teachers": used.get("teachers", 0),
                "transmission": transmissions.get(region.pk),
                "synthesis": syntheses.get(region.pk),
            }
        )
    national = _usage_indicators(campaign)
    return {
        "campaign": campaign,
        "rows": rows,
        "national": national,
        "fingerprint": fingerprint(
            {
                "campaign": campaign.label,
                "national": national,
                "rows": [(r["region"].code, r["allocated"], r["used"], r["received"]) for r in rows],
            }
        ),
    }


def national_annexes(campaign, regions) -> list[dict]:
    """One annex per region: its key figures and establishments (one query for all the rows)."""
    weeks = campaign.weeks_per_year
    requests = (
        Request.objects.filter(campaign=campaign)
        .exclude(status=Request.Status.DRAFT)
        .figures_only()
        .select_related("establishment", "decision")
        .order_by("establishment__region__name", "establishment__name")
    )
    rows_by_region = {}
    for request in requests:
        rows_by_region.setdefault(request.establishment.region_id, []).append(request)
    return [
        {"region": region, "rows": summary_table_rows(rows_by_region.get(region.pk, []), weeks)} for region in regions
    ]
