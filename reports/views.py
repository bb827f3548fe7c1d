from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts.access import enforce
from accounts.models import Establishment, Region
from allocations.boards import NationalBoard
from allocations.views.national import selected_campaign
from reports import permissions
from reports.exports import FORMATS, table_response
from reports.tables import filtered_requests, national_board_table, requests_table
from requests_app.models import LEVELS, Request


def _format(fmt):
    if fmt not in FORMATS:
        raise Http404
    return fmt


@login_required
def national_board_export(request, fmt):
    enforce(permissions.can_export_national_board(request.user))
    campaign, _campaigns = selected_campaign(request)
    if campaign is None:
        raise Http404
    headers, rows = national_board_table(NationalBoard(campaign))
    return table_response(
        _format(fmt), f"tableau-national-{campaign.label}", headers, rows, f"Tableau national {campaign.label}"
    )


@login_required
def requests_export_form(request):
    enforce(permissions.can_export_requests(request.user))
    campaign, campaigns = selected_campaign(request)
    return render(
        request,
        "reports/requests_export.html",
        {
            "campaign": campaign,
            "campaigns": campaigns,
            "regions": Region.objects.order_by("name") if request.user.role == "national" else [],
            "statuses": [c for c in Request.Status.choices if c[0] != Request.Status.DRAFT],
            "levels": LEVELS,
            "networks": [c for c in Establishment.Network.choices if c[0]],
        },
    )


@login_required
def requests_export(request, fmt):
    enforce(permissions.can_export_requests(request.user))
    campaign, _campaigns = selected_campaign(request)
    if campaign is None:
        raise Http404
    queryset = filtered_requests(
        Request.objects.visible_to(request.user).filter(campaign=campaign), request.GET
    ).order_by("establishment__region__name", "establishment__name")
    headers, rows = requests_table(queryset)
    return table_response(_format(fmt), f"demandes-{campaign.label}", headers, rows, f"Demandes {campaign.label}")
