import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from accounts.models import Establishment, Region
from allocations import services
from allocations.apportion import apportion
from allocations.assistant import propose
from allocations.models import Envelope
from requests_app.models import Decision, Request, RequestEvent
from tests import factories
from tests.helpers import element_text, pdf_text, table_cell


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def envelope(national, campaign, bretagne, today):
    services.set_initial_envelopes(
        national, campaign, {r.pk: 1000 if r.code == "53" else 0 for r in Region.objects.all()}
    )
    services.notify_envelopes(national, campaign)
    return Envelope.objects.get(campaign=campaign, region=bretagne)


def submitted_request(campaign, region, status="en_instruction", **values):
    """A complete request (CAP 1,5 + bac pro 2 HSE/week = 54 + 72 h/year) of the region."""
    establishment = factories.EstablishmentFactory(region=region)
    return factories.HseRequestFactory(
        campaign=campaign, establishment=establishment, status=status, complete=True, **values
    )


@pytest.fixture
def request_a(campaign, bretagne, establishment_a, envelope, head_a):
    return factories.HseRequestFactory(
        campaign=campaign, establishment=establishment_a, status="en_instruction", complete=True
    )


class TestApportion:
    def test_sum_is_exact_and_proportional(self):
        shares = apportion(100, {"a": 1, "b": 1, "c": 1})
        assert sum(shares.values()) == 100
        assert sorted(shares.values()) == [33, 33, 34]

    def test_ties_are_broken_deterministically(self):
        first = apportion(100, {"b": 1, "a": 1, "c": 1})
        assert first == apportion(100, {"c": 1, "a": 1, "b": 1})
        assert first["a"] == 34  # equal remainders and weights: the key that sorts first

    def test_larger_weight_wins_an_equal_remainder(self):
        assert apportion(1, {"a": Decimal("1.5"), "b": Decimal("0.5")}) == {"a": 1, "b": 0}

    def test_caps_are_respected_and_the_rest_redistributed(self):
        shares = apportion(100, {"a": 10, "b": 10, "c": 10}, caps={"a": 5, "b": 100, "c": 100})
        assert shares == {"a": 5, "b": 48, "c": 47}

    def test_total_limited_to_what_caps_allow(self):
        assert apportion(1000, {"a": 54, "b": 72}, caps={"a": 54, "b": 72}) == {"a": 54, "b": 72}

    def test_nothing_to_share(self):
        assert apportion(0, {"a": 1}) == {"a": 0}
        assert apportion(10, {}) == {}


