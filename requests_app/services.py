"""Every change to a request, one function per action: transactional, history recorded, domain errors
raised (``RequestError`` and subclasses), no HTTP objects."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.access import check
from config.mail import send_templated
from config.pdf import render_pdf, sha256
from requests_app import permissions
from requests_app.completeness import completeness_errors
from requests_app.models import Extension, Request, RequestEvent, Submission

EDITABLE_FIELDS = Request.FORM_FIELDS


class RequestError(Exception):
    """A refused action; its message is French and meant for the user."""


class StaleRequest(RequestError):
    """The request changed since the form was opened (another tab, another person)."""

    def __init__(self, current: Request):
        self.current = current
        who = current.updated_by.full_name if current.updated_by else "quelqu'un d'autre"
        when = timezone.localtime(current.updated_at)
        super().__init__(
            f"Cette demande a été modifiée entre-temps par {who} le {when:%d/%m/%Y à %H:%M}, par exemple dans un "
            "autre onglet. Vos modifications n'ont pas été enregistrées : elles sont conservées ci-dessous. "
            "Vérifiez-les puis enregistrez de nouveau pour remplacer la version enregistrée."
        )


class IncompleteRequest(RequestError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(f"La demande ne peut pas être déposée : {len(errors)} point(s) à compléter ou corriger.")


def _check(permission) -> None:
    check(permission, RequestError)


def record(request: Request, actor, action, *, from_status="", to_status="", message="", data=None) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        message=message,
        data=data or {},
    )


def transition(request: Request, user, status: str, action: str, *, message="", data=None, **fields) -> RequestEvent:
    """Move a (locked) request to ``status`` and record it in its history: the one way a request's state
    changes, from this app and from the allocation services. ``fields`` are saved along (``submitted_at``)."""
    previous = request.status
    request.status = status
    request.version += 1
    request.updated_by = user
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["status", "version", "updated_by", "updated_at", *fields])
    return record(request, user, action, from_status=previous, to_status=status, message=message, data=data)


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


@transaction.atomic
def start_request(user, establishment, campaign) -> Request:
    _check(permissions.can_start(user, establishment, campaign))
    request = Request.objects.create(
        campaign=campaign,
        establishment=establishment,
        reference=Request.make_reference(campaign, establishment),
        head_name=user.full_name,
        contact_details="\n".join(
            part
            for part in (establishment.full_address, f"Tél. {establishment.phone}" if establishment.phone else "")
            if part
        ),
        contact_email=user.email,
        updated_by=user,
    )
    record(request, user, RequestEvent.Action.CREATED, to_status=request.status)
    return request


@transaction.atomic
def save_draft(user, request: Request, values: dict, expected_version: int) -> Request:
    """Store what the head typed (any field may be empty). Refused if the request changed meanwhile."""
    _check(permissions.can_edit(user, request))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    updated = Request.objects.filter(pk=request.pk, version=expected_version, status__in=Request.EDITABLE).update(
        **values, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    if not updated:
        current = Request.objects.select_related("updated_by").get(pk=request.pk)
        if current.status not in Request.EDITABLE:
            raise RequestError(permissions.can_edit(user, current)[1])
        raise StaleRequest(current)
    request.refresh_from_db()
    return request


def _store_pdf(submission: Submission) -> bytes:
    request = submission.request
    content = render_pdf("requests_app/pdf/annexe1.html", {"request": request, "submission": submission})
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
        submission.save(update_fields=["pdf", "sha256"])
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
    action = (
        RequestEvent.Action.RESUBMITTED
        if request.status == Request.Status.TO_COMPLETE
        else RequestEvent.Action.SUBMITTED
    )
    submission, pdf = _store_submission(request, user, now)
    transition(
        request,
        user,
        Request.Status.SUBMITTED,
        action,
        submitted_at=now,
        data={"submission": submission.number, "weekly_total": str(request.total_weekly), "sha256": submission.sha256},
    )
    send_templated(
        head_emails(request),
        f"Accusé de réception — demande de dotation HSE {request.campaign.label} ({request.reference})",
        "requests_app/email/receipt.txt",
        {"request": request, "submission": submission, "url": reverse("requests:detail", args=[request.pk])},
        attachments=[(f"{request.reference}.pdf", pdf, "application/pdf")],
    )
    return request


@transaction.atomic
def withdraw_request(user, request: Request, reason: str = "") -> Request:
    request = _locked(request)
    _check(permissions.can_withdraw(user, request))
    transition(request, user, Request.Status.WITHDRAWN, RequestEvent.Action.WITHDRAWN, message=reason)
    return request


@transaction.atomic
def reopen_request(user, request: Request) -> Request:
    request = _locked(request)
    _check(permissions.can_reopen(user, request))
    transition(request, user, Request.Status.DRAFT, RequestEvent.Action.REOPENED)
    return request


@transaction.atomic
def return_for_completion(user, request: Request, message: str) -> Request:
    request = _locked(request)
    _check(permissions.can_return(user, request))
    message = (message or "").strip()
    if not message:
        raise RequestError("Indiquez à l'établissement ce qu'il doit compléter ou corriger.")
    transition(request, user, Request.Status.TO_COMPLETE, RequestEvent.Action.RETURNED, message=message)
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
    if until <= campaign.request_deadline:
        raise RequestError(
            f"Le nouveau délai doit être postérieur à la date limite de la campagne "
            f"({campaign.request_deadline:%d/%m/%Y})."
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
