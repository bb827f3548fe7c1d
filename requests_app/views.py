from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import enforce
from accounts.decorators import login_required_keeping_post, pop_stashed_post
from accounts.models import Establishment, Region
from requests_app import permissions, services
from requests_app.campaigns import chosen_campaign
from requests_app.forms import ExtensionForm, RequestForm, ReturnForm, WithdrawForm
from requests_app.models import LEVEL_KEYS, Campaign, Extension, Request, RequestEvent

PAGE_SIZE = 50


def _visible(user, pk, *related):
    queryset = Request.objects.visible_to(user).select_related(
        "campaign", "establishment__region", "decision", *related
    )
    return get_object_or_404(queryset, pk=pk)


@login_required
def request_list(request):
    user = request.user
    if user.role == "head":
        return _head_list(request)
    if user.role in ("regional", "national"):
        return _staff_list(request)
    raise Http404


def _head_list(request):
    user = request.user
    today = timezone.localdate()
    establishments = list(user.establishments.select_related("region").order_by("name"))
    requests = list(
        Request.objects.visible_to(user)
        .select_related("campaign", "establishment", "decision")
        .with_annual()
        .order_by("-campaign__start_year", "establishment__name")
    )
    open_campaigns = list(Campaign.objects.accepting_requests(today))
    extensions = {
        (e.campaign_id, e.establishment_id): e for e in Extension.objects.filter(establishment__in=establishments)
    }
    by_key = {(r.campaign_id, r.establishment_id): r for r in requests}
    # Campaigns still open thanks to an extension, even after their deadline.
    extended_ids = {c for (c, _e), ext in extensions.items() if ext.until >= today}
    extra = Campaign.objects.filter(pk__in=extended_ids).exclude(pk__in=[c.pk for c in open_campaigns])
    open_campaigns += list(extra)
    to_start = []
    for campaign in open_campaigns:
        for establishment in establishments:
            existing = by_key.get((campaign.pk, establishment.pk))
            extension = extensions.get((campaign.pk, establishment.pk))
            deadline = (
                extension.until
                if extension and extension.until > campaign.request_deadline
                else campaign.request_deadline
            )
            if existing is None and today > deadline:
                continue
            to_start.append(
                {
                    "campaign": campaign,
                    "establishment": establishment,
                    "request": existing,
                    "deadline": deadline,
                    "extension": extension if extension and extension.until > campaign.request_deadline else None,
                    "days_left": (deadline - today).days,
                }
            )
    return render(request, "requests_app/head_list.html", {"requests": requests, "to_start": to_start})


def _staff_list(request):
    user = request.user
    campaign, campaigns = chosen_campaign(request)
    queryset = (
        Request.objects.visible_to(user)
        .filter(campaign=campaign)
        .figures_only()
        .select_related("campaign", "establishment__region")
        .with_annual()
        .order_by("establishment__region__name", "establishment__name")
    )
    queryset = queryset.filtered(request.GET)  # statut, and region for DGER (their scope limits the others)
    status = request.GET.get("statut", "")
    regions = list(Region.objects.order_by("name")) if user.role == "national" else []
    region_code = request.GET.get("region", "") if regions else ""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = [choice for choice in Request.Status.choices if choice[0] != Request.Status.DRAFT]
    return render(
        request,
        "requests_app/staff_list.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "page": page,
            "status": status,
            "statuses": statuses,
            "regions": regions,
            "region_code": region_code,
        },
    )


@login_required
@require_POST
def request_start(request):
    establishment = get_object_or_404(
        Establishment.objects.visible_to(request.user), pk=request.POST.get("establishment", 0) or 0
    )
    campaign = get_object_or_404(Campaign, pk=request.POST.get("campaign", 0) or 0)
    enforce(permissions.can_start(request.user, establishment, campaign))
    created = services.start_request(request.user, establishment, campaign)
    messages.info(request, "Votre demande est créée en brouillon : vous pouvez l'enregistrer à tout moment.")
    return redirect("requests:edit", created.pk)


