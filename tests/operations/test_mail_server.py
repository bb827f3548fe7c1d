"""A real SMTP server (aiosmtpd) and real workers: an outage delays the letters, never loses them, never sends
one twice, and « sent » is recorded only for what the server accepted."""

import email
import hashlib
import time

import pytest
from django.core import mail

from allocations import services as allocation_services
from core.models import OutboxEmail
from requests_app.models import Decision, RequestEvent
from tests import factories
from tests.operations.conftest import wait_until
from tests.operations.scenarios import notified_region

pytestmark = pytest.mark.timeout(240)

LETTERS = 4


def _smtp_env(server):
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": server.port,
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "5",
        "EMAIL_RETRY_FIRST_SECONDS": "1",
        "EMAIL_RETRY_MAX_SECONDS": "2",
    }


def _received(server):
    """What the server accepted: ``{Message-ID: parsed message}``, and every Message-ID in order."""
    ids = []
    messages = {}
    for envelope in server.accepted:
        message = email.message_from_bytes(envelope.original_content)
        ids.append(message["Message-ID"])
        messages[message["Message-ID"]] = (envelope, message)
    return ids, messages


def _attachment_sha256(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "application/pdf":
            return hashlib.sha256(part.get_payload(decode=True)).hexdigest()
    raise AssertionError("no PDF attached")


def test_451_then_accepted_each_letter_delivered_exactly_once(processes, smtp_server):
    smtp_server.refuse_with = "451 4.3.0 Mail server temporarily unavailable"
    campaign, region, _regional, _requests = notified_region(LETTERS)
    env = _smtp_env(smtp_server)
    began = time.monotonic()
    processes.worker("worker-1", **env)
    processes.worker("worker-2", **env)

    # The outage: every letter is built and tried, refused, and waits for its next try; nothing is « sent ».
    # (The server counts a refusal after answering it: the worker may record its attempt a moment earlier.)
    wait_until(
        lambda: OutboxEmail.objects.filter(attempts__gte=2).count() == LETTERS and smtp_server.refused >= 2 * LETTERS,
        timeout=120,
        message="every letter tried twice during the outage",
    )
    assert smtp_server.accepted == []
    assert not OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).exists()
    assert not Decision.objects.filter(letter_sent_at__isnull=False).exists()
    assert not RequestEvent.objects.filter(action=RequestEvent.Action.LETTER_SENT).exists()
    assert allocation_services.letters_state(campaign, region)[0] == LETTERS
    assert set(OutboxEmail.objects.values_list("status", flat=True)) <= {"pending", "sending"}
    assert all("451" in error for error in OutboxEmail.objects.values_list("last_error", flat=True) if error)

    # The server comes back: every letter goes out once.
    smtp_server.refuse_with = None
    wait_until(
        lambda: OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() == LETTERS,
        timeout=120,
        message="every letter accepted",
    )
    delivered_after = time.monotonic() - began
    time.sleep(3)  # any duplicate would arrive now
    ids, received = _received(smtp_server)
    assert len(ids) == LETTERS == len(set(ids)), ids

    sent = list(OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT))
    assert {e.message_id for e in sent} == set(ids)
    for outbox_email in sent:
        envelope, message = received[outbox_email.message_id]
        assert sorted(envelope.rcpt_tos) == sorted(outbox_email.to)
        decision = Decision.objects.get(pk=outbox_email.object_id)
        assert decision.letter_sent_at == outbox_email.sent_at
        assert _attachment_sha256(message) == decision.letter_sha256  # the stored letter, whole
        assert outbox_email.attempts >= 3
    assert RequestEvent.objects.filter(action=RequestEvent.Action.LETTER_SENT).count() == LETTERS
    assert allocation_services.letters_state(campaign, region)[0] == 0
    print(f"\n{LETTERS} letters: {smtp_server.refused} refusals (451), delivered {delivered_after:.1f} s after start")


def test_550_failure_is_shown_and_nothing_is_marked_sent(processes, smtp_server, client):
    smtp_server.refuse_with = "550 5.1.1 Mailbox unavailable"
    campaign, region, regional, _requests = notified_region(2)
    processes.worker("worker-1", **_smtp_env(smtp_server))
    wait_until(
        lambda: OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED).count() == 2,
        timeout=120,
        message="both letters refused for good",
    )
    assert smtp_server.accepted == []
    assert smtp_server.refused == 2  # a permanent refusal is not tried again
    assert not Decision.objects.filter(letter_sent_at__isnull=False).exists()
    assert not RequestEvent.objects.filter(action=RequestEvent.Action.LETTER_SENT).exists()
    assert allocation_services.letters_state(campaign, region)[0] == 0
    assert len(allocation_services.letters_state(campaign, region)[1]) == 2

    client.force_login(regional)
    board = client.get("/allocations/").content.decode()
    assert "2 lettres non remises" in board
    assert "550 5.1.1 Mailbox unavailable" in board
    assert "Lycée agricole 00" in board

    # The administrator sends them again once the cause is fixed: delivered once each.
    smtp_server.refuse_with = None
    admin = factories.AdminFactory(email="admin.ops@example.org")
    client.force_login(admin)
    response = client.post(
        "/admin/core/outboxemail/",
        {"action": "send_again", "_selected_action": list(OutboxEmail.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 302
    wait_until(
        lambda: OutboxEmail.objects.filter(status=OutboxEmail.Status.SENT).count() == 2,
        timeout=60,
        message="both letters sent again",
    )
    time.sleep(2)
    assert len(smtp_server.accepted) == 2
    assert RequestEvent.objects.filter(action=RequestEvent.Action.LETTER_SENT).count() == 2
    assert mail.outbox == []  # everything went through the real server
