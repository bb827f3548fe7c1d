"""No server error on hostile input: NUL characters in addresses, numbers beyond their column in every numeric
field (a French message next to the field, nothing stored), ids beyond any key, odd digits in parameters.
Run on SQLite and, in CI, on PostgreSQL (which refuses NUL in text and checks integer ranges)."""

import pytest

from accounts.models import Region
from allocations import services as allocation_services
from allocations.models import Envelope
from campaigns.models import Campaign
from requests_app import services as request_services
from requests_app import usage_services
from requests_app.models import Request
from tests import factories
from tests.helpers import form_data

HUGE = "99999999999999999999"  # 20 digits: beyond any integer column, and beyond SQLite's 64 bits
INT_OVERFLOW = "2147483648"  # one more than PostgreSQL's integer


@pytest.fixture
def world(national, regional, campaign, bretagne, head_a, head_b, establishment_a, establishment_b, today):
    """A draft of head A, a notified allocation of head B with its usage report started, a request under
    review in Bretagne, a notified envelope of 1 000 h."""
    allocation_services.set_initial_envelopes(
        national, campaign, {r.pk: 1000 if r.code == "53" else 0 for r in Region.objects.all()}
    )
    allocation_services.notify_envelopes(national, campaign)
    draft = request_services.start_request(head_a, establishment_a, campaign)
    allocated = factories.HseRequestFactory(
        campaign=campaign, establishment=establishment_b, status="en_instruction", complete=True
    )
    allocation_services.allocate(regional, allocated, {"cap": 54}, "", 0)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    allocated.refresh_from_db()
    report = usage_services.start_usage_report(head_b, allocated)
    pending = factories.HseRequestFactory(
        campaign=campaign,
        establishment=factories.EstablishmentFactory(region=bretagne),
        status="en_instruction",
        complete=True,
    )
    return {"draft": draft, "allocated": allocated, "report": report, "pending": pending}


# --- NUL characters ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("head_a", "/demandes/?q=a%00b"),
        ("head_a", "/demandes/?%00=1"),
        ("head_a", "/rapports/?campagne=2027%00"),
        ("regional", "/demandes/?statut=%00"),
        ("regional", "/allocations/?q=%00"),
        ("regional", "/allocations/?campagne=%002027&tri=%00"),
        ("regional", "/exports/demandes.csv?q=%00"),
        ("regional", "/rapports/2027/%00/repartition/"),
        ("regional", "/rapports/2027/53/repartition.%00"),
        ("regional", "/demandes/delais/?campagne=%00"),
        ("national", "/national/?campagne=%00"),
        ("national", "/exports/tableau-national.xlsx?campagne=%00"),
        ("national", "/demandes/?region=%00&q=%00"),
        ("admin_user", "/admin/accounts/user/?q=%00"),
        ("admin_user", "/admin/accounts/establishment/?q=x%00y"),
        (None, "/connexion/?next=%00"),
        (None, "/mot-de-passe/reinitialiser/%00/%00/"),
    ],
)
def test_nul_in_an_address_answers_400_in_french(client, world, request, role, url):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(url)
    assert response.status_code == 400, url
    assert "caractère nul" in response.content.decode()


def test_nul_in_a_form_field_is_refused_next_to_the_field_and_the_rest_is_saved(client, world, head_a):
    draft = world["draft"]
    client.force_login(head_a)
    data = form_data({"project": "Projet\x00caché", "needs": "Besoins réels"}, draft.version)
    response = client.post(f"/demandes/{draft.pk}/modifier/", data)
    assert response.status_code == 422
    assert "Le caractère nul n’est pas autorisé." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.project, draft.needs) == ("", "Besoins réels")


def test_nul_in_the_sign_in_form_is_a_form_error(client, head_a):
    response = client.post("/connexion/", {"username": "chef.a@example.org\x00", "password": "x\x00"})
    assert response.status_code == 200


