"""What each role has to do next, with its own deadlines: the heart of the home pages.

- a head: deposit each establishment's request by its own date (12 July, the region's earlier date, or the
  extension granted), later file the usage report (May);
- regional staff: their region's decisions notified by 23 August, the September summary by 30 September, the
  May review by 31 May (late work says by how many days);
- DGER: the regional envelopes notified in early June, the regions' notifications and reports to receive.

Each builder runs a fixed number of queries, whatever the number of establishments, requests and regions.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import Region
from allocations.models import Envelope
from campaigns.calendar import State, Watch
from campaigns.models import Campaign, RegionalDeadline
from core.formatting import count
from reports.lateness import regions_work
from requests_app import lifecycle
from requests_app.deadlines import submission_deadline
from requests_app.models import Extension, Request


@dataclass
class Task:
    """One deadline of the user's, and what is left to do for it."""

    label: str
    due: datetime.date
    campaign: Campaign
    left: list[str] = field(default_factory=list)  # what remains, in words; empty when done
    note: str = ""  # where the date comes from, who it concerns
    url: str = ""
    link: str = ""
    watch: Watch | None = None  # lateness, for the deadlines watched by campaigns.calendar
    info: bool = False  # someone else's step, shown for information (the decision awaited by a head)

    @property
    def done(self) -> bool:
        """Nothing left; for a watched deadline, what ``campaigns.calendar`` says (done on time or late)."""
        if self.watch is not None:
            return self.watch.state in (State.ON_TIME, State.DONE_LATE)
        return self.info or not self.left

    def days_left(self, today) -> int:
        return (self.due - today).days

    @property
    def late(self) -> bool:
        return self.watch is not None and self.watch.is_late


@dataclass
class Agenda:
    today: datetime.date
    tasks: list[Task]

    @property
    def coming(self) -> list[Task]:
        """Other people's steps ahead, for information."""
        return sorted((t for t in self.tasks if t.info and t.due >= self.today), key=lambda t: t.due)

    @property
    def open(self) -> list[Task]:
        return sorted((t for t in self.tasks if not t.done), key=lambda t: (t.due, t.label))

    @property
    def late(self) -> list[Task]:
        return [t for t in self.open if t.due < self.today]

    @property
    def next(self) -> Task | None:
        """The user's own next deadline: the first one still ahead with something left to do."""
        return next((t for t in self.open if t.due >= self.today), None)

    @property
    def next_days_left(self) -> int | None:
        return self.next.days_left(self.today) if self.next else None


# --- Heads ------------------------------------------------------------------------------------------------


def head_agenda(user, campaigns, today) -> Agenda:
    establishments = list(user.establishments.select_related("region").order_by("sort_name"))
    ids = [e.pk for e in establishments]
    requests = {
        (r.campaign_id, r.establishment_id): r
        for r in Request.objects.filter(campaign__in=campaigns, establishment_id__in=ids).select_related(
            "decision", "usage_report"
        )
    }
    extensions = {
        (e.campaign_id, e.establishment_id): e
        for e in Extension.objects.filter(campaign__in=campaigns, establishment_id__in=ids)
    }
    regionals = RegionalDeadline.objects.filter(
        campaign__in=campaigns, region__in={e.region_id for e in establishments}
    ).by_campaign_and_region()
    several = len(establishments) > 1
    tasks = []
    for campaign in campaigns:
        for establishment in establishments:
            request = requests.get((campaign.pk, establishment.pk))
            deadline = submission_deadline(
                campaign,
                establishment,
                extensions.get((campaign.pk, establishment.pk)),
                regionals.get((campaign.pk, establishment.region_id)),
            )
            tasks.extend(_head_tasks(campaign, establishment, request, deadline, today, several))
    return Agenda(today, tasks)


def _head_tasks(campaign, establishment, request, deadline, today, several):
    who = f"{establishment.name} — " if several else ""
    if deadline.extension:
        source = "délai accordé par la DRAAF-SRFD"
    elif deadline.regional:
        source = f"date fixée par la {establishment.region.authority_short}"
    else:
        source = "date nationale"
    status = request.status if request else None
    deposited = request is not None and status not in lifecycle.EDITABLE and status != lifecycle.Status.WITHDRAWN
    if today <= deadline.date or deposited:
        left = []
        if request is None:
            left, url, link = ["demande à commencer"], reverse("requests:list"), "Commencer la demande"
        elif status == lifecycle.Status.TO_COMPLETE:
            left = ["demande renvoyée à compléter par la DRAAF-SRFD : à déposer de nouveau"]
            url, link = reverse("requests:edit", args=[request.pk]), "Compléter la demande"
        elif status == lifecycle.Status.DRAFT:
            left = ["brouillon à compléter et à déposer"]
            url, link = reverse("requests:edit", args=[request.pk]), "Continuer la demande"
        elif status == lifecycle.Status.WITHDRAWN:
            left = ["demande retirée : la reprendre pour la déposer"]
            url, link = reverse("requests:detail", args=[request.pk]), "Voir la demande"
        else:
            url, link = reverse("requests:detail", args=[request.pk]), "Voir la demande"
        yield Task(
            f"{who}Déposer la demande (Annexe 1) de la campagne {campaign.label}",
            deadline.date,
            campaign,
            left,
            note=source,
            url=url,
            link=link,
        )
    if deposited and request.notified_decision is None and status != lifecycle.Status.WITHDRAWN:
        yield Task(
            f"{who}Décision de la DRAAF-SRFD sur la demande {campaign.label}",
            campaign.allocation_deadline,
            campaign,
            note="attendue au plus tard à cette date",
            url=reverse("requests:detail", args=[request.pk]),
            link="Voir la demande",
            info=True,
        )
    if request is not None and request.notified_allocation is not None:
        report = request.usage_report_or_none
        submitted = report is not None and report.submitted_at is not None
        left = [] if submitted else ["bilan en brouillon" if report else "bilan à rédiger"]
        yield Task(
            f"{who}Déposer le bilan d'utilisation des HSE {campaign.label}",
            campaign.review_deadline,
            campaign,
            left,
            note=f"dotation de {request.decision.total} h",
            url=reverse("requests:detail", args=[request.pk]),
            link="Voir le bilan" if submitted else "Rédiger le bilan",
        )