@login_required
def request_detail(request, pk):
    req = _visible(request.user, pk)
    events = req.events.select_related("actor").order_by("at", "pk")
    submissions = list(req.submissions.select_related("submitted_by").order_by("-number"))
    user = request.user
    context = {
        "req": req,
        "events": events,
        "submissions": submissions,
        "last_return": _last_return(req),
        "can_edit": permissions.can_edit(user, req)[0],
        "can_withdraw": permissions.can_withdraw(user, req)[0],
        "can_reopen": permissions.can_reopen(user, req)[0],
        "can_return": permissions.can_return(user, req)[0],
        "can_start_usage_report": permissions.can_start_usage_report(user, req)[0],
        "deadline": permissions.submission_deadline(req.campaign, req.establishment)[0],
    }
    return render(request, "requests_app/detail.html", context)


def _last_return(req):
    if req.status != Request.Status.TO_COMPLETE:
        return None
    return req.events.filter(action=RequestEvent.Action.RETURNED).select_related("actor").order_by("-at", "-pk").first()


def _annual_figures(req, form):
    """Annual equivalents shown beside each level, from what the form holds (typed or stored)."""
    weeks = req.campaign.weeks_per_year
    figures = {}
    for key in LEVEL_KEYS:
        value = None
        if form.is_bound and hasattr(form, "cleaned_data") and f"hse_{key}" in form.cleaned_data:
            value = form.cleaned_data[f"hse_{key}"]
        elif not form.is_bound:
            value = getattr(req, f"hse_{key}")
        figures[key] = _fr(value * weeks) if value is not None else "0"
    return figures


def _fr(number) -> str:
    text = f"{number.normalize():f}" if hasattr(number, "normalize") else str(number)
    return text.replace(".", ",")


def _render_form(request, req, form, version, status=200, read_only=False):
    figures = _annual_figures(req, form)
    total_weekly = sum(
        (form.cleaned_data.get(f"hse_{k}") or 0 for k in LEVEL_KEYS)
        if form.is_bound and hasattr(form, "cleaned_data")
        else (getattr(req, f"hse_{k}") or 0 for k in LEVEL_KEYS)
    )
    context = {
        "req": req,
        "form": form,
        "version": version,
        "annual": figures,
        "total_weekly": _fr(total_weekly),
        "total_annual": _fr(total_weekly * req.campaign.weeks_per_year),
        "weeks": req.campaign.weeks_per_year,
        "last_return": _last_return(req),
        "deadline": permissions.submission_deadline(req.campaign, req.establishment)[0],
        "read_only": read_only,
    }
    if read_only:
        form.helper.inputs = []
    return render(request, "requests_app/edit.html", context, status=status)


@login_required_keeping_post
def request_edit(request, pk):
    req = _visible(request.user, pk)
    allowed, reason = permissions.can_edit(request.user, req)
    if not allowed and request.method == "POST" and permissions.is_head_of(request.user, req.establishment):
        return _refused_post(request, req, reason)
    enforce((allowed, reason))
    if request.method != "POST":
        stashed = pop_stashed_post(request)
        if stashed is not None:
            messages.warning(
                request,
                "Voici ce que vous aviez saisi avant l'expiration de votre session : ce n'est pas encore "
                "enregistré. Vérifiez puis enregistrez.",
            )
            form = RequestForm(stashed, instance=req)
            form.is_valid()
            return _render_form(request, req, form, _version(stashed, req))
        return _render_form(request, req, RequestForm(instance=req), req.version)

    form = RequestForm(request.POST, instance=req)
    valid = form.is_valid()
    version = _version(request.POST, req)
    try:
        req = services.save_draft(request.user, req, form.valid_values(), version)
    except services.StaleRequest as stale:
        messages.error(request, str(stale))
        return _render_form(request, stale.current, form, stale.current.version, status=409)
    except services.RequestError as error:
        return _refused_post(request, req, str(error))
    saved_at = timezone.localtime(req.updated_at)
    if not valid:
        messages.warning(
            request,
            f"Brouillon enregistré à {saved_at:%H:%M}, sauf les champs signalés en erreur : corrigez-les puis "
            "enregistrez de nouveau." + (" La demande n'a pas été déposée." if "submit" in request.POST else ""),
        )
        return _render_form(request, req, form, req.version, status=422)
    if "submit" not in request.POST:
        messages.success(request, f"Brouillon enregistré à {saved_at:%H:%M}.")
        return redirect("requests:edit", req.pk)
    try:
        req = services.submit_request(request.user, req, req.version)
    except services.IncompleteRequest as incomplete:
        form.add_completeness_errors(incomplete.errors)
        messages.warning(
            request,
            f"Brouillon enregistré à {saved_at:%H:%M}. {incomplete} Les points sont signalés ci-dessous.",
        )
        return _render_form(request, req, form, req.version, status=422)
    except services.RequestError as error:
        messages.error(
            request, f"Brouillon enregistré à {saved_at:%H:%M}, mais la demande n'a pas été déposée. {error}"
        )
        return _render_form(request, req, form, req.version, status=422)
    return redirect("requests:submitted", req.pk)


