import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.factories import PASSWORD

LOGIN = "/connexion/"


def _login(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR="10.0.0.1")


def test_sign_in_with_email_and_password(client, head_a):
    response = _login(client, "CHEF.A@example.org", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get("/").context["user"] == head_a


def test_wrong_password_is_explained_in_french(client, head_a):
    response = _login(client, "chef.a@example.org", "mauvais")
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()


def test_lockout_after_five_failures_then_clear_message(client, head_a):
    for _ in range(4):
        assert _login(client, "chef.a@example.org", "mauvais").status_code == 200
    response = _login(client, "chef.a@example.org", "mauvais")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Connexion temporairement bloquée" in page
    assert "15 minutes" in page
    # Even the right password is refused while locked out.
    assert _login(client, "chef.a@example.org", PASSWORD).status_code == 429


def test_lockout_ends_after_the_cool_off(client, head_a, travel):
    travel(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC))
    for _ in range(5):
        _login(client, "chef.a@example.org", "mauvais")
    assert _login(client, "chef.a@example.org", PASSWORD).status_code == 429
    travel(datetime.datetime(2027, 3, 1, 9, 20, tzinfo=datetime.UTC))
    assert _login(client, "chef.a@example.org", PASSWORD).status_code == 302


def test_sign_out_needs_a_post(client, head_a):
    client.force_login(head_a)
    page = client.get("/deconnexion/")
    assert page.status_code == 200
    assert client.get("/").status_code == 200
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_reset_by_email(client, head_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/mot-de-passe/oublie/", {"email": "chef.a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["chef.a@example.org"]
    assert "HSE appui personnalisé" in message.subject
    link = re.search(r"http://testserver(/mot-de-passe/reinitialiser/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in form_page.content.decode()
    new = "un-nouveau-mot-de-passe-solide"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    head_a.refresh_from_db()
    assert head_a.check_password(new)


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/mot-de-passe/oublie/", {"email": "inconnu@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_change_password(client, head_a):
    client.force_login(head_a)
    short = client.post(
        "/mot-de-passe/modifier/",
        {"old_password": PASSWORD, "new_password1": "court", "new_password2": "court"},
    )
    assert short.status_code == 200
    assert "trop court" in short.content.decode()
    new = "encore-un-mot-de-passe-solide"
    response = client.post(
        "/mot-de-passe/modifier/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    head_a.refresh_from_db()
    assert head_a.check_password(new)


def test_session_expires_after_inactivity(client, head_a, settings, travel):
    travel(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC))
    client.force_login(head_a)
    assert client.get("/").status_code == 200
    travel(datetime.datetime(2027, 3, 1, 9, 50, tzinfo=datetime.UTC))
    assert client.get("/").status_code == 200  # activity pushes the expiry back
    travel(
        datetime.datetime(2027, 3, 1, 9, 50, tzinfo=datetime.UTC)
        + datetime.timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES + 1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("field_error", ["Saisissez une adresse de courriel valide", "Ce champ est obligatoire"])
def test_login_form_errors_are_next_to_the_field(client, db, field_error):
    data = {"username": "pas-une-adresse", "password": "x"} if "valide" in field_error else {"username": ""}
    page = client.post(LOGIN, data).content.decode()
    assert field_error in page
    assert 'aria-describedby="id_username-desc-error"' in page or 'id="id_password-desc-error"' in page
    assert "fr-error-text" in page


def test_proconnect_is_off_unless_configured(client, db, settings):
    settings.PROCONNECT_DISCOVERY_URL = None
    page = BeautifulSoup(client.get("/connexion/").content, "html.parser")
    assert page.find("a", href="/proconnect/connexion/") is None
    assert client.get("/proconnect/connexion/").url == "/connexion/"


def test_proconnect_button_on_the_sign_in_page_when_configured(client, db, settings):
    settings.PROCONNECT_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    page = BeautifulSoup(client.get("/connexion/?next=/demandes/").content, "html.parser")
    button = page.find("a", class_="hse-proconnect__button")
    assert button["href"] == "/proconnect/connexion/?next=/demandes/"
    assert " ".join(button.get_text().split()) == "S’identifier avec ProConnect"


def test_password_sign_in_works_when_proconnect_is_down(client, head_a, settings):
    """The ProConnect backend fetches nothing for a password sign-in: its provider being unreachable (port 9)
    does not block heads."""
    from accounts import proconnect

    settings.PROCONNECT_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.proconnect.ProConnectBackend"]
    proconnect._discovery.update(at=0.0, url=None, document=None)
    response = client.post("/connexion/", {"username": head_a.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
