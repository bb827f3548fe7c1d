"""Who may download which document or export: each function returns ``(allowed, reason)``."""

from accounts.access import ALLOWED, HIDDEN, Permission, is_regional_of


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


def can_view_regional_documents(user, region) -> Permission:
    """Regional staff of the region and DGER; another region's staff and heads never reach here (404)."""
    role = getattr(user, "role", None)
    if role == "national" or is_regional_of(user, region.pk):
        return ALLOWED
    if role == "regional" or role == "head" or not user.is_authenticated:
        return HIDDEN
    return False, "Les bilans régionaux sont réservés aux DRAAF-SRFD et à la DGER."


def can_transmit(user, region) -> Permission:
    if is_regional_of(user, region.pk):
        return ALLOWED
    if getattr(user, "role", None) == "national":
        return False, "Seule la DRAAF-SRFD transmet son bilan à la DGER."
    return HIDDEN


def can_edit_review(user, region) -> Permission:
    if is_regional_of(user, region.pk):
        return ALLOWED
    return False, "La synthèse régionale est rédigée par la DRAAF-SRFD."


def can_follow_usage_reports(user, region) -> Permission:
    if is_regional_of(user, region.pk):
        return ALLOWED
    if getattr(user, "role", None) == "national":
        return False, "Le suivi des bilans d'utilisation et les relances sont faits par chaque DRAAF-SRFD."
    return HIDDEN


def can_build_national_documents(user) -> Permission:
    role = getattr(user, "role", None)
    if role == "national":
        return ALLOWED
    if role == "head" or not user.is_authenticated:
        return HIDDEN
    return False, "Les documents nationaux sont réservés à la DGER."


def can_view_reports_index(user) -> Permission:
    if getattr(user, "role", None) in ("head", "regional", "national"):
        return ALLOWED
    return False, "Les rapports concernent les établissements, les DRAAF-SRFD et la DGER."
