"""Browser tests: Playwright driving Debian's Chromium (``CHROMIUM_PATH``, default ``/usr/bin/chromium``).

Without Chromium the browser tests are skipped with one loud line, except under ``CI=true`` where a
missing Chromium fails the run. A failing test leaves a screenshot in ``test-artifacts/``.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test body are still
# synchronous and run between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium not found (set CHROMIUM_PATH or apt-get install chromium): browser tests skipped"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but " + message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    args = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=args)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.step_screenshots = []
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def sign_in():
    def _sign_in(page, email, password=PASSWORD):
        page.goto("/connexion/")
        page.get_by_label("Adresse électronique").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(r".*/$"))

    return _sign_in


def pytest_terminal_summary(terminalreporter):
    if chromium_path() is None:
        terminalreporter.write_line(
            "!!! BROWSER TESTS SKIPPED: Chromium not found (apt-get install chromium, or set CHROMIUM_PATH) !!!",
            red=True,
            bold=True,
        )
