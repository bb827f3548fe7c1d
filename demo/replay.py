"""A campaign replayed through the services its users go through, each step at its date in the calendar
(``demo.clock``), and only the steps whose date has come: a demo loaded in November shows the campaign in
progress notified and its September summaries transmitted, not its May review; nothing of a past campaign is
dated today, and no envelope of a campaign is notified before its June.

The steps, for a school year starting in ``year`` (DGER, the regions, the heads):

- late April: DGER creates the campaign (the note is published); late May: two regions set their own earlier
  request deadline, DGER fixes the regional envelopes, then notifies them on the envelopes date (early June);
- May to 12 July: each head starts, saves and deposits the Annexe 1 (its PDF frozen by the deposit); a few are
  sent back to be completed and deposited again, a few withdrawn, one deposited after an extension; every
  Monday the regions put the new deposits under review;
- early August: each region refuses a few requests and shares its envelope with the allocation assistant; then
  notifies its decisions (letters built and stored), one region a few days late;
- late September: the September summaries transmitted (one region late); January: a supplementary delegation;
- April–May: the heads file their usage reports (a few never do); late May: each region writes its synthesis
  and transmits its May review (one late); June: DGER builds the two national documents.
"""

import datetime
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from accounts.models import Establishment, Region
from allocations import services as allocations
from allocations.apportion import apportion
from allocations.assistant import propose
from allocations.models import Envelope
from campaigns import services as campaigns
from campaigns.models import Campaign
from demo import clock, texts
from reports import jobs
from reports import services as reports
from reports.models import PdfJob
from requests_app import services as requests
from requests_app import usage_services as usage
from requests_app.models import Request, UsageReport

PARIS = ZoneInfo("Europe/Paris")
REGIONAL_DATES = {"28": (7, 5), "76": (7, 8)}  # Normandie and Occitanie close their deposits earlier
LATE_NOTIFICATION = "03"  # Guyane notifies its decisions a few days after 23 August
LATE_SUMMARY = "94"  # Corse transmits its September summary in October
LATE_REVIEW = "06"  # Mayotte transmits its May review in June
EXTENDED_REGION = "53"  # Bretagne grants one establishment an extension
HELD = {"0350700W"}  # in the campaign of the year, left « déposée » for the regional journey of the demo
NOT_STARTED = {"0350940G"}  # in the campaign of the year, left to the demo head to start


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def current_year(today: datetime.date) -> int:
    """The school year whose campaign is under way: the note is published in late April."""
    return today.year if today >= datetime.date(today.year, 4, 24) else today.year - 1


@dataclass
class Timeline:
    """Steps ``(moment, action)`` run in date order, each at its moment; those after ``until`` are dropped."""

    until: datetime.datetime
    steps: list = field(default_factory=list)

    def add(self, moment: datetime.datetime, action, *args) -> None:
        if moment <= self.until:
            self.steps.append((moment, len(self.steps), action, args))

    def run(self, log=None) -> None:
        month = None
        for moment, _order, action, args in sorted(self.steps, key=lambda step: step[:2]):
            if log and (moment.year, moment.month) != month:
                month = (moment.year, moment.month)
                log(f"  … {moment:%m/%Y}")
            with clock.moved_to(moment):
                action(*args)


