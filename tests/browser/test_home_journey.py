import pytest

from tests import factories

pytestmark = pytest.mark.browser


def test_each_role_signs_in_and_lands_on_its_home_page(page, sign_in, sign_out, travel):
    factories.CampaignFactory(start_year=2027)
    bretagne = factories.region("53")
    school = factories.EstablishmentFactory(region=bretagne, name="Lycée Théodore Monod", commune="Le Rheu")
    factories.HeadFactory(email="chef@example.org", full_name="Camille Le Goff", establishments=[school])
    factories.RegionalFactory(email="draaf@example.org", full_name="Agent Bretagne", region=bretagne)
    factories.NationalFactory(email="dger@example.org", full_name="Agent DGER")
    factories.AdminFactory(email="admin@example.org", full_name="Admin Technique")

    expectations = {
        "chef@example.org": [
            "Bonjour Camille Le Goff",
            "Lycée Théodore Monod",
            "Calendrier de la campagne 2027-2028",
        ],
        "draaf@example.org": [
            "Bonjour Agent Bretagne",
            "Direction régionale de l'alimentation, de l'agriculture et de la forêt Bretagne",
        ],
        "dger@example.org": ["Bonjour Agent DGER", "France entière"],
        "admin@example.org": ["Bonjour Admin Technique", "administration"],
    }
    for email, texts in expectations.items():
        sign_in(page, email)
        body = page.locator("main").inner_text()
        for text in texts:
            assert text in body, (email, text)
        sign_out(page)
        assert "Vous êtes déconnecté" in page.locator("main").inner_text()
