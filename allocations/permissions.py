"""What a user may do with envelopes and decisions: each function returns ``(allowed, reason)``.

A head of establishment has no business on these pages: ``HIDDEN`` (404). Regional staff get a 403 with
the reason on DGER's pages, and DGER a 403 on the regional ones. Decisions follow the request lifecycle
(``requests_app.lifecycle``).
"""

from campaigns.permissions import national_only
from core.access import ALLOWED, HIDDEN, Permission
from requests_app import lifecycle


def can_view_national_board(user) -> Permission:
    return national_only(user, "Le tableau de bord national est réservé à la DGER.")


def can_manage_envelopes(user) -> Permission:
    return national_only(user, "La gestion des enveloppes régionales est réservée à la DGER.")


def can_add_movement(user, envelope) -> Permission:
    allowed, reason = national_only(user, "L'ajout d'un mouvement d'enveloppe est réservé à la DGER.")
    if not allowed:
        return allowed, reason
    if not envelope.is_notified:
        return False, "Les enveloppes ne sont pas encore notifiées : modifiez directement leur montant initial."
    return ALLOWED


def can_use_regional_board(user) -> Permission:
    if user.is_authenticated and user.is_regional:
        return ALLOWED
    if not user.is_authenticated or user.is_establishment_staff:
        return HIDDEN
    return False, "La répartition de l'enveloppe régionale est réservée aux agents des DRAAF-SRFD."


def can_decide(user, request) -> Permission:
    """Allocate or refuse: regional staff of the request's region, until the decision is notified (a refusal
    is possible from every state where a decision is: ``lifecycle.DECIDABLE``)."""
    return lifecycle.permission("refuse", user, request)


def can_start_review(user, request) -> Permission:
    return lifecycle.permission("start_review", user, request)


def can_notify_decisions(user, region_id) -> Permission:
    if user.is_authenticated and user.is_regional_of(region_id):
        return ALLOWED
    return False, lifecycle.BY_NAME["notify"].wrong_actor


def can_open_instruction(user, request) -> Permission:
    """The instruction page (decision, internal notes) of a request: its region's staff only; others read the
    request's own page."""
    if user.is_authenticated and user.is_regional_of(request.establishment.region_id):
        return ALLOWED
    return False, (
        "La page d'instruction (décision et notes internes) est réservée aux agents de la DRAAF-SRFD de la région "
        "de l'établissement. La demande, son état et son historique restent consultables sur sa propre page."
    )


def can_read_internal_notes(user, request) -> Permission:
    if user.is_authenticated and user.is_regional_of(request.establishment.region_id):
        return ALLOWED
    return False, "Les notes internes sont réservées aux agents de la DRAAF-SRFD."
