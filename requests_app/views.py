from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Establishment, Region
from campaigns.models import Campaign, RegionalDeadline
from campaigns.selection import chosen_campaign
from core.access import enforce
from core.drafts import DraftFormView
from core.formatting import format_number
from core.pagination import WindowCountPaginator
from core.params import whole_number
from core.stash import keeps_post_on_expiry
from requests_app import lifecycle, permissions, services
from requests_app.deadlines import deadline_with, head_next_step, regional_deadline, submission_deadline
from requests_app.forms import ExtensionForm, RequestForm, ReturnForm, WithdrawForm
from requests_app.models import LEVEL_KEYS, Decision, Extension, Request, RequestEvent
from requests_app.rows import staff_rows

PAGE_SIZE = 50


def visible_request(user, pk, *related):
    """The one way a request page finds its request: among those the user may see, else 404."""
    queryset = Request.objects.visible_to(user).select_related(
        "campaign", "establishment__region", "decision", *related
    )
    return get_object_or_404(queryset, pk=pk)


def request_list(request):
    user = request.user
    if user.is_establishment_staff:
        return _head_list(request)
    if user.is_state_staff:
        return _staff_list(request)
    raise Http404


def _head_list(request):
    user = request.user
    today = timezone.localdate()
    establishments = list(user.establishments.select_related("region").order_by("sort_name"))
    requests = list(
        Request.objects.visible_to(user)
        .select_related("campaign", "establishment", "decision", "usage_report")
        .with_annual()
        .order_by("-campaign__start_year", "establishment__sort_name")
    )
    open_campaigns = list(Campaign.objects.accepting_requests(today))
    extensions = {
        (e.campaign_id, e.establishment_id): e for e in Extension.objects.filter(establishment__in=establishments)
    }
    regionals = RegionalDeadline.objects.filter(
        region__in={e.region_id for e in establishments}
    ).by_campaign_and_region()
    by_key = {(r.campaign_id, r.establishment_id): r for r in requests}
    # Campaigns still open thanks to an extension, even after their deadline.
    extended_ids = {c for (c, _e), ext in extensions.items() if ext.until >= today}
    extra = Campaign.objects.filter(pk__in=extended_ids).exclude(pk__in=[c.pk for c in open_campaigns])
    open_campaigns += list(extra)
    to_start = []
    for campaign in open_campaigns:
        for establishment in establishments:
            existing = by_key.get((campaign.pk, establishment.pk))
            deadline = submission_deadline(
                campaign,
                establishment,
                extensions.get((campaign.pk, establishment.pk)),
                regionals.get((campaign.pk, establishment.region_id)),
            )
            if existing is None and today > deadline.date:
                continue
            to_start.append(
                {
                    "campaign": campaign,
                    "establishment": establishment,
                    "request": existing,
                    "deadline": deadline.date,
                    "extension": deadline.extension,
                    "regional": deadline.regional,
                    "days_left": deadline.days_left(today),
                }
            )
    for req in requests:
        deadline = deadline_with(
            req.campaign,
            extensions.get((req.campaign_id, req.establishment_id)),
            regionals.get((req.campaign_id, req.establishment.region_id)),
        )
        req.next_step = head_next_step(req, deadline, today)
    return render(request, "requests_app/head_list.html", {"requests": requests, "to_start": to_start})


def _staff_list(request):
    user = request.user
    campaign, campaigns = chosen_campaign(request)
    queryset = (
        Request.objects.visible_to(user)
        .filter(campaign=campaign)
        .filtered(request.GET)  # statut, and region for DGER (their scope limits the others)
        .list_rows()
        .order_by("establishment__region__sort_name", "establishment__sort_name")
    )
    status = request.GET.get("statut", "")
    regions = list(Region.objects.order_by("sort_name")) if user.is_national else []
    region_code = request.GET.get("region", "") if regions else ""
    page = WindowCountPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = lifecycle.DEPOSITED_CHOICES
    return render(
        request,
        "requests_app/staff_list.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "page": page,
            "rows": staff_rows(page.object_list, user, with_region=bool(regions)),
            "status": status,
            "statuses": statuses,
            "regions": regions,
            "region_code": region_code,
        },
    )


