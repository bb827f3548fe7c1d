import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Establishment
from accounts.scoping import visible_establishments_q


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    who: str
    date: datetime.date

    def days_left(self, today: datetime.date) -> int:
        return (self.date - today).days


class CampaignQuerySet(models.QuerySet):
    def in_progress(self, today=None):
        """Campaigns whose last step (the May review) is not yet past, oldest first."""
        today = today or timezone.localdate()
        return self.filter(review_deadline__gte=today).order_by("start_year")

    def accepting_requests(self, today=None):
        today = today or timezone.localdate()
        return self.filter(request_deadline__gte=today).order_by("start_year")


class Campaign(models.Model):
    """One school year of the scheme, with the calendar of the DGER note."""

    DEADLINE_FIELDS = (
        ("envelopes_date", "Notification des enveloppes régionales", "DGER"),
        ("request_deadline", "Transmission des demandes (Annexe 1) à la DRAAF-SRFD", "Établissements"),
        ("allocation_deadline", "Notification des dotations aux établissements", "DRAAF-SRFD"),
        ("summary_deadline", "Bilan de la répartition transmis à la DGER", "DRAAF-SRFD"),
        ("review_deadline", "Bilan qualitatif des usages transmis à la DGER", "DRAAF-SRFD"),
    )

    start_year = models.PositiveSmallIntegerField(
        "année de rentrée",
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="2024 pour la campagne 2024-2025",
    )
    envelopes_date = models.DateField("notification des enveloppes régionales (début juin)")
    request_deadline = models.DateField("date limite de transmission des demandes (12 juillet)")
    allocation_deadline = models.DateField("date limite de notification des dotations (23 août)")
    summary_deadline = models.DateField("date limite du bilan de la répartition (30 septembre)")
    review_deadline = models.DateField("date limite du bilan qualitatif (mai)")
    weeks_per_year = models.PositiveSmallIntegerField(
        "semaines par année scolaire",
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Une HSE par semaine sur l'année scolaire vaut ce nombre d'heures annuelles.",
    )
    national_volume = models.PositiveIntegerField("volume national (heures annuelles)", default=0)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-start_year"]
        verbose_name = "campagne"

    def __str__(self):
        return f"Campagne {self.label}"

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    @staticmethod
    def default_calendar(start_year: int) -> dict:
        """The calendar of note DGER/SDPFE/2024-250, for a school year starting in ``start_year``."""
        return {
            "envelopes_date": datetime.date(start_year, 6, 3),
            "request_deadline": datetime.date(start_year, 7, 12),
            "allocation_deadline": datetime.date(start_year, 8, 23),
            "summary_deadline": datetime.date(start_year, 9, 30),
            "review_deadline": datetime.date(start_year + 1, 5, 31),
        }

    def deadlines(self) -> list[Deadline]:
        return [Deadline(f, label, who, getattr(self, f)) for f, label, who in self.DEADLINE_FIELDS]

    def next_deadline(self, today=None) -> Deadline | None:
        today = today or timezone.localdate()
        return next((d for d in self.deadlines() if d.date >= today), None)

    def clean(self):
        errors = {}
        previous = None
        for field, label, _who in self.DEADLINE_FIELDS:
            value = getattr(self, field)
            if value is None:
                continue
            if previous and value < previous[1]:
                errors[field] = (
                    f"Cette date ({value:%d/%m/%Y}) doit être postérieure à celle de l'étape précédente "
                    f"« {previous[0]} » ({previous[1]:%d/%m/%Y})."
                )
            previous = (label, value)
        if self.start_year and self.request_deadline and self.request_deadline.year != self.start_year:
            errors.setdefault(
                "request_deadline",
                f"La date limite des demandes doit tomber en {self.start_year} pour la campagne {self.label}.",
            )
        if errors:
            raise ValidationError(errors)

    def annual_hours(self, weekly):
        """Annual equivalent of a weekly HSE figure."""
        return weekly * self.weeks_per_year


# --- Annexe 1 ---------------------------------------------------------------------------------------

LEVELS = (
    ("cap", "CAP agricole"),
    ("bac_pro", "Baccalauréat professionnel"),
    ("bac_gt", "Baccalauréat général et/ou technologique"),
    ("sup", "Supérieur court"),
)
LEVEL_LABELS = dict(LEVELS)
LEVEL_KEYS = tuple(key for key, _label in LEVELS)

