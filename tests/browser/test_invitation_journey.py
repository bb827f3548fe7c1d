"""DRAAF brings a head in without /admin/: invitation, e-mail, link, password, home page with the establishment."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests import factories


@pytest.mark.browser
def test_invitation_from_the_region_to_the_heads_home_page(page, audit, sign_in, sign_out, bretagne):
    factories.RegionalFactory(email="draaf@example.org", full_name="Agent DRAAF", region=bretagne)
    lycee = factories.EstablishmentFactory(region=bretagne, name="Lycée de Caulnes", email="Direction@Caulnes.fr")
    sign_in(page, "draaf@example.org")
    page.get_by_role("link", name="Comptes").click()
    audit(page, "comptes")
    page.get_by_role("link", name=re.compile("inviter Lycée de Caulnes")).click()
    audit(page, "inviter")
    expect(page.get_by_label("Adresse électronique")).to_have_value("Direction@Caulnes.fr")  # from the directory
    page.get_by_label("Nom (facultatif)").fill("Claire Le Gall")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.wait_for_url("**/comptes/")
    audit(page, "comptes-invitation")
    expect(page.get_by_role("row", name=re.compile("direction@caulnes.fr"))).to_be_visible()
    sign_out(page)

    [message] = [m for m in mail.outbox if m.to == ["direction@caulnes.fr"]]
    link = re.search(r"https?://\S+(/invitation/\S+/)", message.body).group(1)
    page.goto(link)
    audit(page, "ouvrir-compte")
    expect(page.get_by_label("Prénom et nom")).to_have_value("Claire Le Gall")
    page.get_by_label("Mot de passe", exact=True).fill("un mot de passe bien sûr")
    page.get_by_label("Confirmation du mot de passe").fill("un mot de passe bien sûr")
    page.get_by_role("button", name="Ouvrir mon compte").click()
    page.wait_for_url(re.compile(r".*/$"))
    audit(page, "accueil-nouveau-compte")
    expect(page.get_by_text("Bienvenue, Claire Le Gall")).to_be_visible()
    expect(page.get_by_text("Lycée de Caulnes").first).to_be_visible()
    head = User.objects.get(email="direction@caulnes.fr")
    assert list(head.establishments.all()) == [lycee]

    # The link served once: used again, it says so and offers to sign in.
    sign_out(page)
    page.goto(link)
    audit(page, "lien-deja-utilise")
    expect(page.get_by_text("Ce lien a déjà servi")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter").last).to_be_visible()
