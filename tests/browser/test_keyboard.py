"""The Annexe 1 form, filled and submitted with the keyboard alone (no mouse, no programmatic fill)."""

import datetime

import pytest
from playwright.sync_api import expect

from requests_app.models import Request
from tests import factories

pytestmark = pytest.mark.browser


def tab_to(page, element_id: str, limit: int = 250):
    """Press Tab until the element with this id has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} never got the focus with Tab")


def test_annexe1_with_the_keyboard_alone(page, sign_in, audit, travel):
    travel(datetime.date(2027, 6, 15))
    campaign = factories.CampaignFactory(start_year=2027)
    school = factories.EstablishmentFactory(region=factories.region("53"), name="Lycée au clavier")
    factories.HeadFactory(email="clavier@example.org", full_name="Chef Clavier", establishments=[school])
    sign_in(page, "clavier@example.org")
    page.goto("/demandes/")
    audit(page, "mes-demandes")
    tab_to(page, f"commencer-{school.pk}-{campaign.pk}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/modifier/")
    audit(page, "formulaire")

    texts = {
        "id_project": "Tutorat individuel.",
        "id_needs": "Lecture de consignes.",
        "id_pupils_count": "25",
        "id_articulation": "Une heure par semaine.",
        "id_intervenants_count": "3",
        "id_disciplines": "Lettres",
        "id_roles": "Tutorat",
        "id_objectives": "Réduire le décrochage.",
        "id_evaluation": "Positionnements.",
        "id_hse_bac_pro": "2,5",
    }
    for element_id, text in texts.items():
        tab_to(page, element_id)
        page.keyboard.type(text)
        if element_id == "id_intervenants_count":
            tab_to(page, "id_levels_1")  # Baccalauréat professionnel
            page.keyboard.press("Space")
        if element_id == "id_objectives":
            tab_to(page, "id_axes_0")
            page.keyboard.press("Space")
    expect(page.locator("#annual-bac_pro")).to_have_text("90")
    tab_to(page, "submit-id-submit")
    page.keyboard.press("Enter")
    page.wait_for_url("**/confirmation/")
    audit(page, "confirmation")
    request = Request.objects.get()
    assert request.status == "deposee"
    assert str(request.hse_bac_pro) == "2.5"
    assert request.level_bac_pro
    assert request.axis_methodological
