"""Which campaign a page shows: the one named by ``?campagne=2027``, else the newest one."""

from campaigns.models import Campaign
from core.params import whole_number


def chosen_campaign(request, campaigns=None):
    """Returns ``(campaign, campaigns)``; ``campaigns`` (newest first) defaults to all of them."""
    campaigns = list(Campaign.objects.order_by("-start_year") if campaigns is None else campaigns)
    year = whole_number(request.GET.get("campagne", ""))
    for campaign in campaigns:
        if campaign.start_year == year:
            return campaign, campaigns
    return (campaigns[0] if campaigns else None), campaigns
