"""The whole campaign in Chromium, from DGER's envelopes to the national PDF."""

import datetime
import re
import time

import pytest

from accounts.models import Region
from allocations import services as allocation_services
from reports.models import PdfJob, Transmission
from requests_app.models import Decision, Request
from tests import factories
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser


def fill_annexe1(page, weekly_cap="1,5"):
    page.get_by_label("En quelques lignes, présentez le volet").fill("Tutorat individuel en seconde.")
    page.get_by_label("En quelques lignes, décrivez les besoins").fill("Lecture de consignes.")
    page.get_by_label("Nombre d'élèves concernés").fill("40")
    page.get_by_label("Explicitez l'articulation").fill("Une heure à l'emploi du temps.")
    page.get_by_label("Nombre d'intervenants impliqués").fill("5")
    page.get_by_label("CAP agricole", exact=True).check(force=True)
    page.get_by_label("Rôle et activités des intervenants").fill("Tutorat.")
    page.get_by_label("Précisez en quelques lignes les objectifs").fill("Réduire le décrochage.")
    page.get_by_label(re.compile("^Consolidation de compétences méthodologiques")).check(force=True)
    page.get_by_label("Précisez en quelques lignes les modalités").fill("Positionnements.")
    page.get_by_label("Nombre de HSE demandées pour le CAP agricole").fill(weekly_cap)


def test_the_whole_campaign(page, sign_in, sign_out, audit, travel, settings):
    travel(datetime.date(2027, 5, 20))
    bretagne = factories.region("53")
    previous = factories.CampaignFactory(start_year=2026, national_volume=50_000)
    factories.NationalFactory(email="dger@example.org", full_name="Agent DGER")
    factories.RegionalFactory(email="draaf@example.org", full_name="Agent Bretagne", region=bretagne)
    monod = factories.EstablishmentFactory(region=bretagne, name="Lycée Théodore Monod", commune="Le Rheu")
    factories.HeadFactory(email="chef@example.org", full_name="Camille Le Goff", establishments=[monod])
    others = [factories.EstablishmentFactory(region=bretagne) for _ in range(3)]
    dger_user = factories.NationalFactory(email="dger.seed@example.org")
    allocation_services.set_initial_envelopes(dger_user, previous, {r.pk: 300 for r in Region.objects.all()})

    # 1. DGER creates the campaign and notifies the envelopes.
    sign_in(page, "dger@example.org")
    page.get_by_role("link", name="Campagnes et enveloppes").click()
    audit(page, "campagnes")
    page.get_by_role("link", name="Créer la campagne suivante").click()
    audit(page, "nouvelle-campagne")
    page.get_by_role("button", name="Créer la campagne").click()
    page.wait_for_url("**/national/campagnes/2027/enveloppes/")
    audit(page, "enveloppes")
    page.get_by_role("link", name="comme en 2026-2027").click()
    audit(page, "enveloppes-preremplies")
    page.get_by_role("button", name="Enregistrer les enveloppes").click()
    audit(page, "enveloppes-enregistrees")
    page.get_by_role("button", name="Notifier les enveloppes aux régions").click()
    assert "22 enveloppes notifiées" in page.locator("main").inner_text()
    audit(page, "enveloppes-notifiees")
    sign_out(page)

    # Other establishments of the region file their requests meanwhile.
    campaign = factories.CampaignFactory(start_year=2027)
    for establishment in others:
        factories.HseRequestFactory(campaign=campaign, establishment=establishment, status="deposee", complete=True)

    # 2. The head fills and submits the Annexe 1.
    travel(datetime.date(2027, 6, 20))
    sign_in(page, "chef@example.org")
    page.get_by_role("link", name="Mes demandes").click()
    audit(page, "mes-demandes")
    page.get_by_role("button", name="Commencer la demande").click()
    audit(page, "formulaire")
    fill_annexe1(page)
    page.get_by_role("button", name="Déposer la demande").click()
    audit(page, "erreurs")  # Disciplines was forgotten: the error is next to the field
    assert "Indiquez les disciplines des intervenants" in page.locator("main").inner_text()
    page.get_by_label("Disciplines").fill("Lettres, mathématiques")
    page.get_by_role("button", name="Déposer la demande").click()
    page.wait_for_url("**/confirmation/")
    audit(page, "confirmation")
    sign_out(page)
    request = Request.objects.get(establishment=monod)

    # 3. The region sends it back.
    sign_in(page, "draaf@example.org")
    page.goto(f"/demandes/{request.pk}/")
    audit(page, "demande-region")
    page.get_by_role("link", name="Renvoyer à compléter").click()
    audit(page, "renvoi")
    page.get_by_label(re.compile("Message à l'établissement")).fill("Précisez le nombre d'élèves par niveau.")
    page.get_by_role("button", name="Renvoyer la demande à compléter").click()
    audit(page, "renvoyee")
    sign_out(page)

    # 4. The head corrects and submits again.
    sign_in(page, "chef@example.org")
    page.get_by_role("link", name="Mes demandes").click()
    audit(page, "mes-demandes-2")
    page.get_by_role("link", name="Compléter la demande").click()
    audit(page, "formulaire-a-completer")
    assert "Précisez le nombre d'élèves par niveau." in page.locator("main").inner_text()
    page.get_by_label("En quelques lignes, décrivez les besoins").fill(
        "Lecture de consignes : 25 en CAP, 15 en bac pro."
    )
    page.get_by_role("button", name="Déposer la demande").click()
    page.wait_for_url("**/confirmation/")
    audit(page, "confirmation-2")
    sign_out(page)

    # 5. The region allocates with the assistant and notifies.
    travel(datetime.date(2027, 8, 1))
    sign_in(page, "draaf@example.org")
    page.get_by_role("link", name="Répartition").click()
    audit(page, "tableau-region")
    for checkbox in page.locator('input[name="demandes"]').all():
        checkbox.check(force=True)
    page.get_by_role("button", name="Mettre en instruction les demandes déposées cochées").click()
    audit(page, "en-instruction")
    page.get_by_role("link", name=re.compile("Assistant de répartition")).click()
    audit(page, "assistant")
    page.get_by_role("button", name="Appliquer ces attributions").click()
    audit(page, "attributions")
    assert "4 attributions enregistrées" in page.locator("main").inner_text()
    page.get_by_role("button", name=re.compile("Notifier les décisions")).click()
    audit(page, "notifications")
    # The letters go out in the background; on SQLite (one writer at a time) wait for them before signing out.
    for _ in range(100):
        if not Decision.objects.filter(letter_sent_at__isnull=True).exists():
            break
        time.sleep(0.2)
    assert not Decision.objects.filter(letter_sent_at__isnull=True).exists()
    sign_out(page)
    assert sum(d.total for d in Decision.objects.all()) == 300

    # 6. The head downloads the letter.
    sign_in(page, "chef@example.org")
    page.get_by_role("link", name="Mes demandes").click()
    audit(page, "mes-demandes-3")
    href = page.get_by_role("link", name=re.compile("Lettre de notification")).get_attribute("href")
    letter = page.request.get(href)
    assert letter.headers["content-type"] == "application/pdf"
    allocated = Decision.objects.get(request=request).total
    assert f"{allocated} heures supplémentaires effectives" in pdf_text(letter.body())
    sign_out(page)

    # 7. The region transmits the September summary.
    travel(datetime.date(2027, 9, 15))
    sign_in(page, "draaf@example.org")
    page.get_by_role("link", name="Bilans").click()
    audit(page, "bilans")
    page.get_by_role("link", name="brouillon (non transmis)").first.click()
    audit(page, "bilan-repartition")
    page.get_by_role("button", name="Transmettre à la DGER").click()
    audit(page, "transmis")
    assert Transmission.objects.get().version == 1
    sign_out(page)

    # 8. DGER downloads the national PDF, built in the background with its progress shown.
    sign_in(page, "dger@example.org")
    page.get_by_role("link", name="Bilans").click()
    audit(page, "bilans-dger")
    page.get_by_role("link", name=re.compile("Transmissions et bilans nationaux 2027-2028")).click()
    audit(page, "bilans-nationaux")
    page.get_by_role("button", name="Générer : Bilan national de la répartition").click()
    page.wait_for_url(re.compile(r"/rapports/generations/\d+/$"))
    audit(page, "generation")
    page.locator("#job-download").wait_for(timeout=60_000)
    job = PdfJob.objects.get()
    assert job.status == "done"
    national = page.request.get(page.locator("#job-download").get_attribute("href"))
    text = pdf_text(national.body())
    assert "Bilan national de la répartition" in text
    assert "Lycée Théodore Monod" in text
