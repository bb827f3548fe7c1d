"""The region's decision on a request: the outcome of its instruction (hours per level, or a refusal),
then its notification and letter. Decisions are made by ``allocations`` under the envelope lock; they belong
to the request, whose state they set."""

from django.db import models
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import visible_establishments_q
from requests_app import lifecycle
from requests_app.models.annexe import LEVEL_KEYS
from requests_app.models.request import Request


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The State's staff see the decisions of their scope as they are taken; an establishment only once they
        are notified (before that, a decided request reads « en instruction » to it)."""
        queryset = self.filter(visible_establishments_q(user, prefix="request__establishment__"))
        if not lifecycle.sees_decisions_before_notification(user):
            queryset = queryset.filter(notified_at__isnull=False)
        return queryset

    def allocations(self):
        """Decisions granting hours: the ones that draw on an envelope."""
        return self.filter(outcome=Decision.Outcome.ALLOCATED)

    def in_region(self, campaign_id, region_id):
        return self.filter(request__campaign_id=campaign_id, request__establishment__region_id=region_id)

    def hours(self) -> int:
        """Hours granted by these decisions (the sum of their totals; 0 when there are none)."""
        return self.allocations().aggregate(total=Coalesce(Sum("total"), Value(0)))["total"]

    def notified(self):
        return self.filter(notified_at__isnull=False)


def _hours_total():
    return F("hours_cap") + F("hours_bac_pro") + F("hours_bac_gt") + F("hours_sup")


class Decision(models.Model):
    """The region's decision on one request: hours per level (annual, whole hours) or a refusal."""

    Outcome = lifecycle.Outcome

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
    verification_code = models.CharField(
        "code de vérification de la lettre", max_length=8, unique=True, null=True, blank=True, editable=False
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision"
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome=lifecycle.Outcome.ALLOCATED)
                | Q(hours_cap=0, hours_bac_pro=0, hours_bac_gt=0, hours_sup=0),
                name="refusal_has_no_hours",
            )
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} — {self.request}"

    @property
    def is_allocation(self) -> bool:
        return self.outcome == self.Outcome.ALLOCATED

    def hours(self, level: str) -> int:
        return getattr(self, f"hours_{level}")

    def computed_total(self) -> int:
        return sum(self.hours(key) for key in LEVEL_KEYS)