def _refused_post(request, req, reason):
    """The request can no longer be edited (withdrawn or submitted in another tab): what was typed is shown
    again so that nothing is lost, with the reason."""
    messages.error(
        request,
        f"{reason} Votre saisie n'a pas été enregistrée ; elle reste affichée ci-dessous pour que vous "
        "puissiez la copier.",
    )
    form = RequestForm(request.POST, instance=req)
    form.is_valid()
    return _render_form(request, req, form, req.version, status=409, read_only=True)


def _version(data, req) -> int:
    try:
        return int(data.get("version", ""))
    except ValueError:
        return req.version


@login_required
def request_submitted(request, pk):
    req = _visible(request.user, pk)
    submission = req.submissions.order_by("-number").first()
    if submission is None:
        raise Http404
    return render(request, "requests_app/submitted.html", {"req": req, "submission": submission})


@login_required
def request_pdf(request, pk, number=None):
    req = _visible(request.user, pk)
    enforce(permissions.can_download_pdf(request.user, req))
    submissions = req.submissions.order_by("-number")
    submission = submissions.first() if number is None else submissions.filter(number=number).first()
    if submission is None:
        raise Http404
    submission = services.ensure_submission_pdf(submission)
    return FileResponse(
        submission.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=f"{req.reference}-depot-{submission.number}.pdf",
    )


@login_required
def request_withdraw(request, pk):
    req = _visible(request.user, pk)
    enforce(permissions.can_withdraw(request.user, req))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.withdraw_request(request.user, req, form.cleaned_data["reason"])
        messages.success(request, "La demande est retirée. Vous pouvez la reprendre tant que le dépôt est ouvert.")
        return redirect("requests:detail", req.pk)
    return render(request, "requests_app/withdraw.html", {"req": req, "form": form})


@login_required
@require_POST
def request_reopen(request, pk):
    req = _visible(request.user, pk)
    enforce(permissions.can_reopen(request.user, req))
    services.reopen_request(request.user, req)
    messages.success(request, "La demande est de nouveau en brouillon.")
    return redirect("requests:edit", req.pk)


@login_required
def request_return(request, pk):
    req = _visible(request.user, pk)
    enforce(permissions.can_return(request.user, req))
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.return_for_completion(request.user, req, form.cleaned_data["message"])
        messages.success(request, "La demande est renvoyée à l'établissement, qui a été prévenu par courriel.")
        return redirect("requests:detail", req.pk)
    return render(request, "requests_app/return.html", {"req": req, "form": form})


@login_required
def extensions(request):
    enforce(permissions.can_manage_extensions(request.user))
    user = request.user
    today = timezone.localdate()
    campaign, campaigns = chosen_campaign(
        request, Campaign.objects.filter(allocation_deadline__gte=today).order_by("-start_year")
    )
    establishments = Establishment.objects.visible_to(user).order_by("name")
    form = ExtensionForm(request.POST or None, establishments=establishments)
    if request.method == "POST" and campaign and form.is_valid():
        try:
            extension = services.grant_extension(
                user,
                form.cleaned_data["establishment"],
                campaign,
                form.cleaned_data["until"],
                form.cleaned_data["reason"],
            )
        except services.RequestError as error:
            form.add_error("until", str(error))
        else:
            messages.success(
                request,
                f"Délai accordé à {extension.establishment.name} jusqu'au {extension.until:%d/%m/%Y} ; "
                "l'établissement a été prévenu par courriel.",
            )
            return redirect(f"{reverse('requests:extensions')}?campagne={campaign.start_year}")
    granted = (
        Extension.objects.filter(campaign=campaign, establishment__in=establishments)
        .select_related("establishment", "granted_by")
        .order_by("establishment__name")
        if campaign
        else []
    )
    return render(
        request,
        "requests_app/extensions.html",
        {"form": form, "campaign": campaign, "campaigns": campaigns, "granted": granted},
    )
