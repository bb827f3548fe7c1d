"""Deciding on requests: put them under review, allocate hours (never beyond what remains in the region's
envelope, under the envelope lock) or refuse, until the decision is notified."""

from django.db import transaction
from django.utils import timezone

from allocations import permissions
from allocations.apportion import floor_hours
from allocations.models import InternalNote
from allocations.services.envelopes import _check, lock_envelope, region_allocated
from allocations.services.errors import AllocationError
from core.formatting import format_hours
from core.versioning import StaleError
from requests_app import lifecycle
from requests_app.models import LEVEL_KEYS, LEVEL_LABELS, Decision, Request
from requests_app.services import transition


class StaleDecision(StaleError, AllocationError):
    """The decision changed since the form was opened (another member of staff)."""

    def __init__(self, decision):
        if decision is None:
            super().__init__("La décision a été annulée")
        else:
            super().__init__("Cette décision a été modifiée", decision, decision.decided_by, decision.decided_at)


def requested_caps(request) -> dict[str, int]:
    """The most each level may receive: the annual hours asked, in whole hours."""
    return {key: floor_hours(request.campaign.annual_hours(request.weekly(key) or 0)) for key in LEVEL_KEYS}


def lock_for_decision(request):
    """Locks in the project's order: the envelope of the request's region, then the request itself."""
    envelope = lock_envelope(request.campaign_id, request.establishment.region_id)
    if not envelope.is_notified:
        raise AllocationError("L'enveloppe de la région n'est pas encore notifiée par la DGER.")
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("campaign", "establishment__region")
        .get(pk=request.pk)
    )
    return envelope, locked


def snapshot(decision) -> dict | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome,
        "hours": {key: decision.hours(key) for key in LEVEL_KEYS},
        "total": decision.computed_total(),
    }


def _describe(state) -> str:
    if state is None:
        return "aucune"
    if state["outcome"] == Decision.Outcome.REFUSED:
        return "refus"
    parts = [f"{LEVEL_LABELS[k]} {format_hours(h)}" for k, h in state["hours"].items() if h]
    return f"{format_hours(state['total'])} ({', '.join(parts)})"


def write_decision(user, request, outcome, hours, text, expected_version, envelope_hours, others) -> Decision:
    """Record the decision on a locked request and move the request to its state, with the history line."""
    decision = Decision.objects.filter(request=request).select_related("decided_by").first()
    if (decision.version if decision else 0) != expected_version:
        raise StaleDecision(decision)
    before = snapshot(decision)
    if decision is None:
        decision = Decision(request=request)
    decision.outcome = outcome
    for key in LEVEL_KEYS:
        setattr(decision, f"hours_{key}", hours.get(key, 0))
    decision.justification = text
    decision.decided_by = user
    decision.decided_at = timezone.now()
    decision.version = (decision.version or 0) + 1 if decision.pk else 1
    decision.save()
    after = snapshot(decision)
    name = "refuse" if outcome == Decision.Outcome.REFUSED else lifecycle.allocate_transition(request.status).name
    region_total = others + after["total"]
    transition(
        request,
        user,
        name,
        message=text,
        data={
            "before": before,
            "after": after,
            "envelope": envelope_hours,
            "region_allocated_after": region_total,
            "changes": [
                f"Décision : {_describe(before)} → {_describe(after)}",
                f"Enveloppe {format_hours(envelope_hours)} ; attribué dans la région : {format_hours(region_total)} ; "
                f"reste {format_hours(envelope_hours - region_total)}",
            ],
        },
    )
    return decision


def validate_hours(request, hours: dict) -> dict[str, int]:
    caps = requested_caps(request)
    clean = {}
    for key in LEVEL_KEYS:
        value = hours.get(key) or 0
        if not isinstance(value, int) or value < 0:
            raise AllocationError(f"{LEVEL_LABELS[key]} : indiquez un nombre entier d'heures positif ou nul.")
        if value > caps[key]:
            raise AllocationError(
                f"{LEVEL_LABELS[key]} : {format_hours(value)} dépasse ce que l'établissement a demandé "
                f"({format_hours(caps[key])} par an)."
            )
        clean[key] = value
    return clean


@transaction.atomic
def allocate(user, request, hours: dict, justification: str, expected_version: int) -> Decision:
    """Grant hours per level (annual, whole hours) to a request; refused if the region's allocations would
    exceed its envelope. Can be changed until notified."""
    _check(permissions.can_decide(user, request))
    envelope, request = lock_for_decision(request)
    _check(permissions.can_decide(user, request))
    clean = validate_hours(request, hours)
    total = sum(clean.values())
    if total <= 0:
        raise AllocationError("Attribuez au moins une heure, ou refusez la demande en indiquant le motif.")
    envelope_hours = envelope.total_hours()
    others = region_allocated(request.campaign_id, request.establishment.region_id, [request.pk])
    remaining = envelope_hours - others
    if total > remaining:
        raise AllocationError(
            f"Cette attribution de {format_hours(total)} dépasse ce qui reste dans l'enveloppe : "
            f"{format_hours(max(remaining, 0))} (enveloppe {format_hours(envelope_hours)}, déjà attribuées aux "
            f"autres établissements {format_hours(others)})."
        )
    return write_decision(
        user,
        request,
        Decision.Outcome.ALLOCATED,
        clean,
        justification.strip(),
        expected_version,
        envelope_hours,
        others,
    )


@transaction.atomic
def refuse(user, request, reason: str, expected_version: int) -> Decision:
    _check(permissions.can_decide(user, request))
    if not (reason or "").strip():
        raise AllocationError("Indiquez le motif du refus : il figure dans la lettre de notification.")
    envelope, request = lock_for_decision(request)
    _check(permissions.can_decide(user, request))
    envelope_hours = envelope.total_hours()
    others = region_allocated(request.campaign_id, request.establishment.region_id, [request.pk])
    return write_decision(
        user, request, Decision.Outcome.REFUSED, {}, reason.strip(), expected_version, envelope_hours, others
    )


@transaction.atomic
def start_review(user, requests) -> int:
    """Put deposited requests « en instruction »; the others are left as they are. Returns how many moved."""
    moved = 0
    for request in (
        Request.objects.select_for_update(of=("self",))
        .select_related("establishment")
        .filter(pk__in=[r.pk for r in requests])
    ):
        if not permissions.can_start_review(user, request)[0]:
            continue
        transition(request, user, "start_review")
        moved += 1
    return moved


@transaction.atomic
def add_internal_note(user, request, text: str) -> InternalNote:
    _check(permissions.can_read_internal_notes(user, request))
    if not (text or "").strip():
        raise AllocationError("La note est vide.")
    return InternalNote.objects.create(request=request, author=user, text=text.strip())
