"""The shared machinery's own records: the e-mail outbox, the workers' heartbeats and the periodic schedule."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class OutboxEmail(models.Model):
    """One e-mail, written in the same transaction as the change it reports and sent by a worker. It is
    « remis » only once the mail server accepted it; a temporary refusal is retried with backoff until
    ``retry_until``; a permanent refusal (or retries exhausted) leaves it « non remis », for the staff and the
    administrator to see and send again."""

    class Status(models.TextChoices):
        PENDING = "pending", "À envoyer"
        SENDING = "sending", "Envoi en cours"
        SENT = "sent", "Remis au serveur de courriel"
        FAILED = "failed", "Non remis"

    status = models.CharField("état", max_length=8, choices=Status.choices, default=Status.PENDING)
    to = models.JSONField("destinataires", default=list)
    subject = models.CharField("objet", max_length=500)
    body = models.TextField("message")
    # Frozen documents attached by their name in the storage (never copied): [{"name", "path", "mimetype"}].
    attachments = models.JSONField("pièces jointes", default=list, blank=True)
    topic = models.CharField("nature", max_length=40, blank=True)
    # Dotted path of ``hook(email, delivered)``, called in the transaction that records the outcome.
    on_outcome = models.CharField("suite donnée", max_length=200, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")

    created_at = models.DateTimeField("créé le", default=timezone.now)
    next_attempt_at = models.DateTimeField("prochain essai", default=timezone.now)
    retry_until = models.DateTimeField("essais jusqu'au")
    attempts = models.PositiveIntegerField("essais", default=0)
    last_attempt_at = models.DateTimeField("dernier essai", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)
    sent_at = models.DateTimeField("remis le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "courriel"
        verbose_name_plural = "courriels (file d'envoi)"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["content_type", "object_id"], name="outbox_about_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)} ({self.get_status_display()})"

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt: a copy sent again after a crash is recognised as one message."""
        return f"<hse-outbox-{self.pk}.{int(self.created_at.timestamp())}@hse-appui.invalid>"


class WorkerHeartbeat(models.Model):
    """A worker process says it is alive every few seconds (``core.worker``); /healthz and the recovery of
    interrupted tasks read it."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "processus de travail"
        verbose_name_plural = "processus de travail"

    def __str__(self):
        return f"{self.hostname}:{self.pid} ({self.worker_id})"


class PeriodicSchedule(models.Model):
    """When each periodic task (``core.periodic``) is next due; the worker that moves ``next_run_at`` forward
    is the one that enqueues it, so several workers never enqueue the same run twice."""

    name = models.CharField(max_length=200, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "tâche périodique"
        verbose_name_plural = "tâches périodiques"

    def __str__(self):
        return self.name


class DataChange(models.Model):
    """The database's record that the data read by the boards changed (``core.changes``): database triggers on
    the watched tables add to it in the transaction that writes, whatever writes (a service, the admin site, a
    ``QuerySet.update``, SQL typed by hand). On PostgreSQL each writing statement inserts a row (inserts never
    wait on one another); on SQLite, which writes one transaction at a time, one row counts them all. The sum of
    ``weight`` only grows, with each transaction that commits a change."""

    weight = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = "changement de données"
        verbose_name_plural = "changements de données"

    def __str__(self):
        return f"{self.weight} changement(s)"
