"""The allocation assistant applied: every proposal allocated at once, or nothing."""

from django.db import transaction

from allocations import permissions
from allocations.services.decisions import validate_hours, write_decision
from allocations.services.envelopes import _check, lock_envelope, region_allocated
from allocations.services.errors import AllocationError
from core.formatting import format_hours
from requests_app.models import Decision, Request


@transaction.atomic
def apply_assistant(user, campaign, region, proposals: dict[int, dict[str, int]], justification: str) -> int:
    """Allocate every proposal at once, or nothing: ``proposals`` maps a request id to hours per level.
    Lines with no hours are left under review. Returns the number of allocations made."""
    _check(permissions.can_use_regional_board(user))
    if not user.is_regional_of(region.pk):
        raise AllocationError("Seuls les agents de la DRAAF-SRFD de la région répartissent son enveloppe.")
    envelope = lock_envelope(campaign.pk, region.pk)
    if not envelope.is_notified:
        raise AllocationError("L'enveloppe de la région n'est pas encore notifiée par la DGER.")
    requests = {
        r.pk: r
        for r in Request.objects.select_for_update(of=("self",))
        .select_related("campaign", "establishment__region")
        .filter(pk__in=list(proposals), campaign=campaign, establishment__region=region)
    }
    missing = set(proposals) - set(requests)
    if missing:
        raise AllocationError("Une des demandes proposées n'appartient pas à cette campagne ou à cette région.")
    already = set(Decision.objects.filter(request_id__in=list(requests)).values_list("request_id", flat=True))
    for pk, request in requests.items():
        if request.status != Request.Status.UNDER_REVIEW or pk in already:
            raise AllocationError(
                f"La demande de {request.establishment.name} n'est plus en instruction (décision prise entre-temps) : "
                "relancez l'assistant. Rien n'a été enregistré."
            )
    cleaned = {}
    for pk, hours in proposals.items():
        try:
            cleaned[pk] = validate_hours(requests[pk], hours)
        except AllocationError as error:
            raise AllocationError(f"{requests[pk].establishment.name} — {error} Rien n'a été enregistré.") from None
    total = sum(sum(h.values()) for h in cleaned.values())
    envelope_hours = envelope.total_hours()
    others = region_allocated(campaign.pk, region.pk, list(requests))
    if total > envelope_hours - others:
        raise AllocationError(
            f"Les propositions totalisent {format_hours(total)}, mais il ne reste que "
            f"{format_hours(max(envelope_hours - others, 0))} dans l'enveloppe. Rien n'a été enregistré."
        )
    made = 0
    running = others
    for pk in sorted(cleaned, key=lambda k: requests[k].establishment.sort_name):
        hours = cleaned[pk]
        if sum(hours.values()) == 0:
            continue
        write_decision(
            user,
            requests[pk],
            Decision.Outcome.ALLOCATED,
            hours,
            justification.strip(),
            0,
            envelope_hours,
            running,
        )
        running += sum(hours.values())
        made += 1
    return made
