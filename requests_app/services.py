"""Every change to a request, one function per action: transactional, history recorded, domain errors
raised (``RequestError`` and subclasses), no HTTP objects."""

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.services import CampaignError
from core import verification
from core.access import check
from core.errors import DomainError, Incomplete
from core.mail import send_templated
from core.pdf import render_pdf, sha256
from core.versioning import StaleError, save_if_version
from requests_app import lifecycle, permissions
from requests_app.completeness import completeness_errors
from requests_app.deadlines import submission_deadline
from requests_app.models import Extension, Request, RequestEvent, Submission
from requests_app.permissions import ALREADY_STARTED

EDITABLE_FIELDS = Request.FORM_FIELDS


class RequestError(DomainError):
    """A refused action on a request or a usage report."""


class StaleRequest(StaleError, RequestError):
    """The request changed since the form was opened (another tab, another person)."""

    def __init__(self, current: Request):
        super().__init__("Cette demande a été modifiée", current, current.updated_by, current.updated_at)


class IncompleteRequest(Incomplete, RequestError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("La demande ne peut pas être déposée", errors)


def _check(permission) -> None:
    check(permission, RequestError)


def record(
    request: Request, actor, action, *, audience, from_status="", to_status="", message="", data=None
) -> RequestEvent:
    """Write a history entry. ``audience`` is decided by the caller: ``SHARED`` when the establishment may read
    it, ``INTERNAL`` for what stays within the authority (changes of state take their transition's)."""
    return RequestEvent.objects.create(
        request=request,
        actor=actor,
        action=action,
        audience=audience,
        from_status=from_status,
        to_status=to_status,
        message=message,
        data=data or {},
    )


def transition(request: Request, user, name: str, *, message="", data=None, **fields) -> RequestEvent:
    """Apply the lifecycle's transition ``name`` to a (locked) request and record it in its history: the one
    way a request's state changes, from this app and from the allocation services. Refused (``RequestError``)
    when the table does not allow it for this user from this state. ``fields`` are saved along
    (``submitted_at``)."""
    step = lifecycle.BY_NAME[name]
    allowed, reason = lifecycle.permission(name, user, request)
    if not allowed:
        raise RequestError(reason)
    previous = request.status
    request.status = step.target
    request.version += 1
    request.updated_by = user
    for field, value in fields.items():
        setattr(request, field, value)
    request.save(update_fields=["status", "version", "updated_by", "updated_at", *fields])
    return record(
        request,
        user,
        step.action,
        audience=step.audience,
        from_status=previous,
        to_status=step.target,
        message=message,
        data=data,
    )


def weeks_frozen_once_deposited(before: dict, campaign) -> None:
    """Campaign guard: the weeks per year convert the hours asked; they are frozen once a request was
    deposited with them."""
    if (
        before["weeks_per_year"] != campaign.weeks_per_year
        and Request.objects.filter(campaign=campaign).deposited().exists()
    ):
        raise CampaignError(
            "Le nombre de semaines ne peut plus changer : des demandes ont été déposées avec "
            f"{before['weeks_per_year']} semaines.",
            field="weeks_per_year",
        )


def head_emails(request: Request) -> list[str]:
    addresses = set(request.establishment.heads.filter(is_active=True).values_list("email", flat=True))
    if request.contact_email:
        addresses.add(request.contact_email)
    return sorted(addresses)


def _locked(request: Request) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("campaign", "establishment__region")
        .get(pk=request.pk)
    )


def _head_name(user, establishment) -> str:
    """The head's name proposed on a new Annexe 1: the one who starts it, or, when a team member does, the head
    of the establishment who has an account (blank when there is none yet)."""
    if user.is_head:
        return user.full_name
    head = establishment.heads.filter(role=user.Role.HEAD, is_active=True).order_by("pk").first()
    return head.full_name if head else ""


@transaction.atomic
def start_request(user, establishment, campaign) -> Request:
    """A new draft. One per establishment and campaign: when another one is created at the same moment (two
    tabs), the database's unique constraint decides and this one is refused with the same reason."""
    _check(permissions.can_start(user, establishment, campaign))
    try:
        with transaction.atomic():
            request = Request.objects.create(
                campaign=campaign,
                establishment=establishment,
                reference=Request.make_reference(campaign, establishment),
                head_name=_head_name(user, establishment),
                contact_details="\n".join(
                    part
                    for part in (
                        establishment.full_address,
                        f"Tél. {establishment.phone}" if establishment.phone else "",
                    )
                    if part
                ),
                contact_email=establishment.email or user.email,
                updated_by=user,
            )
    except IntegrityError:
        raise RequestError(ALREADY_STARTED) from None
    record(request, user, RequestEvent.Action.CREATED, audience=RequestEvent.Audience.SHARED, to_status=request.status)
    return request


@transaction.atomic
def save_draft(user, request: Request, values: dict, expected_version: int) -> Request:
    """Store what the head typed (any field may be empty). Refused if the request changed meanwhile."""
    _check(permissions.can_edit(user, request))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    editable = Request.objects.filter(status__in=lifecycle.EDITABLE)
    if not save_if_version(editable, request.pk, expected_version, values, user):
        current = Request.objects.select_related("updated_by").get(pk=request.pk)
        if current.status not in lifecycle.EDITABLE:
            raise RequestError(permissions.can_edit(user, current)[1])
        raise StaleRequest(current)
    request.refresh_from_db()
    return request


