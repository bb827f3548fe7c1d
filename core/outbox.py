"""The durable e-mail outbox: every e-mail of the service goes through it.

``enqueue_email`` writes the message (rendered, with its frozen attachments named by their place in the
storage) in the caller's transaction and enqueues its ``deliver`` task in the same transaction: a change and the
e-mail that reports it are committed together or not at all.

``deliver`` (run by a worker) sends it once:

1. the row is claimed (« envoi en cours », one more attempt) under a row lock: a second task for the same
   e-mail finds it claimed, sent or failed and does nothing;
2. SMTP (with ``EMAIL_TIMEOUT``);
3. accepted → « remis » and the ``on_outcome`` hook (letters record « lettre envoyée ») in one transaction;
   temporary refusal (4xx, connection refused or cut, timeout) → back to « à envoyer » with backoff
   (``EMAIL_RETRY_FIRST_SECONDS`` doubling up to ``EMAIL_RETRY_MAX_SECONDS``) until ``retry_until``
   (``EMAIL_RETRY_HOURS`` after it was written, at least 24 h); permanent refusal (5xx) or retries exhausted →
   « non remis », the hook is told, the administrator can send it again (``resend``).

A worker that dies between the server's acceptance and step 3 leaves the row « envoi en cours »: the periodic
``sweep`` sends it again after ``SENDING_STALE`` (a copy then carries the same Message-ID). Every other path
sends an e-mail at most once.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import OutboxEmail
from core.periodic import periodic
from core.tasks import enqueue_later, job

logger = logging.getLogger("hse.outbox")

Status = OutboxEmail.Status


def retry_window() -> timedelta:
    return timedelta(hours=settings.EMAIL_RETRY_HOURS)


def sending_stale() -> timedelta:
    """How long an « envoi en cours » may last before it is taken for interrupted (beyond the task's limit)."""
    return timedelta(seconds=deliver_time_limit() + 60)


def deliver_time_limit() -> int:
    return int(settings.EMAIL_TIMEOUT) * 4 + 30


def backoff(attempts: int) -> timedelta:
    first, most = settings.EMAIL_RETRY_FIRST_SECONDS, settings.EMAIL_RETRY_MAX_SECONDS
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), most))


def _attachment(item) -> dict:
    name, document, mimetype = item
    path = getattr(document, "name", document)
    if not isinstance(path, str) or not path:
        raise TypeError("Attach a stored document (a FieldFile or its name in the storage), not its bytes.")
    return {"name": name, "path": path, "mimetype": mimetype}


@transaction.atomic
def enqueue_email(to, subject: str, body: str, *, attachments=(), about=None, topic: str = "", on_outcome: str = ""):
    """Write one e-mail in the outbox and enqueue its sending, in the caller's transaction. ``about`` is the
    object it reports (shown to the administrator; the hook receives the e-mail); ``on_outcome`` the dotted path
    of ``hook(email, delivered: bool)``, called in the transaction that records the outcome."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    if not recipients:
        return None
    if on_outcome:
        import_string(on_outcome)  # fail now, in the caller, rather than in a worker later
    now = timezone.now()
    email = OutboxEmail.objects.create(
        to=recipients,
        subject=" ".join(subject.splitlines()).strip()[:500],
        body=body,
        attachments=[_attachment(item) for item in attachments],
        topic=topic or on_outcome.rsplit(".", 1)[-1],
        on_outcome=on_outcome,
        content_type=ContentType.objects.get_for_model(about) if about is not None else None,
        object_id=about.pk if about is not None else None,
        created_at=now,
        next_attempt_at=now,
        retry_until=now + retry_window(),
    )
    deliver.enqueue(email.pk)
    return email


def _message(email: OutboxEmail) -> EmailMessage:
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        headers={"Message-ID": email.message_id},
        connection=get_connection(fail_silently=False),
    )
    for item in email.attachments:
        with default_storage.open(item["path"], "rb") as stream:
            message.attach(item["name"], stream.read(), item["mimetype"])
    return message


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def classify(error: BaseException) -> tuple[bool, str]:
    """``(temporary, reason)`` for an error raised while sending."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        reason = " ; ".join(f"{address} : {code} {_text(text)}" for address, (code, text) in error.recipients.items())
        return any(400 <= code < 500 for code in codes), reason
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500, f"{error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPException | OSError):
        return True, f"{type(error).__name__} : {error}"
    return True, f"{type(error).__name__} : {error}"