class TestAllocate:
    def test_allocation_is_recorded_with_history(self, regional, request_a, envelope):
        decision = services.allocate(regional, request_a, {"cap": 50, "bac_pro": 70}, "Projet solide", 0)
        assert decision.total == 120
        request_a.refresh_from_db()
        assert request_a.status == Request.Status.ALLOCATED
        event = request_a.events.get(action=RequestEvent.Action.ALLOCATED)
        assert event.actor == regional
        assert event.data["after"]["total"] == 120
        assert event.data["before"] is None
        assert event.data["region_allocated_after"] == 120

    def test_above_the_remaining_envelope_is_refused_saying_what_remains(self, regional, campaign, bretagne, envelope):
        first = submitted_request(campaign, bretagne, hse_cap=Decimal("20"), hse_bac_pro=Decimal("20"))
        services.allocate(regional, first, {"cap": 720, "bac_pro": 200}, "", 0)
        second = submitted_request(campaign, bretagne)
        with pytest.raises(services.AllocationError, match="reste dans l'enveloppe : 80 h"):
            services.allocate(regional, second, {"cap": 54, "bac_pro": 72}, "", 0)
        assert not Decision.objects.filter(request=second).exists()
        services.allocate(regional, second, {"cap": 54, "bac_pro": 26}, "", 0)

    def test_above_what_was_asked_is_refused(self, regional, request_a):
        with pytest.raises(services.AllocationError, match="dépasse ce que l'établissement a demandé \\(54 h"):
            services.allocate(regional, request_a, {"cap": 55}, "", 0)

    def test_change_until_notified_with_before_after(self, regional, request_a):
        services.allocate(regional, request_a, {"cap": 50}, "", 0)
        services.allocate(regional, request_a, {"cap": 40, "bac_pro": 10}, "", 1)
        event = request_a.events.get(action=RequestEvent.Action.ALLOCATION_CHANGED)
        assert event.data["before"]["total"] == 50
        assert event.data["after"]["total"] == 50
        assert event.data["after"]["hours"]["bac_pro"] == 10

    def test_second_staff_member_with_a_stale_form_is_refused(self, regional, request_a, bretagne):
        colleague = factories.RegionalFactory(region=bretagne, full_name="Collègue")
        services.allocate(regional, request_a, {"cap": 50}, "", 0)
        with pytest.raises(services.StaleDecision, match="modifiée entre-temps par Agent Bretagne"):
            services.allocate(colleague, request_a, {"cap": 30}, "", 0)
        assert Decision.objects.get(request=request_a).total == 50

    def test_refusal_needs_a_reason(self, regional, request_a):
        with pytest.raises(services.AllocationError, match="motif du refus"):
            services.refuse(regional, request_a, " ", 0)
        decision = services.refuse(regional, request_a, "Projet hors du cadre de la note", 0)
        assert decision.total == 0
        request_a.refresh_from_db()
        assert request_a.status == Request.Status.REFUSED

    def test_other_region_and_unnotified_envelope(
        self, regional_other, regional, campaign, occitanie, request_a, national
    ):
        with pytest.raises(services.AllocationError, match="DRAAF-SRFD de l'établissement"):
            services.allocate(regional_other, request_a, {"cap": 10}, "", 0)
        other_campaign = factories.CampaignFactory(start_year=2028)
        services.set_initial_envelopes(national, other_campaign, {r.pk: 100 for r in Region.objects.all()})
        late = submitted_request(other_campaign, request_a.establishment.region)
        with pytest.raises(services.AllocationError, match="pas encore notifiée"):
            services.allocate(regional, late, {"cap": 10}, "", 0)

    def test_to_complete_or_withdrawn_cannot_be_decided(self, regional, request_a):
        Request.objects.filter(pk=request_a.pk).update(status=Request.Status.TO_COMPLETE)
        request_a.refresh_from_db()
        with pytest.raises(services.AllocationError, match="À compléter"):
            services.allocate(regional, request_a, {"cap": 10}, "", 0)

    def test_start_review_moves_only_submitted_requests(self, regional, campaign, bretagne, envelope):
        submitted = submitted_request(campaign, bretagne, status="deposee")
        returned = submitted_request(campaign, bretagne, status="a_completer")
        assert services.start_review(regional, [submitted, returned]) == 1
        submitted.refresh_from_db()
        returned.refresh_from_db()
        assert (submitted.status, returned.status) == ("en_instruction", "a_completer")


class TestAssistant:
    def test_proposals_add_up_to_what_remains(self, regional, campaign, bretagne, envelope):
        requests = [submitted_request(campaign, bretagne) for _ in range(10)]  # 10 x 126 h asked, 1000 h available
        result = propose(envelope, Request.objects.filter(pk__in=[r.pk for r in requests]).select_related("campaign"))
        assert result.remaining == 1000
        assert result.proposed == 1000
        for proposal in result.proposals:
            assert all(proposal.hours[k] <= proposal.caps[k] for k in proposal.hours)
        assert sorted(p.total for p in result.proposals) == [100] * 10

    def test_envelope_larger_than_demand_gives_everyone_what_they_asked(self, regional, campaign, bretagne, envelope):
        requests = [submitted_request(campaign, bretagne) for _ in range(3)]
        result = propose(envelope, Request.objects.filter(pk__in=[r.pk for r in requests]).select_related("campaign"))
        assert result.proposed == 3 * 126
        assert all(p.hours == {"cap": 54, "bac_pro": 72, "bac_gt": 0, "sup": 0} for p in result.proposals)

    def test_no_request_under_review(self, envelope):
        result = propose(envelope, Request.objects.none())
        assert result.proposals == []
        assert result.proposed == 0

    def test_what_is_already_allocated_is_taken_out(self, regional, campaign, bretagne, envelope):
        done = submitted_request(
            campaign, bretagne, hse_cap=Decimal("20"), hse_bac_pro=Decimal("0"), level_bac_pro=False
        )
        services.allocate(regional, done, {"cap": 700}, "", 0)
        pending = [submitted_request(campaign, bretagne) for _ in range(2)]
        result = propose(envelope, Request.objects.filter(pk__in=[r.pk for r in pending]).select_related("campaign"))
        assert result.remaining == 300
        assert result.proposed == 252

    def test_apply_is_all_or_nothing(self, regional, campaign, bretagne, envelope):
        requests = [submitted_request(campaign, bretagne) for _ in range(3)]
        proposals = {r.pk: {"cap": 54, "bac_pro": 72} for r in requests}
        proposals[requests[2].pk] = {"cap": 60}  # above what was asked
        with pytest.raises(services.AllocationError, match="Rien n'a été enregistré"):
            services.apply_assistant(regional, campaign, bretagne, proposals, "")
        assert not Decision.objects.exists()
        proposals[requests[2].pk] = {"cap": 54}
        assert services.apply_assistant(regional, campaign, bretagne, proposals, "Assistant") == 3
        assert Decision.objects.count() == 3

    def test_apply_refused_when_a_decision_was_taken_meanwhile(self, regional, campaign, bretagne, envelope):
        requests = [submitted_request(campaign, bretagne) for _ in range(2)]
        services.allocate(regional, requests[0], {"cap": 10}, "", 0)
        with pytest.raises(services.AllocationError, match="relancez l'assistant"):
            services.apply_assistant(regional, campaign, bretagne, {r.pk: {"cap": 10} for r in requests}, "")


