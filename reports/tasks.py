"""The working versions of the regional reports, kept ready for the national documents (``reports.assembly``),
refreshed by the task engine's periodic tick (``core.periodic``)."""

from campaigns.models import Campaign
from core.periodic import periodic
from core.tasks import job
from reports.assembly import REFRESH_EVERY, refresh_working_copies


@periodic(every=REFRESH_EVERY, name="refresh-working-versions")
@job(time_limit=900, priority=-10)  # background upkeep: after everything else
def refresh_working_versions() -> int:
    """Every five minutes, for the campaigns in view: render again the working version of each region that has not
    transmitted whose figures changed (the others are kept). Idempotent; when it has not run for a while (no
    worker), a national document checks the older working versions against the figures itself."""
    return sum(refresh_working_copies(campaign) for campaign in Campaign.objects.in_view())
