from django.db import models
from django.utils import timezone

from accounts.scoping import visible_regions_q
from campaigns.models import Campaign
from core import verification


class Kind(models.TextChoices):
    SUMMARY = "repartition", "Bilan de la répartition (septembre)"
    REVIEW = "qualitatif", "Bilan qualitatif des usages (mai)"


TITLES = {Kind.SUMMARY: "Bilan de la répartition", Kind.REVIEW: "Bilan qualitatif"}


class TransmissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """DGER sees every region's transmissions, regional staff their own region's."""
        return self.filter(visible_regions_q(user, prefix="region__"))

    def latest(self):
        """Only the newest version of each document (kind, campaign, region), chosen by the database."""
        newest = (
            Transmission.objects.filter(
                kind=models.OuterRef("kind"), campaign=models.OuterRef("campaign"), region=models.OuterRef("region")
            )
            .order_by("-version")
            .values("version")[:1]
        )
        return self.filter(version=models.Subquery(newest))

    def by_region_and_kind(self) -> dict:
        """The newest versions keyed by ``(region_id, kind)`` (for one campaign's queryset)."""
        return self.newest_and_first()[0]

    def newest_and_first(self) -> tuple[dict, dict]:
        """Both in one query (a campaign has a few dozen transmissions at most): the newest version of each
        document keyed by ``(region id, kind)`` (meaningful for one campaign's queryset), and when each was first
        transmitted (its first version: later ones are corrections) keyed by ``(campaign id, region id, kind)``."""
        newest, first = {}, {}
        for transmission in self.order_by("version"):
            newest[(transmission.region_id, transmission.kind)] = transmission
            key = (transmission.campaign_id, transmission.region_id, transmission.kind)
            if key not in first or transmission.transmitted_at < first[key]:
                first[key] = transmission.transmitted_at
        return newest, first

    def first_transmitted(self) -> dict:
        """When each document was first transmitted (its first version: later ones are corrections), keyed by
        ``(campaign id, region id, kind)``."""
        return self.newest_and_first()[1]


class Transmission(models.Model):
    """A report as transmitted to DGER: the PDF frozen in storage with its SHA-256, time and author. Each
    transmission is a new version; earlier versions are kept and never change."""

    kind = models.CharField("document", max_length=12, choices=Kind.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="transmissions", verbose_name="campagne"
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="transmissions", verbose_name="région"
    )
    version = models.PositiveSmallIntegerField("version")
    pdf = models.FileField("PDF transmis", upload_to="transmissions/%Y/")
    sha256 = models.CharField("empreinte SHA-256 du fichier", max_length=64)
    data_sha256 = models.CharField("empreinte SHA-256 des données", max_length=64)
    verification_code = models.CharField(
        "code de vérification", max_length=8, unique=True, null=True, blank=True, editable=False
    )
    transmitted_at = models.DateTimeField("transmis le", default=timezone.now)
    transmitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="par")

    objects = TransmissionQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "region__name", "kind", "-version"]
        verbose_name = "transmission à la DGER"
        verbose_name_plural = "transmissions à la DGER"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "campaign", "region", "version"], name="unique_transmission_version"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.region} {self.campaign.label} — version {self.version}"

    @property
    def shown_code(self) -> str:
        """The verification code as printed on the document (« 7K3M-Q9XD »), or "" for a version without one."""
        return verification.display(self.verification_code) if self.verification_code else ""

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.campaign.label}-{self.region.code}-v{self.version}.pdf"

    @property
    def download_name(self) -> str:
        """In words: « Bilan de la répartition 2026-2027 Bretagne version 3.pdf »."""
        return f"{TITLES[self.kind]} {self.campaign.label} {self.region.name} version {self.version}.pdf"


class RegionalReview(models.Model):
    """The region's own synthesis for the May qualitative review (the indicators come from the data)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="regional_reviews", verbose_name="campagne"
    )
    region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="regional_reviews", verbose_name="région"
    )
    what_worked = models.TextField("ce qui a bien fonctionné", blank=True)
    difficulties = models.TextField("difficultés rencontrées", blank=True)
    recommendations = models.TextField("recommandations", blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="modifié par"
    )

    class Meta:
        verbose_name = "synthèse régionale"
        constraints = [models.UniqueConstraint(fields=["campaign", "region"], name="one_review_per_region")]

    def __str__(self):
        return f"Synthèse {self.region} {self.campaign.label}"


class PdfJob(models.Model):
    """A long PDF (the national documents) built in the background, with its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échec"

    document = models.CharField("document", max_length=40)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    pdf = models.FileField(upload_to="generes/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "génération de PDF"
        constraints = [
            # A double click (or two people at once) never starts two builds of the same document.
            models.UniqueConstraint(
                fields=["document", "campaign"],
                condition=models.Q(status__in=["pending", "running"]),
                name="one_pdf_job_under_way",
            )
        ]

    def __str__(self):
        return f"{self.document} {self.campaign.label} — {self.get_status_display()}"


class WorkingCopy(models.Model):
    """The latest working version of a region's report, rendered in the background (``reports.tasks``) so that a
    national document can append it at once for a region that has not transmitted. Kept only while its data
    fingerprint is the current one; never shown as transmitted."""

    kind = models.CharField("document", max_length=12, choices=Kind.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+", verbose_name="campagne")
    region = models.ForeignKey("accounts.Region", on_delete=models.CASCADE, related_name="+", verbose_name="région")
    pdf = models.FileField("PDF de travail", upload_to="versions-de-travail/%Y/")
    sha256 = models.CharField("empreinte SHA-256 du fichier", max_length=64)
    data_sha256 = models.CharField("empreinte SHA-256 des données", max_length=64)
    built_at = models.DateTimeField("fabriquée le", default=timezone.now)
    checked_at = models.DateTimeField("vérifiée le", default=timezone.now, help_text="dernière comparaison des données")

    class Meta:
        verbose_name = "version de travail en cache"
        verbose_name_plural = "versions de travail en cache"
        constraints = [
            models.UniqueConstraint(fields=["kind", "campaign", "region"], name="one_working_copy_per_report")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.region} {self.campaign.label} — version de travail"