class TestNotify:
    def test_letters_emails_and_statuses(self, regional, campaign, bretagne, request_a, head_a, on_commit):
        services.allocate(regional, request_a, {"cap": 50, "bac_pro": 70}, "Projet solide", 0)
        refused = submitted_request(campaign, bretagne)
        services.refuse(regional, refused, "Hors du cadre de la note", 0)
        with on_commit():
            assert services.notify_decisions(regional, campaign, bretagne) == 2
        assert len(mail.outbox) == 2
        to_a = next(m for m in mail.outbox if "chef.a@example.org" in m.to)
        assert "120 heures" in to_a.body
        assert to_a.attachments[0][2] == "application/pdf"
        request_a.refresh_from_db()
        assert request_a.status == Request.Status.NOTIFIED
        decision = Decision.objects.get(request=request_a)
        with decision.letter.open("rb") as stream:
            text = pdf_text(stream.read())
        for expected in (
            request_a.establishment.name,
            "campagne 2027-2028",
            "120 heures supplémentaires effectives",
            "CAP agricole 1,5 54 50",
            "Baccalauréat professionnel 2 72 70",
            "Total 3,5 126 120",
            "DRAAF-SRFD Bretagne",
            "Projet solide",
        ):
            assert expected in text, expected
        with Decision.objects.get(request=refused).letter.open("rb") as stream:
            refusal = pdf_text(stream.read())
        assert "n'a pas pu être retenue" in refusal
        assert "Hors du cadre de la note" in refusal

    def test_notifying_twice_sends_nothing_twice(self, regional, campaign, bretagne, request_a, on_commit):
        services.allocate(regional, request_a, {"cap": 50}, "", 0)
        with on_commit():
            services.notify_decisions(regional, campaign, bretagne)
        with on_commit():
            assert services.notify_decisions(regional, campaign, bretagne) == 0
        assert len(mail.outbox) == 1

    def test_a_letter_counts_as_sent_only_once_the_mail_server_accepted_it(
        self, client, regional, campaign, bretagne, request_a, settings, on_commit
    ):
        services.allocate(regional, request_a, {"cap": 50}, "", 0)
        services.notify_decisions(regional, campaign, bretagne)  # committed, the worker has not run yet
        decision = Decision.objects.get(request=request_a)
        assert decision.notified_at is not None
        assert decision.letter_sent_at is None
        assert not request_a.events.filter(action="letter_sent").exists()
        assert services.letters_state(campaign, bretagne)[0] == 1
        client.force_login(regional)
        assert "1 lettre pas encore remise au serveur de courriel" in client.get("/allocations/").content.decode()
        with on_commit():  # the task was lost (the data predates the outbox): the board starts it again
            assert client.post("/allocations/lettres/reprendre/?campagne=2027").status_code == 302
        assert len(mail.outbox) == 1
        decision.refresh_from_db()
        assert decision.letter_sent_at is not None
        assert request_a.events.filter(action="letter_sent").count() == 1
        with on_commit():
            assert services.send_letter.call(decision.pk) == "nothing to do"  # nothing is sent twice
            assert services.resume_letters(regional, campaign, bretagne) == 0
        assert len(mail.outbox) == 1
        assert services.letters_state(campaign, bretagne)[0] == 0

    def test_notified_decision_is_frozen(self, regional, campaign, bretagne, request_a):
        services.allocate(regional, request_a, {"cap": 50}, "", 0)
        services.notify_decisions(regional, campaign, bretagne)
        request_a.refresh_from_db()
        with pytest.raises(services.AllocationError, match="notifiée"):
            services.allocate(regional, request_a, {"cap": 40}, "", 1)


