import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from requests_app import services
from requests_app.models import Request
from tests import factories
from tests.helpers import element_text, form_data, pdf_text, table_cell


@pytest.fixture
def draft(head_a, establishment_a, campaign, today):
    return services.start_request(head_a, establishment_a, campaign)


@pytest.fixture
def submitted(draft, head_a):
    draft = services.save_draft(head_a, draft, factories.complete_values(), draft.version)
    return services.submit_request(head_a, draft, draft.version)


def test_head_list_offers_to_start_the_open_campaign(client, head_a, establishment_a, campaign, today):
    client.force_login(head_a)
    page = client.get("/demandes/").content.decode()
    assert "Commencer la demande" in page
    assert "campagne 2027-2028" in page
    response = client.post("/demandes/commencer/", {"establishment": establishment_a.pk, "campaign": campaign.pk})
    created = Request.objects.get()
    assert response["Location"] == f"/demandes/{created.pk}/modifier/"
    assert "Continuer la demande" in client.get("/demandes/").content.decode()


def test_starting_for_another_establishment_is_404(client, head_a, establishment_b, campaign, today):
    client.force_login(head_a)
    response = client.post("/demandes/commencer/", {"establishment": establishment_b.pk, "campaign": campaign.pk})
    assert response.status_code == 404
    assert not Request.objects.exists()


def test_form_shows_official_wording_and_weekly_annual_figures(client, head_a, draft):
    services.save_draft(head_a, draft, {"hse_cap": factories.complete_values()["hse_cap"]}, draft.version)
    client.force_login(head_a)
    page = client.get(f"/demandes/{draft.pk}/modifier/").content.decode()
    for wording in (
        "1 - Identification",
        "Nom du/de la chef(fe) d&#x27;établissement",
        "2bis - Besoins ciblés",
        "Nombre d&#x27;intervenants impliqués",
        "Niveau d&#x27;intervention (à cocher, possibilité choix multiple)",
        "Nombre de HSE demandées pour le CAP agricole",
        "6 - Demande de l'établissement",
    ):
        assert wording in page, wording
    assert 'value="1,5"' in page
    assert element_text(page, "annual-cap") == "54"
    assert element_text(page, "total-annual") == "54"


