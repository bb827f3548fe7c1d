"""Who may download which document or export: each function returns ``(allowed, reason)``."""

from accounts.access import ALLOWED, HIDDEN, Permission


def can_export_national_board(user) -> Permission:
    role = getattr(user, "role", None)
    if role == "national":
        return ALLOWED
    if role == "head" or not user.is_authenticated:
        return HIDDEN
    return False, "Le tableau de bord national est réservé à la DGER."


def can_export_requests(user) -> Permission:
    """DGER exports every region's requests, regional staff their region's (the queryset is scoped)."""
    role = getattr(user, "role", None)
    if role in ("national", "regional"):
        return ALLOWED
    if role == "head" or not user.is_authenticated:
        return HIDDEN
    return False, "Les exports de demandes sont réservés aux DRAAF-SRFD et à la DGER."
