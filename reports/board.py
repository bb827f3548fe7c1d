"""Figures of the boards, summed in the database with a fixed number of grouped queries whatever the
number of regions, establishments and requests."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import Establishment, Region
from allocations.models import EnvelopeMovement
from campaigns.calendar import WATCHED, State
from core.aggregates import total_decimal
from core.formatting import format_number
from reports.charts import bar_chart_svg, for_screens
from reports.lateness import RegionWork, regions_work
from reports.models import Transmission
from requests_app import lifecycle
from requests_app.models import LEVEL_KEYS, LEVELS, Request, fold_work


@dataclass(frozen=True)
class StatusColumn:
    """A column of the « par état » table. A notified request is counted by its outcome: once notified, an
    allocation and a refusal share one state, and a board counting them together would show no refusal."""

    key: str
    label: str


def _notified_key(outcome) -> str:
    return f"{Request.Status.NOTIFIED.value}:{outcome}"


STATUS_COLUMNS = [
    *(
        StatusColumn(s.value, s.label)
        for s in Request.Status
        if s not in (Request.Status.DRAFT, Request.Status.NOTIFIED)
    ),
    *(
        StatusColumn(_notified_key(outcome.value), f"{Request.Status.NOTIFIED.label} : {outcome.label.lower()}")
        for outcome in lifecycle.Outcome
    ),
]


@dataclass
class BoardRow:
    key: str
    label: str
    region_id: int | None = None
    envelope: int = 0
    establishments: int = 0
    by_status: dict = field(default_factory=dict)
    requested_weekly: Decimal = Decimal(0)
    requested_annual: Decimal = Decimal(0)
    allocated: int = 0
    notified: bool = False
    work: RegionWork | None = None  # what is due and late (regions only)

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
        return [(column, self.by_status.get(column.key, 0)) for column in STATUS_COLUMNS]

    def figure_cells(self) -> list[str]:
        """The cells of the board's row, formatted once (envelope, asked, granted, left, share used, establishments,
        requests): the page's longest table without a template filter per cell."""
        share = "—" if self.share_used is None else f"{format_number(self.share_used, 1)} %"
        figures = (self.envelope, self.requested_annual, self.allocated, self.remaining)
        return [*map(format_number, figures), share, format_number(self.establishments), format_number(self.requests)]

    def status_cells(self) -> list[str]:
        """The counts by state then the total, formatted."""
        return [format_number(n) for _status, n in self.statuses()] + [format_number(self.requests)]


def _requested_sums():
    return dict(
        weekly=total_decimal("hse_total_weekly"),
        **{f"weekly_{k}": total_decimal(f"hse_{k}") for k in LEVEL_KEYS},
        n=Count("pk"),
    )


def _allocated_sums():
    """Hours granted by the requests' decisions (refusals grant none)."""
    return dict(
        total=Request.objects.granted(),
        **{f"h_{k}": Request.objects.granted(f"hours_{k}") for k in LEVEL_KEYS},
    )