# --- Regional staff ---------------------------------------------------------------------------------------


def regional_agenda(user, campaigns, today) -> Agenda:
    region = user.region
    work = regions_work(campaigns, [region.pk], today)
    tasks = []
    for campaign in campaigns:
        w = work[(campaign.pk, region.pk)]
        left = []
        if w.awaiting:
            left.append(count(w.awaiting, "demande à décider", "demandes à décider"))
        if w.to_complete:
            left.append(count(w.to_complete, "demande renvoyée à compléter", "demandes renvoyées à compléter"))
        if w.to_notify:
            left.append(count(w.to_notify, "décision à notifier", "décisions à notifier"))
        allocation = w.watch("allocation_deadline")
        if not left and allocation.state is State.NOT_DUE:
            left.append("aucune demande à décider pour l'instant")
        tasks.append(
            Task(
                f"Notifier les décisions de la campagne {campaign.label}",
                campaign.allocation_deadline,
                campaign,
                left,
                url=f"{reverse('allocations:board')}?campagne={campaign.start_year}",
                link="Décider et notifier",
                watch=allocation,
            )
        )
        summary = w.watch("summary_deadline")
        tasks.append(
            Task(
                f"Transmettre le bilan de la répartition {campaign.label} à la DGER",
                campaign.summary_deadline,
                campaign,
                [] if w.summary_on else ["bilan de la répartition à transmettre"],
                note=f"transmis le {w.summary_on:%d/%m/%Y}" if w.summary_on else "",
                url=reverse("reports:summary", args=[campaign.start_year, region.code]),
                link="Préparer et transmettre le bilan de septembre",
                watch=summary,
            )
        )
        review = w.watch("review_deadline")
        left = []
        if not w.review_on:
            left.append("bilan qualitatif à transmettre")
            if w.reports_missing:
                missing = count(w.reports_missing, "bilan d'utilisation non déposé", "bilans d'utilisation non déposés")
                left.append(f"{missing} sur {w.reports_due}")
        tasks.append(
            Task(
                f"Transmettre le bilan qualitatif {campaign.label} à la DGER",
                campaign.review_deadline,
                campaign,
                left,
                note=f"transmis le {w.review_on:%d/%m/%Y}" if w.review_on else "",
                url=reverse("reports:review", args=[campaign.start_year, region.code]),
                link="Préparer et transmettre le bilan de mai",
                watch=review,
            )
        )
    return Agenda(today, tasks)


# --- DGER -------------------------------------------------------------------------------------------------


def national_agenda(campaigns, today) -> Agenda:
    regions = list(Region.objects.order_by("sort_name"))
    region_ids = [r.pk for r in regions]
    work = regions_work(campaigns, region_ids, today)
    envelopes = {
        row["campaign_id"]: row
        for row in Envelope.objects.filter(campaign__in=campaigns)
        .values("campaign_id")
        .annotate(n=Count("pk"), notified=Count("pk", filter=Q(notified_at__isnull=False)))
        .order_by()
    }
    tasks = []
    for campaign in campaigns:
        state = envelopes.get(campaign.pk, {"n": 0, "notified": 0})
        if state["n"] < len(regions):
            left = [count(len(regions) - state["n"], "enveloppe régionale à fixer", "enveloppes régionales à fixer")]
        elif state["notified"] < state["n"]:
            left = [count(state["n"] - state["notified"], "enveloppe à notifier", "enveloppes à notifier")]
        else:
            left = []
        tasks.append(
            Task(
                f"Notifier les enveloppes régionales {campaign.label}",
                campaign.envelopes_date,
                campaign,
                left,
                note="début juin",
                url=reverse("allocations:envelopes", args=[campaign.start_year]),
                link="Fixer et notifier les enveloppes",
            )
        )
        board = f"{reverse('reports:national_board')}?campagne={campaign.start_year}"
        for key, label, missing in (
            (
                "allocation_deadline",
                f"Décisions {campaign.label} notifiées par les régions",
                ("région n'a pas notifié toutes ses décisions", "régions n'ont pas notifié toutes leurs décisions"),
            ),
            (
                "summary_deadline",
                f"Bilans de la répartition {campaign.label} à recevoir",
                ("région n'a pas transmis son bilan", "régions n'ont pas transmis leur bilan"),
            ),
            (
                "review_deadline",
                f"Bilans qualitatifs {campaign.label} à recevoir",
                ("région n'a pas transmis son bilan", "régions n'ont pas transmis leur bilan"),
            ),
        ):
            watches = [work[(campaign.pk, region_id)].watch(key) for region_id in region_ids]
            outstanding = sum(1 for w in watches if w.outstanding)
            late = sum(1 for w in watches if w.is_late)
            left = [count(outstanding, *missing)] if outstanding else []
            tasks.append(
                Task(
                    label,
                    getattr(campaign, key),
                    campaign,
                    left,
                    note=count(late, "région en retard", "régions en retard") if late else "",
                    url=board,
                    link="Voir l'avancement des régions",
                )
            )
    return Agenda(today, tasks)
