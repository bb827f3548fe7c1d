"""What a user may do with a request: each function returns ``(allowed, reason)``.

Visibility (which requests a user can open at all) is ``Request.objects.visible_to(user)``; these rules
apply to a request already visible to the user. A refusal's reason is shown to the user as is.
"""

import datetime

from django.utils import formats, timezone

from accounts.access import ALLOWED, HIDDEN, Permission, is_head_of, is_regional_of
from requests_app.models import Extension, Request


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "j F Y")


def submission_deadline(campaign, establishment) -> tuple[datetime.date, Extension | None]:
    """The last day a request may be submitted: the campaign's deadline, or the extension's date."""
    extension = Extension.objects.filter(campaign=campaign, establishment=establishment).first()
    if extension and extension.until > campaign.request_deadline:
        return extension.until, extension
    return campaign.request_deadline, None


def deadline_permission(campaign, establishment, today=None) -> Permission:
    today = today or timezone.localdate()
    deadline, extension = submission_deadline(campaign, establishment)
    if today <= deadline:
        return ALLOWED
    if extension:
        return False, (
            f"Le délai accordé par la DRAAF-SRFD jusqu'au {_date(deadline)} est dépassé : la demande ne peut plus "
            "être déposée."
        )
    return False, (
        f"La date limite de dépôt des demandes de la campagne {campaign.label} était le {_date(deadline)} : "
        "la demande ne peut plus être déposée. Votre DRAAF-SRFD peut vous accorder un délai."
    )


def can_start(user, establishment, campaign, today=None) -> Permission:
    if not is_head_of(user, establishment):
        return HIDDEN
    if Request.objects.filter(campaign=campaign, establishment=establishment).exists():
        return False, "Une demande existe déjà pour cet établissement et cette campagne."
    return deadline_permission(campaign, establishment, today)


def can_edit(user, request: Request) -> Permission:
    if not is_head_of(user, request.establishment):
        return False, "Seul·e le/la chef·fe de l'établissement peut modifier sa demande."
    if request.status not in Request.EDITABLE:
        return False, (
            f"La demande est « {request.get_status_display()} » : elle n'est plus modifiable. "
            "Seule une demande en brouillon ou renvoyée à compléter peut l'être."
        )
    return ALLOWED


def can_submit(user, request: Request, today=None) -> Permission:
    allowed, reason = can_edit(user, request)
    if not allowed:
        return allowed, reason
    return deadline_permission(request.campaign, request.establishment, today)


def can_withdraw(user, request: Request) -> Permission:
    if not is_head_of(user, request.establishment):
        return False, "Seul·e le/la chef·fe de l'établissement peut retirer sa demande."
    if request.status not in (*Request.PENDING_DECISION, Request.Status.TO_COMPLETE):
        return False, "Seule une demande déposée, sans décision, peut être retirée."
    return ALLOWED


def can_reopen(user, request: Request, today=None) -> Permission:
    if not is_head_of(user, request.establishment):
        return False, "Seul·e le/la chef·fe de l'établissement peut reprendre sa demande."
    if request.status != Request.Status.WITHDRAWN:
        return False, "Seule une demande retirée peut être reprise."
    return deadline_permission(request.campaign, request.establishment, today)


def can_return(user, request: Request) -> Permission:
    if not is_regional_of(user, request.establishment.region_id):
        return False, "Seuls les agents de la DRAAF-SRFD de l'établissement peuvent renvoyer une demande à compléter."
    if request.status not in Request.PENDING_DECISION:
        return False, "Seule une demande déposée ou en instruction peut être renvoyée à compléter."
    return ALLOWED


def can_grant_extension(user, establishment) -> Permission:
    if user.is_authenticated and user.role == "regional":
        if user.region_id != establishment.region_id:
            return HIDDEN
        return ALLOWED
    if user.is_authenticated and user.role == "head":
        return HIDDEN
    return False, "Seuls les agents de la DRAAF-SRFD accordent des délais."


def can_manage_extensions(user) -> Permission:
    if user.is_authenticated and user.role == "regional":
        return ALLOWED
    if user.is_authenticated and user.role == "head":
        return HIDDEN
    return False, "Seuls les agents des DRAAF-SRFD accordent des délais."


def can_download_pdf(user, request: Request) -> Permission:
    """The request is already visible to the user; the PDF exists once the request was submitted."""
    if not request.submissions.exists():
        return False, "Le PDF est disponible une fois la demande déposée."
    return ALLOWED


# --- Usage report (bilan d'utilisation) ---------------------------------------------------------------------


def allocated_decision(request: Request):
    """The notified allocation of a request (a refusal or a decision not yet notified gives None)."""
    decision = request.notified_decision
    if decision is None or decision.outcome != "attribution":
        return None
    return decision


def usage_report_deadline_permission(campaign, today=None) -> Permission:
    today = today or timezone.localdate()
    if today <= campaign.review_deadline:
        return ALLOWED
    return False, (
        f"La date limite des bilans d'utilisation de la campagne {campaign.label} était le "
        f"{_date(campaign.review_deadline)} : contactez votre DRAAF-SRFD."
    )


def can_start_usage_report(user, request: Request, today=None) -> Permission:
    if not is_head_of(user, request.establishment):
        return False, "Seul·e le/la chef·fe de l'établissement rédige son bilan d'utilisation."
    if allocated_decision(request) is None:
        return False, "Un bilan d'utilisation est demandé aux établissements qui ont reçu une dotation notifiée."
    if request.usage_report_or_none is not None:
        return False, "Le bilan d'utilisation de cette demande est déjà commencé."
    return usage_report_deadline_permission(request.campaign, today)


def can_edit_usage_report(user, report) -> Permission:
    if not is_head_of(user, report.request.establishment):
        return False, "Seul·e le/la chef·fe de l'établissement rédige son bilan d'utilisation."
    if not report.is_editable:
        return False, "Le bilan est déposé : il n'est plus modifiable."
    return ALLOWED


def can_submit_usage_report(user, report, today=None) -> Permission:
    allowed, reason = can_edit_usage_report(user, report)
    if not allowed:
        return allowed, reason
    return usage_report_deadline_permission(report.request.campaign, today)


def can_download_usage_report(user, report) -> Permission:
    if not report.submitted_at:
        return False, "Le PDF du bilan est disponible une fois le bilan déposé."
    return ALLOWED