def _locked(email_id):
    return OutboxEmail.objects.select_for_update().filter(pk=email_id).first()


def _hook(email: OutboxEmail, delivered: bool) -> None:
    if email.on_outcome:
        import_string(email.on_outcome)(email, delivered)


def send(email_id: int) -> str:
    """Send one e-mail of the outbox if it is due; returns what happened (``sent``, ``retry``, ``failed``, or
    the state that made it do nothing)."""
    now = timezone.now()
    with transaction.atomic():
        email = _locked(email_id)
        if email is None:
            return "missing"
        if email.status != Status.PENDING:
            return email.status
        if email.next_attempt_at > now + timedelta(seconds=1):
            return "not-due"
        email.status = Status.SENDING
        email.attempts += 1
        email.last_attempt_at = now
        email.save(update_fields=["status", "attempts", "last_attempt_at"])
    try:
        _message(email).send()
    except Exception as error:
        temporary, reason = classify(error)
        return _refused(email_id, temporary, reason)
    with transaction.atomic():
        email = _locked(email_id)
        email.status = Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["status", "sent_at", "last_error"])
        _hook(email, True)
    logger.info("e-mail %s sent", email_id, extra={"event": "email", "email_id": email_id, "outcome": "sent"})
    return "sent"


def _refused(email_id: int, temporary: bool, reason: str) -> str:
    now = timezone.now()
    with transaction.atomic():
        email = _locked(email_id)
        email.last_error = reason[:2000]
        if temporary and now < email.retry_until:
            delay = backoff(email.attempts)
            email.status = Status.PENDING
            email.next_attempt_at = now + delay
            email.save(update_fields=["status", "next_attempt_at", "last_error"])
            enqueue_later(deliver, delay, email.pk)
            outcome = "retry"
        else:
            email.status = Status.FAILED
            email.save(update_fields=["status", "last_error"])
            _hook(email, False)
            outcome = "failed"
    logger.warning(
        "e-mail %s not accepted (%s): %s",
        email_id,
        outcome,
        reason,
        extra={"event": "email", "email_id": email_id, "outcome": outcome, "error": reason[:500]},
    )
    return outcome


@job(time_limit=deliver_time_limit(), priority=10)  # e-mails go before long builds
def deliver(email_id: int) -> str:
    return send(email_id)


def resend(emails) -> int:
    """Send again the e-mails « non remis » among ``emails`` (a queryset); returns how many."""
    count = 0
    now = timezone.now()
    with transaction.atomic():
        for email in emails.select_for_update().filter(status=Status.FAILED):
            email.status = Status.PENDING
            email.next_attempt_at = now
            email.retry_until = now + retry_window()
            email.attempts = 0
            email.save(update_fields=["status", "next_attempt_at", "retry_until", "attempts"])
            deliver.enqueue(email.pk)
            count += 1
    return count


@periodic(every=timedelta(seconds=60), name="outbox-sweep")
@job(time_limit=120, priority=20)
def sweep() -> dict:
    """The outbox's safety net (every minute): e-mails long overdue get a new task (its task was lost, or the
    backend cannot defer), and those left « envoi en cours » by a dead worker are sent again."""
    now = timezone.now()
    overdue = timedelta(minutes=10) if _defers() else timedelta(0)
    with transaction.atomic():
        stuck = list(
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, last_attempt_at__lt=now - sending_stale())
            .values_list("pk", flat=True)
        )
        OutboxEmail.objects.filter(pk__in=stuck).update(status=Status.PENDING, next_attempt_at=now)
        late = list(
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lte=now - overdue)
            .values_list("pk", flat=True)
        )
        OutboxEmail.objects.filter(pk__in=late).update(next_attempt_at=now)
        for pk in [*stuck, *late]:
            deliver.enqueue(pk)
    return {"interrupted": len(stuck), "overdue": len(late)}


def _defers() -> bool:
    return deliver.get_backend().supports_defer