class CampaignReplay:
    def __init__(self, year: int, cast, timeline: Timeline, is_current: bool, volume: int):
        self.year = year
        self.volume = volume
        self.cast = cast
        self.timeline = timeline
        self.is_current = is_current
        self.calendar = Campaign.default_calendar(year)
        self.campaign = None
        self.regions = list(Region.objects.order_by("code"))
        self.establishments = list(Establishment.objects.select_related("region").order_by("uai"))

    # --- The plan ---------------------------------------------------------------------------------------

    def plan(self) -> None:
        y, add = self.year, self.timeline.add
        add(at(datetime.date(y, 4, 24), 9, 30), self.create)
        for code, (month, day) in REGIONAL_DATES.items():
            add(at(datetime.date(y, 5, 20), 11), self.regional_deadline, code, datetime.date(y, month, day))
        add(at(datetime.date(y, 5, 28), 15), self.set_envelopes)
        add(at(self.calendar["envelopes_date"], 10), self.notify_envelopes)
        extended = self._extended_establishment()
        for establishment in self.establishments:
            self._plan_request(establishment, extended)
        deadline = self.calendar["request_deadline"]
        monday = datetime.date(y, 5, 13)
        monday += datetime.timedelta(days=(-monday.weekday()) % 7)
        while monday <= deadline + datetime.timedelta(days=14):
            add(at(monday, 9), self.weekly_review)
            monday += datetime.timedelta(days=7)
        for index, region in enumerate(self.regions):
            add(at(datetime.date(y, 8, 6 + index % 6), 14), self.decide, region)
            notified = (
                datetime.date(y, 8, 27) if region.code == LATE_NOTIFICATION else datetime.date(y, 8, 18 + index % 5)
            )
            add(at(notified, 11), self.notify_decisions, region)
            summary = datetime.date(y, 10, 6) if region.code == LATE_SUMMARY else datetime.date(y, 9, 19 + index % 10)
            add(at(summary, 10), self.transmit, region, "repartition")
            add(at(datetime.date(y + 1, 5, 26), 9), self.synthesis, region)
            review = (
                datetime.date(y + 1, 6, 5) if region.code == LATE_REVIEW else datetime.date(y + 1, 5, 27 + index % 4)
            )
            add(at(review, 16), self.transmit, region, "qualitatif")
        add(at(datetime.date(y + 1, 1, 14)), self.supplement, "53")
        for establishment in self.establishments:
            self._plan_usage_report(establishment)
        add(at(datetime.date(y + 1, 6, 12)), self.national_documents)

    def _extended_establishment(self):
        candidates = [
            e for e in self.establishments if e.region.code == EXTENDED_REGION and e.pk not in self._demo_heads()
        ]
        return random.Random(f"hse-demo-extension-{self.year}").choice(candidates) if candidates else None

    def _demo_heads(self) -> set:
        return {e_id for e_id, head in self.cast.heads.items() if head.has_usable_password()}

    def _deadline(self, establishment) -> datetime.date:
        month_day = REGIONAL_DATES.get(establishment.region.code)
        return datetime.date(self.year, *month_day) if month_day else self.calendar["request_deadline"]

    def _plan_request(self, establishment, extended) -> None:
        rng = random.Random(f"hse-demo-request-{self.year}-{establishment.uai}")
        if self.is_current and establishment.uai in NOT_STARTED:
            return
        if rng.random() < 0.12 and establishment.uai not in HELD:
            return  # no request this year
        deadline = self._deadline(establishment)
        deposit = deadline - datetime.timedelta(days=int(rng.betavariate(1.2, 2.5) * 55))
        if establishment.uai in HELD:
            deposit = datetime.date(self.year, 5, 20)
        start = max(deposit - datetime.timedelta(days=rng.randint(3, 25)), datetime.date(self.year, 4, 27))
        add = self.timeline.add
        add(at(start, rng.randint(8, 17), rng.randint(0, 59)), self.start_request, establishment, rng.random())
        if establishment == extended:
            add(at(deadline + datetime.timedelta(days=1), 9, 15), self.extension, establishment, deadline)
            add(at(deadline + datetime.timedelta(days=4), 16), self.deposit, establishment)
            return
        roll = rng.random()
        if roll < 0.04 and establishment.uai not in HELD:
            return  # a draft never deposited
        add(at(deposit, rng.randint(8, 18), rng.randint(0, 59)), self.deposit, establishment)
        if roll < 0.06:
            add(at(deposit + datetime.timedelta(days=2), 10), self.withdraw, establishment)
        elif roll < 0.09 and deposit <= deadline - datetime.timedelta(days=10):
            add(at(deposit + datetime.timedelta(days=4), 14), self.send_back, establishment)
            add(at(deposit + datetime.timedelta(days=7), 11), self.deposit_again, establishment)

    def _plan_usage_report(self, establishment) -> None:
        rng = random.Random(f"hse-demo-usage-{self.year}-{establishment.uai}")
        roll = rng.random()
        if roll < 0.06:
            return  # never filed
        start = datetime.date(self.year + 1, 4, 7) + datetime.timedelta(days=rng.randint(0, 30))
        self.timeline.add(at(start, rng.randint(8, 17)), self.start_usage_report, establishment)
        if roll >= 0.10:
            deposit = min(start + datetime.timedelta(days=rng.randint(1, 20)), datetime.date(self.year + 1, 5, 30))
            self.timeline.add(at(deposit, rng.randint(8, 18)), self.deposit_usage_report, establishment)

    # --- DGER ---------------------------------------------------------------------------------------------

    def create(self) -> None:
        values = {"start_year": self.year, **self.calendar, "weeks_per_year": 36, "national_volume": self.volume}
        self.campaign = campaigns.create_campaign(self.cast.dger, values)

    def set_envelopes(self) -> None:
        counts = {r.pk: 0 for r in self.regions}
        for establishment in self.establishments:
            counts[establishment.region_id] += 1
        # DGER keeps 3 % in reserve for supplementary delegations during the year.
        shares = apportion(self.campaign.national_volume * 97 // 100, counts)
        allocations.set_initial_envelopes(self.cast.dger, self.campaign, shares)

    def notify_envelopes(self) -> None:
        allocations.notify_envelopes(self.cast.dger, self.campaign)

    def supplement(self, code: str) -> None:
        """Half of the 3 % DGER kept in reserve goes to one region in January."""
        hours = self.campaign.national_volume * 3 // 200 // 10 * 10
        envelope = Envelope.objects.get(campaign=self.campaign, region__code=code)
        allocations.add_movement(
            self.cast.dger,
            envelope,
            "supplement",
            hours,
            datetime.date(self.year + 1, 1, 14),
            "Délégation complémentaire de janvier : effectifs en hausse en seconde professionnelle.",
        )

    def national_documents(self) -> None:
        for document in jobs.DOCUMENTS:
            job = PdfJob.objects.create(document=document, campaign=self.campaign, requested_by=self.cast.dger)
            jobs.run(job.pk)

    # --- Regions ------------------------------------------------------------------------------------------

    def _staff(self, region):
        return self.cast.staff[region.pk]

    def regional_deadline(self, code: str, date: datetime.date) -> None:
        region = next(r for r in self.regions if r.code == code)
        campaigns.set_regional_deadline(
            self._staff(region), self.campaign, region, date, "Commission régionale d'examen des demandes mi-juillet."
        )

    def weekly_review(self) -> None:
        """Each Monday, each region puts the requests deposited since under review."""
        deposited = Request.objects.filter(campaign=self.campaign, status=Request.Status.SUBMITTED).select_related(
            "establishment"
        )
        if self.is_current:
            deposited = deposited.exclude(establishment__uai__in=HELD)
        by_region = {}
        for request in deposited:
            by_region.setdefault(request.establishment.region_id, []).append(request)
        for region_id, region_requests in by_region.items():
            allocations.start_review(self.cast.staff[region_id], region_requests)

    def extension(self, establishment, deadline) -> None:
        requests.grant_extension(
            self._staff(establishment.region),
            establishment,
            self.campaign,
            deadline + datetime.timedelta(days=7),
            "Dossier retardé par l'absence de la direction ; délai d'une semaine.",
        )

    def send_back(self, establishment) -> None:
        request = self._request(establishment)
        if request.status in (Request.Status.SUBMITTED, Request.Status.UNDER_REVIEW):
            requests.return_for_completion(
                self._staff(establishment.region),
                request,
                "Précisez les modalités d'évaluation (section 5) : quels indicateurs suivrez-vous pour les élèves "
                "accompagnés ?",
            )

    def decide(self, region) -> None:
        """Refuse a few requests, then share the envelope among the others with the allocation assistant."""
        staff = self._staff(region)
        of_region = Request.objects.filter(campaign=self.campaign, establishment__region=region)
        allocations.start_review(staff, list(of_region.filter(status=Request.Status.SUBMITTED)))
        rng = random.Random(f"hse-demo-decide-{self.year}-{region.code}")
        under_review = list(
            of_region.filter(status=Request.Status.UNDER_REVIEW, decision__isnull=True)
            .select_related("campaign", "establishment")
            .order_by("establishment__sort_name")
        )
        kept = []
        for request in under_review:
            if rng.random() < 0.04:
                allocations.refuse(
                    staff,
                    request,
                    "Le projet décrit relève de l'aide aux devoirs collective et non de l'accompagnement individuel "
                    "prévu par la note de service.",
                    0,
                )
            else:
                kept.append(request)
        envelope = Envelope.objects.with_hours().get(campaign=self.campaign, region=region)
        proposals = {p.request.pk: p.hours for p in propose(envelope, kept).proposals}
        allocations.apply_assistant(
            staff,
            self.campaign,
            region,
            proposals,
            "Dotation fixée au prorata des heures demandées, dans la limite de l'enveloppe régionale.",
        )

    def notify_decisions(self, region) -> None:
        # Each letter is built and e-mailed by its task, run in line once the notification has committed.
        allocations.notify_decisions(self._staff(region), self.campaign, region)

    def transmit(self, region, kind: str) -> None:
        reports.transmit(self._staff(region), kind, self.campaign, region)

    def synthesis(self, region) -> None:
        reports.save_review(self._staff(region), self.campaign, region, texts.SYNTHESES, 0)

    # --- Heads --------------------------------------------------------------------------------------------

    def _request(self, establishment):
        return Request.objects.select_related("campaign", "establishment__region").get(
            campaign=self.campaign, establishment=establishment
        )

    def start_request(self, establishment, seed: float) -> None:
        head = self.cast.heads[establishment.pk]
        request = requests.start_request(head, establishment, self.campaign)
        values = texts.request_values(random.Random(seed), establishment, head.full_name)
        requests.save_draft(head, request, values, request.version)

    def deposit(self, establishment) -> None:
        request = self._request(establishment)
        requests.submit_request(self.cast.heads[establishment.pk], request, request.version)

    def withdraw(self, establishment) -> None:
        requests.withdraw_request(
            self.cast.heads[establishment.pk], self._request(establishment), "Projet reporté à l'an prochain."
        )

    def deposit_again(self, establishment) -> None:
        head = self.cast.heads[establishment.pk]
        request = self._request(establishment)
        if request.status != Request.Status.TO_COMPLETE:
            return
        request = requests.save_draft(
            head,
            request,
            {"evaluation": request.evaluation + " Indicateurs suivis : assiduité, résultats trimestriels."},
            request.version,
        )
        requests.submit_request(head, request, request.version)

    def start_usage_report(self, establishment) -> None:
        request = Request.objects.filter(campaign=self.campaign, establishment=establishment).first()
        if request is None or request.notified_allocation is None:
            return
        head = self.cast.heads[establishment.pk]
        report = usage.start_usage_report(head, request)
        rng = random.Random(f"hse-demo-usage-values-{self.year}-{establishment.uai}")
        usage.save_usage_report(head, report, texts.usage_values(rng, request.decision), report.version)

    def deposit_usage_report(self, establishment) -> None:
        report = UsageReport.objects.filter(
            request__campaign=self.campaign, request__establishment=establishment
        ).first()
        if report is not None:
            usage.submit_usage_report(self.cast.heads[establishment.pk], report, report.version)
