from functools import partial

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import Establishment, Region
from allocations import permissions as allocation_permissions
from campaigns.models import Campaign
from campaigns.selection import chosen_campaign
from core.access import enforce
from core.changes import memo
from core.worker import live_workers
from reports import jobs, permissions, services
from reports.board import NationalBoard
from reports.charts import for_screens
from reports.documents import levels_chart, summary_table
from reports.exports import FORMATS, table_response
from reports.forms import ReviewForm
from reports.models import TITLES, Kind, PdfJob, RegionalReview, Transmission
from reports.rows import deadline_rows, figure_rows, status_rows
from reports.tables import national_board_table, requests_table
from requests_app import lifecycle
from requests_app.models import LEVELS, Request, RequestEvent

# --- National board -------------------------------------------------------------------------------------


def national_board(request):
    enforce(allocation_permissions.can_view_national_board(request.user))
    campaign, campaigns = chosen_campaign(request)
    page = {}
    if campaign:
        today = timezone.localdate()
        # Built once for every reader of the process until a watched table changes or the day turns.
        page = memo(("national-board", campaign.pk, today), lambda: _national_board_page(campaign, today))
    return render(
        request,
        "reports/national_board.html",
        {"campaign": campaign, "campaigns": campaigns, "board": None, **page},
    )


def _national_board_page(campaign, today) -> dict:
    """The board and its drawn parts: the three tables by region and the chart."""
    board = NationalBoard(campaign, today)
    items = [
        {
            "board": row,
            "summary": board.transmissions.get((row.region_id, Kind.SUMMARY)),
            "review": board.transmissions.get((row.region_id, Kind.REVIEW)),
        }
        for row in board.rows
    ]
    return {
        "board": board,
        "figure_rows": figure_rows(board.rows),
        "deadline_rows": deadline_rows(items),
        "status_rows": status_rows(board.rows),
        "chart": mark_safe(board.chart_html()),  # noqa: S308 (escaped when drawn)
    }


# --- Exports ----------------------------------------------------------------------------------------------


def _format(fmt):
    if fmt not in FORMATS:
        raise Http404
    return fmt


def national_board_export(request, fmt):
    enforce(permissions.can_export_national_board(request.user))
    campaign, _campaigns = chosen_campaign(request)
    if campaign is None:
        raise Http404
    headers, rows = national_board_table(NationalBoard(campaign))
    return table_response(
        _format(fmt), f"tableau-national-{campaign.label}", headers, rows, f"Tableau national {campaign.label}"
    )


def requests_export_form(request):
    enforce(permissions.can_export_requests(request.user))
    campaign, campaigns = chosen_campaign(request)
    return render(
        request,
        "reports/requests_export.html",
        {
            "campaign": campaign,
            "campaigns": campaigns,
            "regions": Region.objects.order_by("sort_name") if request.user.is_national else [],
            "statuses": lifecycle.DEPOSITED_CHOICES,
            "levels": LEVELS,
            "networks": Establishment.NETWORK_FILTER_CHOICES,
        },
    )


