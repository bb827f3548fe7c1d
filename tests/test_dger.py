import csv
import datetime
import io
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from openpyxl import load_workbook

from accounts.models import Region
from allocations import services
from allocations.models import Envelope, EnvelopeMovement
from campaigns import services as campaign_services
from campaigns.models import Campaign, CampaignEvent
from requests_app.models import Decision, Request
from tests import factories
from tests.helpers import table_cell


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def set_all(national, campaign, default=0, **by_code):
    regions = {r.code: r.pk for r in Region.objects.all()}
    hours = {pk: by_code.get(f"r{code}", default) for code, pk in regions.items()}
    services.set_initial_envelopes(national, campaign, hours)
    return hours


@pytest.fixture
def notified(national, campaign, regional, bretagne):
    set_all(national, campaign, default=1000, r53=3000)
    services.notify_envelopes(national, campaign)
    return Envelope.objects.get(campaign=campaign, region=bretagne)


def allocate(envelope, hours, user):
    """A decision written directly (the allocation service comes with the regional issue)."""
    request = factories.HseRequestFactory(
        campaign=envelope.campaign, establishment__region=envelope.region, status="attribuee", complete=True
    )
    return Decision.objects.create(request=request, outcome="attribution", hours_cap=hours, decided_by=user)


class TestCampaigns:
    def test_next_campaign_copies_settings_and_moves_dates_one_year(self, campaign):
        values = campaign_services.next_campaign_values(campaign)
        assert values["start_year"] == 2028
        assert values["request_deadline"] == datetime.date(2028, 7, 12)
        assert values["review_deadline"] == datetime.date(2029, 5, 31)
        assert values["national_volume"] == campaign.national_volume
        assert values["weeks_per_year"] == 36

    def test_leap_day_moves_to_28_february(self):
        assert campaign_services.shift_one_year(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)

    def test_create_through_the_page(self, client, national, campaign):
        client.force_login(national)
        page = client.get("/national/campagnes/nouvelle/").content.decode()
        assert 'value="2028-07-12"' in page
        data = {
            "envelopes_date": "2028-06-02",
            "request_deadline": "12/07/2028",
            "allocation_deadline": "2028-08-23",
            "summary_deadline": "2028-09-30",
            "review_deadline": "2029-05-31",
            "weeks_per_year": "36",
            "national_volume": "80000",
        }
        response = client.post("/national/campagnes/nouvelle/", data)
        assert response.status_code == 302
        created = Campaign.objects.get(start_year=2028)
        assert created.national_volume == 80000
        assert created.envelopes_date == datetime.date(2028, 6, 2)
        assert CampaignEvent.objects.get(campaign=created).action == "created"

    def test_dates_out_of_order_say_which_one(self, client, national, campaign):
        client.force_login(national)
        data = {
            "envelopes_date": "2028-06-02",
            "request_deadline": "2028-07-12",
            "allocation_deadline": "2028-07-01",
            "summary_deadline": "2028-09-30",
            "review_deadline": "2029-05-31",
            "weeks_per_year": "36",
            "national_volume": "80000",
        }
        response = client.post("/national/campagnes/nouvelle/", data)
        page = response.content.decode()
        assert response.status_code == 200
        assert "doit être postérieure à celle de l&#x27;étape précédente" in page
        assert 'aria-describedby="id_allocation_deadline-hint id_allocation_deadline-desc-error"' in page
        assert not Campaign.objects.filter(start_year=2028).exists()

    def test_volume_cannot_go_below_the_envelopes(self, national, campaign):
        set_all(national, campaign, default=1000)
        with pytest.raises(campaign_services.CampaignError, match="ne peut pas être inférieur"):
            campaign_services.update_campaign(national, campaign, {"national_volume": 21_000})
        updated = campaign_services.update_campaign(national, campaign, {"national_volume": 22_000})
        assert updated.national_volume == 22_000
        assert CampaignEvent.objects.filter(campaign=campaign, action="updated").get().data["changes"] == {
            "national_volume": [76_000, 22_000]
        }

    def test_campaign_history_reads_in_words(self, client, national, campaign):
        campaign_services.update_campaign(
            national, campaign, {"national_volume": 80_000, "summary_deadline": datetime.date(2027, 9, 29)}
        )
        client.force_login(national)
        page = BeautifulSoup(client.get("/national/campagnes/2027/").content, "html.parser")
        lines = {li.get_text(" ", strip=True) for li in page.select(".hse-timeline ul li")}
        assert "Volume national (heures annuelles) : 76\u202f000 h → 80\u202f000 h" in lines, lines
        assert any(line.endswith(": 30 septembre 2027 → 29 septembre 2027") for line in lines), lines
        set_all(national, campaign, default=0, r53=3409)
        page = BeautifulSoup(client.get("/national/campagnes/2027/").content, "html.parser")
        lines = {li.get_text(" ", strip=True) for li in page.select(".hse-timeline ul li")}
        assert "Bretagne : — → 3\u202f409 h" in lines, lines


