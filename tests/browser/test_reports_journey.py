import datetime

import pytest

from accounts.models import Region
from allocations import services as allocation_services
from reports.models import Transmission
from tests import factories
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser


def test_region_transmits_the_september_summary_and_dger_downloads_it(page, sign_in, sign_out, audit, travel):
    travel(datetime.date(2027, 9, 20))
    campaign = factories.CampaignFactory(start_year=2027)
    bretagne = factories.region("53")
    dger = factories.NationalFactory(email="dger@example.org")
    regional = factories.RegionalFactory(email="draaf@example.org", region=bretagne)
    allocation_services.set_initial_envelopes(
        dger, campaign, {r.pk: 800 if r.code == "53" else 0 for r in Region.objects.all()}
    )
    allocation_services.notify_envelopes(dger, campaign)
    request = factories.HseRequestFactory(
        campaign=campaign,
        establishment__region=bretagne,
        establishment__name="Lycée du Bilan",
        status="en_instruction",
        complete=True,
    )
    allocation_services.allocate(regional, request, {"cap": 54, "bac_pro": 60}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)

    sign_in(page, "draaf@example.org")
    page.get_by_role("link", name="Bilans").click()
    audit(page, "bilans")
    page.get_by_role("link", name="brouillon (non transmis)").first.click()
    audit(page, "bilan-repartition")
    assert "Bilan de la répartition — Bretagne, campagne 2027-2028" in page.locator("h1").inner_text()
    assert "Lycée du Bilan" in page.locator("main").inner_text()
    page.get_by_role("button", name="Transmettre à la DGER").click()
    assert "transmis à la DGER (version 1" in page.locator("main").inner_text()
    audit(page, "transmis")
    transmission = Transmission.objects.get()
    sign_out(page)

    sign_in(page, "dger@example.org")
    page.get_by_role("link", name="Tableau national").click()
    audit(page, "tableau-national")
    link = page.get_by_role("link", name="transmis le 20 septembre 2027 (version 1) Bretagne")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    body = response.body()
    with transmission.pdf.open("rb") as stream:
        assert body == stream.read()  # served as frozen, not rebuilt
    text = pdf_text(body)
    assert "Heures attribuées 114 h" in text
    assert "version 1 transmise le 20/09/2027" in text
