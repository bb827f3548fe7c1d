"""Property tests (Hypothesis).

- Random input to every form never produces a server error, and never loses what was stored: a field
  typed wrong keeps its stored value, a field typed right is stored as the form understood it.
- A state machine drives random sequences of allocations, changes, refusals, envelope movements and
  notifications on one region and checks after every step that the allocations stay within the envelope,
  that the board's figures are the sums of the rows, and that the history explains every figure.
"""

import collections
import datetime
import decimal
import itertools
import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import transaction
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
from tests.helpers import form_data

FORM_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# How often each expectation was met over a whole run: a run whose allocations never succeed, whose
# over-allocations are never tried or whose deposits are never accepted proves nothing (checked after the run).
_seen = collections.Counter()

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


# --- The Annexe 1's rules, written here from the note (not read from the form under test) ----------------
# Section 6: HSE per week per level, typed the French way ("1,5"), between 0 and 20, at most one decimal; one HSE
# per week is 36 hours a year (the campaign's weeks). Sections 1-5: the texts the paper form asks for; at least
# one intervenant; each level ticked has hours and each level with hours is ticked; at least one level, at least
# one HSE. The number of pupils is optional (0 to 10 000), the intervenants 0 to 1 000.
ORACLE_WEEKLY_MAX = Decimal(20)
ORACLE_WEEKS = 36
ORACLE_REQUIRED_TEXTS = (
    "head_name",
    "contact_details",
    "contact_email",
    "project",
    "needs",
    "articulation",
    "disciplines",
    "roles",
    "objectives",
    "evaluation",
)
ORACLE_COUNTS = {"pupils_count": 10_000, "intervenants_count": 1_000}
ORACLE_SIMPLE_EMAIL = re.compile(r"^[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
INVALID = object()  # what the oracle expects of a value typed wrong (the stored value is kept)
EITHER = object()  # an e-mail address the simple pattern cannot judge: any outcome is accepted


def expected_weekly(typed_text: str):
    text = typed_text.strip()
    for space in (" ", "\u202f", "\xa0"):
        text = text.replace(space, "")
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except decimal.InvalidOperation:
        return INVALID
    if not value.is_finite() or not 0 <= value <= ORACLE_WEEKLY_MAX or value * 10 != int(value * 10):
        return INVALID
    return value


def expected_count(typed_text: str, maximum: int):
    text = re.sub(r"\.0*\s*$", "", typed_text.strip())  # "12" or "12.0": a whole number
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        return INVALID
    return value if 0 <= value <= maximum else INVALID


def expected_text(typed_text: str, max_length: int | None = None):
    if "\x00" in typed_text:
        return INVALID
    text = typed_text.strip()
    return INVALID if max_length is not None and len(text) > max_length else text


def expected_email(typed_text: str):
    text = expected_text(typed_text)
    if text is INVALID or text == "":
        return text
    if "@" not in text:
        return INVALID
    return text if ORACLE_SIMPLE_EMAIL.match(text) else EITHER


def expected_values(data: dict) -> dict:
    expected = {}
    for name, value in data.items():
        if name.startswith("hse_"):
            expected[name] = expected_weekly(value)
        elif name in ORACLE_COUNTS:
            expected[name] = expected_count(value, ORACLE_COUNTS[name])
        elif name == "contact_email":
            expected[name] = expected_email(value)
        elif name == "head_name":
            expected[name] = expected_text(value, 150)
        else:
            expected[name] = expected_text(value)
    return expected


def complete_by_the_note(stored) -> bool:
    if any(not (getattr(stored, name) or "").strip() for name in ORACLE_REQUIRED_TEXTS):
        return False
    if not stored.intervenants_count:
        return False
    ticked = {key for key in LEVEL_KEYS if getattr(stored, f"level_{key}")}
    with_hours = {key for key in LEVEL_KEYS if (getattr(stored, f"hse_{key}") or 0) > 0}
    return bool(ticked) and ticked == with_hours


def french(value: Decimal) -> str:
    """54 -> "54", 39.6 -> "39,6", 1339.2 -> "1 339,2" (thousands apart by a space: the page's narrow no-break
    space is read as a space)."""
    whole, _dot, fraction = f"{value.normalize():f}".partition(".")
    groups = f"{int(whole):,}".replace(",", " ")
    return f"{groups},{fraction}" if fraction.strip("0") else groups


typed_annexe = st.one_of(typed, st.sampled_from(["direction@example.org", "pas-une-adresse", " a@b.fr "]))


@given(
    data=st.fixed_dictionaries(dict.fromkeys(RequestForm.Meta.fields, typed_annexe)),
    fresh=st.booleans(),
    submit=st.booleans(),
    levels=st.lists(st.sampled_from(LEVEL_KEYS), unique=True),
)
@FORM_SETTINGS
def test_annexe1_form_never_errs_and_never_loses_what_was_stored(client, head_a, annexe, data, fresh, submit, levels):
    """What is stored, whether the deposit is accepted and the annual hours shown are predicted by the note's
    rules above, never by the form under test."""
    client.force_login(head_a)
    before = Request.objects.get(pk=annexe.pk)
    if before.status != Request.Status.DRAFT:
        Request.objects.filter(pk=annexe.pk).update(status=Request.Status.DRAFT)
        before.refresh_from_db()
    version = before.version if fresh else before.version - 1
    post = {**data, "levels": levels, "version": str(version), ("submit" if submit else "save"): "1"}
    _post(client, f"/demandes/{annexe.pk}/modifier/", post)
    after = Request.objects.get(pk=annexe.pk)
    if not fresh:
        for name in RequestForm.Meta.fields:  # a stale form changes nothing
            assert getattr(after, name) == getattr(before, name), name
        assert after.status == Request.Status.DRAFT
        return
    expected = expected_values(data)
    for name, value in expected.items():
        if value is INVALID:
            assert getattr(after, name) == getattr(before, name), (name, data[name])  # kept, not lost
        elif value is not EITHER:
            assert getattr(after, name) == value, (name, data[name])  # stored as the note reads it
    for key in LEVEL_KEYS:
        assert getattr(after, f"level_{key}") == (key in levels), key
    every_field_valid = all(value is not INVALID for value in expected.values())
    if submit and every_field_valid and EITHER not in expected.values():
        deposited = complete_by_the_note(after)
        assert (after.status == Request.Status.SUBMITTED) == deposited, (data, levels)
    elif submit and not every_field_valid:
        assert after.status == Request.Status.DRAFT  # a field typed wrong: not deposited
    if after.status == Request.Status.DRAFT:
        page = BeautifulSoup(client.get(f"/demandes/{annexe.pk}/modifier/").content, "html.parser")
        for key in LEVEL_KEYS:
            weekly = getattr(after, f"hse_{key}")
            if weekly is not None:
                shown = page.find("output", id=f"annual-{key}").get_text(strip=True)
                assert shown.replace("\u202f", " ") == french(weekly * ORACLE_WEEKS), (key, weekly, shown)


# The ways a nearly complete Annexe 1 can break one rule of the note (``None``: none broken). They only steer the
# generation towards each rule's edge; whether the deposit must be accepted is decided by the oracle above.
FAULTS = (
    None,
    None,
    "extra_tick",
    "missing_tick",
    "no_level",
    "blank_text",
    "no_intervenant",
    "two_decimals",
    "above_maximum",
    "random_ticks",
)


def test_annexe1_deposit_follows_the_cross_field_rules_of_the_note(client, head_a, annexe):
    """Nearly complete Annexe 1 forms, each breaking at most one rule of the note (a level ticked without hours,
    hours without their level, no level, a text left empty, no intervenant, two decimals, above 20 HSE a week):
    the deposit is accepted exactly when the note's rules, written above, say so."""
    _seen.clear()

    @given(
        weekly=st.fixed_dictionaries(
            {key: st.one_of(st.none(), st.decimals(min_value=0, max_value=20, places=1)) for key in LEVEL_KEYS}
        ),
        fault=st.sampled_from(FAULTS),
        pick=st.integers(min_value=0, max_value=3),
        random_levels=st.lists(st.sampled_from(LEVEL_KEYS), unique=True),
        blank=st.sampled_from(ORACLE_REQUIRED_TEXTS),
        intervenants=st.sampled_from([None, 0]),
        excess=st.sampled_from([Decimal("0.05"), Decimal("0.01"), Decimal("0.15")]),
        above=st.sampled_from([Decimal("20.1"), Decimal(21), Decimal(99)]),
    )
    @settings(FORM_SETTINGS, max_examples=80)
    def one_form(weekly, fault, pick, random_levels, blank, intervenants, excess, above):
        client.force_login(head_a)
        weekly = dict(weekly)
        if not any((v or 0) > 0 for v in weekly.values()):
            weekly["cap"] = Decimal("1.5")
        with_hours = [key for key in LEVEL_KEYS if (weekly[key] or 0) > 0]
        chosen = with_hours[pick % len(with_hours)]
        levels = list(with_hours)
        values = {}
        if fault == "extra_tick":
            without = [key for key in LEVEL_KEYS if key not in with_hours] or [chosen]
            extra = without[pick % len(without)]
            if extra == chosen and len(with_hours) > 1:
                weekly[extra] = None  # ticked, its hours emptied
            elif extra == chosen:
                weekly[extra] = Decimal(0)
            levels = sorted({*levels, extra})
        elif fault == "missing_tick":
            levels.remove(chosen)
        elif fault == "no_level":
            weekly = dict.fromkeys(LEVEL_KEYS)
            levels = []
        elif fault == "blank_text":
            values[blank] = ""
        elif fault == "no_intervenant":
            values["intervenants_count"] = intervenants
        elif fault == "two_decimals":
            weekly[chosen] = min(weekly[chosen], Decimal(19)) + excess
        elif fault == "above_maximum":
            weekly[chosen] = above
        elif fault == "random_ticks":
            levels = random_levels
        Request.objects.filter(pk=annexe.pk).update(status=Request.Status.DRAFT)
        before = Request.objects.get(pk=annexe.pk)
        values = factories.complete_values(
            **{f"hse_{key}": value for key, value in weekly.items()},
            **{f"level_{key}": key in levels for key in LEVEL_KEYS},
            **values,
        )
        post = form_data(values, before.version, "submit")
        response = _post(client, f"/demandes/{annexe.pk}/modifier/", post)
        after = Request.objects.get(pk=annexe.pk)
        typed_ok = all(expected_weekly(post[f"hse_{key}"]) is not INVALID for key in LEVEL_KEYS)
        deposited = typed_ok and complete_by_the_note(after)
        assert (after.status == Request.Status.SUBMITTED) == deposited, (fault, weekly, levels, values)
        _seen["annexe_deposited" if deposited else f"annexe_refused_{fault}"] += 1
        if fault == "no_level":  # refused whatever else: the page names the missing level first
            assert "Cochez au moins un niveau d&#x27;intervention." in response.content.decode()
        if deposited:
            total = sum((getattr(after, f"hse_{key}") or 0) for key in LEVEL_KEYS)
            page = BeautifulSoup(client.get(f"/demandes/{annexe.pk}/confirmation/").content, "html.parser")
            text = " ".join(page.get_text().replace("\u202f", " ").split())
            assert f"soit {french(total * ORACLE_WEEKS)} heures par an" in text

    one_form()
    assert _seen["annexe_deposited"], dict(_seen)  # both sides of the rules were tried
    assert any(key.startswith("annexe_refused") for key in _seen), dict(_seen)


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


class AllocationMachine(RuleBasedStateMachine):
    """One region, one envelope, a handful of requests under review; random decisions and movements.

    The machine keeps its own model of the region (the envelope, each request's decision and whether it is
    notified) written from the note's rules, not from the services: every rule knows beforehand whether the
    service must accept or refuse, and asserts it. Only the over-allocation, the over-withdrawal and the stale
    form expect a refusal; everything else must succeed.
    """

    def __init__(self):
        # Each example starts from the same database: its rows are rolled back in ``teardown``. Without this, the
        # rows of earlier examples would change what later ones meet and Hypothesis could not replay a failure.
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

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