def test_save_draft_with_decimal_comma(client, head_a, draft):
    client.force_login(head_a)
    data = form_data({"project": "Brouillon", "hse_cap": "1,5"}, draft.version)
    response = client.post(f"/demandes/{draft.pk}/modifier/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert str(draft.hse_cap) == "1.5"
    assert draft.project == "Brouillon"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Saisissez un nombre, par exemple 2 ou 1,5."),
        ("1,55", "Indiquez au plus une décimale (par exemple 1,5)."),
        ("25", "Indiquez un nombre d&#x27;HSE par semaine entre 0 et 20."),
        ("-1", "Indiquez un nombre d&#x27;HSE par semaine entre 0 et 20."),
    ],
)
def test_bad_number_is_explained_next_to_the_field_and_the_rest_is_saved(client, head_a, draft, typed, message):
    client.force_login(head_a)
    data = form_data({"project": "Texte gardé", "hse_cap": typed}, draft.version)
    response = client.post(f"/demandes/{draft.pk}/modifier/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert 'aria-describedby="id_hse_cap-hint id_hse_cap-desc-error"' in page
    assert f'value="{typed}"' in page  # what was typed is shown again
    assert 'href="#id_hse_cap"' in page  # the summary links to the field
    draft.refresh_from_db()
    assert draft.project == "Texte gardé"
    assert draft.hse_cap is None


def test_submit_incomplete_shows_each_error_next_to_its_field(client, head_a, draft):
    client.force_login(head_a)
    values = factories.complete_values(project="", level_cap=False, level_sup=True, intervenants_count="0")
    response = client.post(f"/demandes/{draft.pk}/modifier/", form_data(values, draft.version, "submit"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Présentez le projet pédagogique" in page
    assert "cochez ce niveau dans" in page
    assert "Le niveau « Supérieur court » est coché" in page
    assert "Indiquez le nombre d&#x27;intervenants impliqués (au moins 1)" in page
    assert 'href="#fieldset-id_levels"' in page
    draft.refresh_from_db()
    assert draft.status == Request.Status.DRAFT
    assert draft.disciplines == "Lettres, mathématiques, agronomie"  # saved as a draft meanwhile


def test_submit_complete_request_through_the_form(client, head_a, draft, django_capture_on_commit_callbacks):
    client.force_login(head_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/demandes/{draft.pk}/modifier/", form_data(factories.complete_values(), draft.version, "submit")
        )
    assert response.status_code == 302
    assert response["Location"] == f"/demandes/{draft.pk}/confirmation/"
    page = client.get(response["Location"]).content.decode()
    assert "Votre demande est déposée" in page
    assert "3,5 HSE par semaine" in page
    assert len(mail.outbox) == 1


def test_two_tabs_second_save_is_refused_and_keeps_the_text(client, head_a, draft):
    client.force_login(head_a)
    opened_version = draft.version
    first = client.post(f"/demandes/{draft.pk}/modifier/", form_data({"project": "Onglet 1"}, opened_version))
    assert first.status_code == 302
    second = client.post(f"/demandes/{draft.pk}/modifier/", form_data({"project": "Onglet 2"}, opened_version))
    assert second.status_code == 409
    page = second.content.decode()
    assert "modifiée entre-temps" in page
    assert "Onglet 2" in page
    draft.refresh_from_db()
    assert draft.project == "Onglet 1"
    # Saving again, knowingly, replaces the stored version.
    third = client.post(f"/demandes/{draft.pk}/modifier/", form_data({"project": "Onglet 2"}, draft.version))
    assert third.status_code == 302
    draft.refresh_from_db()
    assert draft.project == "Onglet 2"


def _textarea(field) -> str:
    """A textarea's value as the browser reads it (the newline right after the opening tag is not part of it)."""
    text = field.get_text()
    return text[1:] if text.startswith("\n") else text


def _as_the_browser_would(client, url) -> dict:
    """The form's data as the browser would post it back untouched (every field, hidden ones included)."""
    return _as_the_browser_would_from(BeautifulSoup(client.get(url).content, "html.parser"))


def _as_the_browser_would_from(page) -> dict:
    form = page.find("form", id="annexe1")
    data = {}
    for field in form.find_all(["input", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field["value"])
            continue
        data[name] = _textarea(field) if field.name == "textarea" else field.get("value", "")
    return data


def test_two_tabs_that_changed_different_fields_keep_both(client, head_a, draft):
    client.force_login(head_a)
    url = f"/demandes/{draft.pk}/modifier/"
    tab_a, tab_b = _as_the_browser_would(client, url), _as_the_browser_would(client, url)
    assert client.post(url, {**tab_a, "project": "Texte de l'onglet A", "save": "save"}).status_code == 302
    response = client.post(url, {**tab_b, "needs": "Besoins de l'onglet B", "save": "save"}, follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.project, draft.needs) == ("Texte de l'onglet A", "Besoins de l'onglet B")  # nothing lost
    assert "elle est conservée avec la vôtre" in response.content.decode()


def test_two_tabs_that_changed_the_same_field_say_what_is_stored_and_overwrite_nothing(client, head_a, draft):
    client.force_login(head_a)
    url = f"/demandes/{draft.pk}/modifier/"
    tab_a, tab_b = _as_the_browser_would(client, url), _as_the_browser_would(client, url)
    client.post(url, {**tab_a, "project": "Texte de l'onglet A", "save": "save"})
    response = client.post(url, {**tab_b, "project": "Texte de l'onglet B", "needs": "Besoins B", "save": "save"})
    assert response.status_code == 409
    page = BeautifulSoup(response.content, "html.parser")
    error = page.find(id="id_project-desc-error").get_text(" ", strip=True)
    assert "Modifié entre-temps par Chef A" in error
    assert "« Texte de l'onglet A »" in error
    assert _textarea(page.find("textarea", attrs={"name": "project"})) == "Texte de l'onglet B"  # kept
    draft.refresh_from_db()
    assert draft.project == "Texte de l'onglet A"  # overwritten by nobody
    # Saving again from that page is a deliberate choice: the typed text replaces the stored one.
    again = _as_the_browser_would_from(page)
    assert client.post(url, {**again, "save": "save"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.project, draft.needs) == ("Texte de l'onglet B", "Besoins B")


def _edit_token(page: str) -> str:
    return re.search(r'name="edit_token" value="([^"]+)"', page).group(1)


def test_text_typed_when_the_session_expired_is_given_back_after_sign_in(client, head_a, draft):
    client.force_login(head_a)
    token = _edit_token(client.get(f"/demandes/{draft.pk}/modifier/").content.decode())
    client.logout()  # the session expired while the head was typing
    data = {**form_data({"project": "Deux heures de rédaction"}, draft.version), "edit_token": token}
    response = client.post(f"/demandes/{draft.pk}/modifier/", data)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/connexion/?next=/demandes/{draft.pk}/modifier/")
    client.force_login(head_a)
    page = client.get(f"/demandes/{draft.pk}/modifier/").content.decode()
    assert "Deux heures de rédaction" in page
    assert "avant l&#x27;expiration de votre session" in page
    draft.refresh_from_db()
    assert draft.project == ""
    # The stash is used once.
    assert "Deux heures de rédaction" not in client.get(f"/demandes/{draft.pk}/modifier/").content.decode()


def test_an_expired_session_keeps_only_a_form_its_owner_opened(client, head_a, establishment_a, draft):
    """The stash is bounded: a post without the page's signed token, a token of another page, an oversized
    post, or another person signing in: nothing is kept or given back."""
    from core import stash

    url = f"/demandes/{draft.pk}/modifier/"
    client.force_login(head_a)
    token = _edit_token(client.get(url).content.decode())
    client.logout()
    data = form_data({"project": "Texte anonyme"}, draft.version)
    client.post(url, data)  # no token: an anonymous visitor cannot store anything
    assert stash.STASH_KEY not in client.session
    client.post(url, {**data, "edit_token": "forgé"})
    assert stash.STASH_KEY not in client.session
    client.post(url, {**data, "project": "x" * (stash.MAX_BYTES + 1), "edit_token": token})
    assert stash.STASH_KEY not in client.session
    client.post(f"/demandes/{draft.pk}/bilan/", {**data, "edit_token": token})  # the token names its own page
    assert stash.STASH_KEY not in client.session
    client.post(url, {**data, "edit_token": token})
    assert stash.STASH_KEY in client.session
    colleague = factories.HeadFactory(establishments=[establishment_a])
    client.force_login(colleague)  # somebody else signs in on this browser: what head A typed is not shown
    assert "Texte anonyme" not in client.get(url).content.decode()
    assert stash.STASH_KEY not in client.session


def test_returned_request_shows_the_region_message_on_top_of_the_form(client, head_a, regional, submitted):
    client.force_login(regional)
    response = client.post(f"/demandes/{submitted.pk}/a-completer/", {"message": "Précisez l'évaluation."})
    assert response.status_code == 302
    client.force_login(head_a)
    page = client.get(f"/demandes/{submitted.pk}/modifier/").content.decode()
    assert "Message de la DRAAF-SRFD" in page
    assert "Précisez l&#x27;évaluation." in page


def test_return_form_requires_a_message(client, regional, submitted):
    client.force_login(regional)
    response = client.post(f"/demandes/{submitted.pk}/a-completer/", {"message": ""})
    assert response.status_code == 200
    assert "Indiquez à l&#x27;établissement ce qu&#x27;il doit compléter" in response.content.decode()


def test_after_the_deadline_the_form_says_so(client, head_a, draft, travel):
    services.save_draft(head_a, draft, factories.complete_values(), draft.version)
    draft.refresh_from_db()
    travel(datetime.date(2027, 7, 15))
    client.force_login(head_a)
    response = client.post(
        f"/demandes/{draft.pk}/modifier/", form_data(factories.complete_values(), draft.version, "submit")
    )
    assert response.status_code == 422
    assert "était le 12 juillet 2027" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Request.Status.DRAFT


def test_withdraw_and_timeline(client, head_a, submitted):
    client.force_login(head_a)
    assert client.get(f"/demandes/{submitted.pk}/retirer/").status_code == 200
    response = client.post(f"/demandes/{submitted.pk}/retirer/", {"reason": "Projet reporté"})
    assert response.status_code == 302
    page = client.get(f"/demandes/{submitted.pk}/").content.decode()
    assert "Demande retirée" in page
    assert "Demande déposée" in page
    assert "par Chef A" in page
    assert "Projet reporté" in page


def test_edit_of_a_submitted_request_leads_to_its_page_with_the_reason(client, head_a, submitted):
    """The back button after a deposit: the request's own page, saying why it can no longer be changed."""
    client.force_login(head_a)
    response = client.get(f"/demandes/{submitted.pk}/modifier/")
    assert response.status_code == 302
    assert response["Location"] == f"/demandes/{submitted.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "n&#x27;est plus modifiable" in page
    # Posting to the form (a second tab) is refused: nothing saved, what was typed shown again to copy.
    response = client.post(f"/demandes/{submitted.pk}/modifier/", {"project": "Changé de projet"})
    assert response.status_code == 409
    assert "Changé de projet" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.project != "Changé de projet"


def test_post_to_a_request_withdrawn_in_another_tab_keeps_the_text(client, head_a, submitted):
    services.withdraw_request(head_a, submitted)
    client.force_login(head_a)
    response = client.post(
        f"/demandes/{submitted.pk}/modifier/", form_data({"project": "Mon texte"}, submitted.version)
    )
    assert response.status_code == 409
    assert "Mon texte" in response.content.decode()


class TestScoping:
    """Another establishment's or region's request answers 404; drafts stay private."""

    def test_detail(self, client, submitted, head_a, head_b, regional, regional_other, national, admin_user):
        url = f"/demandes/{submitted.pk}/"
        expected = {head_a: 200, head_b: 404, regional: 200, regional_other: 404, national: 200, admin_user: 404}
        for user, status in expected.items():
            client.force_login(user)
            assert client.get(url).status_code == status, user

    def test_pdf(self, client, submitted, head_a, head_b, regional, regional_other, national):
        url = f"/demandes/{submitted.pk}/pdf/"
        client.logout()
        assert client.get(url).status_code == 302
        for user, status in {head_a: 200, head_b: 404, regional: 200, regional_other: 404, national: 200}.items():
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == status, user
            if status == 200:
                assert response["Content-Type"] == "application/pdf"
                b"".join(response.streaming_content)

    def test_draft_is_private_to_the_establishment(self, client, draft, head_a, regional, national):
        for user in (regional, national):
            client.force_login(user)
            assert client.get(f"/demandes/{draft.pk}/").status_code == 404
        client.force_login(head_a)
        assert client.get(f"/demandes/{draft.pk}/").status_code == 200
        assert client.get(f"/demandes/{draft.pk}/pdf/").status_code == 403

    def test_edit_by_region_is_403(self, client, submitted, regional, regional_other):
        client.force_login(regional)
        assert client.get(f"/demandes/{submitted.pk}/modifier/").status_code == 403
        client.force_login(regional_other)
        assert client.get(f"/demandes/{submitted.pk}/modifier/").status_code == 404

    def test_return_by_another_region_is_404(self, client, submitted, regional_other, head_a):
        client.force_login(regional_other)
        assert client.post(f"/demandes/{submitted.pk}/a-completer/", {"message": "x"}).status_code == 404
        client.force_login(head_a)
        assert client.get(f"/demandes/{submitted.pk}/a-completer/").status_code == 403


def test_regional_list_shows_submitted_requests_of_the_region_only(
    client, regional, submitted, establishment_other_region, campaign
):
    other = factories.HseRequestFactory(campaign=campaign, establishment=establishment_other_region, status="deposee")
    private = factories.HseRequestFactory(campaign=campaign, status="brouillon")
    private.establishment.region = submitted.establishment.region
    private.establishment.save()
    client.force_login(regional)
    page = client.get("/demandes/?campagne=2027").content.decode()
    assert submitted.establishment.name in page
    assert other.establishment.name not in page
    assert private.establishment.name not in page
    row = submitted.establishment.name
    assert table_cell(page, row, "HSE par semaine") == "3,5"  # weekly
    assert table_cell(page, row, "Heures par an") == "126"  # annual


def test_pdf_reads_like_the_annexe_1(client, head_a, submitted):
    client.force_login(head_a)
    response = client.get(f"/demandes/{submitted.pk}/pdf/")
    text = pdf_text(b"".join(response.streaming_content))
    for expected in (
        "Demande de dotation complémentaire en HSE pour les initiatives d'appui personnalisé",
        "Annexe 1",
        submitted.establishment.name,
        submitted.establishment.uai,
        f"Référence {submitted.reference}",
        "2bis - Besoins ciblés",
        "Nombre de HSE demandées pour le CAP agricole 1,5 54",
        "Nombre de HSE demandées pour le baccalauréat professionnel 2 72",
        "Total 3,5 126",
        "Lettres, mathématiques, agronomie",
        "Nombre d'intervenants impliqués 6",
    ):
        assert expected in text, expected
    date = submitted.submitted_at.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert f"{date:%d/%m/%Y}" in text


@pytest.mark.parametrize("size", [3, 12])
def test_staff_list_query_count_is_constant(client, regional, campaign, django_assert_num_queries, size, bretagne):
    for _ in range(size):
        factories.HseRequestFactory(campaign=campaign, complete=True, status="deposee", establishment__region=bretagne)
    client.force_login(regional)
    # session, user, campaigns, region, page of requests (with the list's length), session refresh (+ savepoints):
    # the same at every size.
    with django_assert_num_queries(8):
        response = client.get("/demandes/?campagne=2027")
    assert response.status_code == 200
    assert response.content.decode().count('class="fr-link" href="/demandes/') == size


def test_staff_list_rows_show_each_request_as_staff_see_it(client, regional, national, campaign, bretagne):
    """The rows (written in Python, ``requests_app.rows``): name, UAI and commune, the state as staff see it, the
    deposit in local time, HSE per week and hours per year, a link; the region column for DGER only; a name
    holding markup is shown as text."""
    req = factories.HseRequestFactory(
        campaign=campaign,
        complete=True,
        status="attribuee",
        establishment__region=bretagne,
        establishment__name="Lycée <b>Agricole</b> & Co",
        establishment__commune="Rennes",
        submitted_at=datetime.datetime(2027, 6, 30, 22, 5, tzinfo=datetime.UTC),  # 1 July, 00:05 in Paris
    )
    client.force_login(regional)
    page = BeautifulSoup(client.get("/demandes/?campagne=2027").content, "html.parser")
    cells = [td.get_text(" ", strip=True) for td in page.find("tbody").find("tr").find_all("td")]
    assert cells == [
        f"Lycée <b>Agricole</b> & Co {req.establishment.uai} — Rennes",
        "Attribuée",
        "01/07/2027 00:05",
        "3,5",
        "126",
        "Voir la demande de Lycée <b>Agricole</b> & Co",
    ]
    assert page.find("tbody").find("a")["href"] == f"/demandes/{req.pk}/"
    client.force_login(national)
    page = BeautifulSoup(client.get("/demandes/?campagne=2027").content, "html.parser")
    cells = [td.get_text(" ", strip=True) for td in page.find("tbody").find("tr").find_all("td")]
    assert cells[1:3] == ["Bretagne", "Attribuée"]


def test_the_request_page_gives_the_deposit_deadline_only_while_the_request_can_be_deposited(
    client, head_a, regional, draft, django_assert_num_queries
):
    """The deadline (and its source: an extension, the region's own date) reads on the page of a request that
    can still be deposited; a deposited request's page neither shows it nor reads it (two queries)."""
    client.force_login(head_a)
    assert "Date limite de dépôt : 12 juillet 2027." in element_text(
        client.get(f"/demandes/{draft.pk}/").content, "contenu"
    )
    services.grant_extension(regional, draft.establishment, draft.campaign, datetime.date(2027, 7, 20))
    text = element_text(client.get(f"/demandes/{draft.pk}/").content, "contenu")
    assert "Date limite de dépôt : 20 juillet 2027 (délai accordé par la DRAAF-SRFD)." in text
    saved = services.save_draft(head_a, draft, factories.complete_values(), draft.version)
    deposited = services.submit_request(head_a, saved, saved.version)
    client.force_login(regional)
    client.get(f"/demandes/{deposited.pk}/")
    # session, user, request, submissions, history (the session was just refreshed).
    with django_assert_num_queries(5):
        response = client.get(f"/demandes/{deposited.pk}/")
    assert "Date limite de dépôt" not in element_text(response.content, "contenu")


def test_the_back_button_after_a_deposit_lands_on_the_request_page(client, head_a, submitted):
    client.force_login(head_a)
    response = client.get(f"/demandes/{submitted.pk}/modifier/", follow=True)
    assert response.redirect_chain == [(f"/demandes/{submitted.pk}/", 302)]
    notice = BeautifulSoup(response.content, "html.parser").find(class_="fr-alert--info")
    assert "n'est plus modifiable" in notice.get_text()


def test_after_the_deadline_the_form_says_so_and_offers_no_deposit(client, head_a, draft, travel):
    travel(datetime.date(2027, 7, 20))  # after 12 July, before the notification deadline
    client.force_login(head_a)
    page = BeautifulSoup(client.get(f"/demandes/{draft.pk}/modifier/").content, "html.parser")
    assert page.find("button", attrs={"name": "submit"}) is None
    warning = page.find(id="deadline-closed").get_text(" ", strip=True)
    assert "Votre DRAAF-SRFD peut vous accorder un délai" in warning
    travel(datetime.date(2027, 8, 24))  # the dotations are notified: no extension any more
    client.force_login(head_a)  # a month later, a new session
    page = BeautifulSoup(client.get(f"/demandes/{draft.pk}/modifier/").content, "html.parser")
    warning = page.find(id="deadline-closed").get_text(" ", strip=True)
    assert "plus aucun délai ne peut être accordé" in warning
    assert "peut vous accorder un délai" not in warning