class TestEnvelopes:
    def test_sum_may_not_exceed_the_national_volume(self, national, campaign):
        with pytest.raises(services.AllocationError, match=r"dépasse le volume national .* de 1\u202f000 h"):
            set_all(national, campaign, default=0, r53=77_000)

    def test_envelopes_page_shows_previous_campaign_and_prefills(self, client, national, campaign):
        previous = factories.CampaignFactory(start_year=2026)
        set_all(national, previous, default=100, r53=2500)
        client.force_login(national)
        page = client.get("/national/campagnes/2027/enveloppes/").content.decode()
        assert table_cell(page, "Bretagne", "Enveloppe 2026-2027") == "2 500"
        assert table_cell(page, "Occitanie", "Enveloppe 2026-2027") == "100"
        same = client.get("/national/campagnes/2027/enveloppes/?prefill=precedente").content.decode()
        assert 'name="region_53" id="id_region_53" value="2500"' in same

    def test_pro_rata_prefill_totals_exactly_the_volume(self, client, national, campaign, bretagne, occitanie):
        for _ in range(3):
            factories.EstablishmentFactory(region=bretagne)
        factories.EstablishmentFactory(region=occitanie)
        client.force_login(national)
        response = client.get("/national/campagnes/2027/enveloppes/?prefill=prorata")
        form = response.context["form"]
        values = {name: form.initial[name] for name in form.fields}
        assert sum(values.values()) == 76_000
        assert values["region_53"] == 57_000
        assert values["region_76"] == 19_000

    def test_overshoot_message_on_the_page(self, client, national, campaign):
        client.force_login(national)
        data = {f"region_{r.code}": "4000" for r in Region.objects.all()}
        response = client.post("/national/campagnes/2027/enveloppes/", data)
        page = response.content.decode()
        assert (
            "La somme des enveloppes (88\u202f000 h) dépasse le volume national (76\u202f000 h) de 12\u202f000 h."
            in page
        )
        assert not Envelope.objects.exists()

    def test_bad_amount_is_explained_next_to_its_field(self, client, national, campaign):
        client.force_login(national)
        data = {f"region_{r.code}": "100" for r in Region.objects.all()}
        data["region_53"] = "douze"
        page = client.post("/national/campagnes/2027/enveloppes/", data).content.decode()
        assert "Saisissez un nombre entier d&#x27;heures." in page
        assert 'value="douze"' in page

    def test_notify_emails_each_region_once(self, national, campaign, regional, regional_other, on_commit):
        set_all(national, campaign, default=1000, r53=3000)
        with on_commit():
            assert services.notify_envelopes(national, campaign) == 22
        assert {tuple(m.to) for m in mail.outbox} == {("agent.bretagne@example.org",), ("agent.occitanie@example.org",)}
        bretagne_mail = next(m for m in mail.outbox if m.to == ["agent.bretagne@example.org"])
        assert "3\u202f000 h" in bretagne_mail.subject
        assert all(e.notified_at for e in Envelope.objects.filter(campaign=campaign))
        with pytest.raises(services.AllocationError, match="déjà notifiées"):
            services.notify_envelopes(national, campaign)
        with pytest.raises(services.AllocationError, match="déjà notifiées"):
            set_all(national, campaign, default=10)

    def test_notify_needs_every_region(self, national, campaign, bretagne):
        services.set_initial_envelopes(national, campaign, {bretagne.pk: 100})
        with pytest.raises(services.AllocationError, match="chacune des régions"):
            services.notify_envelopes(national, campaign)


class TestMovements:
    def test_supplementary_delegation(self, national, notified, on_commit):
        with on_commit():
            movement = services.add_movement(
                national, notified, "supplement", 500, datetime.date(2028, 1, 15), "Délégation de janvier"
            )
        assert movement.hours == 500
        assert notified.total_hours() == 3500
        assert "délégation complémentaire de 500 h" in mail.outbox[-1].subject

    def test_supplement_beyond_the_national_volume_is_refused(self, national, notified):
        # 21 x 1000 + 3000 = 24 000 of 76 000 h.
        with pytest.raises(services.AllocationError, match="dépassement de 1 h"):
            services.add_movement(national, notified, "supplement", 52_001, datetime.date(2028, 1, 15), "Trop")

    def test_withdrawal_below_what_is_allocated_is_refused_with_figures(self, national, regional, notified):
        allocate(notified, 2800, regional)
        with pytest.raises(services.AllocationError) as refused:
            services.add_movement(national, notified, "withdrawal", 300, datetime.date(2028, 1, 15), "Reprise")
        message = str(refused.value)
        assert "laisserait l'enveloppe à 2\u202f700 h" in message
        assert "2\u202f800 h déjà attribuées" in message
        assert "au plus 200 h" in message
        movement = services.add_movement(national, notified, "withdrawal", 200, datetime.date(2028, 1, 15), "Reprise")
        assert movement.hours == -200
        assert notified.total_hours() == 2800

    def test_movement_needs_a_notified_envelope(self, national, campaign, bretagne):
        set_all(national, campaign)
        envelope = Envelope.objects.get(campaign=campaign, region=bretagne)
        with pytest.raises(services.AllocationError, match="pas encore notifiées"):
            services.add_movement(national, envelope, "supplement", 10, datetime.date(2028, 1, 1), "x")

    def test_movement_needs_a_reason(self, national, notified):
        with pytest.raises(services.AllocationError, match="motif"):
            services.add_movement(national, notified, "supplement", 10, datetime.date(2028, 1, 1), "  ")

    def test_weeks_per_year_frozen_once_requests_are_submitted(self, national, campaign):
        factories.HseRequestFactory(campaign=campaign, status=Request.Status.SUBMITTED, complete=True)
        with pytest.raises(campaign_services.CampaignError, match="semaines ne peut plus changer"):
            campaign_services.update_campaign(national, campaign, {"weeks_per_year": 35})

    def test_envelope_page_timeline_and_form(self, client, national, notified):
        services.add_movement(
            national, notified, "supplement", 500, datetime.date(2028, 1, 15), "Délégation de janvier"
        )
        client.force_login(national)
        page = client.get(f"/enveloppes/{notified.pk}/").content.decode()
        timeline = BeautifulSoup(page, "html.parser").select("ol.hse-timeline > li > p.fr-mb-0")
        assert [" ".join(p.get_text().replace("\u202f", " ").split()) for p in timeline] == [
            "Enveloppe initiale : +3 000 h — solde 3 000 h",
            "Délégation complémentaire : +500 h — solde 3 500 h",
        ]
        assert "Délégation de janvier" in page
        response = client.post(
            f"/enveloppes/{notified.pk}/",
            {"kind": "withdrawal", "hours": "4000", "effective_date": "2028-02-01", "reason": "x"},
        )
        assert "laisserait l&#x27;enveloppe à -500 h" in response.content.decode()


class TestRoles:
    @pytest.mark.parametrize(
        "url",
        [
            "/national/",
            "/national/campagnes/",
            "/national/campagnes/nouvelle/",
            "/national/campagnes/2027/",
            "/national/campagnes/2027/enveloppes/",
            "/exports/tableau-national.xlsx",
        ],
    )
    def test_dger_pages(self, client, url, national, regional, head_a, campaign):
        client.force_login(national)
        assert client.get(url).status_code == 200
        client.force_login(regional)
        response = client.get(url)
        assert response.status_code == 403
        assert re.search(r"réservée? à la DGER", response.content.decode())
        client.force_login(head_a)
        assert client.get(url).status_code == 404

    def test_regional_staff_read_their_own_envelope_only(
        self, client, notified, regional, regional_other, head_a, national
    ):
        client.force_login(regional)
        page = client.get(f"/enveloppes/{notified.pk}/").content.decode()
        assert "Enveloppe Bretagne" in page
        assert "Ajouter un mouvement" not in page
        assert client.post(f"/enveloppes/{notified.pk}/", {"kind": "supplement"}).status_code == 403
        client.force_login(regional_other)
        assert client.get(f"/enveloppes/{notified.pk}/").status_code == 404
        client.force_login(head_a)
        assert client.get(f"/enveloppes/{notified.pk}/").status_code == 404

    def test_regional_staff_do_not_see_an_envelope_before_notification(
        self, client, national, campaign, regional, bretagne
    ):
        set_all(national, campaign)
        envelope = Envelope.objects.get(campaign=campaign, region=bretagne)
        client.force_login(regional)
        assert client.get(f"/enveloppes/{envelope.pk}/").status_code == 404


