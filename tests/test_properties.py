"""Property tests (Hypothesis).

- Random input to every form never produces a server error, and never loses what was stored: a field
  typed wrong keeps its stored value, a field typed right is stored as the form understood it.
- A state machine drives random sequences of allocations, changes, refusals, envelope movements and
  notifications on one region and checks after every step that the allocations stay within the envelope,
  that the board's figures are the sums of the rows, and that the history explains every figure.
"""

import collections
import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Region
from allocations import services as allocation_services
from allocations.models import Envelope, EnvelopeMovement
from reports.board import NationalBoard
from requests_app import services as request_services
from requests_app.forms import RequestForm
from requests_app.models import LEVEL_KEYS, Decision, Request, RequestEvent
from tests import factories

FORM_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What people type: numbers French and English, signs, spaces, huge values, text, markup, empty.
typed = st.one_of(
    st.just(""),
    st.sampled_from(
        ["0", "1,5", "1.5", "2,55", "-3", "20", "20,1", "1e3", "  4 ", "12 345", "NaN", "∞", "<script>", "oui"]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: str(d).replace(".", ",")),
    st.text(max_size=300),
)


def _post(client, url, data):
    response = client.post(url, data)
    assert response.status_code < 500, (url, data)
    return response


@pytest.fixture
def annexe(head_a, establishment_a, campaign, today):
    request = request_services.start_request(head_a, establishment_a, campaign)
    return request_services.save_draft(head_a, request, factories.complete_values(), request.version)


@given(
    data=st.fixed_dictionaries(dict.fromkeys(RequestForm.Meta.fields, typed)),
    fresh=st.booleans(),
    submit=st.booleans(),
    levels=st.lists(st.sampled_from(LEVEL_KEYS), unique=True),
)
@FORM_SETTINGS
def test_annexe1_form_never_errs_and_never_loses_what_was_stored(client, head_a, annexe, data, fresh, submit, levels):
    client.force_login(head_a)
    before = Request.objects.get(pk=annexe.pk)
    if before.status != Request.Status.DRAFT:
        Request.objects.filter(pk=annexe.pk).update(status=Request.Status.DRAFT)
        before.refresh_from_db()
    version = before.version if fresh else before.version - 1
    post = {**data, "levels": levels, "version": str(version), ("submit" if submit else "save"): "1"}
    _post(client, f"/demandes/{annexe.pk}/modifier/", post)
    after = Request.objects.get(pk=annexe.pk)
    form = RequestForm(post, instance=Request.objects.get(pk=annexe.pk))
    form.is_valid()
    if not fresh:
        for name in RequestForm.Meta.fields:  # a stale form changes nothing
            assert getattr(after, name) == getattr(before, name), name
        return
    for name in RequestForm.Meta.fields:
        if name in form.errors:
            assert getattr(after, name) == getattr(before, name), name  # kept, not lost
        else:
            assert getattr(after, name) == form.cleaned_data[name], name  # stored as the form understood it


@given(hours=st.fixed_dictionaries({f"hours_{k}": typed for k in LEVEL_KEYS}), justification=typed, version=typed)
@FORM_SETTINGS
def test_decision_form_never_errs(client, regional, campaign, bretagne, national, hours, justification, version, today):
    if not Envelope.objects.filter(campaign=campaign).exists():
        allocation_services.set_initial_envelopes(national, campaign, {r.pk: 300 for r in Region.objects.all()})
        allocation_services.notify_envelopes(national, campaign)
    request = Request.objects.filter(campaign=campaign).first() or factories.HseRequestFactory(
        campaign=campaign, establishment__region=bretagne, status="en_instruction", complete=True
    )
    client.force_login(regional)
    before = Decision.objects.filter(request=request).values_list("total", flat=True).first()
    response = _post(
        client,
        f"/allocations/demandes/{request.pk}/",
        {**hours, "justification": justification, "version": version, "allocate": "1"},
    )
    after = Decision.objects.filter(request=request).values_list("total", flat=True).first()
    if response.status_code != 302:
        assert after == before  # refused: the stored decision is untouched
    assert allocation_services.region_allocated(campaign.pk, bretagne.pk) <= 300


