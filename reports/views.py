from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.access import enforce
from accounts.models import Establishment, Region
from allocations import permissions as allocation_permissions
from allocations.boards import NationalBoard
from allocations.models import Decision
from reports import jobs, permissions, services
from reports.documents import summary_table
from reports.exports import FORMATS, table_response
from reports.forms import ReviewForm
from reports.models import Kind, PdfJob, RegionalReview, Transmission
from reports.tables import national_board_table, requests_table
from requests_app.campaigns import chosen_campaign
from requests_app.models import LEVELS, Campaign, Request, RequestEvent, UsageReport

# --- National board -------------------------------------------------------------------------------------


@login_required
def national_board(request):
    enforce(allocation_permissions.can_view_national_board(request.user))
    campaign, campaigns = chosen_campaign(request)
    board = NationalBoard(campaign) if campaign else None
    transmitted = {}
    if campaign:
        for transmission in Transmission.objects.filter(campaign=campaign).select_related("region"):
            key = (transmission.region.code, transmission.kind)
            if key not in transmitted or transmission.version > transmitted[key].version:
                transmitted[key] = transmission
    rows = (
        [
            {
                "board": row,
                "summary": transmitted.get((row.key, Kind.SUMMARY)),
                "review": transmitted.get((row.key, Kind.REVIEW)),
            }
            for row in board.rows
        ]
        if board
        else []
    )
    return render(
        request,
        "reports/national_board.html",
        {
            "campaign": campaign,
            "campaigns": campaigns,
            "board": board,
            "rows": rows,
            "chart": mark_safe(board.chart_svg()) if board else "",  # noqa: S308 (escaped when drawn)
        },
    )


# --- Exports ----------------------------------------------------------------------------------------------


def _format(fmt):
    if fmt not in FORMATS:
        raise Http404
    return fmt


@login_required
def national_board_export(request, fmt):
    enforce(permissions.can_export_national_board(request.user))
    campaign, _campaigns = chosen_campaign(request)
    if campaign is None:
        raise Http404
    headers, rows = national_board_table(NationalBoard(campaign))
    return table_response(
        _format(fmt), f"tableau-national-{campaign.label}", headers, rows, f"Tableau national {campaign.label}"
    )


@login_required
def requests_export_form(request):
    enforce(permissions.can_export_requests(request.user))
    campaign, campaigns = chosen_campaign(request)
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
    campaign, _campaigns = chosen_campaign(request)
    if campaign is None:
        raise Http404
    queryset = (
        Request.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .filtered(request.GET)
        .order_by("establishment__region__name", "establishment__name")
    )
    headers, rows = requests_table(queryset)
    return table_response(_format(fmt), f"demandes-{campaign.label}", headers, rows, f"Demandes {campaign.label}")


# --- Regional reports -------------------------------------------------------------------------------------


def _scope(request, year, code):
    campaign = get_object_or_404(Campaign, start_year=year)
    region = get_object_or_404(Region, code=code)
    enforce(permissions.can_view_regional_documents(request.user, region))
    return campaign, region


def _versions(kind, campaign, region):
    return list(
        Transmission.objects.filter(kind=kind, campaign=campaign, region=region)
        .select_related("transmitted_by")
        .order_by("-version")
    )


@login_required
def summary_page(request, year, code):
    campaign, region = _scope(request, year, code)
    data = services.build(Kind.SUMMARY, campaign, region)
    return render(
        request,
        "reports/summary.html",
        {
            **data,
            "versions": _versions(Kind.SUMMARY, campaign, region),
            "can_transmit": permissions.can_transmit(request.user, region)[0],
            "kind": Kind.SUMMARY,
        },
    )