AXES = (
    (
        "methodological",
        "Consolidation de compétences méthodologiques (lecture de consignes, gestion de la trace écrite, "
        "organisation du travail, autonomie, appropriation de l'outil documentaire…)",
    ),
    (
        "civic",
        "Consolidation de compétences civiques, sociales (ambition scolaire, citoyenneté, vie en société, "
        "respect d'autrui…)",
    ),
    (
        "dropout",
        "Élèves ou étudiants en situation de décrochage ou ayant accumulé des lacunes importantes dans leurs "
        "apprentissages",
    ),
)
AXIS_SHORT_LABELS = {
    "methodological": "Compétences méthodologiques",
    "civic": "Compétences civiques et sociales",
    "dropout": "Décrochage ou lacunes importantes",
}


def sum_of_levels(prefix: str, max_digits: int):
    """``prefix``cap + ``prefix``bac_pro + … with empty levels counted as 0 (a database expression)."""
    zero = models.Value(0, output_field=models.DecimalField(max_digits=max_digits, decimal_places=1))
    return (
        Coalesce(f"{prefix}cap", zero)
        + Coalesce(f"{prefix}bac_pro", zero)
        + Coalesce(f"{prefix}bac_gt", zero)
        + Coalesce(f"{prefix}sup", zero)
    )


class RequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A head sees their establishments' requests; regional staff and DGER see those of their scope
        that have been submitted at least once (a draft stays private to its establishment)."""
        queryset = self.filter(visible_establishments_q(user, prefix="establishment__"))
        if getattr(user, "role", None) != "head":
            queryset = queryset.exclude(status=Request.Status.DRAFT)
        return queryset

    def filtered(self, params):
        """The list filters, from query parameters: ``statut``, ``niveau`` (ticked or asked), ``secteur``
        (public/private), ``reseau``, ``region`` (code) and ``q`` (name, UAI or commune). Unknown values are
        ignored, so a hand-edited address never errs."""
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
        if network and network in Establishment.Network.values:
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

    def with_annual(self):
        """Annotate the requested annual hours (weekly total × the campaign's weeks)."""
        return self.annotate(
            requested_annual=models.ExpressionWrapper(
                models.F("hse_total_weekly") * models.F("campaign__weeks_per_year"),
                output_field=models.DecimalField(max_digits=8, decimal_places=1),
            )
        )


class Request(models.Model):
    """One establishment's Annexe 1 for one campaign."""

    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        SUBMITTED = "deposee", "Déposée"
        UNDER_REVIEW = "en_instruction", "En instruction"
        TO_COMPLETE = "a_completer", "À compléter"
        ALLOCATED = "attribuee", "Attribuée"
        REFUSED = "refusee", "Refusée"
        NOTIFIED = "notifiee", "Notifiée"
        WITHDRAWN = "retiree", "Retirée"

    EDITABLE = (Status.DRAFT, Status.TO_COMPLETE)
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
    PENDING_DECISION = (Status.SUBMITTED, Status.UNDER_REVIEW)

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
        ordering = ["-campaign__start_year", "establishment__name"]
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
        weeks = self.campaign.weeks_per_year
        rows = []
        for key, label in LEVELS:
            weekly = self.weekly(key)
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "ticked": self.level_ticked(key),
                    "weekly": weekly,
                    "annual": weekly * weeks if weekly is not None else None,
                }
            )
        return rows

    @property
    def total_weekly(self):
        return sum((self.weekly(key) or Decimal(0) for key in LEVEL_KEYS), Decimal(0))

    @property
    def total_annual(self):
        return self.total_weekly * self.campaign.weeks_per_year

    @property
    def ticked_levels(self):
        return [label for key, label in LEVELS if self.level_ticked(key)]

    @property
    def ticked_axes(self):
        return [label for key, label in AXES if getattr(self, f"axis_{key}")]

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def current_decision(self):
        """The region's decision (``allocations.Decision``), or None when there is none yet."""
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

    class Meta:
        ordering = ["request", "-number"]
        verbose_name = "dépôt"
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="unique_submission_number")]

    def __str__(self):
        return f"{self.request.reference} — dépôt n° {self.number}"


