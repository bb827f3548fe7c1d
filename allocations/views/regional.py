"""Regional staff: the board of their region, decisions, the allocation assistant, notifications."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Establishment
from allocations import permissions, services
from allocations.assistant import propose
from allocations.forms import AssistantForm, DecisionForm, NoteForm, RefusalForm
from allocations.models import Envelope, EnvelopeQuerySet
from allocations.rows import board_rows
from campaigns.models import Campaign
from core.access import enforce
from core.aggregates import total_decimal
from core.formatting import count
from core.pagination import WindowCountPaginator
from core.params import whole_number
from requests_app import lifecycle
from requests_app.models import LEVEL_KEYS, LEVELS, Decision, Request, Submission

PAGE_SIZE = 25
SORTS = {
    "etablissement": "establishment__sort_name",
    "uai": "establishment__uai",
    "commune": "establishment__commune",
    "etat": "status",
    "reseau": "establishment__network",
    "hse": "hse_total_weekly",
    "demande": "requested_annual",
    "attribue": "decision__total",
    "depot": "submitted_at",
}


def _envelope(request, hours=None):
    """The region's envelope for ``?campagne=YYYY``, else for the newest campaign notified to the region, and the
    region's envelopes (the campaign selector). ``hours``: an ``EnvelopeQuerySet`` method annotating each with its
    figures in the same query (``with_hours``, ``with_movements``): a region has one envelope a campaign, and
    summing the other campaigns' figures costs the database less than a second query costs the page."""
    envelopes = Envelope.objects.visible_to(request.user)
    envelopes = list(
        (hours(envelopes) if hours else envelopes)
        .select_related("campaign", "region")
        .order_by("-campaign__start_year")
    )
    year = whole_number(request.GET.get("campagne", ""))
    for envelope in envelopes:
        if envelope.campaign.start_year == year:
            return envelope, envelopes
    return (envelopes[0] if envelopes else None), envelopes


