from django.db import models
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import visible_establishments_q, visible_regions_q
from requests_app.models import LEVEL_KEYS, Campaign, Request


class EnvelopeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """DGER sees every envelope; regional staff their region's once notified; heads none."""
        queryset = self.filter(visible_regions_q(user, prefix="region__"))
        if getattr(user, "role", None) == "regional":
            queryset = queryset.filter(notified_at__isnull=False)
        return queryset

    def with_hours(self):
        """Annotate ``hours`` (the sum of the movements) and ``allocated`` (hours granted in the region)."""
        allocated = (
            Decision.objects.filter(
                outcome=Decision.Outcome.ALLOCATED,
                request__campaign=models.OuterRef("campaign"),
                request__establishment__region=models.OuterRef("region"),
            )
            .order_by()
            .values("request__campaign")
            .annotate(total_hours=Sum("total"))
            .values("total_hours")
        )
        return self.annotate(
            hours=Coalesce(Sum("movements__hours"), Value(0)),
            allocated=Coalesce(models.Subquery(allocated), Value(0)),
        ).annotate(remaining=F("hours") - F("allocated"))


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

    def total_hours(self) -> int:
        return self.movements.aggregate(total=Coalesce(Sum("hours"), Value(0)))["total"]

    def allocated_hours(self) -> int:
        return Decision.objects.filter(
            outcome=Decision.Outcome.ALLOCATED,
            request__campaign_id=self.campaign_id,
            request__establishment__region_id=self.region_id,
        ).aggregate(total=Coalesce(Sum("total"), Value(0)))["total"]


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


class CampaignEvent(models.Model):
    """History of what DGER does to a campaign: creation, calendar and volume changes, envelopes set and notified."""

    class Action(models.TextChoices):
        CREATED = "created", "Campagne créée"
        UPDATED = "updated", "Campagne modifiée"
        ENVELOPES_SET = "envelopes_set", "Enveloppes régionales fixées"
        ENVELOPES_NOTIFIED = "envelopes_notified", "Enveloppes régionales notifiées"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events", verbose_name="campagne")
    at = models.DateTimeField("le", default=timezone.now)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="par")
    action = models.CharField("action", max_length=24, choices=Action.choices)
    message = models.TextField("message", blank=True)
    data = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "événement de campagne"

    def __str__(self):
        return f"{self.get_action_display()} — {self.campaign.label}"


def _hours_total():
    return F("hours_cap") + F("hours_bac_pro") + F("hours_bac_gt") + F("hours_sup")


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(visible_establishments_q(user, prefix="request__establishment__"))


class Decision(models.Model):
    """The region's decision on one request: hours per level (annual, whole hours) or a refusal."""

    class Outcome(models.TextChoices):
        ALLOCATED = "attribution", "Attribution"
        REFUSED = "refus", "Refus"

    request = models.OneToOneField(Request, on_delete=models.PROTECT, related_name="decision", verbose_name="demande")
    outcome = models.CharField("décision", max_length=12, choices=Outcome.choices)
    hours_cap = models.PositiveIntegerField("heures/an, CAP agricole", default=0)
    hours_bac_pro = models.PositiveIntegerField("heures/an, baccalauréat professionnel", default=0)
    hours_bac_gt = models.PositiveIntegerField("heures/an, baccalauréat général et/ou technologique", default=0)
    hours_sup = models.PositiveIntegerField("heures/an, supérieur court", default=0)
    total = models.GeneratedField(
        expression=_hours_total(), output_field=models.PositiveIntegerField(), db_persist=True, verbose_name="total"
    )
    justification = models.TextField("justification ou motif", blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="par")
    decided_at = models.DateTimeField("décidée le", default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    notified_at = models.DateTimeField("notifiée le", null=True, blank=True)
    notified_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="notifiée par"
    )
    letter = models.FileField("lettre de notification", upload_to="notifications/%Y/", blank=True)
    letter_sent_at = models.DateTimeField("lettre envoyée le", null=True, blank=True)
    letter_sha256 = models.CharField("empreinte SHA-256 de la lettre", max_length=64, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision"
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="attribution") | Q(hours_cap=0, hours_bac_pro=0, hours_bac_gt=0, hours_sup=0),
                name="refusal_has_no_hours",
            )
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} — {self.request}"

    def hours(self, level: str) -> int:
        return getattr(self, f"hours_{level}")

    def computed_total(self) -> int:
        return sum(self.hours(key) for key in LEVEL_KEYS)


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
