import datetime
from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import User
from requests_app import services
from requests_app.models import Request, RequestEvent
from tests import factories
from tests.helpers import pdf_text


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what services defer to the commit (e-mails) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def draft(head_a, establishment_a, campaign, today):
    return services.start_request(head_a, establishment_a, campaign)


def _complete(head, request, **overrides):
    return services.save_draft(head, request, factories.complete_values(**overrides), request.version)


def test_start_prefills_identification_and_records_history(draft, head_a, establishment_a):
    assert draft.status == Request.Status.DRAFT
    assert draft.reference == f"HSE-2027-{establishment_a.uai}"
    assert draft.head_name == "Chef A"
    assert draft.contact_email == "chef.a@example.org"
    assert establishment_a.commune in draft.contact_details
    assert list(draft.events.values_list("action", flat=True)) == ["created"]


def test_start_proposes_the_establishment_address_and_its_head(campaign, head_a, establishment_a):
    """The Annexe 1's « @ » is the establishment's address when the directory has one; a team member who starts
    the request proposes the head's name, not their own."""
    establishment_a.email = "legta.a@educagri.fr"
    establishment_a.save()
    member = factories.UserFactory(
        role=User.Role.TEAM, full_name="Adjointe A", email="adjointe.a@example.org", establishments=[establishment_a]
    )
    draft = services.start_request(member, establishment_a, campaign)
    assert draft.contact_email == "legta.a@educagri.fr"
    assert draft.head_name == "Chef A"


def test_start_refused_for_another_establishment_twice_or_after_deadline(
    head_a, head_b, establishment_a, campaign, travel
):
    travel(datetime.date(2027, 6, 15))
    with pytest.raises(services.RequestError):
        services.start_request(head_b, establishment_a, campaign)
    services.start_request(head_a, establishment_a, campaign)
    with pytest.raises(services.RequestError, match="existe déjà"):
        services.start_request(head_a, establishment_a, campaign)
    late = factories.EstablishmentFactory()
    head_a.establishments.add(late)
    travel(datetime.date(2027, 7, 13))
    with pytest.raises(services.RequestError, match="12 juillet 2027"):
        services.start_request(head_a, late, campaign)


def test_draft_saves_with_empty_fields_and_bumps_the_version(draft, head_a):
    before = draft.version
    saved = services.save_draft(head_a, draft, {"project": "Premier jet", "hse_cap": None}, before)
    assert saved.project == "Premier jet"
    assert saved.version == before + 1


def test_second_tab_save_is_refused_not_overwritten(draft, head_a):
    first_tab_version = draft.version
    services.save_draft(head_a, draft, {"project": "Saisi dans l'onglet 1"}, first_tab_version)
    with pytest.raises(services.StaleRequest, match="modifiée entre-temps"):
        services.save_draft(head_a, draft, {"project": "Saisi dans l'onglet 2"}, first_tab_version)
    draft.refresh_from_db()
    assert draft.project == "Saisi dans l'onglet 1"


def test_submit_complete_request(draft, head_a, on_commit):
    draft = _complete(head_a, draft)
    with on_commit():
        submitted = services.submit_request(head_a, draft, draft.version)
    assert submitted.status == Request.Status.SUBMITTED
    assert submitted.submitted_at is not None
    submission = submitted.submissions.get()
    with submission.pdf.open("rb") as stream:
        content = stream.read()
    import hashlib

    assert hashlib.sha256(content).hexdigest() == submission.sha256
    assert "Demande de dotation complémentaire en HSE" in pdf_text(content)
    event = submitted.events.get(action=RequestEvent.Action.SUBMITTED)
    assert (event.actor, event.from_status, event.to_status) == (head_a, "brouillon", "deposee")
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert "Accusé de réception" in receipt.subject
    assert set(receipt.to) == {"chef.a@example.org", "direction@example.org"}
    assert "3,5 HSE par semaine, soit 126 heures par an" in receipt.body
    assert receipt.attachments[0][0] == f"{submitted.reference}.pdf"


def test_incomplete_request_is_refused_with_reasons_per_field(draft, head_a):
    draft = _complete(head_a, draft, project="", level_cap=False, intervenants_count=0)
    with pytest.raises(services.IncompleteRequest) as refused:
        services.submit_request(head_a, draft, draft.version)
    errors = refused.value.errors
    assert set(errors) == {"project", "intervenants_count", "hse_cap", "levels"}
    assert "cochez ce niveau" in errors["hse_cap"]
    draft.refresh_from_db()
    assert draft.status == Request.Status.DRAFT


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"level_sup": True}, "hse_sup", "indiquez le nombre d'HSE"),
        (
            {"hse_cap": None, "hse_bac_pro": None, "level_cap": False, "level_bac_pro": False},
            "levels",
            "au moins un niveau",
        ),
        ({"hse_cap": Decimal("25")}, "hse_cap", "entre 0 et 20"),
    ],
)
def test_cross_field_rules(draft, head_a, overrides, field, message):
    draft = services.save_draft(head_a, draft, factories.complete_values(**overrides), draft.version)
    with pytest.raises(services.IncompleteRequest) as refused:
        services.submit_request(head_a, draft, draft.version)
    assert message in refused.value.errors[field]


