"""The regions' work towards the watched deadlines, per campaign and region: what is left to do and whether it is
late. The figures come from the apps that own them (requests: ``Request.objects.work_by_region``; transmissions:
``Transmission.objects.first_transmitted``), the rule from ``campaigns.calendar``. Two queries whatever the
number of campaigns and regions."""

from dataclasses import dataclass, field

from campaigns.calendar import Progress, Watch, local_day, watch_all
from reports.models import Kind, Transmission
from requests_app.models import Request


@dataclass
class RegionWork:
    campaign: object
    region_id: int
    awaiting: int = 0  # deposited or under review, no decision yet
    to_complete: int = 0  # sent back to the establishment
    to_notify: int = 0  # decided, not notified
    reports_due: int = 0  # notified allocations (each owes a usage report)
    reports_missing: int = 0  # … without a deposited usage report
    summary_on: object = None  # day the September summary was first transmitted
    review_on: object = None  # day the May review was first transmitted
    watches: list[Watch] = field(default_factory=list)

    @property
    def undecided(self) -> int:
        return self.awaiting + self.to_complete

    def watch(self, key: str) -> Watch:
        return next(w for w in self.watches if w.key == key)

    @property
    def late(self) -> list[Watch]:
        return [w for w in self.watches if w.is_late]


def regions_work(campaigns, region_ids, today, requests=None, transmitted=None) -> dict:
    """``{(campaign id, region id): RegionWork}`` for every campaign and region given. ``requests`` and
    ``transmitted``: the figures of ``Request.objects.work_by_region`` and ``Transmission.objects.first_transmitted``
    when the caller already has them (the national board takes them out of its own queries); else queried."""
    campaigns = list(campaigns)
    if requests is None:
        requests = Request.objects.filter(
            campaign__in=campaigns, establishment__region_id__in=region_ids
        ).work_by_region()
    if transmitted is None:
        transmitted = Transmission.objects.filter(campaign__in=campaigns, region_id__in=region_ids).first_transmitted()
    result = {}
    for campaign in campaigns:
        for region_id in region_ids:
            figures = requests.get((campaign.pk, region_id), {})
            work = RegionWork(
                campaign=campaign,
                region_id=region_id,
                awaiting=figures.get("awaiting", 0),
                to_complete=figures.get("to_complete", 0),
                to_notify=figures.get("to_notify", 0),
                reports_due=figures.get("reports_due", 0),
                reports_missing=figures.get("reports_missing", 0),
                summary_on=local_day(transmitted.get((campaign.pk, region_id, Kind.SUMMARY))),
                review_on=local_day(transmitted.get((campaign.pk, region_id, Kind.REVIEW))),
            )
            progress = {
                "allocation_deadline": Progress(
                    work.undecided + work.to_notify, local_day(figures.get("last_notified"))
                ),
                "summary_deadline": Progress(0 if work.summary_on else 1, work.summary_on),
                "review_deadline": Progress(0 if work.review_on else 1, work.review_on),
            }
            work.watches = watch_all(campaign, progress, today)
            result[(campaign.pk, region_id)] = work
    return result