def requests_export(request, fmt):
    enforce(permissions.can_export_requests(request.user))
    campaign, _campaigns = chosen_campaign(request)
    if campaign is None:
        raise Http404
    queryset = (
        Request.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .filtered(request.GET)
        .order_by("establishment__region__sort_name", "establishment__sort_name")
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


def summary_page(request, year, code):
    campaign, region = _scope(request, year, code)
    data = services.build(Kind.SUMMARY, campaign, region)
    return render(
        request,
        "reports/summary.html",
        {
            **data,
            "chart_html": mark_safe(  # noqa: S308 (escaped when drawn)
                for_screens(partial(levels_chart, data["levels"]), "chart-levels")
            ),
            "versions": _versions(Kind.SUMMARY, campaign, region),
            "can_transmit": permissions.can_transmit(request.user, region)[0],
            "kind": Kind.SUMMARY,
        },
    )


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


def working_pdf(request, year, code, kind):
    if kind not in Kind.values:
        raise Http404
    campaign, region = _scope(request, year, code)
    data = services.build(kind, campaign, region)
    content = services.render(kind, data, services.working_footer(data))
    response = FileResponse(iter([content]), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"{TITLES[kind]} {campaign.label} {region.name} version de travail.pdf"
    )
    return response


def summary_table_export(request, year, code, fmt):
    campaign, region = _scope(request, year, code)
    headers, rows = summary_table(services.build(Kind.SUMMARY, campaign, region))
    return table_response(
        _format(fmt), f"repartition-{campaign.label}-{region.code}", headers, rows, f"Répartition {region.name}"
    )


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


def transmission_pdf(request, pk):
    transmission = get_object_or_404(
        Transmission.objects.visible_to(request.user).select_related("campaign", "region"), pk=pk
    )
    # Served as stored at transmission time: never rebuilt.
    return FileResponse(
        transmission.pdf.open("rb"), content_type="application/pdf", filename=transmission.download_name
    )


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
    allocated = Request.objects.filter(campaign=campaign, establishment__region=region).with_notified_allocation()
    missing = services.missing_usage_reports(campaign, region).count()
    rows = list(
        allocated.select_related("establishment", "decision", "usage_report")
        .annotate(last_reminder=Max("events__at", filter=Q(events__action=RequestEvent.Action.REMINDER)))
        .order_by("establishment__sort_name")
    )
    return render(
        request,
        "reports/usage_follow_up.html",
        {"campaign": campaign, "region": region, "rows": rows, "filed": len(rows) - missing, "missing": missing},
    )


# --- National documents -----------------------------------------------------------------------------------


def national_documents(request, year):
    enforce(permissions.can_build_national_documents(request.user))
    campaign = get_object_or_404(Campaign, start_year=year)
    if request.method == "POST":
        document = request.POST.get("document", "")
        if document not in jobs.DOCUMENTS:
            raise Http404
        job = jobs.start(request.user, document, campaign)
        return redirect("reports:job", job.pk)
    regions = list(Region.objects.order_by("sort_name"))
    latest = Transmission.objects.filter(campaign=campaign).by_region_and_kind()
    rows = [
        {"region": r, "summary": latest.get((r.pk, Kind.SUMMARY)), "review": latest.get((r.pk, Kind.REVIEW))}
        for r in regions
    ]
    recent = [
        {"job": job, "title": jobs.title(job.document)}
        for job in PdfJob.objects.filter(campaign=campaign, status=PdfJob.Status.DONE).order_by("-created_at")[:6]
    ]
    return render(
        request,
        "reports/national_documents.html",
        {"campaign": campaign, "rows": rows, "recent": recent, "documents": jobs.DOCUMENTS},
    )


def _job(request, pk):
    enforce(permissions.can_build_national_documents(request.user))
    return get_object_or_404(PdfJob.objects.select_related("campaign"), pk=pk)


def job_status(request, pk):
    job = _job(request, pk)
    under_way = job.status in (PdfJob.Status.PENDING, PdfJob.Status.RUNNING)
    no_worker = under_way and not live_workers().exists()
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "progress": job.progress,
                "step": job.step,
                "download": reverse("reports:job_pdf", args=[job.pk]) if job.status == PdfJob.Status.DONE else None,
                "no_worker": no_worker,
            }
        )
    context = {"job": job, "title": jobs.title(job.document), "no_worker": no_worker}
    return render(request, "reports/job.html", context)


def job_pdf(request, pk):
    job = _job(request, pk)
    if job.status != PdfJob.Status.DONE:
        raise Http404
    return FileResponse(job.pdf.open("rb"), content_type="application/pdf", filename=jobs.download_name(job))


# --- Index ------------------------------------------------------------------------------------------------


def index(request):
    enforce(permissions.can_view_reports_index(request.user))
    user = request.user
    campaigns = list(Campaign.objects.order_by("-start_year"))
    context = {"campaigns": campaigns}
    if user.is_establishment_staff:
        requests = list(
            Request.objects.visible_to(user)
            .deposited()
            .select_related("campaign", "establishment", "decision", "usage_report")
            .order_by("-campaign__start_year", "establishment__sort_name")
        )
        context["requests"] = requests
        return render(request, "reports/index_head.html", context)
    latest = Transmission.objects.visible_to(user).latest()
    if user.is_regional:
        region = user.region
        transmissions = {(t.campaign_id, t.kind): t for t in latest}
        rows = [
            {
                "campaign": c,
                "summary": transmissions.get((c.pk, Kind.SUMMARY)),
                "review": transmissions.get((c.pk, Kind.REVIEW)),
            }
            for c in campaigns
        ]
        context.update(region=region, rows=rows)
        return render(request, "reports/index_regional.html", context)
    counts = {
        (row["campaign_id"], row["kind"]): row["n"]
        for row in latest.order_by().values("campaign_id", "kind").annotate(n=Count("pk"))
    }
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
