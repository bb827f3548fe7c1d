"""What a user may do with campaigns, envelopes and decisions: each function returns ``(allowed, reason)``.

A head of establishment has no business on these pages: ``HIDDEN`` (404). Regional staff get a 403 with
the reason on DGER's pages, and DGER a 403 on the regional ones.
"""

from accounts.access import ALLOWED, HIDDEN, Permission, is_regional_of
from requests_app.models import Request


def _national_only(user, what: str) -> Permission:
    role = getattr(user, "role", None)
    if role == "national":
        return ALLOWED
    if role == "head" or not user.is_authenticated:
        return HIDDEN
    return False, f"{what} est réservé à la DGER."


def can_view_national_board(user) -> Permission:
    return _national_only(user, "Le tableau de bord national")


def can_manage_campaigns(user) -> Permission:
    return _national_only(user, "La gestion des campagnes")


def can_manage_envelopes(user) -> Permission:
    return _national_only(user, "La gestion des enveloppes régionales")


def can_view_envelope(user, envelope) -> Permission:
    """The envelope is already visible to the user (``Envelope.objects.visible_to``)."""
    return ALLOWED


def can_add_movement(user, envelope) -> Permission:
    allowed, reason = _national_only(user, "L'ajout d'un mouvement d'enveloppe")
    if not allowed:
        return allowed, reason
    if not envelope.is_notified:
        return False, "Les enveloppes ne sont pas encore notifiées : modifiez directement leur montant initial."
    return ALLOWED


def can_use_regional_board(user) -> Permission:
    role = getattr(user, "role", None)
    if role == "regional":
        return ALLOWED
    if role == "head" or not user.is_authenticated:
        return HIDDEN
    return False, "La répartition de l'enveloppe régionale est réservée aux agents des DRAAF-SRFD."


def can_decide(user, request) -> Permission:
    """Allocate or refuse: regional staff of the request's region, until the decision is notified."""
    if not is_regional_of(user, request.establishment.region_id):
        return False, "Seuls les agents de la DRAAF-SRFD de l'établissement décident de sa dotation."
    if request.status == Request.Status.NOTIFIED:
        return False, "La décision est notifiée à l'établissement : elle ne peut plus être modifiée."
    if request.status not in (
        Request.Status.SUBMITTED,
        Request.Status.UNDER_REVIEW,
        Request.Status.ALLOCATED,
        Request.Status.REFUSED,
    ):
        return False, f"Une demande « {request.get_status_display()} » ne peut pas recevoir de décision."
    return ALLOWED


def can_start_review(user, request) -> Permission:
    if not is_regional_of(user, request.establishment.region_id):
        return False, "Seuls les agents de la DRAAF-SRFD de l'établissement instruisent sa demande."
    if request.status != Request.Status.SUBMITTED:
        return False, "Seule une demande déposée peut être mise en instruction."
    return ALLOWED


def can_notify_decisions(user, region_id) -> Permission:
    if not is_regional_of(user, region_id):
        return False, "Seuls les agents de la DRAAF-SRFD notifient les décisions de leur région."
    return ALLOWED


def can_read_internal_notes(user, request) -> Permission:
    if is_regional_of(user, request.establishment.region_id):
        return ALLOWED
    return False, "Les notes internes sont réservées aux agents de la DRAAF-SRFD."


def can_download_letter(user, decision) -> Permission:
    """The decision is visible to the user (``Decision.objects.visible_to``); the letter exists once notified."""
    if not decision.notified_at:
        return False, "La lettre de notification est disponible une fois la décision notifiée."
    return ALLOWED
