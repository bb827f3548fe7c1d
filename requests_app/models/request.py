"""The Annexe 1 request of one establishment for one campaign, its deposits, extensions and history."""

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone

from accounts.models import Establishment
from accounts.scoping import visible_establishments_q
from campaigns.models import Campaign
from core.aggregates import total, total_decimal
from requests_app import lifecycle
from requests_app.models.annexe import AXES, AXIS_SHORT_LABELS, LEVEL_KEYS, LEVELS, sum_of_levels


class RequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A head sees their establishments' requests; regional staff and DGER see those of their scope
        that have been submitted at least once (a draft stays private to its establishment)."""
        queryset = self.filter(visible_establishments_q(user, prefix="establishment__"))
        if not (user.is_authenticated and user.is_establishment_staff):
            queryset = queryset.exclude(status=lifecycle.Status.DRAFT)
        return queryset

    def counted(self):
        """The requests a region deals with and that count in the totals: deposited at least once, and not
        withdrawn."""
        return self.filter(status__in=lifecycle.COUNTED)

    def requested_weekly(self):
        """HSE per week asked by these requests, summed by the database (0 when there are none)."""
        return self.aggregate(weekly=total_decimal("hse_total_weekly"))["weekly"]

    def with_notified_allocation(self):
        """Requests whose decision grants hours and was notified: those owing a usage report."""
        return self.filter(decision__outcome=lifecycle.Outcome.ALLOCATED, decision__notified_at__isnull=False)

    def deposited(self):
        """Deposited at least once (withdrawn ones included): what the lists and reports show."""
        return self.exclude(status=lifecycle.Status.DRAFT)

    @staticmethod
    def granted(field: str = "total"):
        """Hours granted by the requests' decisions, summed by the database (refusals grant none; 0 when there are
        none), for a grouped ``annotate`` or an ``aggregate`` over requests: the decisions' ``total``, or one
        level's hours (``field="hours_cap"``). The sum ``DecisionQuerySet.hours`` gives, seen from the requests
        (a decision exists only on a deposited request)."""
        return total(f"decision__{field}", filter=models.Q(decision__outcome=lifecycle.Outcome.ALLOCATED))

    @staticmethod
    def work_sums() -> dict:
        """The sums behind ``work_by_region``, for a query grouped by (at least) campaign, region and state:
        ``last_notified`` (when the last decision was notified), ``reports_due`` (notified allocations, owing a
        usage report) and ``reports_missing`` (those without a deposited one). A board that already groups the
        requests adds them to its own query and folds its rows with ``fold_work`` (one scan instead of two)."""
        owing = models.Q(decision__outcome=lifecycle.Outcome.ALLOCATED, decision__notified_at__isnull=False)
        missing = owing & models.Q(usage_report__submitted_at__isnull=True)  # none, or a draft
        return {
            "last_notified": models.Max("decision__notified_at"),
            "reports_due": models.Count("pk", filter=owing),
            "reports_missing": models.Count("pk", filter=missing),
        }

    def work_by_region(self) -> dict:
        """What the regions still have to do on these requests, per ``(campaign id, region id)``, in one grouped
        query: ``awaiting`` a decision (deposited or under review), ``to_complete`` (sent back), ``to_notify``
        (decided, not notified), and the ``work_sums``. The inputs of the deadlines watched by
        ``campaigns.calendar``."""
        rows = (
            self.counted()
            .values("campaign_id", "establishment__region_id", "status")
            .annotate(n=models.Count("pk"), **self.work_sums())
            .order_by()
        )
        return fold_work(rows)

    def filtered(self, params):
        """The list filters, from query parameters: ``statut``, ``niveau`` (ticked or asked), ``secteur``
        (public/private), ``reseau`` (a network, or ``a-preciser`` for those not stated), ``region`` (code) and ``q``
        (name, UAI or commune). Unknown values are ignored, so a hand-edited address never errs."""
        queryset = self
        status = params.get("statut", "")
        if status in Request.Status.values:
            queryset = queryset.filter(status=status)
        level = params.get("niveau", "")
        if level in LEVEL_KEYS:
            queryset = queryset.filter(models.Q(**{f"level_{level}": True}) | models.Q(**{f"hse_{level}__gt": 0}))
        sector = params.get("secteur", "")
        if sector in Establishment.Status.values:
            queryset = queryset.filter(establishment__status=sector)
        network = params.get("reseau", "")
        if network == Establishment.NETWORK_UNKNOWN_FILTER:
            queryset = queryset.filter(establishment__network=Establishment.Network.UNKNOWN)
        elif network and network in Establishment.Network.values:
            queryset = queryset.filter(establishment__network=network)
        region = params.get("region", "")
        if region:
            queryset = queryset.filter(establishment__region__code=region)
        text = params.get("q", "").strip()
        if text:
            queryset = queryset.filter(
                models.Q(establishment__name__icontains=text)
                | models.Q(establishment__uai__iexact=text)
                | models.Q(establishment__commune__icontains=text)
            )
        return queryset

    LONG_TEXTS = (
        "contact_details",
        "project",
        "needs",
        "articulation",
        "disciplines",
        "roles",
        "objectives",
        "evaluation",
    )

    def figures_only(self):
        """Leave the long texts of the Annexe 1 in the database: lists and tables only show figures."""
        return self.defer(*self.LONG_TEXTS)

    def list_rows(self, **extra):
        """What a row of a long list shows, as plain dicts rather than model instances (building a request, its
        establishment, region and campaign per row was a third of the request list's time): ``pk``, ``status``,
        ``submitted_at``, ``hse_total_weekly``, ``requested_annual``, and the establishment's ``name``, ``uai``,
        ``commune`` and ``region`` (name); ``extra``: more named expressions, as for ``values``."""
        return self.with_annual().values(
            "pk",
            "status",
            "submitted_at",
            "hse_total_weekly",
            "requested_annual",
            name=models.F("establishment__name"),
            uai=models.F("establishment__uai"),
            commune=models.F("establishment__commune"),
            region=models.F("establishment__region__name"),
            **extra,
        )

    def with_annual(self):
        """Annotate the requested annual hours (weekly total × the campaign's weeks)."""
        return self.annotate(requested_annual=Campaign.annual_hours_expression("hse_total_weekly"))


def fold_work(rows) -> dict:
    """``{(campaign id, region id): figures}`` from rows grouped by campaign, region and state carrying ``n`` and
    the ``RequestQuerySet.work_sums``; withdrawn and draft requests are left out (they are nobody's work)."""
    result = {}
    for row in rows:
        status = row["status"]
        if status not in lifecycle.COUNTED:
            continue
        figures = result.setdefault(
            (row["campaign_id"], row["establishment__region_id"]),
            {
                "awaiting": 0,
                "to_complete": 0,
                "to_notify": 0,
                "last_notified": None,
                "reports_due": 0,
                "reports_missing": 0,
            },
        )
        if status in lifecycle.AWAITING_DECISION:
            figures["awaiting"] += row["n"]
        elif status == lifecycle.Status.TO_COMPLETE:
            figures["to_complete"] += row["n"]
        elif status in lifecycle.DECIDED:
            figures["to_notify"] += row["n"]
        if row["last_notified"] and (
            figures["last_notified"] is None or row["last_notified"] > figures["last_notified"]
        ):
            figures["last_notified"] = row["last_notified"]
        figures["reports_due"] += row["reports_due"]
        figures["reports_missing"] += row["reports_missing"]
    return result


class Request(models.Model):
    """One establishment's Annexe 1 for one campaign."""

    Status = lifecycle.Status  # the states and their labels, declared with the transitions

    # What the head fills in the Annexe 1 (everything else is set by the workflow).
    FORM_FIELDS = (
        "head_name",
        "contact_details",
        "contact_email",
        "project",
        "needs",
        "pupils_count",
        "articulation",
        "intervenants_count",
        *(f"level_{key}" for key in LEVEL_KEYS),
        "disciplines",
        "roles",
        "objectives",
        "evaluation",
        *(f"axis_{key}" for key, _label in AXES),
        *(f"hse_{key}" for key in LEVEL_KEYS),
    )

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="requests", verbose_name="campagne")
    establishment = models.ForeignKey(
        "accounts.Establishment", on_delete=models.PROTECT, related_name="requests", verbose_name="établissement"
    )
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    version = models.PositiveIntegerField("version", default=1)
    reference = models.CharField("référence", max_length=32, unique=True)

    # 1 - Identification (contact fields editable; region, name and address come from the establishment)
    head_name = models.CharField("Nom du/de la chef(fe) d'établissement", max_length=150, blank=True)
    contact_details = models.TextField("Coordonnées", blank=True)
    contact_email = models.EmailField("@", blank=True)

    project = models.TextField("1 - Présentation du projet pédagogique de l'établissement", blank=True)
    needs = models.TextField("2bis - Besoins ciblés", blank=True)
    pupils_count = models.PositiveIntegerField("Nombre d'élèves concernés", null=True, blank=True)
    articulation = models.TextField("2 - Articulation des initiatives d'appui personnalisé", blank=True)
    intervenants_count = models.PositiveSmallIntegerField("Nombre d'intervenants impliqués", null=True, blank=True)
    level_cap = models.BooleanField("CAP agricole", default=False)
    level_bac_pro = models.BooleanField("Baccalauréat professionnel", default=False)
    level_bac_gt = models.BooleanField("Baccalauréat général et/ou technologique", default=False)
    level_sup = models.BooleanField("Supérieur court", default=False)
    disciplines = models.TextField("Disciplines", blank=True)
    roles = models.TextField("Rôle et activités des intervenants", blank=True)
    objectives = models.TextField(
        "4 - Objectifs spécifiques à l'appui personnalisé nécessitant la dotation complémentaire en HSE demandée",
        blank=True,
    )
    evaluation = models.TextField("5 - Modalités d'évaluation des initiatives d'appui personnalisé prévues", blank=True)
    axis_methodological = models.BooleanField(AXIS_SHORT_LABELS["methodological"], default=False)
    axis_civic = models.BooleanField(AXIS_SHORT_LABELS["civic"], default=False)
    axis_dropout = models.BooleanField(AXIS_SHORT_LABELS["dropout"], default=False)

    # 6 - Demande de l'établissement, in HSE per week
    hse_cap = models.DecimalField("HSE/semaine, CAP agricole", max_digits=4, decimal_places=1, null=True, blank=True)
    hse_bac_pro = models.DecimalField(
        "HSE/semaine, baccalauréat professionnel", max_digits=4, decimal_places=1, null=True, blank=True
    )
    hse_bac_gt = models.DecimalField(
        "HSE/semaine, baccalauréat général et/ou technologique", max_digits=4, decimal_places=1, null=True, blank=True
    )
    hse_sup = models.DecimalField("HSE/semaine, supérieur court", max_digits=4, decimal_places=1, null=True, blank=True)
    hse_total_weekly = models.GeneratedField(
        expression=sum_of_levels("hse_", max_digits=4),
        output_field=models.DecimalField(max_digits=5, decimal_places=1),
        db_persist=True,
        verbose_name="total HSE/semaine",
    )

    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="modifiée par"
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-campaign__start_year", "establishment__sort_name"]
        verbose_name = "demande"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "establishment"], name="one_request_per_establishment_and_campaign"
            )
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return f"{self.reference} — {self.establishment.name}"

    @staticmethod
    def make_reference(campaign, establishment) -> str:
        return f"HSE-{campaign.start_year}-{establishment.uai}"

    def weekly(self, level: str):
        return getattr(self, f"hse_{level}")

    def level_ticked(self, level: str) -> bool:
        return getattr(self, f"level_{level}")

    def level_rows(self):
        """Per level: label, ticked, weekly and annual figures (as shown on every screen and PDF)."""
        rows = []
        for key, label in LEVELS:
            weekly = self.weekly(key)
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "ticked": self.level_ticked(key),
                    "weekly": weekly,
                    "annual": self.campaign.annual_hours(weekly),
                }
            )
        return rows

    @property
    def total_weekly(self):
        return sum((self.weekly(key) or Decimal(0) for key in LEVEL_KEYS), Decimal(0))

    @property
    def total_annual(self):
        return self.campaign.annual_hours(self.total_weekly)

    @property
    def ticked_levels(self):
        return [label for key, label in LEVELS if self.level_ticked(key)]

    @property
    def ticked_axes(self):
        return [label for key, label in AXES if getattr(self, f"axis_{key}")]

    @property
    def is_editable(self) -> bool:
        return self.status in lifecycle.EDITABLE

    @property
    def current_decision(self):
        """The region's decision (``Decision``), or None when there is none yet."""
        try:
            return self.decision
        except ObjectDoesNotExist:
            return None

    @property
    def usage_report_or_none(self):
        try:
            return self.usage_report
        except ObjectDoesNotExist:
            return None

    @property
    def notified_decision(self):
        """The decision once notified to the establishment, else None (the region may still change it)."""
        decision = self.current_decision
        return decision if decision and decision.notified_at else None

    @property
    def notified_allocation(self):
        """The notified decision when it grants hours (what a usage report accounts for), else None."""
        decision = self.notified_decision
        return decision if decision and decision.is_allocation else None