class NationalBoard:
    """One row per region, totals, and the splits by level and by public/private status.

    Five queries whatever the size: the regions, establishments by (region, status), envelope movements by
    region, requests by (region, status, establishment status) with the hours their decisions grant (a decision
    exists only on a deposited request) and the sums of the regions' work towards the watched deadlines
    (``Request.objects.work_sums``), each with its counts and sums computed by the database; then the
    transmissions (newest shown, first for the deadlines). The rows, totals and splits are then put together
    from those few dozen subtotals (never from the individual requests). Folding the establishments or the
    envelopes into the regions' query was measured slower (a GROUP BY over the regions, or a subquery per row).
    """

    def __init__(self, campaign, today=None):
        self.campaign = campaign
        self.today = today or timezone.localdate()
        annual = campaign.annual_hours
        regions = list(Region.objects.order_by("sort_name"))
        establishments = list(Establishment.objects.values("region_id", "status").annotate(n=Count("pk")).order_by())
        envelopes = {
            row["envelope__region_id"]: row
            for row in EnvelopeMovement.objects.filter(envelope__campaign=campaign)
            .values("envelope__region_id")
            .annotate(hours=Sum("hours"), notified=Count("envelope__notified_at", distinct=True))
            .order_by()
        }
        # The regions' work towards the deadlines (``fold_work``) comes out of the same scan of the requests.
        requests = list(
            Request.objects.filter(campaign=campaign)
            .deposited()
            .values("campaign_id", "establishment__region_id", "status", "establishment__status", "decision__outcome")
            .annotate(**_requested_sums(), **_allocated_sums(), **Request.objects.work_sums())
            .order_by()
        )
        # One pass over the subtotals, keyed by region, by establishment status and overall.
        keys = ("n", "weekly", *(f"weekly_{k}" for k in LEVEL_KEYS))
        requested = {}  # (region id | status | "all") -> sums of the counted requests
        by_status = {}  # region id | "all" -> {request status: count}
        for group in requests:
            region, sector, status = group["establishment__region_id"], group["establishment__status"], group["status"]
            column = _notified_key(group["decision__outcome"]) if status == Request.Status.NOTIFIED else status
            for scope in (region, "all"):
                counts = by_status.setdefault(scope, {})
                counts[column] = counts.get(column, 0) + group["n"]
            if status not in lifecycle.COUNTED:
                continue
            for scope in (region, sector, "all"):
                sums = requested.setdefault(scope, dict.fromkeys(keys, 0))
                for key in keys:
                    sums[key] += group[key]
        granted = {}
        hour_keys = ("total", *(f"h_{k}" for k in LEVEL_KEYS))
        for group in requests:
            for scope in (group["establishment__region_id"], group["establishment__status"], "all"):
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
                    region_id=region.pk,
                    envelope=envelope.get("hours") or 0,
                    notified=bool(envelope.get("notified")),
                    establishments=schools.get(region.pk, 0),
                    by_status=by_status.get(region.pk, {}),
                    requested_weekly=weekly(region.pk),
                    requested_annual=annual(weekly(region.pk)),
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
            requested_annual=annual(weekly("all")),
            allocated=granted.get("all", {}).get("total", 0),
        )
        self.levels = [
            {
                "key": key,
                "label": label,
                "requested_weekly": weekly("all", f"weekly_{key}"),
                "requested_annual": annual(weekly("all", f"weekly_{key}")),
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
                "requested_annual": annual(weekly(status)),
                "allocated": granted.get(status, {}).get("total", 0),
            }
            for status, label in Establishment.Status.choices
        ]
        self.status_columns = STATUS_COLUMNS
        # The newest transmissions (shown beside each region) and the first ones (the deadlines): one query.
        self.transmissions, first = Transmission.objects.filter(campaign=campaign).newest_and_first()
        work = regions_work(
            [campaign], [region.pk for region in regions], self.today, requests=fold_work(requests), transmitted=first
        )
        for row in self.rows:
            row.work = work[(campaign.pk, row.region_id)]
        self.watched = [{"watched": w, "due": getattr(campaign, w.field)} for w in WATCHED]
        for item in self.watched:
            watches = [row.work.watch(item["watched"].field) for row in self.rows]
            item["late"] = sum(1 for w in watches if w.is_late)
            item["done_late"] = sum(1 for w in watches if w.state is State.DONE_LATE)

    @property
    def notified(self) -> bool:
        return all(row.notified for row in self.rows)

    def chart_svg(
        self,
        width: int = 640,
        font_family: str = "",
        *,
        ident: str = "chart",
        labels_above: bool = False,
        css_class: str = "hse-chart-svg",
    ) -> str:
        """The bar chart (envelope, requested, allocated per region), drawn on one scale with whole region
        names; the same drawing for the page and the PDF (the layout arguments: see ``bar_chart_svg``)."""
        return bar_chart_svg(
            [(row.label, (row.envelope, row.requested_annual, row.allocated)) for row in self.rows],
            (("enveloppe", "#000091"), ("demandé", "#929292"), ("attribué", "#18753c")),
            title="Enveloppe, heures demandées et heures attribuées par région",
            desc="Trois barres par région : enveloppe (bleu), demandé (gris), attribué (vert), en heures par an. "
            "Les mêmes chiffres figurent dans le tableau par région.",
            ident=ident,
            width=width,
            font_family=font_family,
            labels_above=labels_above,
            css_class=css_class,
        )

    def chart_html(self) -> str:
        """The chart for the page, for wide screens and for phones (``charts.for_screens``)."""
        return for_screens(self.chart_svg, "chart")
