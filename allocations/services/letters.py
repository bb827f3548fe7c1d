"""Notifying the region's decisions.

The decisions are frozen and the requests become « notifiée » at once, in one transaction that also enqueues,
for each decision, the task that builds its letter (PDF, stored for good) and puts the e-mail that carries it in
the outbox (``core.outbox``). The letter counts as sent — ``letter_sent_at`` and « lettre envoyée » in the
history — only once the mail server accepted the e-mail (``letter_outcome``). A letter the server refused for
good, or that could not be delivered for ``EMAIL_RETRY_HOURS``, is « non remise » on the regional board, which
can send it again."""

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from allocations import permissions
from allocations.services.decisions import snapshot
from allocations.services.envelopes import _check, lock_envelope
from core import outbox, verification
from core.mail import send_templated
from core.models import OutboxEmail
from core.pdf import render_pdf, sha256
from core.tasks import job
from requests_app import lifecycle
from requests_app.models import Decision, RequestEvent
from requests_app.services import head_emails, record, transition

LETTER_HOOK = "allocations.services.letters.letter_outcome"


def build_letter(decision, user, now) -> tuple[str, bytes]:
    request = decision.request
    decision.verification_code = decision.verification_code or verification.new_code()
    content = render_pdf(
        "allocations/pdf/letter.html",
        {
            "verification": verification.stamp(decision.verification_code),
            "decision": decision,
            "request": request,
            "rows": [{**row, "allocated": decision.hours(row["key"])} for row in request.level_rows()],
            "signatory": user,
            "date": timezone.localtime(now),
        },
    )
    return f"{request.reference}-notification.pdf", content


@transaction.atomic
def ensure_letter(decision):
    """A notified decision recorded without its letter (imported or demo data) gets it built once, from the
    notification's own date and signatory, then stored for good."""
    if decision.letter or not decision.notified_at:
        return decision
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("request__campaign", "request__establishment__region", "decided_by", "notified_by")
        .get(pk=decision.pk)
    )
    if not decision.letter:
        name, content = build_letter(decision, decision.notified_by or decision.decided_by, decision.notified_at)
        decision.letter.save(name, ContentFile(content), save=False)
        decision.letter_sha256 = sha256(content)
        decision.save(update_fields=["letter", "letter_sha256", "verification_code"])
    return decision


@transaction.atomic
def notify_decisions(user, campaign, region) -> int:
    """Notify every establishment of the region with an unnotified decision: the decisions are frozen and the
    requests become « notifiée » at once; each letter is then built and e-mailed by a worker (``send_letter``),
    exactly once. Notifying twice sends nothing twice. Returns how many were notified."""
    _check(permissions.can_notify_decisions(user, region.pk))
    lock_envelope(campaign.pk, region.pk)
    decisions = list(
        Decision.objects.select_for_update(of=("self",))
        .select_related("request__campaign", "request__establishment__region")
        .filter(
            request__campaign=campaign,
            request__establishment__region=region,
            notified_at__isnull=True,
            request__status__in=lifecycle.BY_NAME["notify"].sources,
        )
        .order_by("request__establishment__sort_name")
    )
    now = timezone.now()
    for decision in decisions:
        decision.notified_at = now
        decision.notified_by = user
        decision.save(update_fields=["notified_at", "notified_by"])
        transition(decision.request, user, "notify", data={"after": snapshot(decision)})
        send_letter.enqueue(decision.pk)
    return len(decisions)


def _letter_emails():
    return OutboxEmail.objects.filter(content_type=ContentType.objects.get_for_model(Decision), on_outcome=LETTER_HOOK)


def letter_waiting(prefix: str = "") -> Q:
    """A notified decision whose letter the mail server has not accepted yet; ``prefix``: the path to the decision
    (``"decision__"`` from a request)."""
    return Q(**{f"{prefix}notified_at__isnull": False, f"{prefix}letter_sent_at__isnull": True})


def _notified(campaign, region):
    return Decision.objects.filter(letter_waiting(), request__campaign=campaign, request__establishment__region=region)


def _failed_email():
    return _letter_emails().filter(object_id=OuterRef("pk"), status=OutboxEmail.Status.FAILED)


def letters_state(campaign, region, waiting: int | None = None) -> tuple[int, list]:
    """The letters of notified decisions not yet accepted by the mail server: how many are on their way, and those
    « non remises » (refused by the mail server, or retries exhausted) with the server's reason and the addresses
    tried, by establishment name. One query when none failed; none when the caller counted the letters waiting
    (``waiting``, decisions matching ``letter_waiting``) and there are none: the usual case, as the regional board
    counts them in its grouped query."""
    if waiting == 0:
        return 0, []
    waiting = list(_notified(campaign, region).annotate(failed=Exists(_failed_email())).values_list("pk", "failed"))
    failed_ids = [pk for pk, failed in waiting if failed]
    if not failed_ids:
        return len(waiting), []
    emails = {
        email.object_id: email
        for email in _letter_emails().filter(status=OutboxEmail.Status.FAILED, object_id__in=failed_ids)
    }
    decisions = Decision.objects.filter(pk__in=failed_ids).select_related("request__establishment")
    rows = [{"decision": d, "request": d.request, "email": emails[d.pk]} for d in decisions]
    return len(waiting) - len(failed_ids), sorted(rows, key=lambda row: row["request"].establishment.sort_name)


@job(time_limit=300)
def send_letter(decision_id: int) -> str:
    """Build the decision's letter (once) and put its e-mail in the outbox (once)."""
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("request__campaign", "request__establishment__region", "decided_by", "notified_by")
            .filter(pk=decision_id)
            .first()
        )
        if decision is None or decision.letter_sent_at or not decision.notified_at:
            return "nothing to do"
        if _letter_emails().filter(object_id=decision.pk).exists():
            return "already in the outbox"
        decision = ensure_letter(decision)
        request = decision.request
        send_templated(
            head_emails(request),
            f"Notification de votre dotation complémentaire en HSE {request.campaign.label} ({request.reference})",
            "allocations/email/decision_notified.txt",
            {"decision": decision, "request": request},
            attachments=[(f"{request.reference}-notification.pdf", decision.letter, "application/pdf")],
            about=decision,
            on_outcome=LETTER_HOOK,
        )
    return "queued"


def letter_outcome(email, delivered: bool) -> None:
    """Outbox hook, in the transaction that records the e-mail's outcome: the letter is recorded as sent only
    once the mail server accepted it; a failure leaves it « non remise » (shown on the board)."""
    if not delivered:
        return
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("request", "notified_by")
        .filter(pk=email.object_id)
        .first()
    )
    if decision is None or decision.letter_sent_at:
        return
    decision.letter_sent_at = email.sent_at
    decision.save(update_fields=["letter_sent_at"])
    record(
        decision.request,
        decision.notified_by,
        RequestEvent.Action.LETTER_SENT,
        audience=RequestEvent.Audience.SHARED,
        data={"sha256": decision.letter_sha256, "to": email.to},
    )


def resume_letters(user, campaign, region) -> int:
    """Send again the letters « non remises », and start those of notified decisions that never had their
    e-mail (data recorded before the outbox); returns how many."""
    _check(permissions.can_notify_decisions(user, region.pk))
    with transaction.atomic():
        notified = _notified(campaign, region)
        count = outbox.resend(_letter_emails().filter(object_id__in=notified.values("pk")))
        never = notified.exclude(Exists(_letter_emails().filter(object_id=OuterRef("pk"))))
        for pk in never.values_list("pk", flat=True):
            send_letter.enqueue(pk)
            count += 1
    return count