class TestViews:
    def test_board_per_role(self, client, regional, national, head_a, envelope):
        client.force_login(regional)
        page = client.get("/allocations/").content.decode()
        assert "Répartition de l'enveloppe — Bretagne, campagne 2027-2028" in page
        assert element_text(page, "kpi-envelope") == "1 000 h"
        assert element_text(page, "kpi-remaining") == "1 000 h"
        client.force_login(national)
        assert client.get("/allocations/").status_code == 403
        client.force_login(head_a)
        assert client.get("/allocations/").status_code == 404

    def test_board_rows_and_figures_are_those_of_the_campaign_shown(
        self, client, regional, regional_other, national, campaign, bretagne, occitanie, envelope
    ):
        """The rows (written in Python, ``allocations.rows``): a tick box on a deposited request only, the link to
        the decision page, the decision's hours and outcome; a name holding markup is text. The figures above are
        the chosen campaign's envelope's, the region's other envelopes being read in the same query; « attribué »
        sums the region's allocations of that campaign (read with the figures by state): not a refusal, not
        another region's decision, whatever the filters of the list."""
        deposited = submitted_request(campaign, bretagne, status="deposee")
        decided = submitted_request(campaign, bretagne)
        decided.establishment.name = "Lycée <i>des Champs</i>"
        decided.establishment.save()
        services.allocate(regional, decided, {"cap": 40, "bac_pro": 60}, "", 0)
        services.refuse(regional, submitted_request(campaign, bretagne), "Hors du cadre de la note", 0)
        elsewhere = submitted_request(campaign, occitanie)
        Envelope.objects.get(campaign=campaign, region=occitanie).movements.update(hours=500)
        services.allocate(regional_other, elsewhere, {"cap": 30}, "", 0)
        older = factories.CampaignFactory(start_year=2026)
        services.set_initial_envelopes(
            national, older, {r.pk: 300 if r.pk == bretagne.pk else 0 for r in Region.objects.all()}
        )
        services.notify_envelopes(national, older)
        old_request = submitted_request(older, bretagne)
        services.allocate(regional, old_request, {"cap": 50}, "", 0)
        client.force_login(regional)
        page = BeautifulSoup(client.get("/allocations/?campagne=2027").content, "html.parser")
        assert [element_text(str(page), k) for k in ("kpi-envelope", "kpi-allocated", "kpi-remaining")] == [
            "1 000 h",
            "100 h",
            "900 h",
        ]
        filtered = client.get("/allocations/?campagne=2027&statut=deposee").content.decode()
        assert [element_text(filtered, k) for k in ("kpi-envelope", "kpi-allocated", "kpi-remaining")] == [
            "1 000 h",
            "100 h",
            "900 h",
        ]
        rows = {tr.find("a").get_text(): tr for tr in page.find("tbody").find_all("tr")}
        assert set(rows) - {deposited.establishment.name, "Lycée <i>des Champs</i>"} == {
            Request.objects.get(decision__outcome="refus").establishment.name
        }
        tick = rows[deposited.establishment.name].find("input", type="checkbox")
        assert (tick["name"], tick["value"]) == ("demandes", str(deposited.pk))
        row = rows["Lycée <i>des Champs</i>"]
        assert row.find("input") is None
        assert row.find("a")["href"] == f"/allocations/demandes/{decided.pk}/"
        cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
        assert cells[2:] == ["Attribuée", "3,5", "126", "100", "Attribution"]
        page = BeautifulSoup(client.get("/allocations/?campagne=2026").content, "html.parser")
        assert [element_text(str(page), k) for k in ("kpi-envelope", "kpi-allocated", "kpi-remaining")] == [
            "300 h",
            "50 h",
            "250 h",
        ]

    def test_board_filters_search_and_sort(self, client, regional, campaign, bretagne, envelope):
        a = submitted_request(campaign, bretagne, status="deposee")
        b = submitted_request(campaign, bretagne)
        Request.objects.filter(pk=b.pk).update(hse_cap=Decimal("3"))
        client.force_login(regional)
        page = client.get(f"/allocations/?q={a.establishment.uai}").content.decode()
        assert a.establishment.name in page
        assert b.establishment.name not in page
        page = client.get("/allocations/?statut=en_instruction").content.decode()
        assert b.establishment.name in page
        assert a.establishment.name not in page
        page = client.get("/allocations/?tri=-demande").content.decode()
        assert page.index(b.establishment.name) < page.index(a.establishment.name)
        assert 'aria-sort="descending"' in page

    def test_board_network_filter_reaches_the_networks_still_to_be_stated(
        self, client, regional, campaign, bretagne, envelope
    ):
        """« Réseau à préciser » is shown in rows, so it can be chosen in the filter (its stored value, empty, means
        « Tous » in an address): it keeps those rows only, and the choice stays selected."""
        unknown = submitted_request(campaign, bretagne)
        stated = submitted_request(campaign, bretagne)
        Establishment.objects.filter(pk=unknown.establishment_id).update(status="prive", network="")
        Establishment.objects.filter(pk=stated.establishment_id).update(status="prive", network="mfr")
        client.force_login(regional)
        page = client.get("/allocations/?campagne=2027&reseau=a-preciser").content.decode()
        assert unknown.establishment.name in page
        assert stated.establishment.name not in page
        assert '<option value="a-preciser" selected>Réseau à préciser</option>' in page
        page = client.get("/allocations/?campagne=2027&reseau=mfr").content.decode()
        assert stated.establishment.name in page
        assert unknown.establishment.name not in page
        page = client.get("/allocations/?campagne=2027&reseau=").content.decode()
        assert unknown.establishment.name in page
        assert stated.establishment.name in page

    def test_board_rows_read_as_the_decisions_stand(self, client, regional, campaign, bretagne, envelope, on_commit):
        """Each row: the establishment's network by its label, the hours granted and the decision's outcome (and
        whether it was notified), a box to tick only on a deposited request."""
        deposited = submitted_request(campaign, bretagne, status="deposee")
        granted = submitted_request(campaign, bretagne)
        refused = submitted_request(campaign, bretagne)
        waiting = submitted_request(campaign, bretagne)
        Establishment.objects.filter(pk=granted.establishment_id).update(status="prive", network="mfr")
        services.allocate(regional, granted, {"cap": 54, "bac_pro": 60}, "", 0)
        services.refuse(regional, refused, "Hors du cadre de la note", 0)
        with on_commit():
            services.notify_decisions(regional, campaign, bretagne)
        client.force_login(regional)
        page = client.get("/allocations/?campagne=2027").content.decode()
        name = granted.establishment.name
        assert table_cell(page, name, "Réseau , trier") == "Privé MFR (rythme approprié)"
        assert table_cell(page, name, "Attribué (h/an) , trier") == "114"
        assert table_cell(page, name, "Décision") == "Attribution, notifiée"
        assert table_cell(page, refused.establishment.name, "Décision") == "Refus, notifiée"
        assert table_cell(page, refused.establishment.name, "Attribué (h/an) , trier") == "0"
        assert table_cell(page, waiting.establishment.name, "Décision") == "—"
        assert table_cell(page, waiting.establishment.name, "Attribué (h/an) , trier") == "—"
        assert f'name="demandes" value="{deposited.pk}"' in page
        assert page.count('name="demandes"') == 1

    def test_bulk_review(self, client, regional, campaign, bretagne, envelope):
        requests = [submitted_request(campaign, bretagne, status="deposee") for _ in range(3)]
        client.force_login(regional)
        response = client.post("/allocations/?campagne=2027", {"demandes": [r.pk for r in requests[:2]]})
        assert response.status_code == 302
        assert Request.objects.filter(status="en_instruction").count() == 2

    @pytest.mark.parametrize("size", [2, 8])
    def test_board_constant_queries(
        self, client, regional, campaign, bretagne, envelope, size, django_assert_num_queries
    ):
        for index in range(size):
            request = submitted_request(campaign, bretagne)
            if index % 2:
                services.allocate(regional, request, {"cap": 10}, "", 0)
        client.force_login(regional)
        # session, user, envelopes with their movements, figures by state (hours granted and letters on their way
        # included), page of requests (and the list's length), session refresh (+ savepoints): the same at every
        # size.
        with django_assert_num_queries(8):
            response = client.get("/allocations/?tri=-attribue")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == size
        filtered = client.get("/allocations/?tri=-attribue&statut=attribuee")  # counted by the database
        assert filtered.context["page"].paginator.count == size // 2

    def test_dger_is_sent_to_the_request_page_rather_than_the_instruction_page(self, client, national, request_a):
        client.force_login(national)
        response = client.get(f"/allocations/demandes/{request_a.pk}/")
        assert response.status_code == 403
        page = response.content.decode()
        assert "La page d&#x27;instruction (décision et notes internes) est réservée" in page
        assert client.get(f"/demandes/{request_a.pk}/").status_code == 200

    def test_decision_page_and_panel(self, client, regional, request_a):
        client.force_login(regional)
        page = client.get(f"/allocations/demandes/{request_a.pk}/").content.decode()
        assert "Tutorat, remédiation méthodologique" in page  # the whole Annexe 1
        assert "CAP agricole (heures par an)" in page
        response = client.post(
            f"/allocations/demandes/{request_a.pk}/",
            {"hours_cap": "54", "hours_bac_pro": "72,5", "version": "0", "allocate": "allocate"},
        )
        assert response.status_code == 422
        assert "Saisissez un nombre entier d&#x27;heures (pas de décimale)." in response.content.decode()
        response = client.post(
            f"/allocations/demandes/{request_a.pk}/",
            {"hours_cap": "54", "hours_bac_pro": "80", "version": "0", "allocate": "allocate"},
        )
        assert "Au plus 72 h" in response.content.decode()
        response = client.post(
            f"/allocations/demandes/{request_a.pk}/",
            {"hours_cap": "54", "hours_bac_pro": "72", "version": "0", "justification": "OK", "allocate": "allocate"},
        )
        assert response.status_code == 302
        assert Decision.objects.get(request=request_a).total == 126

    def test_two_staff_editing_the_same_allocation(self, client, regional, request_a):
        client.force_login(regional)
        url = f"/allocations/demandes/{request_a.pk}/"
        assert client.post(url, {"hours_cap": "54", "version": "0", "allocate": "allocate"}).status_code == 302
        response = client.post(url, {"hours_cap": "20", "version": "0", "allocate": "allocate"})
        assert response.status_code == 409
        assert "modifiée entre-temps" in response.content.decode()
        assert Decision.objects.get(request=request_a).total == 54
        page = response.content.decode()
        assert "Décision actuelle : <strong>54 h par an</strong>" in page
        assert 'name="version" value="1"' in page  # saving again replaces the decision shown
        assert 'name="hours_cap" value="20"' in page  # what was typed is kept

    def test_a_decision_saved_while_the_page_was_posting_is_the_one_shown(
        self, client, regional, request_a, monkeypatch
    ):
        """The page reads the request and its decision first; another officer saves in between: the answer shows
        their decision (from the conflict), not the one read at the start."""
        real_allocate = services.allocate

        def allocate_after_a_colleague(user, req, *args, **kwargs):
            real_allocate(user, Request.objects.get(pk=req.pk), {"cap": 33}, "Collègue", 0)
            return real_allocate(user, req, *args, **kwargs)

        monkeypatch.setattr(services, "allocate", allocate_after_a_colleague)
        client.force_login(regional)
        response = client.post(
            f"/allocations/demandes/{request_a.pk}/", {"hours_cap": "20", "version": "0", "allocate": "allocate"}
        )
        assert response.status_code == 409
        page = response.content.decode()
        assert "Décision actuelle : <strong>33 h par an</strong>" in page
        assert 'name="version" value="1"' in page

    def test_internal_notes_are_for_regional_staff_only(
        self, client, regional, regional_other, national, head_a, request_a
    ):
        client.force_login(regional)
        client.post(f"/allocations/demandes/{request_a.pk}/", {"note-text": "À rappeler lundi", "add_note": "1"})
        assert "À rappeler lundi" in client.get(f"/allocations/demandes/{request_a.pk}/").content.decode()
        client.force_login(national)
        assert client.get(f"/allocations/demandes/{request_a.pk}/").status_code == 403
        assert "À rappeler lundi" not in client.get(f"/demandes/{request_a.pk}/").content.decode()
        client.force_login(regional_other)
        assert client.get(f"/allocations/demandes/{request_a.pk}/").status_code == 404
        client.force_login(head_a)
        assert client.get(f"/allocations/demandes/{request_a.pk}/").status_code == 403

    def test_assistant_page_apply(self, client, regional, campaign, bretagne, envelope):
        requests = [submitted_request(campaign, bretagne) for _ in range(10)]
        client.force_login(regional)
        response = client.get("/allocations/assistant/")
        form = response.context["form"]
        data = {name: str(form[name].value()) for name in form.fields if name != "justification"}
        data["ids"] = response.context["ids"]
        first = f"r{requests[0].pk}_cap"
        data[first] = str(int(data[first]) - 5)
        response = client.post("/allocations/assistant/", data)
        assert response.status_code == 302
        assert Decision.objects.count() == 10
        assert sum(d.total for d in Decision.objects.all()) == 995

    def test_letter_access(
        self, client, regional, campaign, bretagne, request_a, head_a, head_b, national, regional_other, on_commit
    ):
        services.allocate(regional, request_a, {"cap": 50}, "", 0)
        url = f"/demandes/{request_a.pk}/lettre/"
        client.force_login(head_a)
        assert client.get(url).status_code == 404  # not notified yet: as if no decision were taken
        with on_commit():
            services.notify_decisions(regional, campaign, bretagne)
        for user, status in {head_a: 200, regional: 200, national: 200, head_b: 404, regional_other: 404}.items():
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == status, user
            if status == 200:
                b"".join(response.streaming_content)
        client.force_login(head_a)
        page = client.get("/demandes/").content.decode()
        assert "Lettre de notification (50 h)" in page
        detail = client.get(f"/demandes/{request_a.pk}/").content.decode()
        assert "Dotation attribuée : 50 heures par an" in detail