def board(request):
    enforce(permissions.can_use_regional_board(request.user))
    # The envelopes with their movements; the hours granted come with the figures of the requests below.
    envelope, envelopes = _envelope(request, EnvelopeQuerySet.with_movements)
    asked = whole_number(request.GET.get("campagne", ""))
    if envelope is None or (asked is not None and envelope.campaign.start_year != asked):
        # The campaign asked for has no envelope notified to the region yet: say so rather than show another.
        waiting = Campaign.objects.filter(start_year=asked).first() if asked is not None else None
        return render(
            request,
            "allocations/regional_board.html",
            {"envelope": None, "envelopes": envelopes, "waiting": waiting},
        )
    campaign = envelope.campaign
    requests = Request.objects.visible_to(request.user).filter(campaign=campaign)

    if request.method == "POST":
        ids = [pk for pk in map(whole_number, request.POST.getlist("demandes")) if pk is not None]
        moved = services.start_review(request.user, list(requests.filter(pk__in=ids)))
        skipped = len(ids) - moved
        messages.success(
            request, f"{moved} demande{'s' if moved != 1 else ''} mise{'s' if moved != 1 else ''} en instruction."
        )
        if skipped:
            messages.warning(
                request,
                count(
                    skipped,
                    "demande sélectionnée n'était pas « déposée » : elle est inchangée.",
                    "demandes sélectionnées n'étaient pas « déposées » : elles sont inchangées.",
                ),
            )
        return redirect(request.get_full_path())

    # One grouped query for the figures above the table: requests by state, HSE per week asked, hours granted
    # (the envelope's « attribué »), decisions waiting for their notification, letters not yet accepted by the
    # mail server.
    groups = list(
        requests.values("status")
        .annotate(
            n=Count("pk"),
            weekly=total_decimal("hse_total_weekly"),
            granted=Request.objects.granted(),
            unnotified=Count("decision", filter=Q(decision__notified_at__isnull=True)),
            letters=Count("decision", filter=services.letter_waiting("decision__")),
        )
        .order_by()
    )
    envelope.allocated = sum(group["granted"] for group in groups)  # what with_hours() reads, from these requests
    by_status = {group["status"]: group["n"] for group in groups}
    requested = campaign.annual_hours(
        sum((group["weekly"] for group in groups if group["status"] in lifecycle.COUNTED), Decimal(0))
    )
    notifiable = lifecycle.BY_NAME["notify"].sources
    to_notify = sum(group["unnotified"] for group in groups if group["status"] in notifiable)
    letters_pending, letters_undelivered = services.letters_state(
        campaign, envelope.region, waiting=sum(group["letters"] for group in groups)
    )

    queryset = requests.filtered(request.GET).list_rows(
        network=F("establishment__network"),
        decided=F("decision__total"),
        outcome=F("decision__outcome"),
        notified_at=F("decision__notified_at"),
    )
    sort = request.GET.get("tri", "etablissement")
    key = SORTS.get(sort.lstrip("-"), "establishment__sort_name")
    order = f"-{key}" if sort.startswith("-") else key
    queryset = queryset.order_by(order, "establishment__sort_name", "pk")
    page = WindowCountPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))  # filtered or not
    networks, outcomes = dict(Establishment.Network.choices), dict(Decision.Outcome.choices)
    for row in page.object_list:  # labels of the rows' values, as the instances' get_FOO_display would give
        row["network"] = networks.get(row["network"], "")
        row["outcome"] = outcomes.get(row["outcome"], "")
        row["selectable"] = row["status"] == Request.Status.SUBMITTED  # the bulk « mettre en instruction »
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
            "letters_undelivered": letters_undelivered,
            "retry_hours": settings.EMAIL_RETRY_HOURS,
            "days_left": (campaign.allocation_deadline - today).days,
            # Work that the notification deadline is about: requests without a decision, decisions not notified.
            "outstanding": sum(by_status.get(status, 0) for status in lifecycle.AWAITING_DECISION) + to_notify,
            "page": page,
            "rows": board_rows(page.object_list, request.user),
            # The bulk « mettre en instruction » is offered only when this page has a deposited request to tick.
            "selectable": any(row["selectable"] for row in page.object_list),
            "sort": sort,
            "filters": {key: request.GET.get(key, "") for key in ("q", "statut", "niveau", "secteur", "reseau")},
            "statuses": lifecycle.DEPOSITED_CHOICES,
            "levels": LEVELS,
            "sectors": Establishment.Status.choices,
            "networks": Establishment.NETWORK_FILTER_CHOICES,
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


_AS_READ = object()


