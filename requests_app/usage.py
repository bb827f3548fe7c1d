"""The spring usage report (bilan d'utilisation): one function per action, like ``services``."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from config.mail import send_templated
from config.pdf import render_pdf, sha256
from requests_app import permissions
from requests_app.models import AXES, LEVEL_KEYS, LEVEL_LABELS, RequestEvent, UsageReport
from requests_app.services import RequestError, _check, head_emails, record

EDITABLE_FIELDS = UsageReport.FORM_FIELDS


class StaleUsageReport(RequestError):
    def __init__(self, current: UsageReport):
        self.current = current
        when = timezone.localtime(current.updated_at)
        super().__init__(
            f"Ce bilan a été modifié entre-temps (le {when:%d/%m/%Y à %H:%M}), par exemple dans un autre onglet. "
            "Vos modifications n'ont pas été enregistrées : elles sont conservées ci-dessous. Vérifiez-les puis "
            "enregistrez de nouveau pour remplacer la version enregistrée."
        )


class IncompleteUsageReport(RequestError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(f"Le bilan ne peut pas être déposé : {len(errors)} point(s) à compléter ou corriger.")


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
    decision = permissions.allocated_decision(report.request)
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
    updated = UsageReport.objects.filter(
        pk=report.pk, version=expected_version, status=UsageReport.Status.DRAFT
    ).update(**values, version=F("version") + 1, updated_by=user, updated_at=timezone.now())
    if not updated:
        current = UsageReport.objects.get(pk=report.pk)
        if not current.is_editable:
            raise RequestError(permissions.can_edit_usage_report(user, current)[1])
        raise StaleUsageReport(current)
    report.refresh_from_db()
    return report


def _pdf(report: UsageReport) -> bytes:
    request = report.request
    decision = permissions.allocated_decision(request)
    rows = [
        {"label": LEVEL_LABELS[k], "allocated": decision.hours(k) if decision else 0, "used": report.used(k)}
        for k in LEVEL_KEYS
    ]
    return render_pdf(
        "requests_app/pdf/usage_report.html",
        {"report": report, "request": request, "decision": decision, "rows": rows},
    )


def _store_pdf(report: UsageReport) -> bytes:
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
    content = _store_pdf(report)
    report.save()
    record(
        report.request,
        user,
        RequestEvent.Action.USAGE_REPORT_SUBMITTED,
        data={"hours_used": str(report.hours_used_total_value()), "sha256": report.sha256},
    )
    request = report.request
    send_templated(
        head_emails(request),
        f"Accusé de réception — bilan d'utilisation HSE {request.campaign.label} ({request.reference})",
        "requests_app/email/usage_receipt.txt",
        {"report": report, "request": request, "url": reverse("requests:usage_report", args=[request.pk])},
        attachments=[(f"{request.reference}-bilan.pdf", content, "application/pdf")],
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
        report.save(update_fields=["pdf", "sha256"])
    return report
