"""The home page of each role: the user's own next deadline and what is left to do (``home.agenda``), what is
late, and the calendars of the campaigns in progress (with the region's own request deadline)."""

from django.shortcuts import render
from django.utils import timezone

from accounts.models import Establishment, Region
from allocations.models import Envelope
from campaigns.models import Campaign, RegionalDeadline
from home import agenda


def _calendars(campaigns, today, regionals=None):
    """The calendar of each campaign in progress; ``regionals``: the region's own deadline per campaign id."""
    calendars = []
    for campaign in campaigns:
        if campaign.review_deadline < today:
            continue
        regional = (regionals or {}).get(campaign.pk)
        upcoming = campaign.next_deadline(today, regional)
        calendars.append(
            {
                "campaign": campaign,
                "next": upcoming,
                "steps": [
                    {"deadline": d, "past": d.date < today, "is_next": d == upcoming}
                    for d in campaign.deadlines(regional)
                ],
            }
        )
    return calendars


def home(request):
    user = request.user
    today = timezone.localdate()
    campaigns = list(Campaign.objects.in_view(today))
    if not campaigns:
        latest = Campaign.objects.order_by("-start_year").first()
        campaigns = [latest] if latest else []
    context = {
        "today": today,
        "campaigns": campaigns,
        "reminders": list(user.reminders.order_by("-sent_at", "-pk")[:10]),
    }
    regionals = None
    if user.is_establishment_staff:
        context["agenda"] = agenda.head_agenda(user, campaigns, today)
        context["establishments"] = user.establishments.select_related("region").order_by("sort_name")
        regions = {e.region_id for e in context["establishments"]}
        if len(regions) == 1:
            regionals = {
                d.campaign_id: d
                for d in RegionalDeadline.objects.filter(campaign__in=campaigns, region_id__in=regions).select_related(
                    "campaign"
                )
            }
    elif user.is_regional:
        context["agenda"] = agenda.regional_agenda(user, campaigns, today)
        context["region"] = user.region
        context["establishment_count"] = Establishment.objects.filter(region_id=user.region_id).count()
        regionals = {
            d.campaign_id: d
            for d in RegionalDeadline.objects.filter(campaign__in=campaigns, region_id=user.region_id).select_related(
                "campaign"
            )
        }
        context["regionals"] = regionals
        context["envelopes"] = (
            Envelope.objects.visible_to(user)
            .filter(campaign__in=[c for c in campaigns if c.review_deadline >= today])
            .select_related("campaign")
            .with_hours()
        )
    elif user.is_national:
        context["agenda"] = agenda.national_agenda(campaigns, today)
        context["region_count"] = Region.objects.count()
        context["establishment_count"] = Establishment.objects.count()
    context["calendars"] = _calendars(campaigns, today, regionals)
    return render(request, "home.html", context)
