"""The documents the service issues and freezes, found by verification code or by SHA-256: the deposited
Annexe 1, the notification letter, the usage report and the report transmitted to DGER. Each is described
with what the document itself prints (what it is, its reference, for whom, who issued it and when), never
more. One query per kind of document at most."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q

from core import verification
from reports.models import Transmission
from requests_app.models import Decision, Submission, UsageReport


@dataclass(frozen=True)
class Issued:
    title: str  # what the document is
    reference: str
    concerns: str  # the establishment or the authority it is about
    campaign: str
    issued_by: str  # as printed on the document
    issued_at: datetime
    sha256: str
    code: str | None
    note: str = ""  # e.g. a later version exists

    @property
    def code_display(self) -> str:
        return verification.display(self.code) if self.code else ""


def _establishment(request) -> str:
    establishment = request.establishment
    return f"{establishment.name} (UAI {establishment.uai})"


def _submission(item: Submission) -> Issued:
    request = item.request
    later = item.later_deposits
    return Issued(
        title=f"Demande de dotation complémentaire en HSE (Annexe 1), dépôt n° {item.number}",
        reference=request.reference,
        concerns=_establishment(request),
        campaign=request.campaign.label,
        issued_by=f"déposée par {item.submitted_by.full_name}",
        issued_at=item.submitted_at,
        sha256=item.sha256,
        code=item.verification_code,
        note=f"Un dépôt plus récent de cette demande existe ({later} dépôt{'s' if later > 1 else ''} après celui-ci)."
        if later
        else "",
    )


def _letter(item: Decision) -> Issued:
    request = item.request
    signatory = item.notified_by or item.decided_by
    return Issued(
        title="Lettre de notification de la dotation complémentaire en HSE"
        + (" (attribution)" if item.is_allocation else " (refus)"),
        reference=request.reference,
        concerns=_establishment(request),
        campaign=request.campaign.label,
        issued_by=f"{request.establishment.region.authority_short}, signée par {signatory.full_name}",
        issued_at=item.notified_at,
        sha256=item.letter_sha256,
        code=item.verification_code,
    )


def _usage_report(item: UsageReport) -> Issued:
    request = item.request
    return Issued(
        title="Bilan d'utilisation de la dotation complémentaire en HSE",
        reference=request.reference,
        concerns=_establishment(request),
        campaign=request.campaign.label,
        issued_by=f"déposé par {item.submitted_by.full_name}" if item.submitted_by else "déposé par l'établissement",
        issued_at=item.submitted_at,
        sha256=item.sha256,
        code=item.verification_code,
    )


def _transmission(item: Transmission) -> Issued:
    later = item.later_versions
    return Issued(
        title=f"{item.get_kind_display()}, version {item.version}, transmis à la DGER",
        reference=item.filename.removesuffix(".pdf"),
        concerns=f"{item.region.authority_short} ({item.region.name})",
        campaign=item.campaign.label,
        issued_by=f"transmis par {item.transmitted_by.full_name}",
        issued_at=item.transmitted_at,
        sha256=item.sha256,
        code=item.verification_code,
        note=f"Une version plus récente de ce bilan a été transmise depuis (version {item.version + later})."
        if later
        else "",
    )


def _sources():
    """For each kind of document: its queryset and the field holding the SHA-256 of the issued file."""
    submissions = Submission.objects.select_related(
        "request__establishment", "request__campaign", "submitted_by"
    ).annotate(
        later_deposits=Count(
            "request__submissions", filter=Q(request__submissions__number__gt=F("number")), distinct=True
        )
    )
    letters = Decision.objects.exclude(letter="").select_related(
        "request__establishment__region", "request__campaign", "notified_by", "decided_by"
    )
    usage_reports = UsageReport.objects.filter(status=UsageReport.Status.SUBMITTED).select_related(
        "request__establishment", "request__campaign", "submitted_by"
    )
    transmissions = Transmission.objects.select_related("region", "campaign", "transmitted_by").annotate(
        later_versions=Count(
            "region__transmissions",
            filter=Q(
                region__transmissions__kind=F("kind"),
                region__transmissions__campaign=F("campaign"),
                region__transmissions__version__gt=F("version"),
            ),
            distinct=True,
        )
    )
    return (
        (submissions, "sha256", _submission),
        (letters, "letter_sha256", _letter),
        (usage_reports, "sha256", _usage_report),
        (transmissions, "sha256", _transmission),
    )


def by_code(code: str) -> Issued | None:
    for queryset, _digest, describe in _sources():
        item = queryset.filter(verification_code=code).first()
        if item is not None:
            return describe(item)
    return None


def by_sha256(digest: str) -> Issued | None:
    for queryset, field, describe in _sources():
        item = queryset.filter(**{field: digest}).order_by("pk").first()
        if item is not None:
            return describe(item)
    return None
