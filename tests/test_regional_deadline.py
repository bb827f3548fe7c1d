"""A region's own request deadline (« la date précise peut être fixée par l'autorité académique »): set by its
DRAAF-SRFD on or before the national date, with history; the region's heads see it and are held to it; the
establishments of other regions keep the national date; an extension still opens the door to one establishment."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from campaigns import services as campaign_services
from campaigns.models import CampaignEvent, RegionalDeadline
from requests_app import services
from requests_app.models import Request
from tests import factories
from tests.conftest import PARIS

JULY_5 = datetime.date(2027, 7, 5)


@pytest.fixture
def occitan_head(establishment_other_region):
    return factories.HeadFactory(email="chef.o@example.org", establishments=[establishment_other_region])


def _complete_draft(head, establishment, campaign):
    draft = services.start_request(head, establishment, campaign)
    return services.save_draft(head, draft, factories.complete_values(), draft.version)


def test_the_region_sets_its_date_with_history_and_tells_its_heads(
    client, regional, head_a, head_b, occitan_head, campaign, bretagne, today, django_capture_on_commit_callbacks
):
    client.force_login(regional)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/region/date-limite/", {"request_deadline": "05/07/2027", "reason": "Commission le 8 juillet."}
        )
    assert response.status_code == 302
    regional_date = RegionalDeadline.objects.get(campaign=campaign, region=bretagne)
    assert regional_date.request_deadline == JULY_5
    assert regional_date.set_by == regional
    event = CampaignEvent.objects.get(action=CampaignEvent.Action.REGIONAL_DEADLINE_SET)
    assert (event.region, event.actor, event.message) == (bretagne, regional, "Commission le 8 juillet.")
    assert event.data["before"] is None
    assert event.data["after"] == "2027-07-05"
    # The heads of the region are told, nobody else.
    assert [sorted(m.to) for m in mail.outbox] == [["chef.a@example.org", "chef.b@example.org"]]
    assert "5 juillet 2027" in mail.outbox[0].subject
    page = client.get("/region/date-limite/").content.decode()
    assert "Date de votre région : <strong>5 juillet 2027</strong>" in page
    assert "Commission le 8 juillet." in page

    # Back to the national date: recorded too.
    response = client.post("/region/date-limite/", {"request_deadline": "", "clear": "1"})
    assert response.status_code == 302
    assert not RegionalDeadline.objects.exists()
    assert CampaignEvent.objects.filter(action=CampaignEvent.Action.REGIONAL_DEADLINE_REMOVED, region=bretagne).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("13/07/2027", "après la date nationale (12 juillet 2027)"),
        ("14/06/2027", "déjà passée"),
        ("", "Indiquez la date limite de votre région."),
        ("31/02/2027", "Saisissez une date valide"),
    ],
)
def test_a_bad_regional_date_is_explained_next_to_the_field(client, regional, campaign, today, typed, message):
    client.force_login(regional)
    response = client.post("/region/date-limite/", {"request_deadline": typed, "reason": "gardé"})
    assert response.status_code == 422
    soup = BeautifulSoup(response.content, "html.parser")
    group = soup.find(id="div_id_request_deadline")
    assert message in group.get_text(" ", strip=True).replace("\xa0", " ")
    assert soup.find(id="id_reason").get_text().strip() == "gardé"  # what was typed is kept
    assert not RegionalDeadline.objects.exists()


def test_only_the_region_sets_its_date(regional_other, national, head_a, campaign, bretagne, today):
    for user in (regional_other, national, head_a):
        with pytest.raises(campaign_services.CampaignError):
            campaign_services.set_regional_deadline(user, campaign, bretagne, JULY_5)
    assert not RegionalDeadline.objects.exists()


def test_a_regional_date_earlier_than_12_july_refuses_deposits_in_that_region_after_it_and_not_elsewhere(
    regional, head_a, occitan_head, establishment_a, establishment_other_region, campaign, bretagne, travel
):
    travel(datetime.date(2027, 6, 20))
    campaign_services.set_regional_deadline(regional, campaign, bretagne, JULY_5)
    breton = _complete_draft(head_a, establishment_a, campaign)
    occitan = _complete_draft(occitan_head, establishment_other_region, campaign)

    travel(datetime.date(2027, 7, 6))
    with pytest.raises(services.RequestError, match="fixée par la DRAAF-SRFD Bretagne était le 5 juillet 2027"):
        services.submit_request(head_a, breton, breton.version)
    assert Request.objects.get(pk=breton.pk).status == Request.Status.DRAFT
    occitan = services.submit_request(occitan_head, occitan, occitan.version)
    assert occitan.status == Request.Status.SUBMITTED


def test_the_regional_date_itself_still_accepts_deposits(regional, head_a, establishment_a, campaign, bretagne, travel):
    travel(datetime.date(2027, 6, 20))
    campaign_services.set_regional_deadline(regional, campaign, bretagne, JULY_5)
    draft = _complete_draft(head_a, establishment_a, campaign)
    travel(datetime.datetime(2027, 7, 5, 23, 30, tzinfo=PARIS))  # the last evening, Paris time
    assert services.submit_request(head_a, draft, draft.version).status == Request.Status.SUBMITTED


def test_an_extension_still_opens_the_door_after_the_regional_date(
    regional, head_a, establishment_a, campaign, bretagne, travel
):
    travel(datetime.date(2027, 6, 20))
    campaign_services.set_regional_deadline(regional, campaign, bretagne, JULY_5)
    draft = _complete_draft(head_a, establishment_a, campaign)
    travel(datetime.date(2027, 7, 6))
    # Later than the region's date, even before the national one: allowed.
    with pytest.raises(
        services.RequestError, match=r"postérieur à la date limite de dépôt de la région \(05/07/2027\)"
    ):
        services.grant_extension(regional, establishment_a, campaign, JULY_5)
    services.grant_extension(regional, establishment_a, campaign, datetime.date(2027, 7, 9), "Panne informatique")
    assert services.submit_request(head_a, draft, draft.version).status == Request.Status.SUBMITTED


def test_heads_of_the_region_see_their_date(client, regional, head_a, occitan_head, campaign, bretagne, today):
    campaign_services.set_regional_deadline(regional, campaign, bretagne, JULY_5)
    client.force_login(head_a)
    page = client.get("/demandes/").content.decode()
    assert "Dépôt jusqu'au <strong>5 juillet 2027</strong> (date fixée par la DRAAF-SRFD)" in page
    client.force_login(occitan_head)
    page = client.get("/demandes/").content.decode()
    assert "Dépôt jusqu'au <strong>12 juillet 2027</strong>" in page
    assert "date fixée par la DRAAF-SRFD" not in page


def test_the_national_date_moved_earlier_wins_over_a_later_regional_date(
    regional, national, head_a, establishment_a, campaign, bretagne, travel
):
    travel(datetime.date(2027, 6, 20))
    campaign_services.set_regional_deadline(regional, campaign, bretagne, JULY_5)
    campaign_services.update_campaign(national, campaign, {"request_deadline": datetime.date(2027, 7, 1)})
    draft = _complete_draft(head_a, establishment_a, campaign)
    travel(datetime.date(2027, 7, 2))
    with pytest.raises(services.RequestError, match=r"était le 1(er)? juillet 2027"):
        services.submit_request(head_a, draft, draft.version)