def test_submit_refused_after_the_deadline_with_the_date(draft, head_a, travel):
    draft = _complete(head_a, draft)
    travel(datetime.date(2027, 7, 13))
    with pytest.raises(services.RequestError, match="était le 12 juillet 2027"):
        services.submit_request(head_a, draft, draft.version)


def test_submit_allowed_on_the_deadline_day(draft, head_a, travel):
    draft = _complete(head_a, draft)
    travel(datetime.datetime(2027, 7, 12, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))))
    assert services.submit_request(head_a, draft, draft.version).status == Request.Status.SUBMITTED


def test_extension_lets_one_establishment_submit_late(
    draft, head_a, regional, establishment_a, campaign, travel, on_commit
):
    draft = _complete(head_a, draft)
    with on_commit():
        services.grant_extension(
            regional, establishment_a, campaign, datetime.date(2027, 7, 20), "Changement de direction"
        )
    assert "20 juillet 2027" in mail.outbox[-1].body
    travel(datetime.date(2027, 7, 18))
    assert services.submit_request(head_a, draft, draft.version).status == Request.Status.SUBMITTED
    assert draft.events.filter(action=RequestEvent.Action.EXTENSION).exists()


def test_expired_extension_says_so(draft, head_a, regional, establishment_a, campaign, travel):
    draft = _complete(head_a, draft)
    services.grant_extension(regional, establishment_a, campaign, datetime.date(2027, 7, 20))
    travel(datetime.date(2027, 7, 21))
    with pytest.raises(services.RequestError, match="délai accordé par la DRAAF-SRFD jusqu'au 20 juillet 2027"):
        services.submit_request(head_a, draft, draft.version)


def test_extension_bounds_and_scope(regional, regional_other, establishment_a, campaign):
    with pytest.raises(services.RequestError, match="postérieur"):
        services.grant_extension(regional, establishment_a, campaign, datetime.date(2027, 7, 1))
    with pytest.raises(services.RequestError, match="ne peut pas dépasser"):
        services.grant_extension(regional, establishment_a, campaign, datetime.date(2027, 9, 1))
    with pytest.raises(services.RequestError):
        services.grant_extension(regional_other, establishment_a, campaign, datetime.date(2027, 7, 20))


def test_submit_by_someone_else_is_refused(draft, head_a, head_b, regional):
    draft = _complete(head_a, draft)
    for user in (head_b, regional):
        with pytest.raises(services.RequestError):
            services.submit_request(user, draft, draft.version)


def test_submit_with_stale_version_is_refused(draft, head_a):
    draft = _complete(head_a, draft)
    with pytest.raises(services.StaleRequest):
        services.submit_request(head_a, draft, draft.version - 1)


def test_withdraw_then_reopen(draft, head_a):
    draft = _complete(head_a, draft)
    with pytest.raises(services.RequestError, match="Seule une demande déposée"):
        services.withdraw_request(head_a, draft)
    submitted = services.submit_request(head_a, draft, draft.version)
    withdrawn = services.withdraw_request(head_a, submitted, "Projet reporté")
    assert withdrawn.status == Request.Status.WITHDRAWN
    assert withdrawn.events.get(action="withdrawn").message == "Projet reporté"
    reopened = services.reopen_request(head_a, withdrawn)
    assert reopened.status == Request.Status.DRAFT


def test_withdraw_refused_after_a_decision(draft, head_a):
    draft = _complete(head_a, draft)
    Request.objects.filter(pk=draft.pk).update(status=Request.Status.ALLOCATED)
    draft.refresh_from_db()
    with pytest.raises(services.RequestError, match="ne peut plus être retirée"):
        services.withdraw_request(head_a, draft)


def test_return_for_completion_then_resubmit(draft, head_a, regional, on_commit):
    draft = _complete(head_a, draft)
    submitted = services.submit_request(head_a, draft, draft.version)
    with pytest.raises(services.RequestError, match="Indiquez"):
        services.return_for_completion(regional, submitted, "  ")
    with on_commit():
        returned = services.return_for_completion(regional, submitted, "Précisez les disciplines.")
    assert returned.status == Request.Status.TO_COMPLETE
    assert "Précisez les disciplines." in mail.outbox[0].body
    assert mail.outbox[0].to == ["chef.a@example.org", "direction@example.org"]
    corrected = services.save_draft(head_a, returned, {"disciplines": "Lettres, maths"}, returned.version)
    resubmitted = services.submit_request(head_a, corrected, corrected.version)
    assert resubmitted.status == Request.Status.SUBMITTED
    assert resubmitted.submissions.count() == 2
    actions = list(resubmitted.events.values_list("action", flat=True))
    assert actions == ["created", "submitted", "returned", "resubmitted"]


def test_return_refused_for_another_region_or_a_draft(draft, head_a, regional, regional_other):
    with pytest.raises(services.RequestError, match="déposée ou en instruction"):
        services.return_for_completion(regional, draft, "x")
    draft = _complete(head_a, draft)
    submitted = services.submit_request(head_a, draft, draft.version)
    with pytest.raises(services.RequestError, match="DRAAF-SRFD de l'établissement"):
        services.return_for_completion(regional_other, submitted, "x")
