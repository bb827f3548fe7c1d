"""Reminders sent before a deadline: one per person, deadline and delay, never twice."""

from django.db import models
from django.utils import timezone

from campaigns.models import Campaign


class Reminder(models.Model):
    class Kind(models.TextChoices):
        REQUEST = "request", "Demande à déposer"
        DECISIONS = "decisions", "Demandes à décider et à notifier"
        SUMMARY = "summary", "Bilan de la répartition à transmettre"
        REVIEW = "review", "Bilan qualitatif à transmettre"

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField("relance", max_length=12, choices=Kind.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    establishment = models.ForeignKey(
        "accounts.Establishment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    deadline = models.DateField("échéance")
    days_before = models.PositiveSmallIntegerField("jours avant l'échéance")
    subject = models.CharField("objet", max_length=250)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "relance"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "campaign", "establishment", "deadline", "days_before"],
                condition=models.Q(establishment__isnull=False),
                name="one_reminder_per_establishment_deadline_and_delay",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "campaign", "deadline", "days_before"],
                condition=models.Q(establishment__isnull=True),
                name="one_reminder_per_person_deadline_and_delay",
            ),
        ]

    def __str__(self):
        return f"{self.subject} — {self.user}"
