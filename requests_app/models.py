import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


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
