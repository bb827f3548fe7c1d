import datetime
import re

import pytest

from accounts.models import Region
from allocations import services
from requests_app.models import Decision
from tests import factories
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser


def test_region_runs_the_assistant_adjusts_applies_notifies_and_the_head_reads_the_letter(
    page, sign_in, sign_out, audit, travel
):
    travel(datetime.date(2027, 7, 20))
    campaign = factories.CampaignFactory(start_year=2027)
    bretagne = factories.region("53")
    dger = factories.NationalFactory()
    factories.RegionalFactory(email="draaf@example.org", full_name="Agent Bretagne", region=bretagne)
    services.set_initial_envelopes(dger, campaign, {r.pk: 500 if r.code == "53" else 0 for r in Region.objects.all()})
    services.notify_envelopes(dger, campaign)
    monod = factories.EstablishmentFactory(region=bretagne, name="Lycée Théodore Monod", commune="Le Rheu")
    factories.HeadFactory(email="chef@example.org", establishments=[monod])
    requests = [factories.HseRequestFactory(campaign=campaign, establishment=monod, status="deposee", complete=True)]
    requests += [
        factories.HseRequestFactory(
            campaign=campaign, establishment__region=bretagne, status="en_instruction", complete=True
        )
        for _ in range(4)
    ]

    sign_in(page, "draaf@example.org")
    page.get_by_role("link", name="Répartition").first.click()
    audit(page, "tableau-region")
    assert "500 h" in page.locator("#kpi-envelope").inner_text()
    # Put the submitted request under review with the bulk action.
    page.get_by_label("Sélectionner Lycée Théodore Monod").check(force=True)
    page.get_by_role("button", name="Mettre en instruction les demandes déposées cochées").click()
    assert "1 demande mise en instruction" in page.locator("main").inner_text()
    audit(page, "mise-en-instruction")

    page.get_by_role("link", name=re.compile("Assistant de répartition")).click()
    audit(page, "assistant")
    assert page.locator("#assistant-total").inner_text() == "500"
    monod_cap = page.get_by_label("Lycée Théodore Monod — CAP agricole (heures par an)")
    before = int(monod_cap.input_value())
    monod_cap.fill(str(before - 4))
    assert page.locator("#assistant-total").inner_text() == "496"
    assert page.locator("#assistant-left").inner_text() == "4"
    page.get_by_role("button", name="Appliquer ces attributions").click()
    assert "5 attributions enregistrées" in page.locator("main").inner_text()
    audit(page, "attributions")
    assert sum(d.total for d in Decision.objects.all()) == 496

    page.get_by_role("button", name=re.compile("Notifier les décisions")).click()
    assert "5 établissements notifiés" in page.locator("main").inner_text()
    audit(page, "notifications")
    sign_out(page)

    sign_in(page, "chef@example.org")
    page.get_by_role("link", name="Mes demandes").click()
    audit(page, "mes-demandes")
    letter = page.get_by_role("link", name=re.compile("Lettre de notification"))
    response = page.request.get(letter.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    allocated = Decision.objects.get(request=requests[0]).total
    assert f"{allocated} heures supplémentaires effectives" in pdf_text(response.body())
