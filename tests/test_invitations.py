"""People: invitations to open an account, accounts of one's scope, establishments added to an account."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from accounts import invitations
from accounts.models import AccountEvent, Invitation, User
from tests import factories


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def mailbox(django_capture_on_commit_callbacks):
    """E-mails sent once the transaction that wrote them has committed."""

    def _run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return _run


def test_regional_staff_invite_a_head_who_opens_the_account(client, regional, establishment_a, mailbox, today):
    outcome = mailbox(
        invitations.invite, regional, " Direction@Lycee-A.fr ", "Camille Martin", User.Role.HEAD, establishment_a
    )
    invitation = outcome.invitation
    assert invitation.email == "direction@lycee-a.fr"
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)
    [message] = mail.outbox
    assert message.to == ["direction@lycee-a.fr"]
    assert establishment_a.name in message.body
    link = _link(message)
    assert invitation.token_hash not in link  # only the token's hash is stored

    page = BeautifulSoup(client.get(link).content, "html.parser")
    assert page.find("input", {"name": "full_name"})["value"] == "Camille Martin"
    response = client.post(
        link,
        {
            "full_name": "Camille Martin",
            "password1": "un mot de passe sûr 2027",
            "password2": "un mot de passe sûr 2027",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email="direction@lycee-a.fr")
    assert (user.role, list(user.establishments.all())) == (User.Role.HEAD, [establishment_a])
    assert client.get("/").wsgi_request.user == user  # signed in
    assert list(AccountEvent.objects.filter(email=user.email).values_list("action", flat=True)) == [
        AccountEvent.Action.ACCEPTED,
        AccountEvent.Action.INVITED,
    ]
    # The link served once.
    client.logout()
    used = client.get(link)
    assert used.status_code == 410
    assert "a déjà servi" in BeautifulSoup(used.content, "html.parser").find("div", class_="fr-alert").get_text()


def test_the_directory_address_is_proposed_from_the_list_of_establishments_without_account(
    client, regional, establishment_a, today
):
    establishment_a.email = "legta.a@educagri.fr"
    establishment_a.save()
    client.force_login(regional)
    page = BeautifulSoup(client.get(f"/comptes/inviter/?etablissement={establishment_a.pk}").content, "html.parser")
    assert page.find("input", attrs={"name": "email"})["value"] == "legta.a@educagri.fr"
    assert "dans l'annuaire de l'éducation" in page.find(id="id_email").find_parent("div").get_text()
    # Chosen in the select instead, no address is filled in: the help says how to get it, not that it is there.
    blank = BeautifulSoup(client.get("/comptes/inviter/").content, "html.parser")
    assert not blank.find("input", attrs={"name": "email"}).get("value")
    assert "établissements sans compte" in blank.find(id="id_email").find_parent("div").get_text()


def test_an_expired_link_says_so_and_sends_a_new_one(client, regional, establishment_a, mailbox, travel):
    travel(datetime.date(2027, 6, 1))
    mailbox(invitations.invite, regional, "chef@lycee-a.fr", "", User.Role.HEAD, establishment_a)
    link = _link(mail.outbox[-1])
    travel(datetime.date(2027, 6, 9))
    expired = client.get(link)
    assert expired.status_code == 410
    assert "a expiré" in expired.content.decode()
    response = mailbox(client.post, f"{link}nouveau-lien/")
    assert response.status_code == 200
    new_link = _link(mail.outbox[-1])
    assert new_link != link
    assert client.get(link).status_code == 404  # the old link no longer exists
    assert client.get(new_link).status_code == 200


def test_the_password_is_checked_and_nothing_is_created_when_it_is_weak(
    client, regional, establishment_a, mailbox, today
):
    mailbox(invitations.invite, regional, "chef@lycee-a.fr", "", User.Role.HEAD, establishment_a)
    link = _link(mail.outbox[-1])
    response = client.post(link, {"full_name": "Chef", "password1": "123456789012", "password2": "123456789012"})
    assert response.status_code == 422
    page = BeautifulSoup(response.content, "html.parser")
    assert "entièrement numérique" in page.find(id="id_password1-desc-error").get_text()
    assert not User.objects.filter(email="chef@lycee-a.fr").exists()
    mismatch = client.post(
        link, {"full_name": "Chef", "password1": "un mot de passe sûr", "password2": "autre chose 1"}
    )
    assert (
        "ne sont pas identiques"
        in BeautifulSoup(mismatch.content, "html.parser").find(id="id_password2-desc-error").get_text()
    )


def test_an_existing_account_gets_the_added_establishment(client, regional, head_a, establishment_b, mailbox, today):
    outcome = mailbox(invitations.invite, regional, head_a.email.upper(), "", User.Role.HEAD, establishment_b)
    assert outcome.added_to == head_a
    assert outcome.invitation is None
    assert set(head_a.establishments.all()) == {head_a.establishments.first(), establishment_b}
    assert head_a.establishments.count() == 2
    [message] = mail.outbox
    assert establishment_b.name in message.body
    assert AccountEvent.objects.get(action=AccountEvent.Action.ESTABLISHMENT_ADDED).establishment == establishment_b
    with pytest.raises(invitations.AccountError, match="a déjà accès"):
        invitations.invite(regional, head_a.email, "", User.Role.HEAD, establishment_b)
    with pytest.raises(invitations.AccountError, match="ne peut pas recevoir ce rôle"):
        invitations.invite(regional, regional.email, "", User.Role.HEAD, establishment_b)


def test_scope_is_enforced_on_the_form_and_on_a_forged_post(client, regional_other, establishment_a, today):
    client.force_login(regional_other)
    page = BeautifulSoup(client.get("/comptes/inviter/").content, "html.parser")
    offered = [option.get_text() for option in page.select("#id_establishment option")]
    assert not any(establishment_a.name in text for text in offered)
    response = client.post(
        "/comptes/inviter/",
        {"role": User.Role.HEAD, "establishment": establishment_a.pk, "email": "x@example.org"},
    )
    assert response.status_code == 422
    error = BeautifulSoup(response.content, "html.parser").find(id="id_establishment-desc-error")
    assert "Choisissez un établissement de votre région" in error.get_text()
    assert not Invitation.objects.exists()
    with pytest.raises(invitations.AccountError, match="de votre région"):
        invitations.invite(regional_other, "x@example.org", "", User.Role.HEAD, establishment_a)
    # Roles beyond one's own: a regional agent cannot invite regional staff; heads never reach the page.
    forged = client.post("/comptes/inviter/", {"role": User.Role.REGIONAL, "email": "y@example.org"})
    assert forged.status_code == 422
    role_error = BeautifulSoup(forged.content, "html.parser").find(id="id_role-desc-error")
    assert "Choisissez l'un des rôles proposés" in role_error.get_text()
    assert not Invitation.objects.exists()


def test_dger_invites_regional_staff_for_a_region(client, national, bretagne, mailbox, today):
    client.force_login(national)
    response = mailbox(
        client.post,
        "/comptes/inviter/",
        {"role": User.Role.REGIONAL, "region": bretagne.pk, "email": "agent.nouveau@agriculture.gouv.fr"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.region, invitation.establishment) == (User.Role.REGIONAL, bretagne, None)
    client.logout()
    link = _link(mail.outbox[-1])
    client.post(
        link,
        {"full_name": "Agent Nouveau", "password1": "mot de passe solide 42", "password2": "mot de passe solide 42"},
    )
    agent = User.objects.get(email="agent.nouveau@agriculture.gouv.fr")
    assert (agent.role, agent.region) == (User.Role.REGIONAL, bretagne)


def test_accounts_page_lists_the_scope_and_manages_invitations(
    client, regional, head_a, head_b, establishment_other_region, mailbox, today
):
    other_head = factories.HeadFactory(establishments=[establishment_other_region])
    invitation = mailbox(
        invitations.invite, regional, "equipe@lycee-a.fr", "", User.Role.TEAM, head_a.establishments.first()
    ).invitation
    client.force_login(regional)
    page = BeautifulSoup(client.get("/comptes/").content, "html.parser")
    listed = {row.th.get_text(" ", strip=True) for row in page.select("section[aria-labelledby=comptes] tbody tr")}
    assert any(head_a.email in text for text in listed)
    assert any(head_b.email in text for text in listed)
    assert not any(other_head.email in text for text in listed)
    pending = page.select("section[aria-labelledby=invitations] tbody tr")
    assert [row.th.get_text() for row in pending] == ["equipe@lycee-a.fr"]
    assert pending[0].find_all("td")[2].get_text() == "Remis au serveur de courriel"  # the outbox delivered it

    first_link = _link(mail.outbox[-1])
    mailbox(client.post, f"/comptes/invitations/{invitation.pk}/renvoyer/")
    assert client.get(first_link).status_code == 404  # a new link replaces the old one
    client.post(f"/comptes/invitations/{invitation.pk}/annuler/")
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert client.get(_link(mail.outbox[-1])).status_code == 410

    client.post(f"/comptes/{head_b.pk}/desactiver/")
    head_b.refresh_from_db()
    assert not head_b.is_active
    assert client.post(f"/comptes/{other_head.pk}/desactiver/").status_code == 404  # another region's account
    other_head.refresh_from_db()
    assert other_head.is_active
    actions = set(AccountEvent.objects.values_list("action", flat=True))
    assert {
        AccountEvent.Action.INVITED,
        AccountEvent.Action.RESENT,
        AccountEvent.Action.CANCELLED,
        AccountEvent.Action.DEACTIVATED,
    } <= actions


def test_heads_and_team_members_do_not_manage_accounts(client, head_a, today):
    client.force_login(head_a)
    assert client.get("/comptes/").status_code == 404
    assert client.get("/comptes/inviter/").status_code == 404


def test_bulk_invitation_of_every_establishment_without_an_account(client, regional, bretagne, head_a, mailbox, today):
    with_address = factories.EstablishmentFactory(region=bretagne, email="Secretariat@Lycee-C.fr")
    without_address = factories.EstablishmentFactory(region=bretagne, email="")
    shared = factories.EstablishmentFactory(region=bretagne, email=head_a.email)  # same direction as A
    factories.EstablishmentFactory(region=factories.region("76"), email="ailleurs@example.org")
    client.force_login(regional)
    response = mailbox(client.post, "/comptes/inviter-la-region/")
    assert response.status_code == 302
    invited = {invitation.establishment for invitation in Invitation.objects.all()}
    assert invited == {with_address}
    assert Invitation.objects.get().email == "secretariat@lycee-c.fr"
    assert shared in head_a.establishments.all()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(["secretariat@lycee-c.fr", head_a.email])
    messages_shown = [str(m) for m in response.wsgi_request._messages]
    assert any(without_address.name in text and "pas d'adresse" in text for text in messages_shown)
    # Again: nothing new (an invitation is pending, the others have an account or no address).
    mail.outbox.clear()
    mailbox(client.post, "/comptes/inviter-la-region/")
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


def test_a_team_member_fills_the_request_and_the_head_deposits_it(client, head_a, establishment_a, campaign, today):
    from requests_app import services
    from requests_app.models import Request
    from tests.helpers import form_data

    member = factories.UserFactory(role=User.Role.TEAM, establishments=[establishment_a])
    client.force_login(member)
    assert client.get("/demandes/").status_code == 200
    client.post("/demandes/commencer/", {"establishment": establishment_a.pk, "campaign": campaign.pk})
    draft = Request.objects.get(establishment=establishment_a)
    page = BeautifulSoup(client.get(f"/demandes/{draft.pk}/modifier/").content, "html.parser")
    assert page.find("button", attrs={"name": "save"}) is not None
    assert page.find("button", attrs={"name": "submit"}) is None  # the team does not deposit
    response = client.post(
        f"/demandes/{draft.pk}/modifier/", form_data(factories.complete_values(), draft.version, "submit")
    )
    assert response.status_code == 422
    draft.refresh_from_db()
    assert draft.status == Request.Status.DRAFT
    assert draft.updated_by == member  # each change traced with its author
    assert draft.project == factories.complete_values()["project"]  # what the team typed is saved
    services.submit_request(head_a, draft, draft.version)
    draft.refresh_from_db()
    assert draft.status == Request.Status.SUBMITTED


def test_the_accounts_page_lists_people_in_french_order(client, regional, establishment_a, today):
    for name in ("Zoé Vincent", "Élodie Bernard", "aurélie Martin"):
        factories.UserFactory(full_name=name, establishments=[establishment_a])
    client.force_login(regional)
    page = client.get("/comptes/").content.decode()
    positions = [page.index(name) for name in ("aurélie Martin", "Élodie Bernard", "Zoé Vincent")]
    assert positions == sorted(positions)
