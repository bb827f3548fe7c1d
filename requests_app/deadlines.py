"""The last day an establishment may deposit its request, written once.

The campaign's national request deadline (12 July), or the earlier date its region set
(``campaigns.RegionalDeadline``: « la date précise peut être fixée par l'autorité académique »), or — later than
either — the date of the extension the region granted to that establishment."""

import datetime
from dataclasses import dataclass

from campaigns.models import RegionalDeadline
from requests_app import lifecycle
from requests_app.models import Extension

_UNSET = object()


@dataclass(frozen=True)
class SubmissionDeadline:
    date: datetime.date
    extension: Extension | None  # the extension that sets ``date``, if any
    regional: RegionalDeadline | None  # the region's own date, when it applies (with or without extension)
    region_date: datetime.date  # the date of the establishment's region (its own, or the national one)

    def days_left(self, today: datetime.date) -> int:
        return (self.date - today).days

    @property
    def source(self) -> str:
        """What sets ``date``: ``extension``, ``regional`` or ``national``."""
        if self.extension is not None:
            return "extension"
        return "regional" if self.regional is not None else "national"


def deadline_with(campaign, extension: Extension | None, regional: RegionalDeadline | None = None):
    """The rule itself: the region's own date when earlier than the national one; an extension counts only when
    it ends after the region's date."""
    region_date, applied = campaign.request_deadline, None
    if regional is not None and regional.request_deadline < region_date:
        region_date, applied = regional.request_deadline, regional
    if extension is not None and extension.until > region_date:
        return SubmissionDeadline(extension.until, extension, applied, region_date)
    return SubmissionDeadline(region_date, None, applied, region_date)


def regional_deadline(campaign, region_id) -> RegionalDeadline | None:
    return RegionalDeadline.objects.filter(campaign=campaign, region_id=region_id).first()


def submission_deadline(campaign, establishment, extension=_UNSET, regional=_UNSET) -> SubmissionDeadline:
    """``extension`` and ``regional``: the establishment's extension and its region's deadline for this
    campaign when already loaded (lists), ``None`` when there is none."""
    if extension is _UNSET:
        extension = Extension.objects.filter(campaign=campaign, establishment=establishment).first()
    if regional is _UNSET:
        regional = regional_deadline(campaign, establishment.region_id)
    return deadline_with(campaign, extension, regional)


@dataclass(frozen=True)
class HeadStep:
    label: str
    date: datetime.date


def head_next_step(request, deadline: SubmissionDeadline, today: datetime.date) -> HeadStep | None:
    """What the establishment waits for or has to do next on ``request``, by its state: the deposit (its own
    deadline), the region's decision (the notification deadline), then the usage report. The region's own steps
    (September summary, May review) are not the establishment's."""
    status = request.status
    if status in lifecycle.EDITABLE:
        return HeadStep("Dépôt de la demande", deadline.date) if today <= deadline.date else None
    if status == lifecycle.Status.WITHDRAWN:
        return None
    if request.notified_decision is None:
        return HeadStep("Décision attendue au plus tard", request.campaign.allocation_deadline)
    if request.notified_allocation is None:
        return None
    report = request.usage_report_or_none
    if (report is None or report.submitted_at is None) and today <= request.campaign.review_deadline:
        return HeadStep("Dépôt du bilan d'utilisation", request.campaign.review_deadline)
    return None
