"""State agents sign in with ProConnect: end to end in Chromium against a real OpenID Connect provider
(npm oidc-provider, started on loopback by the test) that signs the ID token and the userinfo like ProConnect.
Not a mock of the client library: discovery, authorisation, token, signed userinfo, keys and logout are real."""

import copy
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from playwright.sync_api import expect

from accounts import proconnect
from tests import factories

ROOT = Path(__file__).resolve().parent.parent.parent
PROVIDER = ROOT / "tests" / "oidc" / "provider.mjs"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def provider(live_server, settings):
    """The stand-in ProConnect, configured as the environment would (discovery URL, client id and secret)."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.skip("node or the npm package oidc-provider is missing (make test runs npm install)")
    port = _free_port()
    process = subprocess.Popen(
        [node, str(PROVIDER), str(port), f"{live_server.url}/proconnect/retour/", f"{live_server.url}/connexion/"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            output = process.stdout.read()
            process.stdout.close()
            pytest.fail(f"the OpenID Connect provider did not start: {output}")
        time.sleep(0.2)
    settings.PROCONNECT_DISCOVERY_URL = f"{issuer}/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = "hse-test"
    settings.OIDC_RP_CLIENT_SECRET = "secret-de-test-proconnect"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.proconnect.ProConnectBackend"]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)  # as config/settings.py does when configured
    policy["DIRECTIVES"]["form-action"].append(issuer)
    settings.CONTENT_SECURITY_POLICY = policy
    proconnect._discovery.update(at=0.0, url=None, document=None)
    yield issuer
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()
    proconnect._discovery.update(at=0.0, url=None, document=None)


def _through_provider(page, login: str):
    """On the provider's own pages (not ours: not audited), sign in as ``login`` and consent."""
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/.*"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("n'importe quoi")
    page.locator("button[type=submit]").click()
    consent = page.locator("button[type=submit]", has_text=re.compile("Continue", re.I))
    if consent.count():
        consent.click()


def _provider_pages_are_not_ours(page):
    """The stand-in provider's own pages are not audited with axe-core (ProConnect's are not ours either)."""
    for path in page.loaded_paths:
        if path.startswith(("/interaction/", "/auth", "/session/")):
            page.audited_paths.add(path)


def _start(page, audit):
    page.goto("/connexion/")
    audit(page, "connexion-proconnect")
    page.get_by_role("link", name=re.compile("S’identifier avec ProConnect")).click()


@pytest.mark.browser
def test_invited_agent_signs_in_and_out_with_proconnect(page, audit, provider, bretagne):
    agent = factories.RegionalFactory(email="agent.invite@example.org", full_name="Agent Invité", region=bretagne)
    _start(page, audit)
    _through_provider(page, "Agent.Invite@example.org")  # the provider's case does not matter
    page.wait_for_url(re.compile(r".*/$"))
    audit(page, "accueil-proconnect")
    expect(page.get_by_text("Agent Invité").first).to_be_visible()
    agent.refresh_from_db()
    assert agent.last_login is not None

    # Signing out ends the ProConnect session too: the provider's end-session page, with the ID token.
    with page.expect_request(re.compile(r"http://127\.0\.0\.1:\d+/session/end.*")) as ending:
        page.get_by_role("button", name="Se déconnecter").first.click()
    query = parse_qs(urlsplit(ending.value.url).query)
    assert query["id_token_hint"][0].count(".") == 2  # a JWT
    assert query["post_logout_redirect_uri"][0].endswith("/connexion/")
    page.get_by_role("button", name=re.compile("Yes, sign me out", re.I)).click()
    page.wait_for_url(re.compile(r".*/connexion/(\?.*)?$"))
    audit(page, "deconnexion-proconnect")
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    _provider_pages_are_not_ours(page)


@pytest.mark.browser
def test_unknown_email_is_refused_with_a_clear_message(page, audit, provider):
    _start(page, audit)
    _through_provider(page, "inconnu@example.org")
    page.wait_for_url("**/connexion/")
    audit(page, "proconnect-inconnu")
    expect(page.get_by_text("Aucun compte n'est ouvert pour l'adresse inconnu@example.org")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    _provider_pages_are_not_ours(page)


@pytest.mark.browser
def test_heads_keep_their_password(page, audit, provider, head_a):
    _start(page, audit)
    _through_provider(page, head_a.email)
    page.wait_for_url("**/connexion/")
    audit(page, "proconnect-chef")
    expect(page.get_by_text("ProConnect est réservé aux agents de la DGER et des DRAAF-SRFD")).to_be_visible()
    _provider_pages_are_not_ours(page)


@pytest.mark.browser
def test_a_tampered_state_is_refused(page, audit, provider, national):
    """The browser comes back from the provider with a state this session never asked for: refused."""
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/auth?" in request.url else None)
    _start(page, audit)
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/.*"))
    parts = urlsplit(asked[0])
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = "etat-falsifie"
    page.goto(urlunsplit(parts._replace(query=urlencode(query))))
    _through_provider(page, national.email)
    page.wait_for_url(re.compile(r".*/connexion/(\?.*)?$"))
    audit(page, "proconnect-etat-falsifie")
    expect(page.get_by_text("La connexion avec ProConnect n'a pas abouti")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    _provider_pages_are_not_ours(page)
