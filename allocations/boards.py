"""Figures of the boards, summed in the database with a fixed number of grouped queries whatever the
number of regions, establishments and requests."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Establishment, Region
from allocations.models import Decision, EnvelopeMovement
from requests_app.models import LEVEL_KEYS, LEVELS, Request

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


def _requested_sums(queryset):
    return dict(
        weekly=Coalesce(Sum("hse_total_weekly"), ZERO_DEC),
        **{f"weekly_{k}": Coalesce(Sum(f"hse_{k}"), ZERO_DEC) for k in LEVEL_KEYS},
        n=Count("pk"),
    )


def _allocated_sums():
    return dict(total=Coalesce(Sum("total"), ZERO), **{f"h_{k}": Coalesce(Sum(f"hours_{k}"), ZERO) for k in LEVEL_KEYS})


class NationalBoard:
    """One row per region, totals, and the splits by level and by public/private status."""

    def __init__(self, campaign):
        self.campaign = campaign
        self.weeks = campaign.weeks_per_year
        requests = Request.objects.filter(campaign=campaign)
        decisions = Decision.objects.filter(request__campaign=campaign, outcome=Decision.Outcome.ALLOCATED)

        regions = list(Region.objects.order_by("name"))
        envelopes = {
            row["envelope__region_id"]: row
            for row in EnvelopeMovement.objects.filter(envelope__campaign=campaign)
            .values("envelope__region_id")
            .annotate(hours=Sum("hours"), notified=Count("envelope__notified_at", distinct=True))
        }
        establishments = dict(
            Establishment.objects.values("region_id").annotate(n=Count("pk")).values_list("region_id", "n")
        )
        by_status = {}
        for row in (
            requests.exclude(status=Request.Status.DRAFT)
            .values("establishment__region_id", "status")
            .annotate(n=Count("pk"))
        ):
            by_status.setdefault(row["establishment__region_id"], {})[row["status"]] = row["n"]
        requested = {
            row["establishment__region_id"]: row
            for row in requests.filter(COUNTED).values("establishment__region_id").annotate(**_requested_sums(requests))
        }
        allocated = {
            row["request__establishment__region_id"]: row
            for row in decisions.values("request__establishment__region_id").annotate(**_allocated_sums())
        }
        self.rows = []
        for region in regions:
            weekly = requested.get(region.pk, {}).get("weekly", Decimal(0))
            self.rows.append(
                BoardRow(
                    key=region.code,
                    label=region.name,
                    envelope=envelopes.get(region.pk, {}).get("hours", 0) or 0,
                    notified=bool(envelopes.get(region.pk, {}).get("notified")),
                    establishments=establishments.get(region.pk, 0),
                    by_status=by_status.get(region.pk, {}),
                    requested_weekly=weekly,
                    requested_annual=weekly * self.weeks,
                    allocated=allocated.get(region.pk, {}).get("total", 0),
                )
            )

        # Totals: summed by the database too, not by adding the rows up.
        total_requested = requests.filter(COUNTED).aggregate(**_requested_sums(requests))
        total_allocated = decisions.aggregate(**_allocated_sums())
        total_status = dict(
            requests.exclude(status=Request.Status.DRAFT)
            .values("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        self.total = BoardRow(
            key="total",
            label="France entière",
            envelope=EnvelopeMovement.objects.filter(envelope__campaign=campaign).aggregate(
                t=Coalesce(Sum("hours"), ZERO)
            )["t"],
            establishments=Establishment.objects.count(),
            by_status=total_status,
            requested_weekly=total_requested["weekly"],
            requested_annual=total_requested["weekly"] * self.weeks,
            allocated=total_allocated["total"],
        )
        self.levels = [
            {
                "key": key,
                "label": label,
                "requested_weekly": total_requested[f"weekly_{key}"],
                "requested_annual": total_requested[f"weekly_{key}"] * self.weeks,
                "allocated": total_allocated[f"h_{key}"],
            }
            for key, label in LEVELS
        ]
        by_sector_requested = {
            row["establishment__status"]: row
            for row in requests.filter(COUNTED).values("establishment__status").annotate(**_requested_sums(requests))
        }
        by_sector_allocated = {
            row["request__establishment__status"]: row
            for row in decisions.values("request__establishment__status").annotate(**_allocated_sums())
        }
        sector_establishments = dict(
            Establishment.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        self.sectors = [
            {
                "key": status,
                "label": label,
                "establishments": sector_establishments.get(status, 0),
                "requests": by_sector_requested.get(status, {}).get("n", 0),
                "requested_annual": by_sector_requested.get(status, {}).get("weekly", Decimal(0)) * self.weeks,
                "allocated": by_sector_allocated.get(status, {}).get("total", 0),
            }
            for status, label in Establishment.Status.choices
        ]
        self.status_columns = STATUS_COLUMNS

    @property
    def notified(self) -> bool:
        return all(row.notified for row in self.rows)

    def chart(self, width: int = 640):
        """Bars for the SVG chart: envelope, requested and allocated hours per region, on one scale."""
        peak = max([1] + [max(r.envelope, int(r.requested_annual), r.allocated) for r in self.rows])
        label_width, bar_area = 190, width - 190 - 70
        rows = []
        for index, row in enumerate(self.rows):
            y = 10 + index * 34
            bars = []
            for offset, (kind, value) in enumerate(
                (("envelope", row.envelope), ("requested", row.requested_annual), ("allocated", row.allocated))
            ):
                bars.append(
                    {
                        "kind": kind,
                        "y": y + offset * 9,
                        "width": round(float(value) * bar_area / peak, 1),
                        "value": value,
                    }
                )
            rows.append({"label": row.label, "y": y, "text_y": y + 17, "bars": bars})
        return {
            "width": width,
            "height": 20 + len(self.rows) * 34,
            "label_width": label_width,
            "rows": rows,
        }