class TestBoard:
    def _populate(self, campaign, national, regional, per_region):
        set_all(national, campaign, default=500, r53=3000)
        services.notify_envelopes(national, campaign)
        bretagne = Region.objects.get(code="53")
        for region in Region.objects.filter(code__in=["53", "76", "84"]):
            for index in range(per_region):
                status = ["deposee", "en_instruction", "attribuee"][index % 3]
                request = factories.HseRequestFactory(
                    campaign=campaign, establishment__region=region, status=status, complete=True
                )
                if status == "attribuee":
                    Decision.objects.create(
                        request=request, outcome="attribution", hours_cap=30, hours_bac_pro=20, decided_by=regional
                    )
        factories.HseRequestFactory(
            campaign=campaign, establishment__region=bretagne, status="brouillon", complete=True
        )
        return bretagne

    def test_figures(self, client, national, regional, campaign):
        self._populate(campaign, national, regional, per_region=3)
        client.force_login(national)
        response = client.get("/national/?campagne=2027")
        board = response.context["board"]
        bretagne = next(r for r in board.rows if r.key == "53")
        assert bretagne.envelope == 3000
        assert bretagne.requests == 3  # the draft is not counted
        assert bretagne.requested_annual == 3 * 126
        assert bretagne.allocated == 50
        assert bretagne.remaining == 2950
        assert board.total.envelope == 21 * 500 + 3000
        assert board.total.allocated == 150
        assert board.total.requested_annual == 9 * 126
        assert board.total.requested_annual == sum(r.requested_annual for r in board.rows)
        assert {level["key"]: level["allocated"] for level in board.levels} == {
            "cap": 90,
            "bac_pro": 60,
            "bac_gt": 0,
            "sup": 0,
        }
        assert {level["key"]: level["requested_annual"] for level in board.levels}["cap"] == 9 * 54
        page = response.content.decode()
        assert "<svg" in page
        assert 'role="img"' in page
        assert "Données du graphique sous forme de tableau" in page
        # Two drawings, one shown at a time (wide screens, phones), each with its own title and description.
        assert page.count("<svg") == 2
        assert 'class="hse-chart-svg hse-chart-svg--wide"' in page
        assert 'class="hse-chart-svg hse-chart-svg--narrow"' in page
        assert page.count('id="chart-title"') == page.count('id="chart-narrow-title"') == 1

    def test_each_campaign_shows_its_own_envelopes_and_whether_they_were_notified(
        self, client, national, regional, campaign
    ):
        """The next campaign's envelopes, set but not notified yet, change nothing on this campaign's board; on
        the next campaign's board every region reads « (non notifiée) » until DGER notifies."""
        self._populate(campaign, national, regional, per_region=0)
        following = factories.CampaignFactory(start_year=2028)
        set_all(national, following, default=100, r53=7000)
        client.force_login(national)
        page = client.get("/national/?campagne=2027").content.decode()
        assert table_cell(page, "Bretagne", "Enveloppe") == "3 000"
        assert "(non notifiée)" not in page
        page = client.get("/national/?campagne=2028").content.decode()
        assert table_cell(page, "Bretagne", "Enveloppe") == "7 000"
        assert page.count("(non notifiée)") == Region.objects.count()

    def test_notified_requests_are_counted_by_outcome(self, client, national, regional, campaign):
        """Once notified, an allocation and a refusal share one state: the table still shows the refusals."""
        self._populate(campaign, national, regional, per_region=0)
        bretagne = Region.objects.get(code="53")
        for outcome in ("attribution", "attribution", "refus"):
            request = factories.HseRequestFactory(
                campaign=campaign, establishment__region=bretagne, status="notifiee", complete=True
            )
            Decision.objects.create(
                request=request,
                outcome=outcome,
                hours_cap=10 if outcome == "attribution" else 0,
                decided_by=regional,
                notified_at=datetime.datetime(2027, 8, 20, tzinfo=datetime.UTC),
            )
        client.force_login(national)
        page = BeautifulSoup(client.get("/national/?campagne=2027").content, "html.parser")
        table = next(t for t in page.find_all("table") if "par état" in t.caption.get_text())
        headers = [th.get_text(strip=True) for th in table.thead.find_all("th")]
        row = next(tr for tr in table.tbody.find_all("tr") if tr.th.get_text(strip=True) == bretagne.name)
        cells = dict(zip(headers[1:], [td.get_text(strip=True) for td in row.find_all("td")], strict=True))
        assert cells["Notifiée : attribution"] == "2"
        assert cells["Notifiée : refus"] == "1"
        assert cells["Total"] == "3"

    @pytest.mark.parametrize("per_region", [1, 6])
    def test_constant_queries(self, client, national, regional, campaign, per_region, django_assert_num_queries):
        self._populate(campaign, national, regional, per_region)
        client.force_login(national)
        # The data version, then the board's (newest and first transmissions: one query).
        with django_assert_num_queries(12):
            assert client.get("/national/?campagne=2027").status_code == 200
        # Kept while nothing changed (``core.changes.memo``): session, user, campaigns, the data version.
        with django_assert_num_queries(4):
            assert client.get("/national/?campagne=2027").status_code == 200

    def test_exports_have_the_page_figures(self, client, national, regional, campaign):
        self._populate(campaign, national, regional, per_region=3)
        client.force_login(national)
        board = client.get("/national/?campagne=2027").context["board"]
        response = client.get("/exports/tableau-national.xlsx?campagne=2027")
        assert response["Content-Disposition"] == 'attachment; filename="tableau-national-2027-2028.xlsx"'
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        headers = rows[0]
        assert headers[:4] == ("Région", "Code", "Enveloppe (h)", "Établissements")
        by_region = {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
        bretagne = next(r for r in board.rows if r.key == "53")
        assert by_region["Bretagne"]["Enveloppe (h)"] == bretagne.envelope
        assert by_region["Bretagne"]["Demandé (h/an)"] == bretagne.requested_annual
        assert by_region["Bretagne"]["Attribué (h)"] == bretagne.allocated
        assert by_region["France entière"]["Attribué (h)"] == board.total.allocated
        assert len(rows) == 1 + 22 + 1

        content = client.get("/exports/tableau-national.csv?campagne=2027").content.decode("utf-8-sig")
        table = list(csv.reader(io.StringIO(content), delimiter=";"))
        assert table[0][:3] == ["Région", "Code", "Enveloppe (h)"]
        csv_bretagne = dict(zip(table[0], next(r for r in table if r[0] == "Bretagne"), strict=True))
        assert csv_bretagne["Enveloppe (h)"] == "3000"
        assert csv_bretagne["Demandé (h/an)"] == "378"
        assert csv_bretagne["Demandé (HSE/semaine)"] == "10,5"

    def test_requests_export_filters(self, client, national, regional, campaign):
        self._populate(campaign, national, regional, per_region=3)
        client.force_login(national)
        response = client.get("/exports/demandes.xlsx?campagne=2027&region=53&statut=attribuee")
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert len(rows) == 2
        record = dict(zip(rows[0], rows[1], strict=True))
        assert record["Région"] == "Bretagne"
        assert record["Attribué total (h/an)"] == 50
        assert record["Demandé total (h/an)"] == 126
        assert record["Demandé CAP agricole (HSE/semaine)"] == 1.5
        everything = client.get("/exports/demandes.csv?campagne=2027").content.decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(everything), delimiter=";"))) == 1 + 9
        level = client.get("/exports/demandes.csv?campagne=2027&niveau=sup").content.decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(level), delimiter=";"))) == 1
        client.force_login(regional)
        own = client.get("/exports/demandes.csv?campagne=2027").content.decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(own), delimiter=";"))) == 1 + 3


def test_movement_kinds_have_the_right_sign(national, notified):
    assert EnvelopeMovement.objects.filter(envelope=notified, kind="initial").get().hours == 3000
