import datetime
import re

import pytest
from playwright.sync_api import expect

from requests_app.models import Request
from tests import factories
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser


def test_head_fills_saves_comes_back_submits_and_downloads_the_pdf(page, sign_in, audit, travel):
    travel(datetime.date(2027, 6, 15))
    factories.CampaignFactory(start_year=2027)
    school = factories.EstablishmentFactory(
        region=factories.region("53"), name="Lycée Théodore Monod", commune="Le Rheu"
    )
    factories.HeadFactory(email="chef@example.org", full_name="Camille Le Goff", establishments=[school])

    sign_in(page, "chef@example.org")
    page.get_by_role("link", name="Mes demandes").click()
    audit(page, "mes-demandes")
    page.get_by_role("button", name="Commencer la demande").click()
    page.wait_for_url(re.compile(r"/demandes/\d+/modifier/$"))
    audit(page, "formulaire-vide")
    assert page.get_by_label("Nom du/de la chef(fe) d'établissement").input_value() == "Camille Le Goff"

    page.get_by_label("En quelques lignes, présentez le volet").fill("Tutorat individuel en seconde.")
    page.get_by_label("En quelques lignes, décrivez les besoins").fill("Lecture de consignes.")
    page.get_by_label("Nombre d'élèves concernés").fill("40")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert "Brouillon enregistré" in page.locator("main").inner_text()
    audit(page, "brouillon-enregistre")

    # Come back later: what was saved is there.
    page.goto("/")
    audit(page, "accueil")
    page.get_by_role("link", name="Mes demandes").click()
    audit(page, "mes-demandes-2")
    page.get_by_role("link", name="Continuer la demande").click()
    audit(page, "formulaire-repris")
    assert page.get_by_label("Nombre d'élèves concernés").input_value() == "40"

    page.get_by_label("Explicitez l'articulation").fill("Une heure à l'emploi du temps.")
    page.get_by_label("Nombre d'intervenants impliqués").fill("5")
    page.get_by_label("CAP agricole", exact=True).check(force=True)  # the DSFR draws the box over the native input
    page.get_by_label("Baccalauréat professionnel", exact=True).check(
        force=True
    )  # the DSFR draws the box over the native input
    page.get_by_label("Disciplines").fill("Lettres, mathématiques")
    page.get_by_label("Rôle et activités des intervenants").fill("Tutorat.")
    page.get_by_label("Précisez en quelques lignes les objectifs").fill("Réduire le décrochage.")
    page.get_by_label(re.compile("^Consolidation de compétences méthodologiques")).check(
        force=True
    )  # the DSFR draws the box over the native input
    page.get_by_label("Précisez en quelques lignes les modalités").fill("Positionnements.")
    page.get_by_label("Nombre de HSE demandées pour le CAP agricole").fill("1,5")
    page.get_by_label("Nombre de HSE demandées pour le baccalauréat professionnel").fill("2")
    # The annual equivalent and the totals follow the typing.
    expect(page.locator("#annual-cap")).to_have_text("54")
    expect(page.locator("#total-weekly")).to_have_text("3,5")
    expect(page.locator("#total-annual")).to_have_text("126")

    page.get_by_role("button", name="Déposer la demande").click()
    page.wait_for_url(re.compile(r"/confirmation/$"))
    audit(page, "confirmation")
    assert "Votre demande est déposée" in page.locator("main").inner_text()
    request = Request.objects.get()
    assert request.status == "deposee"

    pdf_url = page.get_by_role("link", name="Télécharger le PDF de la demande").get_attribute("href")
    response = page.request.get(pdf_url)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Lycée Théodore Monod" in text
    assert "Total 3,5 126" in text
