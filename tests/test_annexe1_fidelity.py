"""The Annexe 1 as the note has it: what the paper form asks is enough to deposit; the two extras of the online
form (number of pupils concerned, axes of the note) are optional and said so; the titles are the note's own."""

import pytest
from bs4 import BeautifulSoup

from requests_app import services
from requests_app.completeness import completeness_errors
from requests_app.models import Request
from tests import factories
from tests.helpers import form_data, pdf_text

SECTION_3 = (
    "3 - Intervenant(e)s volontaires dont l'implication dans les initiatives d'appui personnalisé est permise par "
    "les dotations en HSE complémentaires"
)


def paper_fields_only() -> dict:
    """A complete Annexe 1 with exactly what the paper form asks: no pupils count, no axis ticked."""
    return factories.complete_values(pupils_count=None, axis_methodological=False, axis_civic=False, axis_dropout=False)


def stored_pdf_text(request) -> str:
    with request.submissions.get().pdf.open("rb") as stream:
        return pdf_text(stream.read())


@pytest.fixture
def draft(head_a, establishment_a, campaign, today):
    return services.start_request(head_a, establishment_a, campaign)


def test_the_paper_fields_alone_make_a_complete_request(draft, head_a):
    draft = services.save_draft(head_a, draft, paper_fields_only(), draft.version)
    assert completeness_errors(draft) == {}


def test_a_deposit_with_only_the_paper_fields(client, head_a, draft):
    client.force_login(head_a)
    response = client.post(f"/demandes/{draft.pk}/modifier/", form_data(paper_fields_only(), draft.version, "submit"))
    assert response.status_code == 302
    assert response["Location"] == f"/demandes/{draft.pk}/confirmation/"
    draft.refresh_from_db()
    assert draft.status == Request.Status.SUBMITTED
    assert draft.pupils_count is None
    assert draft.ticked_axes == []
    text = stored_pdf_text(draft)
    assert SECTION_3 in text
    # The PDF follows the paper form: the optional extras left empty are not printed at all.
    assert "Nombre d'élèves concernés" not in text
    assert "Axes de la note" not in text


def test_the_optional_fields_say_so_next_to_them(client, head_a, draft):
    client.force_login(head_a)
    soup = BeautifulSoup(client.get(f"/demandes/{draft.pk}/modifier/").content, "html.parser")
    pupils = soup.find("label", attrs={"for": "id_pupils_count"})
    assert "(facultatif)" in pupils.get_text()
    assert "n'empêche pas de déposer" in soup.find(id="id_pupils_count-hint").get_text()
    axes = soup.find(id="fieldset-id_axes-legend")
    assert "facultatif" in axes.get_text()
    assert "n'empêche pas de déposer" in axes.get_text()
    assert soup.find(id="section-3").find("legend").get_text(" ", strip=True) == SECTION_3


def test_the_request_page_gives_section_3_its_complete_title(client, head_a, draft, regional):
    draft = services.save_draft(head_a, draft, paper_fields_only(), draft.version)
    services.submit_request(head_a, draft, draft.version)
    for user in (head_a, regional):
        client.force_login(user)
        for url in (f"/demandes/{draft.pk}/", f"/allocations/demandes/{draft.pk}/"):
            if user == head_a and url.startswith("/allocations"):
                continue
            soup = BeautifulSoup(client.get(url).content, "html.parser")
            assert soup.find(id="s-3").get_text(" ", strip=True) == SECTION_3
            assert "non renseigné" in soup.find(id="s-2bis").parent.get_text()
            assert "aucun axe coché" in soup.find(id="s-4").parent.get_text()


def test_the_optional_fields_are_still_kept_when_given(draft, head_a):
    draft = services.save_draft(head_a, draft, factories.complete_values(), draft.version)
    draft = services.submit_request(head_a, draft, draft.version)
    text = stored_pdf_text(draft)
    assert "Nombre d'élèves concernés (facultatif, hors Annexe 1) : 42" in text
    assert "Consolidation de compétences méthodologiques" in text
