"""DGER's campaign pages: create the next campaign from the previous one, edit its calendar and volume.

After saving, DGER goes on where the work continues, on the campaigns-and-envelopes pages (reached by their
URL names: navigation, not a dependency on the allocations app's code)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from campaigns import permissions, services
from campaigns.forms import CampaignForm, RegionalDeadlineForm
from campaigns.models import Campaign, CampaignEvent, RegionalDeadline
from campaigns.selection import chosen_campaign
from core.access import enforce


def _values(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "start_year"}


def campaign_create(request):
    enforce(permissions.can_manage_campaigns(request.user))
    previous = Campaign.objects.order_by("-start_year").first()
    initial = services.next_campaign_values(previous)
    form = CampaignForm(request.POST or None, initial=initial, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(request.user, {"start_year": initial["start_year"], **_values(form)})
        except services.CampaignError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(
                request, f"La campagne {campaign.label} est créée. Fixez maintenant les enveloppes régionales."
            )
            return redirect("allocations:envelopes", campaign.start_year)
    return render(request, "campaigns/campaign_form.html", {"form": form, "previous": previous, "creating": True})


def campaign_edit(request, year):
    enforce(permissions.can_manage_campaigns(request.user))
    campaign = get_object_or_404(Campaign, start_year=year)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(request.user, Campaign.objects.get(pk=campaign.pk), _values(form))
        except services.CampaignError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, f"La campagne {campaign.label} est enregistrée.")
            return redirect("allocations:campaigns")
    events = CampaignEvent.objects.filter(campaign=campaign).select_related("actor", "region").order_by("-at")[:50]
    regionals = RegionalDeadline.objects.filter(campaign=campaign).select_related("region", "set_by")
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "form": form,
            "campaign": campaign,
            "events": events,
            "regionals": regionals.order_by("region__name"),
            "creating": False,
        },
    )


def regional_deadline(request):
    """Regional staff set their region's own request deadline for a campaign still open to requests."""
    user = request.user
    enforce(permissions.can_set_regional_deadline(user, user.region_id))
    region = user.region
    today = timezone.localdate()
    campaign, campaigns = chosen_campaign(
        request, Campaign.objects.filter(request_deadline__gte=today).order_by("-start_year")
    )
    current = RegionalDeadline.objects.filter(campaign=campaign, region=region).first() if campaign else None
    form = None
    status = 200
    if campaign:
        initial = {"request_deadline": current.request_deadline if current else None}
        form = RegionalDeadlineForm(
            request.POST or None,
            initial=initial,
            national_date=campaign.request_deadline,
            has_regional=current is not None,
        )
        if request.method == "POST":
            if form.is_valid():
                date = None if "clear" in request.POST else form.cleaned_data["request_deadline"]
                try:
                    services.set_regional_deadline(user, campaign, region, date, form.cleaned_data["reason"])
                except services.CampaignError as error:
                    form.add_error(error.field, str(error))
                else:
                    if date:
                        messages.success(
                            request,
                            f"Date limite de dépôt de la région : {date:%d/%m/%Y}. Les chef·fes d'établissement de la "
                            "région en sont informé·es par courriel.",
                        )
                    else:
                        messages.success(request, "Votre région suit de nouveau la date nationale.")
                    return redirect(f"{reverse('campaigns:regional_deadline')}?campagne={campaign.start_year}")
            status = 422
    events = CampaignEvent.objects.filter(region=region).select_related("campaign", "actor").order_by("-at", "-pk")[:50]
    return render(
        request,
        "campaigns/regional_deadline.html",
        {
            "region": region,
            "campaign": campaign,
            "campaigns": campaigns,
            "current": current,
            "form": form,
            "events": events,
        },
        status=status,
    )