def test_allocation_deadline_days_left(client, regional, envelope, travel):
    travel(datetime.date(2027, 8, 20))
    client.force_login(regional)
    assert "3 jours restants" in client.get("/allocations/").content.decode()


class TestBoardReview:
    def test_the_bulk_review_button_only_when_there_is_a_deposited_request_to_tick(
        self, client, regional, campaign, bretagne, request_a
    ):
        client.force_login(regional)
        button = "Mettre en instruction les demandes déposées cochées"
        assert button not in client.get("/allocations/?campagne=2027").content.decode()  # only « en instruction »
        submitted_request(campaign, bretagne, status="deposee")
        assert button in client.get("/allocations/?campagne=2027").content.decode()

    def test_a_campaign_without_a_notified_envelope_is_said_not_replaced(
        self, client, regional, campaign, national, today
    ):
        from bs4 import BeautifulSoup

        from campaigns.models import Campaign

        previous = factories.CampaignFactory(start_year=2026)
        services.set_initial_envelopes(national, previous, {r.pk: 100 for r in Region.objects.all()})
        services.notify_envelopes(national, previous)
        client.force_login(regional)
        page = BeautifulSoup(client.get("/allocations/?campagne=2027").content, "html.parser")
        assert "campagne 2027-2028" in page.h1.get_text()
        alert = page.find(class_="fr-alert").get_text(" ", strip=True)
        assert "n'a pas encore notifié l'enveloppe de la campagne 2027-2028" in alert
        assert page.find("a", href="/demandes/?campagne=2027") is not None
        assert Campaign.objects.count() == 2

    def test_no_late_warning_once_every_decision_is_notified(
        self, client, regional, campaign, bretagne, national, request_a, travel, django_capture_on_commit_callbacks
    ):
        from bs4 import BeautifulSoup

        services.allocate(regional, request_a, {"cap": 50}, "", 0)
        with django_capture_on_commit_callbacks(execute=True):
            services.notify_decisions(regional, campaign, bretagne)
        travel(datetime.date(2027, 9, 10))
        client.force_login(regional)
        page = BeautifulSoup(client.get("/allocations/?campagne=2027").content, "html.parser")
        text = page.get_text(" ", strip=True)
        assert "est dépassée" not in text
        assert "Toutes les décisions de la campagne sont notifiées" in text
