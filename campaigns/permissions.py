"""What a user may do with campaigns: each function returns ``(allowed, reason)``."""

from core.access import ALLOWED, HIDDEN, Permission


def national_only(user, reason: str) -> Permission:
    """DGER only: heads never see such pages (404); regional staff and the administrator get ``reason``."""
    if user.is_authenticated and user.is_national:
        return ALLOWED
    if not user.is_authenticated or user.is_establishment_staff:
        return HIDDEN
    return False, reason


def can_manage_campaigns(user) -> Permission:
    return national_only(user, "La gestion des campagnes est réservée à la DGER.")


def can_set_regional_deadline(user, region_id) -> Permission:
    """A region's own request deadline: set by its DRAAF-SRFD staff (the note leaves the precise date to the
    regional authority). Other regions' staff and heads never see the page; DGER is told who sets it."""
    if user.is_authenticated and user.is_regional:
        return ALLOWED if user.region_id == region_id else HIDDEN
    if not user.is_authenticated or user.is_head:
        return HIDDEN
    return False, (
        "La date limite régionale de dépôt est fixée par chaque DRAAF-SRFD pour sa région ; la DGER fixe la date "
        "nationale dans le calendrier de la campagne."
    )
