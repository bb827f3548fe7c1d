"""Headers: a Content-Security-Policy without 'unsafe-inline' (the templates have no inline script or style), a
Permissions-Policy on every answer, nothing a signed-in person receives kept in a cache, and a production that
refuses a short SECRET_KEY."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections

from accounts.models import Region
from allocations import services as allocation_services
from requests_app import services as request_services
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def _assert_security_headers(response):
    directives = _csp(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def _assert_private(response):
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache, response["Cache-Control"]
    assert "public" not in cache


def _close(response):
    """Close a streamed answer (its file) the way the test client does, without closing the test's database
    connection (``close_old_connections`` would, inside the test's transaction on PostgreSQL)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.fixture
def deposited(head_a, establishment_a, campaign, national, today):
    allocation_services.set_initial_envelopes(national, campaign, {r.pk: 100 for r in Region.objects.all()})
    allocation_services.notify_envelopes(national, campaign)
    draft = request_services.start_request(head_a, establishment_a, campaign)
    draft = request_services.save_draft(head_a, draft, factories.complete_values(), draft.version)
    return request_services.submit_request(head_a, draft, draft.version)


def test_public_pages_carry_the_policies(client, db):
    for url in ("/connexion/", "/accessibilite/", "/healthz"):
        _assert_security_headers(client.get(url))


def test_signed_in_pages_pdfs_and_exports_are_never_cached(client, deposited, head_a, regional, national):
    client.force_login(head_a)
    for url in ("/", "/demandes/", f"/demandes/{deposited.pk}/", f"/demandes/{deposited.pk}/pdf/", "/rapports/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_private(response)
        _assert_security_headers(response)
        _close(response)
    client.force_login(regional)
    for url in ("/allocations/", "/exports/demandes.csv", "/exports/demandes.xlsx", "/rapports/2027/53/repartition/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_private(response)
    client.force_login(national)
    for url in ("/national/", "/exports/tableau-national.xlsx", "/rapports/2027/53/repartition.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_private(response)


def test_even_errors_shown_to_a_signed_in_person_are_not_cached(client, deposited, head_b):
    client.force_login(head_b)
    _assert_private(client.get(f"/demandes/{deposited.pk}/"))  # 404: outside their scope


def test_a_method_a_view_does_not_take_gets_a_page_in_french(client, deposited, head_a):
    """Opening an action's address (a POST-only view) in the browser: a 405 page, not an empty screen."""
    client.force_login(head_a)
    response = client.get(f"/demandes/{deposited.pk}/bilan/commencer/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Action impossible depuis cette adresse" in response.content.decode()
    _assert_private(response)


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    """What the policy forbids is absent from every template of the project (PDF templates excluded: WeasyPrint
    renders them on the server, no browser applies the policy)."""
    found = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            if "/pdf/" in path.as_posix():
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PRODUCTION", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_a_secret_key_shorter_than_50_characters():
    common = {"PRODUCTION": "true", "ALLOWED_HOSTS": "hse.example.gouv.fr", "EMAIL_HOST": "smtp"}
    short = _manage("check", SECRET_KEY="x" * 49, **common)
    assert short.returncode != 0
    assert "at least 50 random characters" in short.stderr
    long_enough = _manage("check", SECRET_KEY=secrets.token_urlsafe(50), **common)
    assert long_enough.returncode == 0, long_enough.stderr
