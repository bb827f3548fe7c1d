"""What a user may do with campaigns, envelopes and decisions: each function returns ``(allowed, reason)``.

A head of establishment has no business on these pages: ``HIDDEN`` (404). Regional staff get a 403 with
the reason on DGER's pages, and DGER a 403 on the regional ones.
"""

from accounts.access import ALLOWED, HIDDEN, Permission


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
