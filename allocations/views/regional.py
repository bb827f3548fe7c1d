"""Regional staff: the board of their region, decisions, the allocation assistant, notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import enforce
from accounts.models import Establishment
from allocations import permissions, services
from allocations.assistant import propose
from allocations.boards import ZERO_DEC
from allocations.forms import AssistantForm, DecisionForm, NoteForm, RefusalForm
from allocations.models import Decision, Envelope
from requests_app.models import LEVEL_KEYS, LEVELS, Request

PAGE_SIZE = 25
SORTS = {
    "etablissement": "establishment__name",
    "uai": "establishment__uai",
    "commune": "establishment__commune",
    "etat": "status",
    "reseau": "establishment__network",
    "hse": "hse_total_weekly",
    "demande": "requested_annual",
    "attribue": "decision__total",
    "depot": "submitted_at",
}


def _envelope(request):
    """The region's envelope for ``?campagne=YYYY``, else for the newest campaign notified to the region."""
    envelopes = list(
        Envelope.objects.visible_to(request.user).select_related("campaign", "region").order_by("-campaign__start_year")
    )
    year = request.GET.get("campagne", "")
    for envelope in envelopes:
        if year.isdigit() and envelope.campaign.start_year == int(year):
            return envelope, envelopes
    return (envelopes[0] if envelopes else None), envelopes


def _with_hours(envelope):
    return Envelope.objects.with_hours().select_related("campaign", "region").get(pk=envelope.pk)