@require_POST
def request_start(request):
    """ "Commencer la demande". Pressed in several tabs at once, one draft is created and the other presses get
    the reason (a request already exists), never a server error."""
    establishment = get_object_or_404(
        Establishment.objects.visible_to(request.user), pk=whole_number(request.POST.get("establishment"))
    )
    campaign = get_object_or_404(Campaign, pk=whole_number(request.POST.get("campaign")))
    enforce(permissions.can_start(request.user, establishment, campaign))
    try:
        created = services.start_request(request.user, establishment, campaign)
    except services.RequestError as error:  # another tab created it meanwhile, or the deadline passed
        raise PermissionDenied(str(error)) from None
    messages.info(request, "Votre demande est créée en brouillon : vous pouvez l'enregistrer à tout moment.")
    return redirect("requests:edit", created.pk)


def request_detail(request, pk):
    req = visible_request(request.user, pk, "usage_report")  # the usage report's buttons: no query of their own
    events = req.events.visible_to(request.user).select_related("actor").order_by("at", "pk")
    submissions = list(req.submissions.select_related("submitted_by").order_by("-number"))
    user = request.user
    context = {
        "req": req,
        "events": events,
        "submissions": submissions,
        "last_return": _last_return(req),
        "actions": permissions.actions(user, req),
        "can_start_usage_report": permissions.can_start_usage_report(user, req)[0],
        # Shown only while the request can be deposited: two queries saved on every other request's page.
        "deadline": submission_deadline(req.campaign, req.establishment) if req.is_editable else None,
    }
    return render(request, "requests_app/detail.html", context)


def _last_return(req):
    if req.status != Request.Status.TO_COMPLETE:
        return None
    return req.events.filter(action=RequestEvent.Action.RETURNED).select_related("actor").order_by("-at", "-pk").first()


def annual_equivalents(campaign, weekly: dict) -> dict:
    """What section 6 shows beside the figures: each level's annual hours and the totals, formatted."""
    levels = {key: weekly.get(key) or 0 for key in LEVEL_KEYS}
    total = sum(levels.values())
    return {
        "annual": {key: format_number(campaign.annual_hours(value)) for key, value in levels.items()},
        "total_weekly": format_number(total),
        "total_annual": format_number(campaign.annual_hours(total)),
    }


class RequestEditView(DraftFormView):
    """The Annexe 1 form of a request (see ``core.drafts`` for what it promises)."""

    template_name = "requests_app/edit.html"
    deposit_refused = "la demande n'a pas été déposée"
    editable_fields = services.EDITABLE_FIELDS

    def form_field_of(self, model_field):
        if model_field.startswith("level_"):
            return "levels"
        return "axes" if model_field.startswith("axis_") else model_field

    def get_object(self, request, pk):
        return visible_request(request.user, pk)

    def permission(self, user, obj):
        return permissions.can_edit(user, obj)

    def is_owner(self, user, obj):
        return user.works_for(obj.establishment)

    def make_form(self, obj, data=None):
        form = RequestForm(data, instance=obj)
        # The team fills, the head deposits; after the deadline nobody is offered a deposit that would be refused.
        depositable = self.request.user.is_head_of(obj.establishment) and self.deadline_open(obj)
        if not depositable:
            form.helper.inputs = [button for button in form.helper.inputs if button.name != "submit"]
        return form

    def deadline_open(self, obj) -> bool:
        return permissions.deadline_permission(obj.campaign, obj.establishment)[0]

    def save(self, user, obj, values, version):
        return services.save_draft(user, obj, values, version)

    def deposit(self, user, obj, version):
        return services.submit_request(user, obj, version)

    def saved_url(self, obj):
        return reverse("requests:edit", args=[obj.pk])

    def read_only_response(self, request, obj):
        """The form of a request that can no longer be edited (the back button after a deposit): the request's
        own page, with the reason, rather than a refusal page."""
        if not self.is_owner(request.user, obj):
            return None
        messages.info(request, self.permission(request.user, obj)[1])
        return redirect("requests:detail", obj.pk)

    def deposited_url(self, obj):
        return reverse("requests:submitted", args=[obj.pk])

    def extra_context(self, obj, form):
        weekly = {key: form.typed_or_stored(f"hse_{key}") for key in LEVEL_KEYS}
        return {
            "req": obj,
            "weeks": obj.campaign.weeks_per_year,
            "last_return": _last_return(obj),
            "deadline": submission_deadline(obj.campaign, obj.establishment),
            "deadline_closed": permissions.deadline_permission(obj.campaign, obj.establishment)[1],
            **annual_equivalents(obj.campaign, weekly),
        }


