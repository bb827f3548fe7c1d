"""DGER pages: the campaigns with their envelopes, setting and notifying the envelopes."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Region
from allocations import permissions, services
from allocations.apportion import apportion
from allocations.forms import EnvelopesForm
from allocations.models import Envelope
from campaigns.models import Campaign
from core.access import enforce


def campaign_list(request):
    enforce(permissions.can_manage_envelopes(request.user))
    campaigns = Campaign.objects.order_by("-start_year").annotate(
        notified=Count("envelopes__notified_at"), envelopes_count=Count("envelopes")
    )
    return render(request, "allocations/campaign_list.html", {"campaigns": campaigns})


def _previous_envelopes(campaign):
    previous = Campaign.objects.filter(start_year=campaign.start_year - 1).first()
    if previous is None:
        return None, {}
    return previous, {e.region_id: e.hours for e in Envelope.objects.filter(campaign=previous).with_hours()}


def campaign_envelopes(request, year):
    enforce(permissions.can_manage_envelopes(request.user))
    campaign = get_object_or_404(Campaign, start_year=year)
    regions = list(Region.objects.order_by("sort_name").annotate(establishment_count=Count("establishments")))
    envelopes = {e.region_id: e for e in Envelope.objects.filter(campaign=campaign).with_hours()}
    previous, previous_hours = _previous_envelopes(campaign)
    notified = any(e.is_notified for e in envelopes.values())

    prefill = request.GET.get("prefill", "")
    initial = {f"region_{r.code}": envelopes[r.pk].hours for r in regions if r.pk in envelopes}
    if prefill == "precedente" and previous_hours:
        initial = {f"region_{r.code}": previous_hours.get(r.pk, 0) for r in regions}
        messages.info(request, f"Montants de la campagne {previous.label} reportés : vérifiez puis enregistrez.")
    elif prefill == "prorata":
        shares = apportion(campaign.national_volume, {r.pk: r.establishment_count for r in regions})
        initial = {f"region_{r.code}": shares[r.pk] for r in regions}
        messages.info(
            request,
            "Volume national réparti au prorata du nombre d'établissements (arrondi au plus fort reste) : vérifiez "
            "puis enregistrez.",
        )

    form = EnvelopesForm(request.POST or None, regions=regions, initial=initial)
    if request.method == "POST" and not notified and form.is_valid():
        try:
            services.set_initial_envelopes(request.user, campaign, form.hours_by_region())
        except services.AllocationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Les enveloppes régionales sont enregistrées.")
            return redirect("allocations:envelopes", campaign.start_year)
    rows = [
        {
            "region": region,
            "field": form[f"region_{region.code}"],
            "envelope": envelopes.get(region.pk),
            "previous": previous_hours.get(region.pk),
        }
        for region in regions
    ]
    total = services.envelopes_total(campaign)
    return render(
        request,
        "allocations/campaign_envelopes.html",
        {
            "campaign": campaign,
            "form": form,
            "rows": rows,
            "previous": previous,
            "notified": notified,
            "total": total,
            "complete": len(envelopes) == len(regions),
        },
    )


@require_POST
def campaign_notify(request, year):
    enforce(permissions.can_manage_envelopes(request.user))
    campaign = get_object_or_404(Campaign, start_year=year)
    try:
        count = services.notify_envelopes(request.user, campaign)
    except services.AllocationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{count} enveloppes notifiées : les agents de chaque région ont été prévenus par courriel."
        )
    return redirect("allocations:envelopes", campaign.start_year)
