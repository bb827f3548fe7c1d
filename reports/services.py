"""Report actions: transmit a frozen PDF to DGER, write the regional synthesis, remind the establishments
that have not filed their usage report. One function each, transactional, ``ReportError`` when refused."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from allocations.services import lock_envelope
from core import verification
from core.access import check
from core.errors import DomainError
from core.mail import send_templated
from core.pdf import render_pdf, sha256
from core.versioning import StaleError, save_if_version
from reports import documents, may_review, permissions
from reports.models import Kind, RegionalReview, Transmission
from requests_app.models import Request, RequestEvent, UsageReport
from requests_app.services import head_emails, record

TEMPLATES = {Kind.SUMMARY: "reports/pdf/regional_summary.html", Kind.REVIEW: "reports/pdf/regional_review.html"}


class ReportError(DomainError):
    """A refused action on a report; its message is French and meant for the user."""


class StaleReview(StaleError, ReportError):
    def __init__(self, current: RegionalReview):
        super().__init__("La synthèse régionale a été modifiée", current, current.updated_by, current.updated_at)


def _check(permission) -> None:
    check(permission, ReportError)


def build(kind: str, campaign, region) -> dict:
    if kind == Kind.SUMMARY:
        return documents.regional_summary(campaign, region)
    synthesis = RegionalReview.objects.filter(campaign=campaign, region=region).first()
    return may_review.regional_review(campaign, region, synthesis)


def render(kind: str, data: dict, footer: dict) -> bytes:
    return render_pdf(TEMPLATES[kind], {**data, "footer": footer})


def working_footer(data) -> dict:
    return {"draft": True, "at": timezone.localtime(), "fingerprint": data["fingerprint"]}


@transaction.atomic
def transmit(user, kind: str, campaign, region, at=None) -> Transmission:
    """Freeze the report as it stands and send it to DGER: the PDF is stored with its SHA-256, time and
    author, as a new version (earlier versions are kept and never change). ``at`` is for loading past
    transmissions (demo data); it defaults to now."""
    _check(permissions.can_transmit(user, region))
    if kind not in Kind.values:
        raise ReportError("Document inconnu.")
    # The envelope lock: no allocation or movement can change the figures while they are being frozen.
    lock_envelope(campaign.pk, region.pk)
    data = build(kind, campaign, region)
    if kind == Kind.REVIEW:
        synthesis = data["synthesis"]
        if not all(synthesis[key].strip() for key in ("what_worked", "difficulties", "recommendations")):
            raise ReportError(
                "Rédigez les trois parties de la synthèse régionale (ce qui a fonctionné, difficultés, "
                "recommandations) avant de transmettre le bilan qualitatif."
            )
    version = (
        Transmission.objects.filter(kind=kind, campaign=campaign, region=region).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    now = timezone.now()
    code = verification.new_code()
    footer = {
        "draft": False,
        "version": version,
        "at": timezone.localtime(now),
        "by": user,
        "fingerprint": data["fingerprint"],
        "verification": verification.stamp(code),
    }
    content = render(kind, data, footer)
    transmission = Transmission(
        kind=kind,
        campaign=campaign,
        region=region,
        version=version,
        sha256=sha256(content),
        data_sha256=data["fingerprint"],
        verification_code=code,
        transmitted_at=now,
        transmitted_by=user,
    )
    transmission.pdf.save(transmission.filename, ContentFile(content), save=False)
    transmission.save()
    send_templated(
        User.objects.national_staff().values_list("email", flat=True),
        f"{transmission.get_kind_display()} {campaign.label} transmis par la {region.authority_short} "
        f"(version {version})",
        "reports/email/transmitted.txt",
        {"transmission": transmission},
    )
    return transmission


@transaction.atomic
def save_review(user, campaign, region, values: dict, expected_version: int) -> RegionalReview:
    _check(permissions.can_edit_review(user, region))
    review, created = RegionalReview.objects.get_or_create(
        campaign=campaign, region=region, defaults={"updated_by": user}
    )
    if created:
        RegionalReview.objects.filter(pk=review.pk).update(version=0)
        review.version = 0
    if not save_if_version(RegionalReview.objects.all(), review.pk, expected_version, values, user):
        review.refresh_from_db()
        raise StaleReview(review)
    review.refresh_from_db()
    return review


def missing_usage_reports(campaign, region):
    """Requests with a notified allocation whose usage report has not been submitted."""
    return (
        Request.objects.filter(campaign=campaign, establishment__region=region)
        .with_notified_allocation()
        .exclude(usage_report__status=UsageReport.Status.SUBMITTED)
        .select_related("campaign", "establishment__region")
    )


@transaction.atomic
def send_reminders(user, campaign, region) -> int:
    """E-mail every establishment that has not filed its usage report; the others get nothing."""
    _check(permissions.can_follow_usage_reports(user, region))
    count = 0
    for request in missing_usage_reports(campaign, region):
        addresses = head_emails(request)
        if not addresses:
            continue
        send_templated(
            addresses,
            f"Rappel : bilan d'utilisation des HSE {campaign.label} à déposer ({request.reference})",
            "reports/email/reminder.txt",
            {"request": request, "campaign": campaign, "author": user},
        )
        record(
            request, user, RequestEvent.Action.REMINDER, audience=RequestEvent.Audience.SHARED, data={"to": addresses}
        )
        count += 1
    return count
