"""The Content-Security-Policy (no inline script or style) blocks nothing the pages use: the DSFR's scripts
start, the project's scripts run, and the browser reports no violation, for each role's pages and the admin."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.models import Region
from allocations import services
from tests import factories

pytestmark = pytest.mark.browser

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _visit(page, audit, path):
    page.goto(path)
    audit(page, path)
    assert page.locator("html").get_attribute("data-fr-js") == "true", f"DSFR scripts did not start on {path}"
    assert page.evaluate("window.__cspViolations") == [], path


def test_no_page_violates_the_policy(page, sign_in, sign_out, audit, travel):
    travel(datetime.date(2027, 6, 20))
    campaign = factories.CampaignFactory(start_year=2027)
    bretagne = factories.region("53")
    dger = factories.NationalFactory(email="dger@example.org")
    factories.RegionalFactory(email="draaf@example.org", region=bretagne)
    factories.AdminFactory(email="admin@example.org")
    services.set_initial_envelopes(dger, campaign, {r.pk: 500 if r.code == "53" else 0 for r in Region.objects.all()})
    services.notify_envelopes(dger, campaign)
    monod = factories.EstablishmentFactory(region=bretagne, name="Lycée Théodore Monod")
    factories.HeadFactory(email="chef@example.org", establishments=[monod])
    draft = factories.HseRequestFactory(campaign=campaign, establishment=monod, status="brouillon", complete=True)
    for _ in range(3):
        factories.HseRequestFactory(
            campaign=campaign, establishment__region=bretagne, status="en_instruction", complete=True
        )
    page.add_init_script(WATCH)

    sign_in(page, "chef@example.org")
    for path in ("/", "/demandes/", f"/demandes/{draft.pk}/modifier/"):
        _visit(page, audit, path)
    # The Annexe 1's own script computes the annual equivalent while typing.
    page.get_by_label("Nombre de HSE demandées pour le CAP agricole").fill("2")
    expect(page.locator("#annual-cap")).to_have_text("72")
    assert page.evaluate("window.__cspViolations") == []
    sign_out(page)

    sign_in(page, "draaf@example.org")
    for path in ("/allocations/", "/allocations/assistant/", "/rapports/2027/53/repartition/"):
        _visit(page, audit, path)
    sign_out(page)

    sign_in(page, "dger@example.org")
    for path in ("/national/", "/national/campagnes/2027/enveloppes/", "/national/campagnes/2027/"):
        _visit(page, audit, path)
    sign_out(page)

    page.goto("/admin/login/")
    audit(page, "admin-login")
    page.get_by_label("Adresse électronique").fill("ADMIN@example.org")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/admin/")
    audit(page, "admin")
    page.goto("/admin/accounts/establishment/")
    audit(page, "admin-establishments")
    assert page.evaluate("window.__cspViolations") == []
