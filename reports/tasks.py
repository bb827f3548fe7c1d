"""The working versions of the regional reports, kept ready for the national documents (``reports.assembly``),
refreshed by the task engine's periodic tick (``core.periodic``)."""

from datetime import timedelta

from campaigns.models import Campaign
from core.periodic import periodic
from core.tasks import job
from reports.assembly import refresh_working_copies


@periodic(every=timedelta(minutes=10), name="refresh-working-versions")
@job(time_limit=900)
def refresh_working_versions() -> int:
    """Every ten minutes, for the campaigns in view: render again the working version of each region that has not
    transmitted whose figures changed (the others are kept). Idempotent; asking for a national document never
    waits for it (a working version out of date is rendered then)."""
    return sum(refresh_working_copies(campaign) for campaign in Campaign.objects.in_view())
