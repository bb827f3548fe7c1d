"""What a user may do with a request: each function returns ``(allowed, reason)``.

Visibility (which requests a user can open at all) is ``Request.objects.visible_to(user)``; these rules
apply to a request already visible to the user. Who may move a request from which state is the lifecycle's
transition table (``requests_app.lifecycle``); this module adds the calendar (deadlines and extensions).
A refusal's reason is shown to the user as is.
"""

from django.utils import timezone

from core.access import ALLOWED, HIDDEN, Permission
from core.formatting import format_date
from requests_app import lifecycle
from requests_app.deadlines import submission_deadline
from requests_app.models import Request

ALREADY_STARTED = (
    "Une demande existe déjà pour cet établissement et cette campagne : retrouvez-la dans « Mes demandes »."
)


def deadline_permission(campaign, establishment, today=None) -> Permission:
    today = today or timezone.localdate()
    deadline = submission_deadline(campaign, establishment)
    if today <= deadline.date:
        return ALLOWED
    if deadline.extension:
        return False, (
            f"Le délai accordé par la DRAAF-SRFD jusqu'au {format_date(deadline.date)} est dépassé : la demande ne "
            "peut plus être déposée."
        )
    # A region can still grant an extension until the notification deadline (``grant_extension``).
    remedy = (
        " Votre DRAAF-SRFD peut vous accorder un délai."
        if today < campaign.allocation_deadline
        else " Les dotations de la campagne sont notifiées : plus aucun délai ne peut être accordé."
    )
    if deadline.regional:
        return False, (
            f"La date limite de dépôt des demandes de la campagne {campaign.label} fixée par la "
            f"{establishment.region.authority_short} était le {format_date(deadline.date)} : la demande ne peut plus "
            f"être déposée.{remedy}"
        )
    return False, (
        f"La date limite de dépôt des demandes de la campagne {campaign.label} était le "
        f"{format_date(deadline.date)} : la demande ne peut plus être déposée.{remedy}"
    )


def can_start(user, establishment, campaign, today=None) -> Permission:
    if not user.works_for(establishment):
        return HIDDEN
    if Request.objects.filter(campaign=campaign, establishment=establishment).exists():
        return False, ALREADY_STARTED
    return deadline_permission(campaign, establishment, today)


def can_edit(user, request: Request) -> Permission:
    """Fill the Annexe 1: the head and the establishment's team, while the request can be deposited (a draft
    or sent back to complete)."""
    if not user.works_for(request.establishment):
        return False, "Seules les personnes de l'établissement modifient sa demande."
    if request.status not in lifecycle.EDITABLE:
        return False, lifecycle.NOT_EDITABLE.format(status=lifecycle.shown_status(request.status, user).label)
    return ALLOWED


def can_submit(user, request: Request, today=None) -> Permission:
    """Deposit: the head only (the team fills, the head engages the establishment), within the deadline."""
    allowed, reason = lifecycle.permission(lifecycle.submit_transition(request.status).name, user, request)
    if not allowed:
        return allowed, reason
    return deadline_permission(request.campaign, request.establishment, today)


def can_withdraw(user, request: Request) -> Permission:
    return lifecycle.permission("withdraw", user, request)


def can_reopen(user, request: Request, today=None) -> Permission:
    allowed, reason = lifecycle.permission("reopen", user, request)
    if not allowed:
        return allowed, reason
    return deadline_permission(request.campaign, request.establishment, today)


def can_return(user, request: Request) -> Permission:
    return lifecycle.permission("return", user, request)


def actions(user, request: Request) -> set[str]:
    """The actions the request page offers this user now (names of the lifecycle's transitions, ``edit``)."""
    offered = {
        "edit": can_edit(user, request),
        "withdraw": can_withdraw(user, request),
        "reopen": can_reopen(user, request),
        "return": can_return(user, request),
    }
    return {name for name, (allowed, _reason) in offered.items() if allowed}


def can_grant_extension(user, establishment) -> Permission:
    if user.is_regional:
        return ALLOWED if user.region_id == establishment.region_id else HIDDEN
    if user.is_establishment_staff:
        return HIDDEN
    return False, "Seuls les agents de la DRAAF-SRFD accordent des délais."


def can_manage_extensions(user) -> Permission:
    if user.is_regional:
        return ALLOWED
    if user.is_establishment_staff:
        return HIDDEN
    return False, "Seuls les agents des DRAAF-SRFD accordent des délais."


def can_download_pdf(user, request: Request) -> Permission:
    """The request is already visible to the user; the PDF exists once the request was submitted."""
    if not request.submissions.exists():
        return False, "Le PDF est disponible une fois la demande déposée."
    return ALLOWED


def can_download_letter(user, decision) -> Permission:
    """The decision is visible to the user (``Decision.objects.visible_to``); the letter exists once notified."""
    if not decision.notified_at:
        return False, "La lettre de notification est disponible une fois la décision notifiée."
    if not decision.letter:
        return False, "La lettre de notification est en cours de préparation : revenez dans quelques minutes."
    return ALLOWED


# --- Usage report (bilan d'utilisation) ---------------------------------------------------------------------


def usage_report_deadline_permission(campaign, today=None) -> Permission:
    today = today or timezone.localdate()
    if today <= campaign.review_deadline:
        return ALLOWED
    return False, (
        f"La date limite des bilans d'utilisation de la campagne {campaign.label} était le "
        f"{format_date(campaign.review_deadline)} : contactez votre DRAAF-SRFD."
    )


def can_start_usage_report(user, request: Request, today=None) -> Permission:
    if not user.works_for(request.establishment):
        return False, "Seul·e le/la chef·fe de l'établissement rédige son bilan d'utilisation."
    if request.notified_allocation is None:
        return False, "Un bilan d'utilisation est demandé aux établissements qui ont reçu une dotation notifiée."
    if request.usage_report_or_none is not None:
        return False, "Le bilan d'utilisation de cette demande est déjà commencé."
    return usage_report_deadline_permission(request.campaign, today)


def can_edit_usage_report(user, report) -> Permission:
    if not user.works_for(report.request.establishment):
        return False, "Seules les personnes de l'établissement rédigent son bilan d'utilisation."
    if not report.is_editable:
        return False, "Le bilan est déposé : il n'est plus modifiable."
    return ALLOWED


def can_submit_usage_report(user, report, today=None) -> Permission:
    allowed, reason = can_edit_usage_report(user, report)
    if not allowed:
        return allowed, reason
    if not user.is_head_of(report.request.establishment):
        return False, "Seul·e le/la chef·fe de l'établissement dépose le bilan d'utilisation."
    return usage_report_deadline_permission(report.request.campaign, today)


def can_download_usage_report(user, report) -> Permission:
    if not report.submitted_at:
        return False, "Le PDF du bilan est disponible une fois le bilan déposé."
    return ALLOWED
