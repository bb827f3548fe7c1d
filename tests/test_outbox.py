"""The e-mail outbox, with a scripted mail backend: what is recorded for each answer of the mail server."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from allocations import services as allocation_services
from allocations.models import Envelope
from core import outbox
from core.mail import send_templated
from core.models import OutboxEmail
from requests_app.models import Decision, RequestEvent
from tests import factories

Status = OutboxEmail.Status


class ScriptedBackend(BaseEmailBackend):
    """Answers each sending with the next error of ``script`` (``None``: accepted); accepted messages in ``sent``."""

    script: list = []
    sent: list = []

    def send_messages(self, messages):
        if ScriptedBackend.script:
            error = ScriptedBackend.script.pop(0)
            if error is not None:
                raise error
        ScriptedBackend.sent.extend(messages)
        return len(messages)


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "tests.test_outbox.ScriptedBackend"
    ScriptedBackend.script = []
    ScriptedBackend.sent = []
    return ScriptedBackend


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def notified(regional, campaign, bretagne, request_a, head_a):
    """Bretagne's envelope notified (without its e-mail), A allocated 50 h and its decision notified (the
    letter not sent yet)."""
    national = factories.NationalFactory(email="dger.outbox@example.org")
    allocation_services.set_initial_envelopes(
        national, campaign, {r.pk: 1000 if r.code == "53" else 0 for r in type(bretagne).objects.all()}
    )
    Envelope.objects.filter(campaign=campaign).update(notified_at=timezone.now(), notified_by=national)
    allocation_services.allocate(regional, request_a, {"cap": 50}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    return Decision.objects.get(request=request_a)


@pytest.fixture
def request_a(campaign, establishment_a, head_a):
    return factories.HseRequestFactory(
        campaign=campaign, establishment=establishment_a, status="en_instruction", complete=True
    )


def _send_letter(decision, on_commit):
    with on_commit():
        allocation_services.send_letter.call(decision.pk)
    return OutboxEmail.objects.get(object_id=decision.pk, topic="decision_notified")


def _later(travel, email, seconds=1):
    travel(email.next_attempt_at + datetime.timedelta(seconds=seconds))


def test_an_email_is_written_with_its_change_or_not_at_all(db, smtp, on_commit):
    def change_that_fails():
        with transaction.atomic():
            outbox.enqueue_email(["a@example.org"], "Objet", "Corps")
            raise RuntimeError("the change fails")

    with on_commit(), pytest.raises(RuntimeError):
        change_that_fails()
    assert not OutboxEmail.objects.exists()
    assert smtp.sent == []


def test_a_temporary_refusal_is_retried_with_backoff_then_sent_once(
    notified, smtp, on_commit, travel, regional, campaign, bretagne, settings
):
    smtp.script = [
        smtplib.SMTPDataError(451, b"4.3.0 Try again later"),
        ConnectionRefusedError(111, "Connection refused"),
    ]
    email = _send_letter(notified, on_commit)
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    assert "451 4.3.0 Try again later" in email.last_error
    first_wait = email.next_attempt_at - email.last_attempt_at
    assert first_wait >= datetime.timedelta(seconds=settings.EMAIL_RETRY_FIRST_SECONDS)
    notified.refresh_from_db()
    assert notified.letter_sent_at is None  # nothing recorded before the server accepted
    assert allocation_services.letters_state(campaign, bretagne)[0] == 1
    with on_commit():  # the letter's task run again (a second worker, a click on « relancer »): no second e-mail
        assert allocation_services.send_letter.call(notified.pk) == "already in the outbox"
        allocation_services.resume_letters(regional, campaign, bretagne)
    assert OutboxEmail.objects.count() == 1

    with on_commit():
        assert outbox.sweep.call() == {"interrupted": 0, "overdue": 0}  # not due yet: nothing tried
    assert smtp.sent == []

    _later(travel, email)
    with on_commit():
        outbox.sweep.call()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.PENDING, 2)
    assert "ConnectionRefusedError" in email.last_error
    second_wait = email.next_attempt_at - email.last_attempt_at
    assert second_wait >= datetime.timedelta(seconds=2 * settings.EMAIL_RETRY_FIRST_SECONDS)  # backoff

    _later(travel, email)
    with on_commit():
        outbox.sweep.call()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 3)
    assert len(smtp.sent) == 1
    assert smtp.sent[0].extra_headers["Message-ID"] == email.message_id
    assert smtp.sent[0].attachments[0][0].endswith("-notification.pdf")
    notified.refresh_from_db()
    assert notified.letter_sent_at == email.sent_at
    assert notified.request.events.filter(action=RequestEvent.Action.LETTER_SENT).count() == 1

    assert outbox.send(email.pk) == Status.SENT  # a second task for the same e-mail sends nothing
    with on_commit():
        outbox.sweep.call()
        assert allocation_services.resume_letters(regional, campaign, bretagne) == 0
    assert len(smtp.sent) == 1


def test_a_permanent_refusal_is_shown_on_the_board_and_can_be_sent_again(
    notified, smtp, on_commit, client, regional, campaign, bretagne
):
    smtp.script = [smtplib.SMTPRecipientsRefused({"chef.a@example.org": (550, b"5.1.1 Unknown user")})]
    email = _send_letter(notified, on_commit)
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    notified.refresh_from_db()
    assert notified.letter_sent_at is None
    assert not notified.request.events.filter(action=RequestEvent.Action.LETTER_SENT).exists()
    assert allocation_services.letters_state(campaign, bretagne)[0] == 0
    client.force_login(regional)
    board = client.get("/allocations/").content.decode()
    assert "1 lettre non remise" in board
    assert "550 5.1.1 Unknown user" in board

    with on_commit():
        response = client.post("/allocations/lettres/reprendre/?campagne=2027")
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(smtp.sent) == 1
    assert "lettre non remise" not in client.get("/allocations/").content.decode()
    notified.refresh_from_db()
    assert notified.letter_sent_at is not None


def test_retries_end_after_the_retry_window_and_the_failure_shows(notified, smtp, on_commit, travel, settings):
    assert settings.EMAIL_RETRY_HOURS >= 24
    smtp.script = [ConnectionRefusedError(111, "refused")] * 200
    email = _send_letter(notified, on_commit)
    tries = 1
    while email.status == Status.PENDING:
        _later(travel, email)
        with on_commit():
            outbox.sweep.call()
        email.refresh_from_db()
        tries += 1
    assert email.status == Status.FAILED
    assert email.last_attempt_at - email.created_at >= datetime.timedelta(hours=24)
    assert tries == email.attempts
    print(f"\n{tries} attempts over {email.last_attempt_at - email.created_at} before giving up")


def test_mixed_recipient_refusals_are_temporary():
    error = smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no"), "b@x.org": (452, b"full")})
    assert outbox.classify(error)[0] is True
    assert outbox.classify(smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no")}))[0] is False
    assert outbox.classify(smtplib.SMTPSenderRefused(553, b"no", "x"))[0] is False
    assert outbox.classify(smtplib.SMTPServerDisconnected("gone"))[0] is True
    assert outbox.classify(TimeoutError("slow"))[0] is True


def test_attachments_are_stored_documents_not_bytes(db):
    with pytest.raises(TypeError, match="stored document"):
        outbox.enqueue_email(["a@example.org"], "Objet", "Corps", attachments=[("a.pdf", b"%PDF", "application/pdf")])


def test_an_interrupted_sending_is_sent_again_by_the_sweep(db, smtp, on_commit, travel):
    email = outbox.enqueue_email(["a@example.org"], "Objet", "Corps")  # its task waits for a commit
    OutboxEmail.objects.filter(pk=email.pk).update(status=Status.SENDING, attempts=1, last_attempt_at=timezone.now())
    with on_commit():
        assert outbox.sweep.call()["interrupted"] == 0  # maybe still talking to the server
    travel(timezone.now() + outbox.sending_stale() + datetime.timedelta(seconds=5))
    with on_commit():
        assert outbox.sweep.call()["interrupted"] == 1
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(smtp.sent) == 1


def test_the_administrator_sends_again_only_what_was_not_delivered(db, smtp, on_commit, admin_user, client):
    smtp.script = [smtplib.SMTPDataError(554, b"5.7.1 Rejected")]
    with on_commit():
        failed = outbox.enqueue_email(["a@example.org"], "Refusé", "Corps")
        sent = outbox.enqueue_email(["b@example.org"], "Remis", "Corps")
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
    client.force_login(admin_user)
    page = client.get("/admin/core/outboxemail/?status__exact=failed").content.decode()
    assert "Refusé" in page
    assert "554 5.7.1 Rejected" in page
    with on_commit():
        response = client.post(
            "/admin/core/outboxemail/", {"action": "send_again", "_selected_action": [failed.pk, sent.pk]}, follow=True
        )
    assert "1 courriel remis dans la file" in response.content.decode()
    assert "jamais deux fois" in response.content.decode()
    assert [m.subject for m in smtp.sent] == ["Remis", "Refusé"]
    assert client.get(f"/admin/core/outboxemail/{failed.pk}/change/").status_code == 200


def test_password_reset_never_waits_on_the_mail_server(db, head_a, client, smtp, on_commit):
    smtp.script = [ConnectionRefusedError(111, "refused")]
    with on_commit():
        response = client.post("/mot-de-passe/oublie/", {"email": "chef.a@example.org"})
    assert response.status_code == 302
    email = OutboxEmail.objects.get(topic="password_reset")
    assert email.to == ["chef.a@example.org"]
    assert email.status == Status.PENDING  # the outage delays it, the person sees the usual page
    assert "http://testserver/mot-de-passe/reinitialiser/" in email.body
    assert mail.outbox == []


def test_links_in_emails_use_the_address_served(establishment_a, campaign, settings, smtp, on_commit):
    settings.SITE_URL = "http://127.0.0.1:8123"
    extension = {"until": datetime.date(2027, 7, 20), "reason": ""}
    context = {"establishment": establishment_a, "campaign": campaign, "extension": extension}
    with on_commit():
        email = send_templated(["a@example.org"], "Objet", "requests_app/email/extension.txt", context)
    assert "http://127.0.0.1:8123/demandes/" in email.body
