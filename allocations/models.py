"""Regional envelopes (a ledger of dated movements) and the regional staff's internal notes."""

from django.db import models
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import visible_regions_q
from campaigns.models import Campaign
from requests_app.models import Decision, Request


class EnvelopeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """DGER sees every envelope; regional staff their region's once notified; heads none."""
        queryset = self.filter(visible_regions_q(user, prefix="region__"))
        if user.is_authenticated and user.is_regional:
            queryset = queryset.filter(notified_at__isnull=False)
        return queryset

    def with_movements(self):
        """Annotate ``hours``: the sum of the envelope's movements (0 before the first)."""
        return self.annotate(hours=Coalesce(Sum("movements__hours"), Value(0)))

    def with_hours(self):
        """Annotate ``hours`` (the sum of the movements) and ``allocated`` (hours granted in the region); the
        envelope's ``remaining`` follows from them (worked out in Python: in SQL it would repeat the sum of the
        region's decisions)."""
        allocated = (
            Decision.objects.allocations()
            .filter(
                request__campaign=models.OuterRef("campaign"),
                request__establishment__region=models.OuterRef("region"),
            )
            .order_by()
            .values("request__campaign")
            .annotate(total_hours=Sum("total"))
            .values("total_hours")
        )
        return self.with_movements().annotate(allocated=Coalesce(models.Subquery(allocated), Value(0)))


class Envelope(models.Model):
    """The hours of one region for one campaign: the sum of its dated movements (a ledger)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="envelopes", verbose_name="campagne")
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="envelopes", verbose_name="région"
    )
    notified_at = models.DateTimeField("notifiée le", null=True, blank=True)
    notified_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="notifiée par"
    )

    objects = EnvelopeQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "region__name"]
        verbose_name = "enveloppe régionale"
        verbose_name_plural = "enveloppes régionales"
        constraints = [models.UniqueConstraint(fields=["campaign", "region"], name="one_envelope_per_region")]

    def __str__(self):
        return f"Enveloppe {self.region} {self.campaign.label}"

    @property
    def is_notified(self) -> bool:
        return self.notified_at is not None

    @property
    def remaining(self) -> int:
        """Hours left to allocate, of an envelope read ``with_hours()``."""
        return self.hours - self.allocated

    def total_hours(self) -> int:
        return self.movements.aggregate(total=Coalesce(Sum("hours"), Value(0)))["total"]


class EnvelopeMovement(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Enveloppe initiale"
        SUPPLEMENT = "supplement", "Délégation complémentaire"
        WITHDRAWAL = "withdrawal", "Retrait"

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="movements", verbose_name="enveloppe")
    kind = models.CharField("nature", max_length=12, choices=Kind.choices)
    hours = models.IntegerField("heures", help_text="Positif pour un apport, négatif pour un retrait.")
    effective_date = models.DateField("date d'effet", default=timezone.localdate)
    reason = models.TextField("motif", blank=True)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="par")
    created_at = models.DateTimeField("enregistré le", default=timezone.now)

    class Meta:
        ordering = ["effective_date", "created_at", "pk"]
        verbose_name = "mouvement d'enveloppe"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="initial", hours__gte=0)
                | Q(kind="supplement", hours__gt=0)
                | Q(kind="withdrawal", hours__lt=0),
                name="movement_sign_matches_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.hours:+d} h — {self.envelope}"


class InternalNote(models.Model):
    """A note on a request, for the regional staff of its region only."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="internal_notes", verbose_name="demande"
    )
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="auteur")
    at = models.DateTimeField("le", default=timezone.now)
    text = models.TextField("note")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "note interne"

    def __str__(self):
        return f"Note de {self.author} sur {self.request}"