# --- Numbers beyond their column -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pupils_count", INT_OVERFLOW, "Indiquez un nombre d&#x27;élèves entre 0 et 10\u202f000."),
        ("pupils_count", HUGE, "Indiquez un nombre d&#x27;élèves entre 0 et 10\u202f000."),
        ("pupils_count", "-1", "Indiquez un nombre d&#x27;élèves entre 0 et 10\u202f000."),
        ("intervenants_count", "40000", "Indiquez un nombre d&#x27;intervenants entre 0 et 1\u202f000."),
        ("hse_cap", "1e400", "Indiquez un nombre d&#x27;HSE par semaine entre 0 et 20."),
        ("hse_bac_pro", HUGE, "Indiquez un nombre d&#x27;HSE par semaine entre 0 et 20."),
    ],
)
def test_annexe1_numbers_beyond_bounds_are_refused_in_french(client, world, head_a, field, value, message):
    draft = world["draft"]
    client.force_login(head_a)
    response = client.post(f"/demandes/{draft.pk}/modifier/", form_data({field: value, "project": "Gardé"}, 1))
    assert response.status_code == 422
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert getattr(draft, field) is None
    assert draft.project == "Gardé"


def test_annexe1_equivalents_of_a_huge_number_are_simply_invalid(client, world, head_a):
    client.force_login(head_a)
    response = client.get(f"/demandes/{world['draft'].pk}/equivalents/", {"cap": "1e999999999", "sup": HUGE})
    assert response.json() == {"valid": False}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pupils_supported", INT_OVERFLOW, "Indiquez un nombre d&#x27;élèves entre 0 et 10\u202f000."),
        ("teachers_involved", HUGE, "Indiquez un nombre d&#x27;intervenants entre 0 et 1\u202f000."),
        ("actions_methodological_count", INT_OVERFLOW, "Indiquez un nombre d&#x27;actions entre 0 et 1\u202f000."),
        ("actions_civic_count", "-3", "Indiquez un nombre d&#x27;actions entre 0 et 1\u202f000."),
        ("hours_used_cap", "1e40", "Au plus 54 h : c&#x27;est la dotation attribuée pour ce niveau."),
        ("hours_used_cap", "-1e40", "Le nombre d&#x27;heures ne peut pas être négatif."),
        ("hours_used_sup", HUGE, "Au plus 0 h : c&#x27;est la dotation attribuée pour ce niveau."),
    ],
)
def test_usage_report_numbers_beyond_bounds_are_refused_in_french(client, world, head_b, field, value, message):
    report = world["report"]
    client.force_login(head_b)
    url = f"/demandes/{world['allocated'].pk}/bilan/"
    response = client.post(url, {field: value, "comments": "Gardé", "version": report.version, "save": "1"})
    assert response.status_code == 422
    assert message in response.content.decode()
    report.refresh_from_db()
    assert getattr(report, field) is None
    assert report.comments == "Gardé"


def _campaign_data(**overrides):
    return {
        "envelopes_date": "2027-06-02",
        "request_deadline": "2027-07-12",
        "allocation_deadline": "2027-08-23",
        "summary_deadline": "2027-09-30",
        "review_deadline": "2028-05-31",
        "weeks_per_year": "36",
        "national_volume": "80000",
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("national_volume", "99999999999", "Au plus 10\u202f000\u202f000 heures."),
        ("national_volume", HUGE, "Au plus 10\u202f000\u202f000 heures."),
        ("national_volume", "-5", "Le volume national ne peut pas être négatif."),
        ("weeks_per_year", "40000", "Indiquez un nombre de semaines entre 1 et 52."),
    ],
)
def test_campaign_numbers_beyond_bounds_are_refused_in_french(client, world, national, campaign, field, value, message):
    client.force_login(national)
    for url in ("/national/campagnes/2027/", "/national/campagnes/nouvelle/"):
        response = client.post(url, _campaign_data(**{field: value}))
        assert response.status_code == 200, url
        assert message in response.content.decode(), url
    assert not Campaign.objects.filter(start_year=2028).exists()
    campaign.refresh_from_db()
    assert campaign.national_volume == factories.CampaignFactory._meta.model.objects.get(pk=campaign.pk).national_volume
    assert campaign.national_volume < 10_000_000


