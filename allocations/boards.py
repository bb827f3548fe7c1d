"""Figures of the boards, summed in the database with a fixed number of grouped queries whatever the
number of regions, establishments and requests."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.html import escape

from accounts.models import Establishment, Region
from allocations.models import Decision, EnvelopeMovement
from requests_app.models import LEVEL_KEYS, LEVELS, Request
from requests_app.templatetags.hse import format_number

ZERO_DEC = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=1))
ZERO = Value(0, output_field=IntegerField())
# Requests the region has to deal with: every submitted one, withdrawn ones aside.
COUNTED = ~Q(status__in=[Request.Status.DRAFT, Request.Status.WITHDRAWN])
STATUS_COLUMNS = [s for s in Request.Status if s != Request.Status.DRAFT]


@dataclass
class BoardRow:
    key: str
    label: str
    envelope: int = 0
    establishments: int = 0
    by_status: dict = field(default_factory=dict)
    requested_weekly: Decimal = Decimal(0)
    requested_annual: Decimal = Decimal(0)
    allocated: int = 0
    notified: bool = False

    @property
    def remaining(self) -> int:
        return self.envelope - self.allocated

    @property
    def share_used(self) -> Decimal | None:
        if not self.envelope:
            return None
        return (Decimal(self.allocated) * 100 / Decimal(self.envelope)).quantize(Decimal("0.1"))

    @property
    def requests(self) -> int:
        return sum(self.by_status.values())

    def statuses(self):
        return [(status, self.by_status.get(status.value, 0)) for status in STATUS_COLUMNS]


def _requested_sums(_queryset=None):
    return dict(
        weekly=Coalesce(Sum("hse_total_weekly"), ZERO_DEC),
        **{f"weekly_{k}": Coalesce(Sum(f"hse_{k}"), ZERO_DEC) for k in LEVEL_KEYS},
        n=Count("pk"),
    )


def _allocated_sums():
    return dict(total=Coalesce(Sum("total"), ZERO), **{f"h_{k}": Coalesce(Sum(f"hours_{k}"), ZERO) for k in LEVEL_KEYS})


class NationalBoard:
    """One row per region, totals, and the splits by level and by public/private status.

    Five grouped queries whatever the size: establishments by (region, status), envelope movements by region,
    requests by (region, status, establishment status) and decisions by (region, establishment status), each
    with its counts and sums computed by the database. The rows, totals and splits are then put together
    from those few dozen subtotals (never from the individual requests).
    """

    def __init__(self, campaign):
        self.campaign = campaign
        self.weeks = campaign.weeks_per_year
        regions = list(Region.objects.order_by("name"))

        establishments = list(Establishment.objects.values("region_id", "status").annotate(n=Count("pk")).order_by())
        envelopes = {
            row["envelope__region_id"]: row
            for row in EnvelopeMovement.objects.filter(envelope__campaign=campaign)
            .values("envelope__region_id")
            .annotate(hours=Sum("hours"), notified=Count("envelope__notified_at", distinct=True))
            .order_by()
        }
        requests = list(
            Request.objects.filter(campaign=campaign)
            .exclude(status=Request.Status.DRAFT)
            .values("establishment__region_id", "status", "establishment__status")
            .annotate(**_requested_sums(None))
            .order_by()
        )
        decisions = list(
            Decision.objects.filter(request__campaign=campaign, outcome=Decision.Outcome.ALLOCATED)
            .values("request__establishment__region_id", "request__establishment__status")
            .annotate(**_allocated_sums())
            .order_by()
        )
        # One pass over the subtotals, keyed by region, by establishment status and overall.
        keys = ("n", "weekly", *(f"weekly_{k}" for k in LEVEL_KEYS))
        requested = {}  # (region id | status | "all") -> sums of the counted requests
        by_status = {}  # region id | "all" -> {request status: count}
        for group in requests:
            region, sector, status = group["establishment__region_id"], group["establishment__status"], group["status"]
            for scope in (region, "all"):
                counts = by_status.setdefault(scope, {})
                counts[status] = counts.get(status, 0) + group["n"]
            if status == Request.Status.WITHDRAWN:
                continue
            for scope in (region, sector, "all"):
                sums = requested.setdefault(scope, dict.fromkeys(keys, 0))
                for key in keys:
                    sums[key] += group[key]
        granted = {}
        hour_keys = ("total", *(f"h_{k}" for k in LEVEL_KEYS))
        for group in decisions:
            for scope in (group["request__establishment__region_id"], group["request__establishment__status"], "all"):
                sums = granted.setdefault(scope, dict.fromkeys(hour_keys, 0))
                for key in hour_keys:
                    sums[key] += group[key]
        schools = {}
        for group in establishments:
            for scope in (group["region_id"], group["status"], "all"):
                schools[scope] = schools.get(scope, 0) + group["n"]

        def weekly(scope, key="weekly"):
            return Decimal(requested.get(scope, {}).get(key, 0))

        self.rows = []
        for region in regions:
            envelope = envelopes.get(region.pk, {})
            self.rows.append(
                BoardRow(
                    key=region.code,
                    label=region.name,
                    envelope=envelope.get("hours") or 0,
                    notified=bool(envelope.get("notified")),
                    establishments=schools.get(region.pk, 0),
                    by_status=by_status.get(region.pk, {}),
                    requested_weekly=weekly(region.pk),
                    requested_annual=weekly(region.pk) * self.weeks,
                    allocated=granted.get(region.pk, {}).get("total", 0),
                )
            )
        self.total = BoardRow(
            key="total",
            label="France entière",
            envelope=sum((e["hours"] or 0 for e in envelopes.values()), 0),
            establishments=schools.get("all", 0),
            by_status=by_status.get("all", {}),
            requested_weekly=weekly("all"),
            requested_annual=weekly("all") * self.weeks,
            allocated=granted.get("all", {}).get("total", 0),
        )
        self.levels = [
            {
                "key": key,
                "label": label,
                "requested_weekly": weekly("all", f"weekly_{key}"),
                "requested_annual": weekly("all", f"weekly_{key}") * self.weeks,
                "allocated": granted.get("all", {}).get(f"h_{key}", 0),
            }
            for key, label in LEVELS
        ]
        self.sectors = [
            {
                "key": status,
                "label": label,
                "establishments": schools.get(status, 0),
                "requests": requested.get(status, {}).get("n", 0),
                "requested_annual": weekly(status) * self.weeks,
                "allocated": granted.get(status, {}).get("total", 0),
            }
            for status, label in Establishment.Status.choices
        ]
        self.status_columns = STATUS_COLUMNS

    @property
    def notified(self) -> bool:
        return all(row.notified for row in self.rows)

    def chart_svg(self, width: int = 640, font_family: str = "") -> str:
        """The SVG bar chart (envelope, requested, allocated per region), drawn on one scale; the same
        drawing for the page and the PDF."""
        peak = max([1] + [max(r.envelope, int(r.requested_annual), r.allocated) for r in self.rows])
        label_width = 190
        bar_area = width - label_width - 70
        height = 20 + len(self.rows) * 34
        font = f' font-family="{escape(font_family)}"' if font_family else ""
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {width} {height}" role="img" '
            'aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMinYMin meet" class="hse-chart-svg">',
            '<title id="chart-title">Enveloppe, heures demandées et heures attribuées par région</title>',
            '<desc id="chart-desc">Trois barres par région : enveloppe (bleu), demandé (gris), attribué (vert), '
            "en heures par an. Les mêmes chiffres figurent dans le tableau par région.</desc>",
        ]
        colours = (("enveloppe", "#000091"), ("demandé", "#929292"), ("attribué", "#18753c"))
        for index, row in enumerate(self.rows):
            y = 10 + index * 34
            parts.append(
                f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="11"{font} fill="#161616">'
                f"{escape(row.label)}</text>"
            )
            for offset, ((name, colour), value) in enumerate(
                zip(colours, (row.envelope, row.requested_annual, row.allocated), strict=True)
            ):
                bar = float(value) * bar_area / peak
                parts.append(
                    f'<rect x="{label_width}" y="{y + offset * 9}" width="{bar:.1f}" height="8" fill="{colour}">'
                    f"<title>{escape(row.label)} — {name} : {format_number(value)} h</title></rect>"
                )
        parts.append("</svg>")
        return "".join(parts)
