"""The spring usage report (bilan d'utilisation) of an establishment whose request received hours."""

from decimal import Decimal

from django.db import models

from accounts.scoping import visible_establishments_q
from requests_app.models.annexe import AXES, AXIS_SHORT_LABELS, LEVEL_KEYS, sum_of_levels
from requests_app.models.request import Request

# The indicators of the fiche « Mettre en œuvre l'accompagnement personnalisé » (seed 004, « Exemples
# d'indicateurs de suivi ») asked as yes/no: each key is a boolean field ``<prefix>_<key>``.
SURVEYS = (
    ("pupils", "Élèves"),
    ("parents", "Parents"),
    ("staff", "Équipes mobilisées"),
)
TOOLS = (
    ("positioning", "Outils de positionnement (évaluations diagnostiques, entretiens de rentrée)"),
    ("dashboard", "Plan ou tableau de bord de l'organisation de l'accompagnement"),
    ("portfolio", "Portfolio de compétences ou webclasseur"),
    ("skills_record", "Relevé ou livret de compétences"),
)
PROMOTION = (
    ("families", "Présentation des actions aux familles"),
    ("website", "Valorisation sur le site de l'établissement ou un site académique"),
    ("event", "Valorisation lors d'un événement (journée portes ouvertes, forum, remise de prix…)"),
)
CHOICE_GROUPS = {"survey": SURVEYS, "tool": TOOLS, "promotion": PROMOTION}


class UsageReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Heads see their establishments' reports (drafts included); regional staff and DGER the submitted
        reports of their scope."""
        queryset = self.filter(visible_establishments_q(user, prefix="request__establishment__"))
        if not (user.is_authenticated and user.is_establishment_staff):
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
    # Indicators of seed 004 (« Exemples d'indicateurs de suivi »).
    teaching_staff = models.PositiveIntegerField(
        "effectif des enseignants et personnels d'éducation de l'établissement", null=True, blank=True
    )
    projects_count = models.PositiveIntegerField(
        "projets pluridisciplinaires, culturels ou ouverts à l'international", null=True, blank=True
    )
    projects = models.TextField("projets pluridisciplinaires, culturels ou internationaux conduits", blank=True)
    pupils_continuing = models.PositiveIntegerField(
        "élèves accompagnés qui poursuivent leur formation ou leurs études", null=True, blank=True
    )
    effects_practices = models.TextField("effets sur l'évolution des pratiques pédagogiques", blank=True)
    survey_pupils = models.BooleanField("enquête auprès des élèves", default=False)
    survey_parents = models.BooleanField("enquête auprès des parents", default=False)
    survey_staff = models.BooleanField("enquête auprès des équipes mobilisées", default=False)
    surveys = models.TextField("enseignements des enquêtes et entretiens", blank=True)
    tool_positioning = models.BooleanField("outils de positionnement", default=False)
    tool_dashboard = models.BooleanField("plan ou tableau de bord", default=False)
    tool_portfolio = models.BooleanField("portfolio de compétences ou webclasseur", default=False)
    tool_skills_record = models.BooleanField("relevé ou livret de compétences", default=False)
    personal_work_assessed = models.BooleanField(
        "implication des élèves dans leur travail personnel évaluée", default=False
    )
    pupils_more_involved = models.PositiveIntegerField(
        "élèves plus impliqués dans leur travail personnel", null=True, blank=True
    )
    personal_work = models.TextField("évaluation de l'implication des élèves dans leur travail personnel", blank=True)
    promotion_families = models.BooleanField("actions présentées aux familles", default=False)
    promotion_website = models.BooleanField("actions valorisées sur un site", default=False)
    promotion_event = models.BooleanField("actions valorisées lors d'un événement", default=False)
    communication = models.TextField("stratégies de communication et de valorisation", blank=True)
    difficulties = models.TextField("difficultés rencontrées", blank=True)
    comments = models.TextField("commentaires libres", blank=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="déposé par"
    )
    pdf = models.FileField("PDF", upload_to="bilans/%Y/", blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    verification_code = models.CharField(
        "code de vérification", max_length=8, unique=True, null=True, blank=True, editable=False
    )
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
        "teaching_staff",
        "projects_count",
        "projects",
        "pupils_continuing",
        "effects_practices",
        *(f"survey_{key}" for key, _label in SURVEYS),
        "surveys",
        *(f"tool_{key}" for key, _label in TOOLS),
        "personal_work_assessed",
        "pupils_more_involved",
        "personal_work",
        *(f"promotion_{key}" for key, _label in PROMOTION),
        "communication",
        "difficulties",
        "comments",
    )

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def ticked(self, prefix: str) -> list[str]:
        """Labels of the boxes ticked in one group: ``survey``, ``tool`` or ``promotion``."""
        return [label for key, label in CHOICE_GROUPS[prefix] if getattr(self, f"{prefix}_{key}")]

    @property
    def surveys_done(self):
        return self.ticked("survey")

    @property
    def tools_used(self):
        return self.ticked("tool")

    @property
    def promotion_done(self):
        return self.ticked("promotion")

    def own_words(self) -> list[tuple[str, str]]:
        """The establishment's texts, titled, the empty ones left out (the annex of the May review)."""
        texts = [(f"Actions — {row['label']}", row["text"]) for row in self.axis_rows()]
        texts += [
            ("Projets pluridisciplinaires, culturels ou ouverts à l'international", self.projects),
            ("Modalités d'évaluation mises en œuvre", self.evaluation),
            ("Résultats et effets observés sur les élèves", self.observations),
            ("Effets sur l'évolution des pratiques pédagogiques", self.effects_practices),
            ("Enquêtes et entretiens", self.surveys),
            ("Implication des élèves dans leur travail personnel", self.personal_work),
            ("Communication et valorisation", self.communication),
            ("Difficultés rencontrées", self.difficulties),
            ("Commentaires", self.comments),
        ]
        return [(title, text.strip()) for title, text in texts if text and text.strip()]

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