class RequestEvent(models.Model):
    """The request's history: every change of state, decision and notification, with who and when."""

    class Action(models.TextChoices):
        CREATED = "created", "Demande commencée"
        SUBMITTED = "submitted", "Demande déposée"
        RESUBMITTED = "resubmitted", "Demande complétée et déposée à nouveau"
        WITHDRAWN = "withdrawn", "Demande retirée"
        REOPENED = "reopened", "Demande reprise en brouillon"
        RETURNED = "returned", "Demande renvoyée à compléter"
        EXTENSION = "extension", "Délai supplémentaire accordé"
        REVIEW_STARTED = "review", "Instruction commencée"
        ALLOCATED = "allocated", "Dotation attribuée"
        ALLOCATION_CHANGED = "allocation_changed", "Dotation modifiée"
        REFUSED = "refused", "Demande refusée"
        NOTIFIED = "notified", "Décision notifiée à l'établissement"
        LETTER_SENT = "letter_sent", "Lettre de notification envoyée par courriel"
        USAGE_REPORT_SUBMITTED = "usage_report", "Bilan d'utilisation déposé"
        REMINDER = "reminder", "Relance pour le bilan d'utilisation"

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

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "événement"

    def __str__(self):
        return f"{self.get_action_display()} — {self.at:%d/%m/%Y %H:%M}"


class UsageReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Heads see their establishments' reports (drafts included); regional staff and DGER the submitted
        reports of their scope."""
        queryset = self.filter(visible_establishments_q(user, prefix="request__establishment__"))
        if getattr(user, "role", None) != "head":
            queryset = queryset.filter(status=UsageReport.Status.SUBMITTED)
        return queryset


class UsageReport(models.Model):
    """The spring report (bilan d'utilisation) of an establishment that received hours."""

    class Status(models.TextChoices):
        DRAFT = "brouillon", "Brouillon"
        SUBMITTED = "depose", "Déposé"

    request = models.OneToOneField(
        Request, on_delete=models.PROTECT, related_name="usage_report", verbose_name="demande"
    )
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    hours_used_cap = models.DecimalField(
        "heures utilisées, CAP agricole", max_digits=6, decimal_places=1, null=True, blank=True
    )
    hours_used_bac_pro = models.DecimalField(
        "heures utilisées, baccalauréat professionnel", max_digits=6, decimal_places=1, null=True, blank=True
    )
    hours_used_bac_gt = models.DecimalField(
        "heures utilisées, baccalauréat général et/ou technologique",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    hours_used_sup = models.DecimalField(
        "heures utilisées, supérieur court", max_digits=6, decimal_places=1, null=True, blank=True
    )
    hours_used_total = models.GeneratedField(
        expression=sum_of_levels("hours_used_", max_digits=6),
        output_field=models.DecimalField(max_digits=7, decimal_places=1),
        db_persist=True,
        verbose_name="total des heures utilisées",
    )
    pupils_supported = models.PositiveIntegerField("nombre d'élèves accompagnés", null=True, blank=True)
    teachers_involved = models.PositiveIntegerField("nombre d'intervenants impliqués", null=True, blank=True)
    actions_methodological_count = models.PositiveIntegerField(null=True, blank=True)
    actions_methodological = models.TextField(blank=True)
    actions_civic_count = models.PositiveIntegerField(null=True, blank=True)
    actions_civic = models.TextField(blank=True)
    actions_dropout_count = models.PositiveIntegerField(null=True, blank=True)
    actions_dropout = models.TextField(blank=True)
    evaluation = models.TextField("modalités d'évaluation mises en œuvre", blank=True)
    observations = models.TextField("résultats et effets observés", blank=True)
    difficulties = models.TextField("difficultés rencontrées", blank=True)
    comments = models.TextField("commentaires libres", blank=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="déposé par"
    )
    pdf = models.FileField("PDF", upload_to="bilans/%Y/", blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="modifié par"
    )

    objects = UsageReportQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan d'utilisation"
        verbose_name_plural = "bilans d'utilisation"

    def __str__(self):
        return f"Bilan d'utilisation — {self.request}"

    def used(self, level: str):
        return getattr(self, f"hours_used_{level}")

    def hours_used_total_value(self):
        """The total of the levels, also before the database has computed ``hours_used_total``."""
        return sum((self.used(key) or Decimal(0) for key in LEVEL_KEYS), Decimal(0))

    FORM_FIELDS = (
        *(f"hours_used_{key}" for key in LEVEL_KEYS),
        "pupils_supported",
        "teachers_involved",
        *(f"actions_{key}_count" for key, _label in AXES),
        *(f"actions_{key}" for key, _label in AXES),
        "evaluation",
        "observations",
        "difficulties",
        "comments",
    )

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def axis_rows(self):
        return [
            {
                "key": key,
                "label": AXIS_SHORT_LABELS[key],
                "count": getattr(self, f"actions_{key}_count"),
                "text": getattr(self, f"actions_{key}"),
            }
            for key, _label in AXES
        ]
