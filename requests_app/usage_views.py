"""The head's usage report pages (bilan d'utilisation)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import enforce
from accounts.decorators import login_required_keeping_post, pop_stashed_post
from requests_app import permissions, usage
from requests_app.forms import UsageReportForm
from requests_app.models import LEVEL_KEYS, LEVEL_LABELS, Request, UsageReport
from requests_app.services import RequestError


def _request(user, pk):
    return get_object_or_404(
        Request.objects.visible_to(user).select_related("campaign", "establishment__region", "decision"), pk=pk
    )


def _allocated(req) -> dict:
    decision = permissions.allocated_decision(req)
    return {key: decision.hours(key) if decision else 0 for key in LEVEL_KEYS}


def _report(user, req) -> UsageReport:
    report = UsageReport.objects.visible_to(user).filter(request=req).first()
    if report is None:
        raise Http404
    return report


@login_required
@require_POST
def usage_report_start(request, pk):
    req = _request(request.user, pk)
    enforce(permissions.can_start_usage_report(request.user, req))
    usage.start_usage_report(request.user, req)
    messages.info(request, "Votre bilan d'utilisation est créé en brouillon : vous pouvez l'enregistrer à tout moment.")
    return redirect("requests:usage_report", req.pk)


def _render(request, req, report, form, version, status=200, read_only=False):
    if read_only:
        form.helper.inputs = []
    return render(
        request,
        "requests_app/usage_report_edit.html",
        {"req": req, "report": report, "form": form, "version": version, "read_only": read_only},
        status=status,
    )


@login_required_keeping_post
def usage_report(request, pk):
    """Heads edit their draft here; once submitted (and for regional staff and DGER) the page is read-only."""
    req = _request(request.user, pk)
    report = _report(request.user, req)
    allowed, reason = permissions.can_edit_usage_report(request.user, report)
    if not allowed:
        if request.method == "POST" and permissions.is_head_of(request.user, req.establishment):
            messages.error(request, f"{reason} Votre saisie n'a pas été enregistrée ; elle reste affichée ci-dessous.")
            form = UsageReportForm(request.POST, instance=report, allocated=_allocated(req))
            form.is_valid()
            return _render(request, req, report, form, report.version, status=409, read_only=True)
        if request.method == "POST":
            enforce((allowed, reason))
        return render(
            request, "requests_app/usage_report_detail.html", {"req": req, "report": report, "rows": _rows(req, report)}
        )
    allocated = _allocated(req)
    if request.method != "POST":
        stashed = pop_stashed_post(request)
        if stashed is not None:
            messages.warning(
                request,
                "Voici ce que vous aviez saisi avant l'expiration de votre session : ce n'est pas encore "
                "enregistré. Vérifiez puis enregistrez.",
            )
            form = UsageReportForm(stashed, instance=report, allocated=allocated)
            form.is_valid()
            return _render(request, req, report, form, stashed.get("version", report.version))
        return _render(request, req, report, UsageReportForm(instance=report, allocated=allocated), report.version)

    form = UsageReportForm(request.POST, instance=report, allocated=allocated)
    valid = form.is_valid()
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = report.version
    try:
        report = usage.save_usage_report(request.user, report, form.valid_values(), version)
    except usage.StaleUsageReport as stale:
        messages.error(request, str(stale))
        return _render(request, req, stale.current, form, stale.current.version, status=409)
    except RequestError as error:
        messages.error(request, str(error))
        return _render(request, req, report, form, report.version, status=409, read_only=True)
    saved_at = timezone.localtime(report.updated_at)
    if not valid:
        messages.warning(
            request, f"Brouillon enregistré à {saved_at:%H:%M}, sauf les champs signalés en erreur : corrigez-les."
        )
        return _render(request, req, report, form, report.version, status=422)
    if "submit" not in request.POST:
        messages.success(request, f"Brouillon enregistré à {saved_at:%H:%M}.")
        return redirect("requests:usage_report", req.pk)
    try:
        usage.submit_usage_report(request.user, report, report.version)
    except usage.IncompleteUsageReport as incomplete:
        form.add_completeness_errors(incomplete.errors)
        messages.warning(request, f"Brouillon enregistré à {saved_at:%H:%M}. {incomplete}")
        return _render(request, req, report, form, report.version, status=422)
    except RequestError as error:
        messages.error(request, f"Brouillon enregistré à {saved_at:%H:%M}, mais le bilan n'a pas été déposé. {error}")
        return _render(request, req, report, form, report.version, status=422)
    messages.success(request, "Votre bilan d'utilisation est déposé. Un accusé de réception vous a été envoyé.")
    return redirect("requests:usage_report", req.pk)


def _rows(req, report):
    allocated = _allocated(req)
    return [{"label": LEVEL_LABELS[k], "allocated": allocated[k], "used": report.used(k)} for k in LEVEL_KEYS]


@login_required
def usage_report_pdf(request, pk):
    req = _request(request.user, pk)
    report = _report(request.user, req)
    enforce(permissions.can_download_usage_report(request.user, report))
    report = usage.ensure_usage_report_pdf(report)
    return FileResponse(report.pdf.open("rb"), content_type="application/pdf", filename=f"{req.reference}-bilan.pdf")
