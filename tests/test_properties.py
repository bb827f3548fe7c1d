"""Property tests (Hypothesis).

- Random input to every form never produces a server error, and never loses what was stored: a field
  typed wrong keeps its stored value, a field typed right is stored as the form understood it.
- A state machine drives random sequences of allocations, changes, refusals, envelope movements and
  notifications on one region and checks after every step that the allocations stay within the envelope,
  that the board's figures are the sums of the rows, and that the history explains every figure.
"""

import contextlib
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


class AllocationMachine(RuleBasedStateMachine):
    """One region, one envelope, a handful of requests under review; random decisions and movements."""

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
        for cap, bac_pro in asks:
            self.requests.append(
                factories.HseRequestFactory(
                    campaign=self.campaign,
                    establishment__region=self.region,
                    status="en_instruction",
                    complete=True,
                    hse_cap=Decimal(cap),
                    hse_bac_pro=Decimal(bac_pro) if bac_pro != "0" else None,
                    level_bac_pro=bac_pro != "0",
                )
            )

    def _version(self, request):
        decision = Decision.objects.filter(request=request).first()
        return decision.version if decision else 0

    @rule(index=st.integers(min_value=0, max_value=5), share=st.floats(min_value=0, max_value=1.2), stale=st.booleans())
    def allocate(self, index, share, stale):
        request = Request.objects.get(pk=self.requests[index % len(self.requests)].pk)
        caps = allocation_services.requested_caps(request)
        hours = {k: int(caps[k] * share) for k in LEVEL_KEYS}
        version = self._version(request) - (1 if stale else 0)
        with contextlib.suppress(allocation_services.AllocationError):
            allocation_services.allocate(self.staff, request, hours, "règle allocate", version)

    @rule(index=st.integers(min_value=0, max_value=5))
    def refuse(self, index):
        request = Request.objects.get(pk=self.requests[index % len(self.requests)].pk)
        with contextlib.suppress(allocation_services.AllocationError):
            allocation_services.refuse(self.staff, request, "Hors du cadre", self._version(request))

    @rule(kind=st.sampled_from(["supplement", "withdrawal"]), hours=st.integers(min_value=1, max_value=400))
    def movement(self, kind, hours):
        with contextlib.suppress(allocation_services.AllocationError):
            allocation_services.add_movement(
                self.dger, self.envelope, kind, hours, datetime.date(2027, 9, 1), "Mouvement"
            )

    @precondition(lambda self: hasattr(self, "campaign"))
    @rule()
    def notify(self):
        allocation_services.notify_decisions(self.staff, self.campaign, self.region)

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
            latest = events[-1].data["after"]
            assert latest["total"] == decision.computed_total()
            assert latest["outcome"] == decision.outcome
            assert latest["hours"] == {k: decision.hours(k) for k in LEVEL_KEYS}
            assert events[-1].actor == decision.decided_by
            if decision.notified_at:
                assert RequestEvent.objects.filter(request=request, action="notified").exists()


def test_allocation_state_machine(db, travel):
    travel(datetime.date(2027, 8, 1))
    run_state_machine_as_test(
        AllocationMachine,
        settings=settings(
            max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )
