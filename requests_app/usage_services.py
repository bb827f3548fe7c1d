"""The spring usage report (bilan d'utilisation): one function per action, like ``services``.

A usage report accounts for the hours of a notified allocation (``Request.notified_allocation``)."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import verification
from core.errors import Incomplete
from core.mail import send_templated
from core.pdf import render_pdf, sha256
from core.versioning import StaleError, save_if_version
from requests_app import permissions
from requests_app.models import AXES, LEVEL_KEYS, LEVEL_LABELS, RequestEvent, UsageReport
from requests_app.services import RequestError, _check, head_emails, record

EDITABLE_FIELDS = UsageReport.FORM_FIELDS


class StaleUsageReport(StaleError, RequestError):
    def __init__(self, current: UsageReport):
        super().__init__("Ce bilan a été modifié", current, current.updated_by, current.updated_at)


class IncompleteUsageReport(Incomplete, RequestError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("Le bilan ne peut pas être déposé", errors)


def used_bound_error(value, allocated: int) -> str | None:
    """Hours used for a level: between 0 and the hours allocated, one decimal at most."""
    if value is None:
        return None
    if value < 0:
        return "Le nombre d'heures ne peut pas être négatif."
    if value != value.quantize(Decimal("0.1")):
        return "Indiquez au plus une décimale (par exemple 12,5)."
    if value > allocated:
        return f"Au plus {allocated} h : c'est la dotation attribuée pour ce niveau."
    return None


def completeness_errors(report: UsageReport) -> dict[str, str]:
    decision = report.request.notified_allocation
    errors = {}
    for key in LEVEL_KEYS:
        allocated = decision.hours(key) if decision else 0
        value = report.used(key)
        if allocated and value is None:
            errors[f"hours_used_{key}"] = (
                f"Indiquez les heures utilisées pour « {LEVEL_LABELS[key]} » (0 si aucune ; {allocated} h attribuées)."
            )
        elif value is not None:
            bound = used_bound_error(value, allocated)
            if bound:
                errors[f"hours_used_{key}"] = bound
    if report.pupils_supported is None:
        errors["pupils_supported"] = "Indiquez le nombre d'élèves accompagnés."
    if report.teachers_involved is None:
        errors["teachers_involved"] = "Indiquez le nombre d'intervenants impliqués."
    any_action = False
    for key, _label in AXES:
        count = getattr(report, f"actions_{key}_count")
        text = getattr(report, f"actions_{key}").strip()
        if count and not text:
            errors[f"actions_{key}"] = "Décrivez les actions conduites pour cet axe."
        if text and not count:
            errors[f"actions_{key}_count"] = "Indiquez le nombre d'actions conduites pour cet axe."
        any_action = any_action or bool(count)
    if not any_action:
        errors["actions_methodological_count"] = "Indiquez au moins une action conduite, pour l'un des axes."
    if not report.evaluation.strip():
        errors["evaluation"] = "Précisez comment les résultats ont été évalués."
    if not report.observations.strip():
        errors["observations"] = "Décrivez les résultats et les effets observés."
    errors.update(indicator_errors(report))
    return errors


def indicator_errors(report: UsageReport) -> dict[str, str]:
    """The indicators of seed 004 a deposit needs: the figures (0 is an answer) and the texts they call for."""
    errors = {}
    pupils = report.pupils_supported
    if not report.teaching_staff:
        errors["teaching_staff"] = (
            "Indiquez l'effectif des enseignants et personnels d'éducation de l'établissement (au moins 1)."
        )
    elif report.teachers_involved is not None and report.teachers_involved > report.teaching_staff:
        errors["teachers_involved"] = (
            f"Au plus {report.teaching_staff} : l'effectif des enseignants et personnels d'éducation indiqué plus bas."
        )
    if report.projects_count is None:
        errors["projects_count"] = (
            "Indiquez le nombre de projets pluridisciplinaires, culturels ou ouverts à l'international (0 si aucun)."
        )
    elif report.projects_count and not report.projects.strip():
        errors["projects"] = "Décrivez les projets conduits."
    if report.pupils_continuing is None:
        errors["pupils_continuing"] = (
            "Indiquez combien d'élèves accompagnés poursuivent leur formation ou leurs études (0 si aucun)."
        )
    elif pupils is not None and report.pupils_continuing > pupils:
        errors["pupils_continuing"] = f"Au plus {pupils} : le nombre d'élèves accompagnés."
    if not report.effects_practices.strip():
        errors["effects_practices"] = (
            "Décrivez les effets sur les pratiques pédagogiques (ou indiquez qu'aucun n'a été observé)."
        )
    if report.personal_work_assessed:
        if report.pupils_more_involved is None:
            errors["pupils_more_involved"] = (
                "Vous avez évalué l'implication des élèves : indiquez combien y ont progressé (0 si aucun)."
            )
        elif pupils is not None and report.pupils_more_involved > pupils:
            errors["pupils_more_involved"] = f"Au plus {pupils} : le nombre d'élèves accompagnés."
    return errors


@transaction.atomic
def start_usage_report(user, request) -> UsageReport:
    _check(permissions.can_start_usage_report(user, request))
    return UsageReport.objects.create(request=request, updated_by=user)


@transaction.atomic
def save_usage_report(user, report: UsageReport, values: dict, expected_version: int) -> UsageReport:
    _check(permissions.can_edit_usage_report(user, report))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    drafts = UsageReport.objects.filter(status=UsageReport.Status.DRAFT)
    if not save_if_version(drafts, report.pk, expected_version, values, user):
        current = UsageReport.objects.select_related("updated_by").get(pk=report.pk)
        if not current.is_editable:
            raise RequestError(permissions.can_edit_usage_report(user, current)[1])
        raise StaleUsageReport(current)
    report.refresh_from_db()
    return report


def _pdf(report: UsageReport) -> bytes:
    request = report.request
    decision = request.notified_allocation
    rows = [
        {"label": LEVEL_LABELS[k], "allocated": decision.hours(k) if decision else 0, "used": report.used(k)}
        for k in LEVEL_KEYS
    ]
    return render_pdf(
        "requests_app/pdf/usage_report.html",
        {
            "report": report,
            "request": request,
            "decision": decision,
            "rows": rows,
            "verification": verification.stamp(report.verification_code),
        },
    )


def _store_pdf(report: UsageReport) -> bytes:
    report.verification_code = report.verification_code or verification.new_code()
    content = _pdf(report)
    report.sha256 = sha256(content)
    report.pdf.save(f"{report.request.reference}-bilan.pdf", ContentFile(content), save=False)
    return content


@transaction.atomic
def submit_usage_report(user, report: UsageReport, expected_version: int) -> UsageReport:
    report = (
        UsageReport.objects.select_for_update(of=("self",))
        .select_related("request__campaign", "request__establishment__region")
        .get(pk=report.pk)
    )
    _check(permissions.can_submit_usage_report(user, report))
    if report.version != expected_version:
        raise StaleUsageReport(report)
    errors = completeness_errors(report)
    if errors:
        raise IncompleteUsageReport(errors)
    report.status = UsageReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.version += 1
    _store_pdf(report)
    report.save()
    record(
        report.request,
        user,
        RequestEvent.Action.USAGE_REPORT_SUBMITTED,
        audience=RequestEvent.Audience.SHARED,
        data={"hours_used": str(report.hours_used_total_value()), "sha256": report.sha256},
    )
    request = report.request
    send_templated(
        head_emails(request),
        f"Accusé de réception — bilan d'utilisation HSE {request.campaign.label} ({request.reference})",
        "requests_app/email/usage_receipt.txt",
        {"report": report, "request": request, "url": reverse("requests:usage_report", args=[request.pk])},
        attachments=[(f"{request.reference}-bilan.pdf", report.pdf, "application/pdf")],
    )
    return report


@transaction.atomic
def ensure_usage_report_pdf(report: UsageReport) -> UsageReport:
    """Reports recorded without their PDF (demo data) get it built once, then stored for good."""
    if report.pdf or not report.submitted_at:
        return report
    report = UsageReport.objects.select_for_update(of=("self",)).select_related("request__campaign").get(pk=report.pk)
    if not report.pdf:
        _store_pdf(report)
        report.save(update_fields=["pdf", "sha256", "verification_code"])
    return report
