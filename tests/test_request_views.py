import datetime

import pytest
from django.core import mail

from requests_app import services
from requests_app.models import Request
from tests import factories
from tests.helpers import form_data, pdf_text


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
    assert '<output id="annual-cap" for="id_hse_cap">54</output>' in page
    assert '<output id="total-annual" class="fr-text--bold">54</output>' in page


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


def test_text_typed_when_the_session_expired_is_given_back_after_sign_in(client, head_a, draft):
    client.force_login(head_a)
    client.logout()  # the session expired while the head was typing
    data = form_data({"project": "Deux heures de rédaction"}, draft.version)
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


def test_edit_of_a_submitted_request_is_403_with_reason(client, head_a, submitted):
    client.force_login(head_a)
    response = client.get(f"/demandes/{submitted.pk}/modifier/")
    assert response.status_code == 403
    assert "n&#x27;est plus modifiable" in response.content.decode()


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
    assert "3,5" in page  # weekly
    assert "126" in page  # annual


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
    # session, user, campaigns, count, region, page of requests, session refresh (+ savepoints): the same at
    # every size.
    with django_assert_num_queries(9):
        response = client.get("/demandes/?campagne=2027")
    assert response.status_code == 200
    assert response.content.decode().count('class="fr-link" href="/demandes/') == size