@given(values=st.fixed_dictionaries(dict.fromkeys(["53", "76", "84", "01", "975"], typed)), rest=typed)
@FORM_SETTINGS
def test_envelopes_form_never_errs_and_keeps_the_stored_envelopes(client, national, campaign, values, rest):
    client.force_login(national)
    data = {f"region_{r.code}": values.get(r.code, rest) for r in Region.objects.all()}
    before = dict(
        EnvelopeMovement.objects.filter(envelope__campaign=campaign).values_list("envelope__region__code", "hours")
    )
    response = _post(client, "/national/campagnes/2027/enveloppes/", data)
    after = dict(
        EnvelopeMovement.objects.filter(envelope__campaign=campaign).values_list("envelope__region__code", "hours")
    )
    if response.status_code != 302:
        assert after == before
    assert sum(after.values()) <= campaign.national_volume


@given(
    data=st.fixed_dictionaries(
        {
            "envelopes_date": typed,
            "request_deadline": typed,
            "allocation_deadline": typed,
            "summary_deadline": typed,
            "review_deadline": typed,
            "weeks_per_year": typed,
            "national_volume": typed,
        }
    )
)
@FORM_SETTINGS
def test_campaign_forms_never_err(client, national, campaign, data):
    client.force_login(national)
    before = list(campaign.__class__.objects.values_list("start_year", "national_volume", "request_deadline"))
    response = _post(client, "/national/campagnes/2027/", data)
    if response.status_code != 302:
        assert (
            list(campaign.__class__.objects.values_list("start_year", "national_volume", "request_deadline")) == before
        )
    _post(client, "/national/campagnes/nouvelle/", data)


@given(kind=st.sampled_from(["supplement", "withdrawal", "autre", ""]), hours=typed, date=typed, reason=typed)
@FORM_SETTINGS
def test_movement_form_never_errs(client, national, campaign, kind, hours, date, reason):
    if not Envelope.objects.filter(campaign=campaign).exists():
        allocation_services.set_initial_envelopes(national, campaign, {r.pk: 1000 for r in Region.objects.all()})
        allocation_services.notify_envelopes(national, campaign)
    envelope = Envelope.objects.get(campaign=campaign, region__code="53")
    client.force_login(national)
    _post(
        client, f"/enveloppes/{envelope.pk}/", {"kind": kind, "hours": hours, "effective_date": date, "reason": reason}
    )
    total = sum(EnvelopeMovement.objects.filter(envelope__campaign=campaign).values_list("hours", flat=True))
    assert total <= campaign.national_volume


@given(texts=st.fixed_dictionaries({"message": typed, "reason": typed, "until": typed, "note": typed, "q": typed}))
@FORM_SETTINGS
def test_other_forms_and_filters_never_err(client, head_a, regional, national, establishment_a, campaign, texts, today):
    request = Request.objects.filter(campaign=campaign).first()
    if request is None:
        request = request_services.start_request(head_a, establishment_a, campaign)
        request = request_services.save_draft(head_a, request, factories.complete_values(), request.version)
        request = request_services.submit_request(head_a, request, request.version)
    client.force_login(regional)
    _post(client, f"/demandes/{request.pk}/a-completer/", {"message": texts["message"]})
    _post(
        client, "/demandes/delais/", {"establishment": texts["q"], "until": texts["until"], "reason": texts["reason"]}
    )
    _post(client, f"/allocations/demandes/{request.pk}/", {"note-text": texts["note"], "add_note": "1"})
    _post(
        client,
        f"/allocations/demandes/{request.pk}/",
        {"refus-reason": texts["reason"], "refus-version": texts["q"], "refuse": "1"},
    )
    _post(client, "/rapports/2027/53/qualitatif/", {"version": texts["q"], "what_worked": texts["note"]})
    for url in ("/allocations/", "/demandes/", "/exports/demandes.csv"):
        response = client.get(
            url,
            {
                "q": texts["q"],
                "statut": texts["message"],
                "niveau": texts["q"],
                "tri": texts["q"],
                "secteur": texts["q"],
                "reseau": texts["q"],
                "page": texts["q"],
                "campagne": texts["q"],
            },
        )
        assert response.status_code < 500, url
    client.force_login(national)
    response = client.get("/national/", {"campagne": texts["q"]})
    assert response.status_code < 500
    client.logout()
    assert client.post("/connexion/", {"username": texts["q"], "password": texts["note"]}).status_code < 500
    assert client.post("/mot-de-passe/oublie/", {"email": texts["q"]}).status_code < 500