request_edit = keeps_post_on_expiry(RequestEditView.as_view())


@require_GET
def request_equivalents(request, pk):
    """Section 6's annual equivalents of what the head is typing, computed by the server (the one
    definition of the conversion) for the live display of the form."""
    req = visible_request(request.user, pk)
    enforce(permissions.can_edit(request.user, req))
    form = RequestForm({f"hse_{key}": request.GET.get(key, "") for key in LEVEL_KEYS}, instance=req)
    form.is_valid()
    weekly = {}
    for key in LEVEL_KEYS:
        if f"hse_{key}" in form.errors:
            return JsonResponse({"valid": False})
        weekly[key] = form.cleaned_data.get(f"hse_{key}")
    return JsonResponse({"valid": True, **annual_equivalents(req.campaign, weekly)})


def request_submitted(request, pk):
    req = visible_request(request.user, pk)
    submission = req.submissions.order_by("-number").first()
    if submission is None:
        raise Http404
    return render(request, "requests_app/submitted.html", {"req": req, "submission": submission})


def request_pdf(request, pk, number=None):
    req = visible_request(request.user, pk)
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


def letter(request, pk):
    """The notification letter of a request's decision, as frozen when it was notified."""
    decision = get_object_or_404(Decision.objects.visible_to(request.user).select_related("request"), request_id=pk)
    enforce(permissions.can_download_letter(request.user, decision))
    return FileResponse(
        decision.letter.open("rb"),
        content_type="application/pdf",
        filename=f"{decision.request.reference}-notification.pdf",
    )


def request_withdraw(request, pk):
    req = visible_request(request.user, pk)
    enforce(permissions.can_withdraw(request.user, req))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.withdraw_request(request.user, req, form.cleaned_data["reason"])
        messages.success(request, "La demande est retirée. Vous pouvez la reprendre tant que le dépôt est ouvert.")
        return redirect("requests:detail", req.pk)
    return render(request, "requests_app/withdraw.html", {"req": req, "form": form})


@require_POST
def request_reopen(request, pk):
    req = visible_request(request.user, pk)
    enforce(permissions.can_reopen(request.user, req))
    services.reopen_request(request.user, req)
    messages.success(request, "La demande est de nouveau en brouillon.")
    return redirect("requests:edit", req.pk)


def request_return(request, pk):
    req = visible_request(request.user, pk)
    enforce(permissions.can_return(request.user, req))
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.return_for_completion(request.user, req, form.cleaned_data["message"])
        messages.success(request, "La demande est renvoyée à l'établissement, qui a été prévenu par courriel.")
        return redirect("requests:detail", req.pk)
    return render(request, "requests_app/return.html", {"req": req, "form": form})


def extensions(request):
    enforce(permissions.can_manage_extensions(request.user))
    user = request.user
    today = timezone.localdate()
    campaign, campaigns = chosen_campaign(
        request, Campaign.objects.filter(allocation_deadline__gte=today).order_by("-start_year")
    )
    establishments = Establishment.objects.visible_to(user).order_by("sort_name")
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
        .order_by("establishment__sort_name")
        if campaign
        else []
    )
    region_deadline = deadline_with(campaign, None, regional_deadline(campaign, user.region_id)) if campaign else None
    return render(
        request,
        "requests_app/extensions.html",
        {
            "form": form,
            "campaign": campaign,
            "campaigns": campaigns,
            "granted": granted,
            "region_deadline": region_deadline,
        },
    )
