from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Establishment, Region
from allocations.models import Envelope
from requests_app.models import Campaign


@require_GET
@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _campaign_calendars(today):
    campaigns = list(Campaign.objects.in_progress(today))
    if not campaigns:
        latest = Campaign.objects.order_by("-start_year").first()
        campaigns = [latest] if latest else []
    calendars = []
    for campaign in campaigns:
        upcoming = campaign.next_deadline(today)
        calendars.append(
            {
                "campaign": campaign,
                "next": upcoming,
                "days_left": upcoming.days_left(today) if upcoming else None,
                "steps": [
                    {"deadline": d, "past": d.date < today, "is_next": d == upcoming} for d in campaign.deadlines()
                ],
            }
        )
    return calendars


@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    context = {"today": today, "calendars": _campaign_calendars(today)}
    if user.role == user.Role.HEAD:
        context["establishments"] = user.establishments.select_related("region").order_by("name")
    elif user.role == user.Role.REGIONAL:
        context["region"] = user.region
        context["establishment_count"] = Establishment.objects.filter(region_id=user.region_id).count()
        campaigns = [calendar["campaign"] for calendar in context["calendars"]]
        context["envelopes"] = (
            Envelope.objects.visible_to(user).filter(campaign__in=campaigns).select_related("campaign").with_hours()
        )
    elif user.role == user.Role.NATIONAL:
        context["region_count"] = Region.objects.count()
        context["establishment_count"] = Establishment.objects.count()
    return render(request, "home.html", context)


def bench_floor(request):
    """The benchmark's floor: what any page costs before doing anything (same server, same middleware)."""
    return HttpResponse("<!DOCTYPE html><title>plancher</title><p>ok</p>")
