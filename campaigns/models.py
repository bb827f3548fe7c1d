"""The yearly campaign of the DGER note, its calendar and what DGER does to it (its history)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from core.formatting import format_date, format_hours, format_number


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

    def in_view(self, today=None):
        """The campaigns a home page speaks of: those in progress, and those whose last step fell within the past
        year (a review still late shows until then), oldest first."""
        today = today or timezone.localdate()
        return self.filter(review_deadline__gte=today - datetime.timedelta(days=365)).order_by("start_year")

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
        return self.label_of(self.start_year)

    @staticmethod
    def label_of(start_year: int) -> str:
        """« 2027-2028 »: the school year a campaign starting in ``start_year`` is for."""
        return f"{start_year}-{start_year + 1}"

    def annual_hours(self, weekly):
        """Hours per year of a weekly HSE figure: the one definition of the conversion (``None`` stays
        ``None``)."""
        return None if weekly is None else weekly * self.weeks_per_year

    @staticmethod
    def annual_hours_expression(weekly: str, weeks: str = "campaign__weeks_per_year"):
        """The same conversion in the database: ``weekly`` and ``weeks`` are lookups from the queried model."""
        return models.ExpressionWrapper(
            models.F(weekly) * models.F(weeks), output_field=models.DecimalField(max_digits=9, decimal_places=1)
        )

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

    def deadlines(self, regional: "RegionalDeadline | None" = None) -> list[Deadline]:
        """The five steps of the calendar; with ``regional`` (a region's own request deadline), the request
        step is the region's date."""
        steps = []
        for field, label, who in self.DEADLINE_FIELDS:
            date = getattr(self, field)
            if field == "request_deadline" and regional is not None:
                date = regional.effective_date
                label = f"{label} (date fixée par la DRAAF-SRFD)"
            steps.append(Deadline(field, label, who, date))
        return steps

    def next_deadline(self, today=None, regional=None) -> Deadline | None:
        today = today or timezone.localdate()
        return next((d for d in self.deadlines(regional) if d.date >= today), None)

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


class RegionalDeadlineQuerySet(models.QuerySet):
    def by_campaign_and_region(self) -> dict:
        """``{(campaign id, region id): regional deadline}`` of this queryset, in one query."""
        return {(d.campaign_id, d.region_id): d for d in self}


class RegionalDeadline(models.Model):
    """A region's own request deadline for one campaign. The note: « avant le 12 juillet : les établissements
    transmettent […] à leur autorité académique, la date précise peut être fixée par l'autorité académique ».
    The regional authority (its DRAAF-SRFD staff) sets it, on or before the national date; its history is kept
    in the campaign's events. Which date holds for an establishment is ``requests_app.deadlines``."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="regional_deadlines", verbose_name="campagne"
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="regional_deadlines", verbose_name="région"
    )
    request_deadline = models.DateField("date limite régionale de transmission des demandes")
    reason = models.TextField("motif", blank=True)
    set_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="fixée par")
    set_at = models.DateTimeField("fixée le", default=timezone.now)

    objects = RegionalDeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = "date limite régionale"
        verbose_name_plural = "dates limites régionales"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region"], name="one_regional_deadline_per_campaign")
        ]

    def __str__(self):
        return f"{self.region} {self.campaign.label} : {self.request_deadline:%d/%m/%Y}"

    @property
    def effective_date(self):
        """Never after the national date, even if DGER moved the national date earlier afterwards."""
        return min(self.request_deadline, self.campaign.request_deadline)


class CampaignEvent(models.Model):
    """History of a campaign: what DGER does to it (creation, calendar and volume changes, envelopes set and
    notified) and the regional deadlines the regions set (``region`` names the region then)."""

    class Action(models.TextChoices):
        CREATED = "created", "Campagne créée"
        UPDATED = "updated", "Campagne modifiée"
        ENVELOPES_SET = "envelopes_set", "Enveloppes régionales fixées"
        ENVELOPES_NOTIFIED = "envelopes_notified", "Enveloppes régionales notifiées"
        REGIONAL_DEADLINE_SET = "regional_deadline", "Date limite régionale de dépôt fixée"
        REGIONAL_DEADLINE_REMOVED = "regional_deadline_removed", "Retour à la date limite nationale de dépôt"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events", verbose_name="campagne")
    region = models.ForeignKey(
        "accounts.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
        help_text="Pour une date fixée par une région.",
    )
    at = models.DateTimeField("le", default=timezone.now)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="par")
    action = models.CharField("action", max_length=32, choices=Action.choices)
    message = models.TextField("message", blank=True)
    data = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "événement de campagne"

    def __str__(self):
        return f"{self.get_action_display()} — {self.campaign.label}"

    def changes_shown(self) -> list[tuple[str, str, str]]:
        """The recorded changes as a reader reads them: ``(what, before, after)``, fields by their French name,
        dates as « 12 juillet 2027 », volumes and regional envelopes (keyed by the region's name) as « 3 409 h » (the
        data keeps the raw values)."""

        def shown(field, value):
            if value in (None, ""):
                return "—"
            if field in {name for name, _label, _who in Campaign.DEADLINE_FIELDS}:
                try:
                    return format_date(datetime.date.fromisoformat(value))
                except (TypeError, ValueError):
                    return str(value)
            if field == "weeks_per_year":
                return format_number(value)
            return format_hours(value) if isinstance(value, int) else str(value)

        lines = []
        for field, (before, after) in (self.data.get("changes") or {}).items():
            try:
                what = Campaign._meta.get_field(field).verbose_name
            except FieldDoesNotExist:  # a label already written for people (regional deadlines)
                what = field
            lines.append((str(what)[:1].upper() + str(what)[1:], shown(field, before), shown(field, after)))
        return lines