@login_required
def board(request):
    enforce(permissions.can_use_regional_board(request.user))
    envelope, envelopes = _envelope(request)
    if envelope is None:
        return render(request, "allocations/regional_board.html", {"envelope": None})
    campaign = envelope.campaign
    requests = Request.objects.visible_to(request.user).filter(campaign=campaign)

    if request.method == "POST":
        ids = [pk for pk in request.POST.getlist("demandes") if pk.isdigit()]
        moved = services.start_review(request.user, list(requests.filter(pk__in=ids)))
        skipped = len(ids) - moved
        messages.success(
            request, f"{moved} demande{'s' if moved != 1 else ''} mise{'s' if moved != 1 else ''} en instruction."
        )
        if skipped:
            messages.warning(
                request, f"{skipped} demande(s) sélectionnée(s) n'étai(en)t pas « déposée(s) » : inchangée(s)."
            )
        return redirect(request.get_full_path())

    envelope = _with_hours(envelope)
    counted = requests.exclude(status=Request.Status.WITHDRAWN)
    requested = (
        counted.aggregate(weekly=Coalesce(Sum("hse_total_weekly"), ZERO_DEC))["weekly"] * campaign.weeks_per_year
    )
    by_status = dict(requests.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    letters_pending = services.letters_pending(campaign, envelope.region)
    to_notify = Decision.objects.filter(
        request__in=requests,
        notified_at__isnull=True,
        request__status__in=[Request.Status.ALLOCATED, Request.Status.REFUSED],
    ).count()

    queryset = requests.filtered(request.GET).figures_only().select_related("establishment", "decision").with_annual()
    sort = request.GET.get("tri", "etablissement")
    key = SORTS.get(sort.lstrip("-"), "establishment__name")
    order = f"-{key}" if sort.startswith("-") else key
    queryset = queryset.order_by(order, "establishment__name", "pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "allocations/regional_board.html",
        {
            "envelope": envelope,
            "envelopes": envelopes,
            "campaign": campaign,
            "requested": requested,
            "by_status": by_status,
            "under_review": by_status.get(Request.Status.UNDER_REVIEW, 0),
            "to_notify": to_notify,
            "letters_pending": letters_pending,
            "days_left": (campaign.allocation_deadline - today).days,
            "page": page,
            "sort": sort,
            "filters": {key: request.GET.get(key, "") for key in ("q", "statut", "niveau", "secteur", "reseau")},
            "statuses": [c for c in Request.Status.choices if c[0] != Request.Status.DRAFT],
            "levels": LEVELS,
            "sectors": Establishment.Status.choices,
            "networks": [c for c in Establishment.Network.choices if c[0]],
            "columns": [
                ("etablissement", "Établissement"),
                ("reseau", "Réseau"),
                ("etat", "État"),
                ("hse", "HSE/semaine"),
                ("demande", "Demandé (h/an)"),
                ("attribue", "Attribué (h/an)"),
            ],
        },
    )


def _decision_context(request, req, decision_form=None, refusal_form=None, note_form=None):
    decision = Decision.objects.filter(request=req).select_related("decided_by", "notified_by").first()
    caps = services.requested_caps(req)
    version = decision.version if decision else 0
    initial = {"version": version, "justification": decision.justification if decision else ""}
    if decision and decision.outcome == Decision.Outcome.ALLOCATED:
        initial.update({f"hours_{k}": decision.hours(k) for k in LEVEL_KEYS})
    envelope = Envelope.objects.with_hours().filter(campaign=req.campaign, region=req.establishment.region).first()
    return {
        "req": req,
        "decision": decision,
        "caps": caps,
        "envelope": envelope,
        "can_decide": permissions.can_decide(request.user, req),
        "decision_form": decision_form or DecisionForm(initial=initial, caps=caps),
        "refusal_form": refusal_form or RefusalForm(initial={"version": version}),
        "note_form": note_form or NoteForm(),
        "notes": req.internal_notes.select_related("author"),
        "events": req.events.select_related("actor").order_by("at", "pk"),
        "level_rows": [
            {**row, "cap": caps[row["key"]], "allocated": decision.hours(row["key"]) if decision else None}
            for row in req.level_rows()
        ],
    }


@login_required
def decision_page(request, pk):
    req = get_object_or_404(
        Request.objects.visible_to(request.user).select_related("campaign", "establishment__region"), pk=pk
    )
    enforce(permissions.can_read_internal_notes(request.user, req))
    status = 200
    forms = {}
    if request.method == "POST":
        if "add_note" in request.POST:
            note = NoteForm(request.POST)
            if note.is_valid():
                services.add_internal_note(request.user, req, note.cleaned_data["text"])
                messages.success(request, "Note ajoutée.")
                return redirect("allocations:decision", req.pk)
            forms["note_form"], status = note, 422
        else:
            enforce(permissions.can_decide(request.user, req))
            if "refuse" in request.POST:
                form = RefusalForm(request.POST)
                forms["refusal_form"] = form
                action = lambda data: services.refuse(request.user, req, data["reason"], data["version"])  # noqa: E731
                done = "Refus enregistré. Il sera communiqué à l'établissement à la notification."
            else:
                form = DecisionForm(request.POST, caps=services.requested_caps(req))
                forms["decision_form"] = form
                action = lambda data: services.allocate(  # noqa: E731
                    request.user, req, form.hours(), data["justification"], data["version"]
                )
                done = "Attribution enregistrée. Elle reste modifiable jusqu'à sa notification à l'établissement."
            if form.is_valid():
                try:
                    action(form.cleaned_data)
                except services.StaleDecision as stale:
                    messages.error(request, str(stale))
                    return render(request, "allocations/decision.html", _decision_context(request, req), status=409)
                except services.AllocationError as error:
                    form.add_error(None, str(error))
                    status = 422
                else:
                    messages.success(request, done)
                    return redirect("allocations:decision", req.pk)
            else:
                status = 422
    return render(request, "allocations/decision.html", _decision_context(request, req, **forms), status=status)


@login_required
def assistant(request):
    enforce(permissions.can_use_regional_board(request.user))
    envelope, _envelopes = _envelope(request)
    if envelope is None:
        raise Http404
    envelope = _with_hours(envelope)
    campaign = envelope.campaign
    under_review = (
        Request.objects.visible_to(request.user)
        .filter(campaign=campaign, status=Request.Status.UNDER_REVIEW, decision__isnull=True)
        .select_related("campaign", "establishment")
        .order_by("establishment__name")
    )
    result = propose(envelope, under_review)
    ids = ",".join(str(p.request.pk) for p in result.proposals)
    form = AssistantForm(request.POST or None, proposals=result.proposals)
    if request.method == "POST":
        if request.POST.get("ids", "") != ids:
            messages.error(
                request,
                "La liste des demandes en instruction a changé depuis l'ouverture de l'assistant : voici les "
                "nouvelles propositions. Rien n'a été enregistré.",
            )
            return redirect(f"{reverse('allocations:assistant')}?campagne={campaign.start_year}")
        if form.is_valid():
            try:
                made = services.apply_assistant(
                    request.user, campaign, envelope.region, form.hours(), form.cleaned_data["justification"]
                )
            except services.AllocationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"{made} attribution{'s' if made != 1 else ''} enregistrée{'s' if made != 1 else ''}. "
                    "Vérifiez-les puis notifiez les établissements.",
                )
                return redirect(f"{reverse('allocations:board')}?campagne={campaign.start_year}")
    return render(
        request,
        "allocations/assistant.html",
        {"envelope": envelope, "campaign": campaign, "result": result, "form": form, "ids": ids},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def notify(request):
    enforce(permissions.can_use_regional_board(request.user))
    envelope, _envelopes = _envelope(request)
    if envelope is None:
        raise Http404
    try:
        count = services.notify_decisions(request.user, envelope.campaign, envelope.region)
    except services.AllocationError as error:
        messages.error(request, str(error))
    else:
        if count:
            messages.success(
                request,
                f"{count} établissement{'s' if count != 1 else ''} notifié{'s' if count != 1 else ''} : les lettres de "
                "notification sont fabriquées et envoyées par courriel ; l'envoi se poursuit en arrière-plan.",
            )
        else:
            messages.info(request, "Aucune décision nouvelle à notifier : rien n'a été envoyé.")
    return redirect(f"{reverse('allocations:board')}?campagne={envelope.campaign.start_year}")


@login_required
@require_POST
def resume_letters(request):
    enforce(permissions.can_use_regional_board(request.user))
    envelope, _envelopes = _envelope(request)
    if envelope is None:
        raise Http404
    pending = services.resume_letters(request.user, envelope.campaign, envelope.region)
    if pending:
        messages.info(request, f"Envoi relancé pour {pending} lettre{'s' if pending > 1 else ''} en attente.")
    else:
        messages.info(request, "Toutes les lettres sont envoyées.")
    return redirect(f"{reverse('allocations:board')}?campagne={envelope.campaign.start_year}")


@login_required
def letter(request, pk):
    decision = get_object_or_404(Decision.objects.visible_to(request.user).select_related("request"), request_id=pk)
    enforce(permissions.can_download_letter(request.user, decision))
    decision = services.ensure_letter(decision)
    return FileResponse(
        decision.letter.open("rb"),
        content_type="application/pdf",
        filename=f"{decision.request.reference}-notification.pdf",
    )
