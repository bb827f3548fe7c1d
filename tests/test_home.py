import datetime

import pytest
from django.db import DatabaseError

from tests import factories


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/"


def test_head_sees_calendar_and_establishments(client, head_a, campaign, today):
    client.force_login(head_a)
    page = client.get("/").content.decode()
    assert "Calendrier de la campagne 2027-2028" in page
    assert "Lycée agricole A" in page
    assert "Lycée agricole B" not in page


def test_regional_staff_see_their_region(client, regional, establishment_a, establishment_b, campaign, today):
    client.force_login(regional)
    page = client.get("/").content.decode()
    assert "Bretagne" in page
    assert "2 établissements d'enseignement agricole" in page


def test_national_staff_see_the_whole_country(client, national, establishment_a, campaign, today):
    client.force_login(national)
    page = client.get("/").content.decode()
    assert "France entière" in page
    assert "22 autorités académiques" in page


def test_admin_is_pointed_to_the_admin_site(client, admin_user, today):
    client.force_login(admin_user)
    page = client.get("/").content.decode()
    assert 'href="/admin/"' in page
    assert client.get("/admin/").status_code == 200


def test_two_campaigns_in_progress_are_both_shown(client, head_a, travel):
    travel(datetime.date(2027, 5, 1))
    factories.CampaignFactory(start_year=2026)
    factories.CampaignFactory(start_year=2027)
    client.force_login(head_a)
    page = client.get("/").content.decode()
    assert "Calendrier de la campagne 2026-2027" in page
    assert "Calendrier de la campagne 2027-2028" in page
    assert page.index("Calendrier de la campagne 2026-2027") < page.index("Calendrier de la campagne 2027-2028")


def test_navigation_follows_the_role(client, regional, national, today):
    client.force_login(national)
    assert 'aria-label="Menu principal"' in client.get("/").content.decode()


def test_healthz_answers_when_the_database_does(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert {key: response.json()[key] for key in ("status", "database")} == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_without_database(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise DatabaseError("connection refused")

        def close(self):
            pass

    monkeypatch.setattr("core.health.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.parametrize("url", ["/accessibilite/", "/mentions-legales/", "/donnees-personnelles/"])
def test_mandatory_pages_are_public(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "Accessibilité : partiellement conforme" in response.content.decode()
