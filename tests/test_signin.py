"""Sign-in that cannot be turned against users: one normalisation of the address at every door, lockout per
account and client address (behind the documented proxies too), password reset that tells nothing by its
timing."""

import statistics
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import RequestFactory

from core.network import client_ip
from tests.factories import PASSWORD

LOGIN = "/connexion/"
ADMIN_LOGIN = "/admin/login/?next=/admin/"
PROXY = "10.0.0.1"
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"


def _post(client, url, username, password, remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(url, {"username": username, "password": password}, **extra)


def test_admin_login_counts_every_spelling_of_an_address_as_one_account(client, admin_user):
    for spelling in ("Admin.Test@example.org", "ADMIN.TEST@EXAMPLE.ORG", " admin.test@Example.org "):
        assert _post(client, ADMIN_LOGIN, spelling, "mauvais").status_code == 200
    assert _post(client, ADMIN_LOGIN, "ADMIN.TEST@example.ORG", "mauvais").status_code == 200
    assert _post(client, ADMIN_LOGIN, "admin.test@EXAMPLE.org", "mauvais").status_code == 429
    # Locked out: even the right password, however typed.
    assert _post(client, ADMIN_LOGIN, "admin.test@example.org", PASSWORD).status_code == 429
    assert _post(client, ADMIN_LOGIN, "Admin.Test@Example.Org", PASSWORD).status_code == 429


def test_admin_login_signs_in_with_any_spelling_of_the_address(client, admin_user):
    response = _post(client, ADMIN_LOGIN, "ADMIN.TEST@EXAMPLE.ORG", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_both_doors_share_one_count_of_failed_attempts(client, admin_user):
    for _ in range(3):
        assert _post(client, LOGIN, "Admin.Test@example.org", "mauvais").status_code == 200
    assert _post(client, ADMIN_LOGIN, "ADMIN.TEST@EXAMPLE.ORG", "mauvais").status_code == 200
    assert _post(client, ADMIN_LOGIN, "admin.test@example.org", "mauvais").status_code == 429
    assert _post(client, LOGIN, "admin.test@example.org", PASSWORD).status_code == 429


def test_behind_the_proxy_a_stranger_locks_out_only_themselves(client, head_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        _post(client, LOGIN, "chef.a@example.org", "mauvais", forwarded=CLIENT_A)
    assert _post(client, LOGIN, "chef.a@example.org", PASSWORD, forwarded=CLIENT_A).status_code == 429
    # Writing another address in front of the proxy's does not get the stranger out of their lockout.
    spoofed = f"{CLIENT_B}, {CLIENT_A}"
    assert _post(client, LOGIN, "chef.a@example.org", PASSWORD, forwarded=spoofed).status_code == 429
    # The head, from their own address behind the same proxy, signs in.
    assert _post(client, LOGIN, "chef.a@example.org", PASSWORD, forwarded=CLIENT_B).status_code == 302


def test_without_a_proxy_the_forwarded_header_is_ignored(client, head_a, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(5):
        _post(client, LOGIN, "chef.a@example.org", "mauvais", remote=CLIENT_A, forwarded=f"192.0.2.{number}")
    # Changing the header does not give new tries: the peer's address is what counts.
    assert _post(client, LOGIN, "chef.a@example.org", PASSWORD, remote=CLIENT_A, forwarded=CLIENT_B).status_code == 429
    assert _post(client, LOGIN, "chef.a@example.org", PASSWORD, remote=CLIENT_B).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.1"),
        (0, "198.51.100.7", "10.0.0.1"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1"),  # fewer entries than proxies: never a value the client chose
        (1, "pas-une-adresse", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_the_one_the_outermost_trusted_proxy_saw(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


class SlowMailServer(EmailBackend):
    """A mail server that takes its time to accept a message (as a real one may)."""

    DELAY = 0.4

    def send_messages(self, messages):
        time.sleep(self.DELAY)
        return super().send_messages(messages)


def _median_answer_time(client, email, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.post("/mot-de-passe/oublie/", {"email": email})
        times.append(time.perf_counter() - start)
        assert response.status_code == 302
    return statistics.median(times)


def test_password_reset_answers_in_the_same_time_for_known_and_unknown_addresses(client, head_a, settings):
    settings.EMAIL_BACKEND = "tests.test_signin.SlowMailServer"
    # As in production: the request writes the e-mail in the outbox; a worker (not this request) sends it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _median_answer_time(client, "inconnu@example.org", runs=1)  # warm-up
    known = _median_answer_time(client, "chef.a@example.org")
    unknown = _median_answer_time(client, "inconnu@example.org")
    assert abs(known - unknown) < 0.05, f"known {known * 1000:.0f} ms, unknown {unknown * 1000:.0f} ms"
    assert known < SlowMailServer.DELAY  # no request waits on the mail server


def test_password_reset_normalises_the_address(client, head_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/mot-de-passe/oublie/", {"email": "  CHEF.A@Example.org "})
    assert [m.to for m in mail.outbox] == [["chef.a@example.org"]]