@login_required
def review_page(request, year, code):
    campaign, region = _scope(request, year, code)
    review = RegionalReview.objects.filter(campaign=campaign, region=region).first()
    can_edit = permissions.can_edit_review(request.user, region)[0]
    initial = {
        "version": review.version if review else 0,
        "what_worked": review.what_worked if review else "",
        "difficulties": review.difficulties if review else "",
        "recommendations": review.recommendations if review else "",
    }
    form = ReviewForm(request.POST or None, initial=initial) if can_edit else None
    status = 200
    if request.method == "POST":
        enforce(permissions.can_edit_review(request.user, region))
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in ("what_worked", "difficulties", "recommendations")}
            try:
                services.save_review(request.user, campaign, region, values, form.cleaned_data["version"])
            except services.ReportError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, "Synthèse enregistrée.")
                return redirect("reports:review", year, code)
        else:
            status = 422
    data = services.build(Kind.REVIEW, campaign, region)
    return render(
        request,
        "reports/review.html",
        {
            **data,
            "form": form,
            "versions": _versions(Kind.REVIEW, campaign, region),
            "can_transmit": permissions.can_transmit(request.user, region)[0],
            "kind": Kind.REVIEW,
        },
        status=status,
    )


@login_required
def working_pdf(request, year, code, kind):
    if kind not in Kind.values:
        raise Http404
    campaign, region = _scope(request, year, code)
    data = services.build(kind, campaign, region)
    content = services.render(kind, data, services.working_footer(data))
    response = FileResponse(iter([content]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-{campaign.label}-{region.code}-travail.pdf"'
    return response


@login_required
def summary_table_export(request, year, code, fmt):
    campaign, region = _scope(request, year, code)
    headers, rows = summary_table(services.build(Kind.SUMMARY, campaign, region))
    return table_response(
        _format(fmt), f"repartition-{campaign.label}-{region.code}", headers, rows, f"Répartition {region.name}"
    )


@login_required
@require_POST
def transmit(request, year, code, kind):
    campaign = get_object_or_404(Campaign, start_year=year)
    region = get_object_or_404(Region, code=code)
    enforce(permissions.can_transmit(request.user, region))
    target = "reports:summary" if kind == Kind.SUMMARY else "reports:review"
    try:
        transmission = services.transmit(request.user, kind, campaign, region)
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{transmission.get_kind_display()} transmis à la DGER (version {transmission.version}, "
            f"empreinte {transmission.sha256[:16]}…).",
        )
    return redirect(target, year, code)


@login_required
def transmission_pdf(request, pk):
    transmission = get_object_or_404(
        Transmission.objects.visible_to(request.user).select_related("campaign", "region"), pk=pk
    )
    # Served as stored at transmission time: never rebuilt.
    return FileResponse(transmission.pdf.open("rb"), content_type="application/pdf", filename=transmission.filename)


@login_required
def usage_follow_up(request, year, code):
    campaign = get_object_or_404(Campaign, start_year=year)
    region = get_object_or_404(Region, code=code)
    enforce(permissions.can_follow_usage_reports(request.user, region))
    if request.method == "POST":
        count = services.send_reminders(request.user, campaign, region)
        if count:
            messages.success(
                request, f"Relance envoyée à {count} établissement{'s' if count > 1 else ''} sans bilan déposé."
            )
        else:
            messages.info(request, "Tous les établissements concernés ont déposé leur bilan : aucune relance envoyée.")
        return redirect("reports:usage_follow_up", year, code)
    rows = (
        Request.objects.filter(
            campaign=campaign,
            establishment__region=region,
            decision__outcome=Decision.Outcome.ALLOCATED,
            decision__notified_at__isnull=False,
        )
        .select_related("establishment", "decision", "usage_report")
        .annotate(last_reminder=Max("events__at", filter=Q(events__action=RequestEvent.Action.REMINDER)))
        .order_by("establishment__name")
    )
    rows = list(rows)
    filed = sum(
        1 for r in rows if r.usage_report_or_none and r.usage_report_or_none.status == UsageReport.Status.SUBMITTED
    )
    return render(
        request,
        "reports/usage_follow_up.html",
        {"campaign": campaign, "region": region, "rows": rows, "filed": filed, "missing": len(rows) - filed},
    )


# --- National documents -----------------------------------------------------------------------------------


@login_required
def national_documents(request, year):
    enforce(permissions.can_build_national_documents(request.user))
    campaign = get_object_or_404(Campaign, start_year=year)
    if request.method == "POST":
        document = request.POST.get("document", "")
        if document not in jobs.DOCUMENTS:
            raise Http404
        job = jobs.start(request.user, document, campaign)
        return redirect("reports:job", job.pk)
    regions = list(Region.objects.order_by("name"))
    by_kind = {Kind.SUMMARY: {}, Kind.REVIEW: {}}
    for transmission in Transmission.objects.filter(campaign=campaign).select_related("transmitted_by"):
        current = by_kind[transmission.kind].get(transmission.region_id)
        if current is None or transmission.version > current.version:
            by_kind[transmission.kind][transmission.region_id] = transmission
    rows = [
        {"region": r, "summary": by_kind[Kind.SUMMARY].get(r.pk), "review": by_kind[Kind.REVIEW].get(r.pk)}
        for r in regions
    ]
    recent = PdfJob.objects.filter(campaign=campaign, status=PdfJob.Status.DONE).order_by("-created_at")[:6]
    return render(
        request,
        "reports/national_documents.html",
        {"campaign": campaign, "rows": rows, "recent": recent, "documents": jobs.DOCUMENTS},
    )


def _job(request, pk):
    enforce(permissions.can_build_national_documents(request.user))
    return get_object_or_404(PdfJob.objects.select_related("campaign"), pk=pk)


@login_required
def job_status(request, pk):
    job = _job(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "progress": job.progress,
                "step": job.step,
                "download": reverse("reports:job_pdf", args=[job.pk]) if job.status == PdfJob.Status.DONE else None,
            }
        )
    return render(request, "reports/job.html", {"job": job, "title": jobs.DOCUMENTS[job.document][0]})


@login_required
def job_pdf(request, pk):
    job = _job(request, pk)
    if job.status != PdfJob.Status.DONE:
        raise Http404
    return FileResponse(
        job.pdf.open("rb"), content_type="application/pdf", filename=f"{job.document}-{job.campaign.label}.pdf"
    )


# --- Index ------------------------------------------------------------------------------------------------


@login_required
def index(request):
    enforce(permissions.can_view_reports_index(request.user))
    user = request.user
    campaigns = list(Campaign.objects.order_by("-start_year"))
    context = {"campaigns": campaigns}
    if user.role == "head":
        requests = list(
            Request.objects.visible_to(user)
            .exclude(status=Request.Status.DRAFT)
            .select_related("campaign", "establishment", "decision", "usage_report")
            .order_by("-campaign__start_year", "establishment__name")
        )
        context["requests"] = requests
        return render(request, "reports/index_head.html", context)
    transmissions = {}
    for transmission in Transmission.objects.visible_to(user).select_related("region", "campaign", "transmitted_by"):
        key = (transmission.campaign_id, transmission.region_id, transmission.kind)
        if key not in transmissions or transmission.version > transmissions[key].version:
            transmissions[key] = transmission
    if user.role == "regional":
        region = user.region
        rows = [
            {
                "campaign": c,
                "summary": transmissions.get((c.pk, region.pk, Kind.SUMMARY)),
                "review": transmissions.get((c.pk, region.pk, Kind.REVIEW)),
            }
            for c in campaigns
        ]
        context.update(region=region, rows=rows)
        return render(request, "reports/index_regional.html", context)
    counts = {}
    for (campaign_id, _region_id, kind), _t in transmissions.items():
        counts[(campaign_id, kind)] = counts.get((campaign_id, kind), 0) + 1
    rows = [
        {
            "campaign": c,
            "summaries": counts.get((c.pk, Kind.SUMMARY), 0),
            "reviews": counts.get((c.pk, Kind.REVIEW), 0),
        }
        for c in campaigns
    ]
    context.update(rows=rows, region_count=Region.objects.count())
    return render(request, "reports/index_national.html", context)