def test_envelope_numbers_beyond_bounds_are_refused_in_french(client, world, national, campaign):
    client.force_login(national)
    data = {f"region_{r.code}": "0" for r in Region.objects.all()}
    data["region_53"] = HUGE
    data["region_76"] = INT_OVERFLOW
    page = client.post("/national/campagnes/2027/enveloppes/", data).content.decode()
    assert page.count("Au plus 10\u202f000\u202f000 heures.") == 2
    envelope = Envelope.objects.get(campaign=campaign, region__code="53")
    assert envelope.total_hours() == 1000
    for hours in (HUGE, INT_OVERFLOW, "-1"):
        response = client.post(
            f"/enveloppes/{envelope.pk}/",
            {"kind": "supplement", "hours": hours, "effective_date": "2027-06-20", "reason": "Délégation"},
        )
        assert response.status_code == 200
        assert (
            "Au plus 10\u202f000\u202f000 heures." in response.content.decode()
            or "Indiquez un nombre d&#x27;heures supérieur à 0." in response.content.decode()
        )
    assert envelope.total_hours() == 1000


@pytest.mark.parametrize(
    "data",
    [
        {"hours_cap": HUGE, "version": "0", "allocate": "1"},
        {"hours_cap": INT_OVERFLOW, "version": "0", "allocate": "1"},
        {"hours_cap": "10", "version": HUGE, "allocate": "1"},
        {"refus-reason": "Non", "refus-version": HUGE, "refuse": "1"},
    ],
)
def test_decision_numbers_beyond_bounds_never_reach_the_database(client, world, regional, data):
    pending = world["pending"]
    client.force_login(regional)
    response = client.post(f"/allocations/demandes/{pending.pk}/", data)
    assert response.status_code in (200, 409, 422)
    pending.refresh_from_db()
    assert pending.status == Request.Status.UNDER_REVIEW


def test_assistant_numbers_beyond_bounds_never_reach_the_database(client, world, regional):
    client.force_login(regional)
    response = client.get("/allocations/assistant/")
    form = response.context["form"]
    data = {name: str(form[name].value()) for name in form.fields if name != "justification"}
    data["ids"] = response.context["ids"]
    data[next(name for name in form.fields if name.endswith("_cap"))] = HUGE
    response = client.post("/allocations/assistant/", data)
    assert response.status_code == 422
    assert "Au plus" in response.content.decode()
    assert world["pending"].__class__.objects.get(pk=world["pending"].pk).status == Request.Status.UNDER_REVIEW


def test_review_version_beyond_bounds_is_refused(client, world, regional):
    client.force_login(regional)
    response = client.post("/rapports/2027/53/qualitatif/", {"version": HUGE, "what_worked": "Le tutorat."})
    assert response.status_code in (200, 409, 422)


# --- Ids and parameters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("head_a", f"/demandes/{HUGE}/"),
        ("head_a", f"/demandes/{HUGE}/lettre/"),
        ("head_a", f"/demandes/1/depots/{HUGE}/pdf/"),
        ("head_a", f"/demandes/{HUGE}/bilan/pdf/"),
        ("regional", f"/allocations/demandes/{HUGE}/"),
        ("regional", f"/enveloppes/{HUGE}/"),
        ("regional", f"/rapports/transmissions/{HUGE}/pdf/"),
        ("regional", "/rapports/20270/53/repartition/"),
        ("regional", f"/rapports/{HUGE}/53/qualitatif/"),
        ("national", f"/national/campagnes/{HUGE}/"),
        ("national", f"/national/campagnes/{HUGE}/enveloppes/"),
        ("national", f"/rapports/generations/{HUGE}/"),
        ("national", f"/rapports/{HUGE}/national/"),
    ],
)
def test_ids_beyond_any_key_are_404(client, world, request, role, url):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("value", [HUGE, "²", "abc", "-1", "", "1" * 5000])
def test_starting_a_request_with_a_bad_id_is_404(client, world, head_a, campaign, value):
    client.force_login(head_a)
    response = client.post("/demandes/commencer/", {"establishment": value, "campaign": campaign.pk})
    assert response.status_code == 404
    response = client.post(
        "/demandes/commencer/", {"establishment": world["draft"].establishment_id, "campaign": value}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["²", "٢٠٢٧", HUGE, "1" * 5000, "-2027"])
def test_odd_digits_in_parameters_are_ignored(client, world, regional, national, value):
    client.force_login(regional)
    for url in ("/demandes/", "/allocations/", "/demandes/delais/", "/rapports/"):
        assert client.get(url, {"campagne": value, "page": value}).status_code == 200, url
    assert client.post("/allocations/", {"demandes": [value]}).status_code == 302
    client.force_login(national)
    assert client.get("/national/", {"campagne": value}).status_code == 200
