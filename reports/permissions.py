"""Who may download which document or export: each function returns ``(allowed, reason)``."""

from campaigns.permissions import national_only
from core.access import ALLOWED, HIDDEN, Permission


def can_export_national_board(user) -> Permission:
    return national_only(user, "Le tableau de bord national est réservé à la DGER.")


def can_export_requests(user) -> Permission:
    """DGER exports every region's requests, regional staff their region's (the queryset is scoped)."""
    if user.is_state_staff:
        return ALLOWED
    if user.is_establishment_staff:
        return HIDDEN
    return False, "Les exports de demandes sont réservés aux DRAAF-SRFD et à la DGER."


def can_view_regional_documents(user, region) -> Permission:
    """Regional staff of the region and DGER; another region's staff and heads never reach here (404)."""
    if user.is_national or user.is_regional_of(region.pk):
        return ALLOWED
    if user.is_regional or user.is_establishment_staff:
        return HIDDEN
    return False, "Les bilans régionaux sont réservés aux DRAAF-SRFD et à la DGER."


def can_transmit(user, region) -> Permission:
    if user.is_regional_of(region.pk):
        return ALLOWED
    if user.is_national:
        return False, "Seule la DRAAF-SRFD transmet son bilan à la DGER."
    return HIDDEN


def can_edit_review(user, region) -> Permission:
    if user.is_regional_of(region.pk):
        return ALLOWED
    return False, "La synthèse régionale est rédigée par la DRAAF-SRFD."


def can_follow_usage_reports(user, region) -> Permission:
    if user.is_regional_of(region.pk):
        return ALLOWED
    if user.is_national:
        return False, "Le suivi des bilans d'utilisation et les relances sont faits par chaque DRAAF-SRFD."
    return HIDDEN


def can_build_national_documents(user) -> Permission:
    return national_only(user, "Les documents nationaux sont réservés à la DGER.")


def can_view_reports_index(user) -> Permission:
    if user.is_establishment_staff or user.is_state_staff:
        return ALLOWED
    return False, "Les rapports concernent les établissements, les DRAAF-SRFD et la DGER."