def _decision_context(request, req, decision_form=None, refusal_form=None, note_form=None, decision=_AS_READ):
    """``decision``: the one to show (None: there is none any more) when it is newer than the one read with the
    request by ``decision_page``."""
    if decision is _AS_READ:
        decision = req.current_decision
    caps = services.requested_caps(req)
    version = decision.version if decision else 0
    initial = {"version": version, "justification": decision.justification if decision else ""}
    if decision and decision.outcome == Decision.Outcome.ALLOCATED:
        initial.update({f"hours_{k}": decision.hours(k) for k in LEVEL_KEYS})
    envelope = Envelope.objects.with_hours().filter(campaign=req.campaign, region=req.establishment.region).first()
    return {
        "previous": _previous_campaign(request.user, req),
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


def _previous_campaign(user, req) -> dict | None:
    """The establishment's previous campaign, beside the new request: hours asked, allocated, used according to
    its usage report, pupils supported (what an officer looked up in last year's spreadsheet). Read as the values
    shown rather than four model instances: one query when the establishment asked then, a second one for the
    campaign's year when it did not."""
    earlier = Campaign.objects.filter(start_year__lt=req.campaign.start_year).order_by("-start_year")
    row = (
        Request.objects.visible_to(user)
        .filter(campaign__start_year=Subquery(earlier.values("start_year")[:1]), establishment_id=req.establishment_id)
        .with_annual()
        .values(
            "pk",
            "reference",
            "status",
            "hse_total_weekly",
            "requested_annual",
            start_year=F("campaign__start_year"),
            outcome=F("decision__outcome"),
            total=F("decision__total"),
            notified_at=F("decision__notified_at"),
            report_submitted_at=F("usage_report__submitted_at"),
            used=F("usage_report__hours_used_total"),
            pupils=F("usage_report__pupils_supported"),
        )
        .first()
    )
    if row is None:
        year = earlier.values_list("start_year", flat=True).first()
        return {"label": Campaign.label_of(year), "request": None} if year is not None else None
    report = row["report_submitted_at"] is not None  # a draft report says nothing yet
    allocated = row["total"] if row["outcome"] == Decision.Outcome.ALLOCATED else None
    used = row["used"] if report else None
    return {
        "label": Campaign.label_of(row["start_year"]),
        "request": row,
        "decided": row["outcome"] is not None,
        "notified": row["notified_at"] is not None,
        "allocated": allocated,
        "report": report,
        "used": used,
        "pupils": row["pupils"] if report else None,
        "usage_rate": round(used * 100 / allocated) if used is not None and allocated else None,
    }


def decision_page(request, pk):
    req = get_object_or_404(
        Request.objects.visible_to(request.user)
        .select_related("campaign", "establishment__region", "decision__decided_by")  # who decided is shown
        .annotate(has_submission=Exists(Submission.objects.filter(request=OuterRef("pk")))),
        pk=pk,
    )
    enforce(permissions.can_open_instruction(request.user, req))
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
                    # What was typed stays in the form, now carrying the current version: the officer checks the
                    # decision shown above it, then saves again to replace it.
                    messages.error(request, str(stale))
                    data = request.POST.copy()
                    data[f"{form.prefix}-version" if form.prefix else "version"] = (
                        stale.current.version if stale.current else 0
                    )
                    kept = type(form)(data, caps=form.caps) if isinstance(form, DecisionForm) else type(form)(data)
                    kept.is_valid()
                    forms["refusal_form" if "refuse" in request.POST else "decision_form"] = kept
                    # The decision shown is the one that made the form stale (saved since the page was read).
                    context = _decision_context(request, req, decision=stale.current, **forms)
                    return render(request, "allocations/decision.html", context, status=409)
                except services.AllocationError as error:
                    form.add_error(None, str(error))
                    status = 422
                else:
                    messages.success(request, done)
                    return redirect("allocations:decision", req.pk)
            else:
                status = 422
    return render(request, "allocations/decision.html", _decision_context(request, req, **forms), status=status)


def assistant(request):
    enforce(permissions.can_use_regional_board(request.user))
    envelope, _envelopes = _envelope(request, EnvelopeQuerySet.with_hours)
    if envelope is None:
        raise Http404
    campaign = envelope.campaign
    under_review = (
        Request.objects.visible_to(request.user)
        .filter(campaign=campaign, status=Request.Status.UNDER_REVIEW, decision__isnull=True)
        .select_related("campaign", "establishment")
        .order_by("establishment__sort_name")
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
                "notification sont fabriquées et envoyées par courriel en arrière-plan ; le tableau indique celles "
                "qui ne sont pas encore remises.",
            )
        else:
            messages.info(request, "Aucune décision nouvelle à notifier : rien n'a été envoyé.")
    return redirect(f"{reverse('allocations:board')}?campagne={envelope.campaign.start_year}")


@require_POST
def resume_letters(request):
    enforce(permissions.can_use_regional_board(request.user))
    envelope, _envelopes = _envelope(request)
    if envelope is None:
        raise Http404
    count = services.resume_letters(request.user, envelope.campaign, envelope.region)
    if count:
        messages.info(request, f"Nouvel envoi de {count} lettre{'s' if count > 1 else ''} de notification.")
    else:
        messages.info(request, "Aucune lettre à envoyer de nouveau.")
    return redirect(f"{reverse('allocations:board')}?campagne={envelope.campaign.start_year}")