# --- The allocation state machine ------------------------------------------------------------------------

_years = itertools.count(2030)
WEEKS = 36  # the factory's campaign: 36 weeks a year (the note's default)
# How often each expectation was met over the whole run: a machine whose allocations never succeed, or whose
# over-allocations are never tried, proves nothing (checked after the run).
_seen = collections.Counter()


class AllocationMachine(RuleBasedStateMachine):
    """One region, one envelope, a handful of requests under review; random decisions and movements.

    The machine keeps its own model of the region (the envelope, each request's decision and whether it is
    notified) written from the note's rules, not from the services: every rule knows beforehand whether the
    service must accept or refuse, and asserts it. Only the over-allocation, the over-withdrawal and the stale
    form expect a refusal; everything else must succeed.
    """

    @initialize(
        initial=st.integers(min_value=0, max_value=600),
        asks=st.lists(
            st.tuples(st.sampled_from(["0.5", "1", "1.5", "2", "3", "5"]), st.sampled_from(["0", "1", "2.5"])),
            min_size=2,
            max_size=6,
        ),
    )
    def setup(self, initial, asks):
        year = next(_years)
        self.campaign = factories.CampaignFactory(start_year=year, national_volume=50_000)
        self.region = factories.region("53")
        self.dger = factories.NationalFactory()
        self.staff = factories.RegionalFactory(region=self.region)
        allocation_services.set_initial_envelopes(
            self.dger, self.campaign, {r.pk: initial if r.code == "53" else 0 for r in Region.objects.all()}
        )
        allocation_services.notify_envelopes(self.dger, self.campaign)
        self.envelope = Envelope.objects.get(campaign=self.campaign, region=self.region)
        self.requests = []
        # The model: envelope hours; per request its caps (annual hours asked, whole hours), the allocated
        # total (0 when refused or undecided), the decision's version, and whether it is notified.
        self.model_envelope = initial
        self.model = {}
        for cap, bac_pro in asks:
            request = factories.HseRequestFactory(
                campaign=self.campaign,
                establishment__region=self.region,
                status="en_instruction",
                complete=True,
                hse_cap=Decimal(cap),
                hse_bac_pro=Decimal(bac_pro) if bac_pro != "0" else None,
                level_bac_pro=bac_pro != "0",
            )
            self.requests.append(request)
            # The note: one HSE per week is ``weeks_per_year`` hours a year; a region grants whole hours.
            caps = {"cap": int(Decimal(cap) * WEEKS), "bac_pro": int(Decimal(bac_pro) * WEEKS), "bac_gt": 0, "sup": 0}
            self.model[request.pk] = {"caps": caps, "total": 0, "version": 0, "outcome": None, "notified": False}

    # -- the oracle --------------------------------------------------------------------------------------

    def _allocated(self, exclude=None) -> int:
        return sum(m["total"] for pk, m in self.model.items() if pk != exclude)

    def _remaining_for(self, pk) -> int:
        """What may still be granted to request ``pk`` (its own current allocation is given back first)."""
        return self.model_envelope - self._allocated(exclude=pk)

    def _open(self):
        return [pk for pk, m in self.model.items() if not m["notified"]]

    def _fits(self):
        """Open requests that can receive at least one hour within both their caps and the envelope."""
        return [pk for pk in self._open() if min(self._remaining_for(pk), sum(self.model[pk]["caps"].values())) >= 1]

    def _overflows(self):
        """Open requests that asked for more than what remains for them."""
        return [pk for pk in self._open() if sum(self.model[pk]["caps"].values()) > self._remaining_for(pk)]

    @staticmethod
    def _spread(total, caps) -> dict:
        """``total`` hours spread over the levels, each within its cap (the caps cover ``total``)."""
        hours, left = {}, total
        for key in LEVEL_KEYS:
            hours[key] = min(caps[key], left)
            left -= hours[key]
        assert left == 0
        return hours

    def _request(self, pk):
        return Request.objects.get(pk=pk)

    # -- the rules ---------------------------------------------------------------------------------------

    @precondition(lambda self: hasattr(self, "campaign") and self._fits())
    @rule(index=st.integers(min_value=0, max_value=5), share=st.floats(min_value=0, max_value=1))
    def allocate_within_what_remains(self, index, share):
        pk = self._fits()[index % len(self._fits())]
        caps = self.model[pk]["caps"]
        most = min(self._remaining_for(pk), sum(caps.values()))
        total = max(1, min(most, int(most * share)))
        hours = self._spread(total, caps)
        decision = allocation_services.allocate(
            self.staff, self._request(pk), hours, "règle allocate", self.model[pk]["version"]
        )  # must not raise: it fits in the envelope and in what was asked
        assert decision.computed_total() == total
        assert {k: decision.hours(k) for k in LEVEL_KEYS} == hours
        assert self._request(pk).status == Request.Status.ALLOCATED
        self.model[pk].update(total=total, version=self.model[pk]["version"] + 1, outcome="attribution")
        _seen["allocated"] += 1

    @precondition(lambda self: hasattr(self, "campaign") and self._overflows())
    @rule(index=st.integers(min_value=0, max_value=5), share=st.floats(min_value=0, max_value=1))
    def allocate_beyond_what_remains_is_refused(self, index, share):
        pk = self._overflows()[index % len(self._overflows())]
        caps = self.model[pk]["caps"]
        remaining = self._remaining_for(pk)
        # A total strictly above what remains, within what was asked (so only the envelope rule can refuse).
        low, high = max(remaining + 1, 1), sum(caps.values())
        total = low + int((high - low) * share)
        request = self._request(pk)
        status = request.status
        with pytest.raises(allocation_services.AllocationError, match="dépasse ce qui reste dans l'enveloppe"):
            allocation_services.allocate(
                self.staff, request, self._spread(total, caps), "trop", self.model[pk]["version"]
            )
        assert self._request(pk).status == status  # nothing recorded
        _seen["over_allocation_refused"] += 1

    @precondition(lambda self: hasattr(self, "campaign") and self._fits())
    @rule(index=st.integers(min_value=0, max_value=5))
    def allocate_from_a_stale_form_is_refused(self, index):
        pk = self._fits()[index % len(self._fits())]
        hours = self._spread(1, self.model[pk]["caps"])
        with pytest.raises(allocation_services.StaleDecision):
            allocation_services.allocate(self.staff, self._request(pk), hours, "périmé", self.model[pk]["version"] - 1)
        _seen["stale_refused"] += 1

    @precondition(lambda self: hasattr(self, "campaign") and self._open())
    @rule(index=st.integers(min_value=0, max_value=5))
    def refuse(self, index):
        pk = self._open()[index % len(self._open())]
        decision = allocation_services.refuse(self.staff, self._request(pk), "Hors du cadre", self.model[pk]["version"])
        assert decision.outcome == Decision.Outcome.REFUSED
        assert self._request(pk).status == Request.Status.REFUSED
        self.model[pk].update(total=0, version=self.model[pk]["version"] + 1, outcome="refus")
        _seen["refused"] += 1

    @precondition(lambda self: hasattr(self, "campaign"))
    @rule(index=st.integers(min_value=0, max_value=5))
    def notified_decisions_cannot_change(self, index):
        notified = [pk for pk, m in self.model.items() if m["notified"]]
        if not notified:
            return
        pk = notified[index % len(notified)]
        with pytest.raises(allocation_services.AllocationError, match="notifiée"):
            allocation_services.refuse(self.staff, self._request(pk), "Trop tard", self.model[pk]["version"])

    @precondition(lambda self: hasattr(self, "campaign"))
    @rule(hours=st.integers(min_value=1, max_value=400))
    def supplement(self, hours):
        allocation_services.add_movement(
            self.dger, self.envelope, "supplement", hours, datetime.date(2027, 9, 1), "Mouvement"
        )  # the national volume (50 000 h) covers any run
        self.model_envelope += hours
        _seen["supplement"] += 1

    @precondition(lambda self: hasattr(self, "campaign") and self.model_envelope > self._allocated())
    @rule(share=st.floats(min_value=0, max_value=1))
    def withdraw_what_is_not_allocated(self, share):
        free = self.model_envelope - self._allocated()
        hours = max(1, min(free, int(free * share)))
        allocation_services.add_movement(
            self.dger, self.envelope, "withdrawal", hours, datetime.date(2027, 9, 1), "Mouvement"
        )
        self.model_envelope -= hours
        _seen["withdrawal"] += 1

    @precondition(lambda self: hasattr(self, "campaign"))
    @rule(extra=st.integers(min_value=1, max_value=400))
    def withdraw_below_what_is_allocated_is_refused(self, extra):
        hours = self.model_envelope - self._allocated() + extra
        with pytest.raises(allocation_services.AllocationError, match="en dessous"):
            allocation_services.add_movement(
                self.dger, self.envelope, "withdrawal", hours, datetime.date(2027, 9, 1), "Mouvement"
            )
        _seen["over_withdrawal_refused"] += 1

    @precondition(lambda self: hasattr(self, "campaign"))
    @rule()
    def notify(self):
        expected = [pk for pk, m in self.model.items() if m["outcome"] and not m["notified"]]
        assert allocation_services.notify_decisions(self.staff, self.campaign, self.region) == len(expected)
        for pk in expected:
            self.model[pk]["notified"] = True
            assert self._request(pk).status == Request.Status.NOTIFIED

    # -- the invariants ----------------------------------------------------------------------------------

    @invariant()
    def the_model_and_the_database_agree(self):
        if not hasattr(self, "campaign"):
            return
        assert self.envelope.total_hours() == self.model_envelope
        assert allocation_services.region_allocated(self.campaign.pk, self.region.pk) == self._allocated()
        for pk, m in self.model.items():
            decision = Decision.objects.filter(request_id=pk).first()
            if m["outcome"] is None:
                assert decision is None
                continue
            assert (decision.outcome, decision.version, bool(decision.notified_at)) == (
                m["outcome"],
                m["version"],
                m["notified"],
            )
            assert (decision.computed_total() if m["outcome"] == "attribution" else 0) == m["total"]

    @invariant()
    def within_the_envelope(self):
        if not hasattr(self, "campaign"):
            return
        envelope = self.envelope.total_hours()
        assert allocation_services.region_allocated(self.campaign.pk, self.region.pk) <= envelope

    @invariant()
    def board_is_the_sum_of_its_rows(self):
        if not hasattr(self, "campaign"):
            return
        board = NationalBoard(self.campaign)
        row = next(r for r in board.rows if r.key == "53")
        decisions = list(Decision.objects.filter(request__campaign=self.campaign))
        assert row.allocated == sum(d.computed_total() for d in decisions if d.outcome == "attribution")
        assert row.allocated == self._allocated()
        assert row.envelope == sum(
            EnvelopeMovement.objects.filter(envelope=self.envelope).values_list("hours", flat=True)
        )
        assert board.total.allocated == sum(r.allocated for r in board.rows)
        assert board.total.envelope == sum(r.envelope for r in board.rows)
        assert board.total.requested_annual == sum(r.requested_annual for r in board.rows)

    @invariant()
    def history_explains_every_figure(self):
        if not hasattr(self, "campaign"):
            return
        for request in self.requests:
            decision = Decision.objects.filter(request=request).first()
            events = list(
                RequestEvent.objects.filter(
                    request=request, action__in=["allocated", "allocation_changed", "refused"]
                ).order_by("at", "pk")
            )
            if decision is None:
                assert events == []
                continue
            assert len(events) == self.model[request.pk]["version"]  # one line per decision taken
            latest = events[-1].data["after"]
            assert latest["total"] == decision.computed_total()
            assert latest["outcome"] == decision.outcome
            assert latest["hours"] == {k: decision.hours(k) for k in LEVEL_KEYS}
            assert events[-1].actor == decision.decided_by
            if decision.notified_at:
                assert RequestEvent.objects.filter(request=request, action="notified").exists()


def test_allocation_state_machine(db, travel):
    travel(datetime.date(2027, 8, 1))
    _seen.clear()
    run_state_machine_as_test(
        AllocationMachine,
        settings=settings(
            max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )
    # The run did exercise both sides of the envelope rule: allocations accepted and over-allocations refused.
    for expected in ("allocated", "over_allocation_refused", "refused", "withdrawal"):
        assert _seen[expected] > 0, (expected, dict(_seen))