def _store_pdf(submission: Submission) -> bytes:
    request = submission.request
    deadline = submission_deadline(request.campaign, request.establishment)
    submission.verification_code = submission.verification_code or verification.new_code()
    content = render_pdf(
        "requests_app/pdf/annexe1.html",
        {
            "request": request,
            "submission": submission,
            "deadline": deadline,
            "verification": verification.stamp(submission.verification_code),
        },
    )
    submission.sha256 = sha256(content)
    submission.pdf.save(f"{request.reference}-depot-{submission.number}.pdf", ContentFile(content), save=False)
    return content


def _store_submission(request: Request, user, now) -> tuple[Submission, bytes]:
    number = request.submissions.count() + 1
    submission = Submission(request=request, number=number, submitted_at=now, submitted_by=user)
    content = _store_pdf(submission)
    submission.save()
    return submission, content


@transaction.atomic
def ensure_submission_pdf(submission: Submission) -> Submission:
    """Deposits recorded without their PDF (imported or demo data) get it built once, then stored for good."""
    if submission.pdf:
        return submission
    submission = Submission.objects.select_for_update().select_related("request__campaign").get(pk=submission.pk)
    if not submission.pdf:
        _store_pdf(submission)
        submission.save(update_fields=["pdf", "sha256", "verification_code"])
    return submission


@transaction.atomic
def submit_request(user, request: Request, expected_version: int) -> Request:
    """Deposit the request as saved: refused after the deadline, when incomplete, or when it changed since
    the head last saw it (``expected_version``)."""
    request = _locked(request)
    _check(permissions.can_submit(user, request))
    if request.version != expected_version:
        raise StaleRequest(Request.objects.select_related("updated_by").get(pk=request.pk))
    errors = completeness_errors(request)
    if errors:
        raise IncompleteRequest(errors)
    now = timezone.now()
    submission, _pdf = _store_submission(request, user, now)
    transition(
        request,
        user,
        lifecycle.submit_transition(request.status).name,
        submitted_at=now,
        data={"submission": submission.number, "weekly_total": str(request.total_weekly), "sha256": submission.sha256},
    )
    send_templated(
        head_emails(request),
        f"Accusé de réception — demande de dotation HSE {request.campaign.label} ({request.reference})",
        "requests_app/email/receipt.txt",
        {"request": request, "submission": submission, "url": reverse("requests:detail", args=[request.pk])},
        attachments=[(f"{request.reference}.pdf", submission.pdf, "application/pdf")],
    )
    return request


@transaction.atomic
def withdraw_request(user, request: Request, reason: str = "") -> Request:
    request = _locked(request)
    _check(permissions.can_withdraw(user, request))
    transition(request, user, "withdraw", message=reason)
    return request


@transaction.atomic
def reopen_request(user, request: Request) -> Request:
    request = _locked(request)
    _check(permissions.can_reopen(user, request))
    transition(request, user, "reopen")
    return request


@transaction.atomic
def return_for_completion(user, request: Request, message: str) -> Request:
    request = _locked(request)
    _check(permissions.can_return(user, request))
    message = (message or "").strip()
    if not message:
        raise RequestError("Indiquez à l'établissement ce qu'il doit compléter ou corriger.")
    transition(request, user, "return", message=message)
    send_templated(
        head_emails(request),
        f"Demande de dotation HSE {request.campaign.label} à compléter ({request.reference})",
        "requests_app/email/returned.txt",
        {"request": request, "message": message, "author": user, "url": reverse("requests:edit", args=[request.pk])},
    )
    return request


@transaction.atomic
def grant_extension(user, establishment, campaign, until, reason: str = "") -> Extension:
    _check(permissions.can_grant_extension(user, establishment))
    region_date = submission_deadline(campaign, establishment, extension=None).region_date
    if until <= region_date:
        raise RequestError(
            f"Le nouveau délai doit être postérieur à la date limite de dépôt de la région ({region_date:%d/%m/%Y})."
        )
    if until > campaign.allocation_deadline:
        raise RequestError(
            f"Le nouveau délai ne peut pas dépasser la date de notification des dotations "
            f"({campaign.allocation_deadline:%d/%m/%Y})."
        )
    extension, _created = Extension.objects.update_or_create(
        campaign=campaign,
        establishment=establishment,
        defaults={"until": until, "reason": reason.strip(), "granted_by": user, "granted_at": timezone.now()},
    )
    request = Request.objects.filter(campaign=campaign, establishment=establishment).first()
    if request is not None:
        record(
            request,
            user,
            RequestEvent.Action.EXTENSION,
            audience=RequestEvent.Audience.SHARED,  # the establishment is told of it by e-mail
            message=reason.strip(),
            data={"until": until.isoformat()},
        )
    send_templated(
        establishment.heads.filter(is_active=True).values_list("email", flat=True),
        f"Délai supplémentaire pour votre demande de dotation HSE {campaign.label}",
        "requests_app/email/extension.txt",
        {"establishment": establishment, "campaign": campaign, "extension": extension},
    )
    return extension
