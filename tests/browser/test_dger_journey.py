import datetime
import io

import pytest
from openpyxl import load_workbook

from accounts.models import Region
from allocations import services
from allocations.models import Envelope
from campaigns.models import Campaign
from tests import factories

pytestmark = pytest.mark.browser


def test_dger_creates_next_campaign_sets_notifies_and_delegates(page, sign_in, audit, travel):
    travel(datetime.date(2027, 4, 20))
    dger = factories.NationalFactory(email="dger@example.org", full_name="Agent DGER")
    factories.RegionalFactory(email="draaf@example.org", region=factories.region("53"))
    previous = factories.CampaignFactory(start_year=2027, national_volume=76_000)
    services.set_initial_envelopes(dger, previous, {r.pk: 3_000 for r in Region.objects.all()})

    sign_in(page, "dger@example.org")
    page.get_by_role("link", name="Campagnes et enveloppes").click()
    audit(page, "campagnes")
    page.get_by_role("link", name="Créer la campagne suivante").click()
    audit(page, "nouvelle-campagne")
    assert page.get_by_label("Date limite de transmission des demandes").input_value() == "2028-07-12"
    page.get_by_label("Volume national (heures HSE annuelles)").fill("80000")
    page.get_by_role("button", name="Créer la campagne").click()
    page.wait_for_url("**/national/campagnes/2028/enveloppes/")
    audit(page, "enveloppes")

    page.get_by_role("link", name="comme en 2027-2028").click()
    audit(page, "enveloppes-preremplies")
    assert page.get_by_label("Enveloppe Bretagne (heures)").input_value() == "3000"
    assert page.locator("#envelopes-total").inner_text() == "66\u202f000"
    page.get_by_role("button", name="Enregistrer les enveloppes").click()
    assert "Les enveloppes régionales sont enregistrées" in page.locator("main").inner_text()
    audit(page, "enveloppes-enregistrees")
    page.get_by_role("button", name="Notifier les enveloppes aux régions").click()
    assert "22 enveloppes notifiées" in page.locator("main").inner_text()
    audit(page, "enveloppes-notifiees")

    page.get_by_role("link", name="Mouvements Bretagne").click()
    audit(page, "enveloppe-bretagne")
    page.get_by_label("Délégation complémentaire (ajout d'heures)").check(force=True)
    page.get_by_label("Nombre d'heures").fill("500")
    page.get_by_label("Motif").fill("Délégation complémentaire de janvier")
    page.get_by_role("button", name="Enregistrer le mouvement").click()
    assert "solde 3\u202f500 h" in page.locator("main").inner_text()
    audit(page, "delegation")
    campaign = Campaign.objects.get(start_year=2028)
    assert Envelope.objects.get(campaign=campaign, region__code="53").total_hours() == 3500

    page.get_by_role("link", name="Tableau national").click()
    audit(page, "tableau-national")
    page.get_by_label("Campagne", exact=True).select_option("2028")
    page.get_by_role("button", name="Afficher").click()
    audit(page, "tableau-national-2028")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tableau (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == "tableau-national-2028-2029.xlsx"
    with open(download.path(), "rb") as stream:
        rows = list(load_workbook(io.BytesIO(stream.read())).active.iter_rows(values_only=True))
    bretagne = dict(zip(rows[0], next(r for r in rows if r[0] == "Bretagne"), strict=True))
    assert bretagne["Enveloppe (h)"] == 3500
