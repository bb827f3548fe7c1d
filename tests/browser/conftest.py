"""Browser tests: Playwright driving Debian's Chromium (``CHROMIUM_PATH``, default ``/usr/bin/chromium``).

Without Chromium the browser tests are skipped with one loud line, except under ``CI=true`` where a
missing Chromium fails the run. A failing test leaves the screenshot of each step in ``test-artifacts/``.

Every page a journey loads is checked with axe-core (``audit(page)``): no violation of impact "serious" or
"critical" is accepted, and a journey that loads a page it never audits fails. The same step checks the
page's layout on a laptop (1280×800) and on a phone (390×844): the page never scrolls sideways, and on the
laptop the key header cells of every table (Demandé, Attribué, Reste, Décision, totals) are in view and
uncovered (``layout.js``).
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test body are still
# synchronous and run between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
LAYOUT_JS = (Path(__file__).resolve().parent / "layout.js").read_text()
LAPTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


def layout_problems(page) -> list[str]:
    """The page's layout problems on a laptop and on a phone (the same page, its viewport resized), then
    the viewport it had."""
    viewport = page.viewport_size
    problems = []
    try:
        for name, size in (("1280×800", LAPTOP), ("390×844", PHONE)):
            page.set_viewport_size(size)
            problems += [f"{name}: {p}" for p in page.evaluate(LAYOUT_JS, size is LAPTOP)]
    finally:
        page.set_viewport_size(viewport)
    return problems


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
    page.steps = []  # (name, screenshot) of each step, written out if the test fails
    page.loaded_paths = []
    page.audited_paths = set()
    page.on("load", lambda loaded: page.loaded_paths.append(urlsplit(loaded.url).path))
    yield page
    report = getattr(request.node, "report_call", None)
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, (step, image) in enumerate(page.steps, start=1):
            (ARTIFACTS / f"{name}-{index:02d}-{step}.png").write_bytes(image)
        page.screenshot(path=str(ARTIFACTS / f"{name}-final.png"), full_page=True)
    context.close()
    if report is not None and report.passed:
        unaudited = sorted(set(page.loaded_paths) - page.audited_paths)
        assert unaudited == [], f"pages loaded but never checked with axe-core: {unaudited}"


@pytest.fixture(scope="session")
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def audit(_axe):
    """Check the current page with axe-core and remember it was checked; also keep a screenshot of the step."""

    def _audit(page, step: str = ""):
        page.wait_for_load_state()
        results = _axe.run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        details = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}" for v in serious]
        assert details == [], f"axe-core on {page.url}:\n" + "\n".join(details)
        layout = layout_problems(page)
        assert layout == [], f"layout of {page.url}:\n" + "\n".join(layout)
        page.audited_paths.add(urlsplit(page.url).path)
        page.steps.append((re.sub(r"[^\w-]+", "_", step or urlsplit(page.url).path)[:60], page.screenshot()))

    return _audit


@pytest.fixture
def sign_in(audit):
    def _sign_in(page, email, password=PASSWORD):
        page.goto("/connexion/")
        audit(page, "connexion")
        page.get_by_label("Adresse électronique").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(r".*/$"))
        audit(page, f"accueil-{email}")

    return _sign_in


@pytest.fixture
def sign_out(audit):
    def _sign_out(page):
        page.get_by_role("button", name="Se déconnecter").first.click()
        page.wait_for_url("**/connexion/")
        audit(page, "deconnexion")

    return _sign_out


def pytest_terminal_summary(terminalreporter):
    if chromium_path() is None:
        terminalreporter.write_line(
            "!!! BROWSER TESTS SKIPPED: Chromium not found (apt-get install chromium, or set CHROMIUM_PATH) !!!",
            red=True,
            bold=True,
        )