class Extension(models.Model):
    """A later request deadline granted by the region to one establishment for one campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="extensions", verbose_name="campagne")
    establishment = models.ForeignKey(
        "accounts.Establishment", on_delete=models.CASCADE, related_name="extensions", verbose_name="établissement"
    )
    until = models.DateField("nouvelle date limite de dépôt")
    reason = models.TextField("motif", blank=True)
    granted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="accordé par"
    )
    granted_at = models.DateTimeField("accordé le", default=timezone.now)

    class Meta:
        verbose_name = "délai supplémentaire"
        verbose_name_plural = "délais supplémentaires"
        constraints = [models.UniqueConstraint(fields=["campaign", "establishment"], name="one_extension_per_campaign")]

    def __str__(self):
        return f"Délai jusqu'au {self.until:%d/%m/%Y} — {self.establishment}"


class Submission(models.Model):
    """Each deposit of a request, with the PDF as submitted (stored, hashed, never rebuilt)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="submissions", verbose_name="demande")
    number = models.PositiveSmallIntegerField("dépôt n°")
    submitted_at = models.DateTimeField("déposée le")
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="par")
    pdf = models.FileField("PDF", upload_to="demandes/%Y/")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    verification_code = models.CharField(
        "code de vérification", max_length=8, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["request", "-number"]
        verbose_name = "dépôt"
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="unique_submission_number")]

    def __str__(self):
        return f"{self.request.reference} — dépôt n° {self.number}"


class RequestEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The State's staff read the whole history; the establishment only the entries shared with it (never
        the authority's decisions before notification, its figures or its internal reasons)."""
        if lifecycle.sees_decisions_before_notification(user):
            return self
        return self.filter(audience=lifecycle.Audience.SHARED)


class RequestEvent(models.Model):
    """The request's history: every change of state, decision and notification, with who and when, and who may
    read it (``audience``, set where the entry is recorded)."""

    Action = lifecycle.Action
    Audience = lifecycle.Audience

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events", verbose_name="demande")
    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="par"
    )
    action = models.CharField("action", max_length=24, choices=Action.choices)
    from_status = models.CharField("état avant", max_length=16, choices=Request.Status.choices, blank=True)
    to_status = models.CharField("état après", max_length=16, choices=Request.Status.choices, blank=True)
    message = models.TextField("message", blank=True)
    data = models.JSONField("détails", default=dict, blank=True)
    # Internal unless said otherwise: an entry recorded without thought never reaches the establishment.
    audience = models.CharField(
        "lecteurs", max_length=8, choices=lifecycle.Audience.choices, default=lifecycle.Audience.INTERNAL
    )

    objects = RequestEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "événement"

    def __str__(self):
        return f"{self.get_action_display()} — {self.at:%d/%m/%Y %H:%M}"
