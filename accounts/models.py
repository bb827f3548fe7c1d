from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.scoping import visible_establishments_q
from accounts.signin import normalize_email_address
from accounts.uai import normalize_uai, validate_uai
from core.formatting import sort_key


class Region(models.Model):
    class Kind(models.TextChoices):
        REGION = "region", "Région"
        OVERSEAS_DEPARTMENT = "overseas_department", "Département et région d'outre-mer"
        OVERSEAS_COLLECTIVITY = "overseas_collectivity", "Collectivité d'outre-mer"

    code = models.CharField("code", max_length=3, unique=True, help_text="Code INSEE de région ou code de territoire")
    name = models.CharField("nom", max_length=100)
    sort_name = models.CharField("nom (ordre alphabétique)", max_length=100, editable=False, default="")
    kind = models.CharField("type", max_length=24, choices=Kind.choices)
    authority_short = models.CharField("autorité académique (sigle)", max_length=120)
    authority_name = models.CharField("autorité académique", max_length=300)

    class Meta:
        ordering = ["sort_name"]
        verbose_name = "région"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_name = sort_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_name"}
        super().save(*args, **kwargs)


class EstablishmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(visible_establishments_q(user))


class Establishment(models.Model):
    class Status(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "prive", "Privé"

    class Network(models.TextChoices):
        EPLEFPA = "eplefpa", "Public (EPLEFPA)"
        CNEAP = "cneap", "Privé CNEAP"
        UNREP = "unrep", "Privé UNREP"
        MFR = "mfr", "Privé MFR (rythme approprié)"
        UNKNOWN = "", "Réseau à préciser"

    # The lists' « Réseau » filter: every network, and those still to be stated under their own word (the stored
    # value, empty, means « all » in a query string).
    NETWORK_UNKNOWN_FILTER = "a-preciser"
    NETWORK_FILTER_CHOICES = [
        *((value, label) for value, label in Network.choices if value),
        (NETWORK_UNKNOWN_FILTER, Network.UNKNOWN.label),
    ]

    uai = models.CharField("UAI", max_length=8, unique=True, validators=[validate_uai])
    name = models.CharField("nom", max_length=200)
    sort_name = models.CharField("nom (ordre alphabétique)", max_length=200, editable=False, default="")
    address = models.CharField("adresse", max_length=300, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=120)
    department = models.CharField("département", max_length=3)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="establishments", verbose_name="région")
    status = models.CharField("statut", max_length=6, choices=Status.choices)
    network = models.CharField("réseau", max_length=8, choices=Network.choices, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    is_open = models.BooleanField("ouvert", default=True)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "uai"]
        verbose_name = "établissement"
        indexes = [models.Index(fields=["region", "sort_name"])]

    def __str__(self):
        return f"{self.name} ({self.uai})"

    def save(self, *args, **kwargs):
        self.sort_name = sort_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_name"}
        super().save(*args, **kwargs)

    def clean(self):
        self.uai = normalize_uai(self.uai)
        if self.status == self.Status.PUBLIC and self.network not in ("", self.Network.EPLEFPA):
            raise ValidationError({"network": "Un établissement public relève du réseau EPLEFPA."})
        if self.status == self.Status.PRIVATE and self.network == self.Network.EPLEFPA:
            raise ValidationError({"network": "Le réseau EPLEFPA est réservé aux établissements publics."})

    @property
    def full_address(self):
        return ", ".join(part for part in (self.address, f"{self.postal_code} {self.commune}".strip()) if part)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        user = self.model(email=normalize_email_address(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=normalize_email_address(username))

    def regional_staff(self, region_id=None):
        """Active regional staff (of one region when ``region_id`` is given)."""
        staff = self.filter(role=User.Role.REGIONAL, is_active=True)
        return staff if region_id is None else staff.filter(region_id=region_id)

    def national_staff(self):
        return self.filter(role=User.Role.NATIONAL, is_active=True)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        HEAD = "head", "Chef·fe d'établissement"
        TEAM = "team", "Membre de l'équipe d'un établissement"
        REGIONAL = "regional", "Agent DRAAF-SRFD"
        NATIONAL = "national", "DGER"
        ADMIN = "admin", "Administrateur"

    email = models.EmailField("adresse électronique", unique=True)
    full_name = models.CharField("nom complet", max_length=150)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    role = models.CharField("rôle", max_length=10, choices=Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name="région"
    )
    establishments = models.ManyToManyField(
        Establishment, blank=True, related_name="heads", verbose_name="établissements"
    )
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = "utilisateur"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="regional") | models.Q(region__isnull=False),
                name="regional_staff_has_region",
            ),
            models.CheckConstraint(
                condition=models.Q(role="regional") | models.Q(region__isnull=True),
                name="only_regional_staff_has_region",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>"

    def clean(self):
        super().clean()
        self.email = normalize_email_address(self.email)
        if self.role == self.Role.REGIONAL and not self.region_id:
            raise ValidationError({"region": "Un agent DRAAF-SRFD est rattaché à une région."})
        if self.role != self.Role.REGIONAL and self.region_id:
            raise ValidationError({"region": "Seuls les agents DRAAF-SRFD sont rattachés à une région."})

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name

    # Role predicates: the one way code asks what a user is (``user.is_head``), never a string comparison.
    @property
    def is_head(self) -> bool:
        return self.role == self.Role.HEAD

    @property
    def is_team_member(self) -> bool:
        return self.role == self.Role.TEAM

    @property
    def is_establishment_staff(self) -> bool:
        """A head or a member of an establishment's team: the people who fill its requests."""
        return self.role in (self.Role.HEAD, self.Role.TEAM)

    @property
    def is_regional(self) -> bool:
        return self.role == self.Role.REGIONAL

    @property
    def is_national(self) -> bool:
        return self.role == self.Role.NATIONAL

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_state_staff(self) -> bool:
        """Regional staff or DGER: the State's agents, who read submitted requests."""
        return self.role in (self.Role.REGIONAL, self.Role.NATIONAL)

    def is_head_of(self, establishment) -> bool:
        return self.is_head and self.establishments.filter(pk=establishment.pk).exists()

    def works_for(self, establishment) -> bool:
        """A head or a team member of this establishment."""
        return self.is_establishment_staff and self.establishments.filter(pk=establishment.pk).exists()

    def is_regional_of(self, region_id) -> bool:
        """Regional staff of this region (``region_id``: a region's primary key)."""
        return self.is_regional and self.region_id == region_id


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """An invitation to open an account: sent by e-mail with a single-use link valid for a week. Only the
    SHA-256 of the link's token is stored."""

    email = models.EmailField("adresse électronique")
    full_name = models.CharField("nom", max_length=150, blank=True)
    role = models.CharField("rôle", max_length=10, choices=User.Role.choices)
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations")
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="invité par")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("envoyée le", default=timezone.now)
    expires_at = models.DateTimeField("valable jusqu'au")
    sent_count = models.PositiveSmallIntegerField("envois", default=1)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "invitation"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="regional", region__isnull=False, establishment__isnull=True)
                | models.Q(role__in=["head", "team"], region__isnull=True, establishment__isnull=False)
                | models.Q(role="national", region__isnull=True, establishment__isnull=True),
                name="invitation_scope_matches_role",
            )
        ]

    def __str__(self):
        return f"Invitation de {self.email}"

    @property
    def scope_label(self) -> str:
        if self.establishment_id:
            return str(self.establishment)
        if self.region_id:
            return self.region.authority_short
        return "DGER"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.accepted_at:
            return "acceptée"
        if self.cancelled_at:
            return "annulée"
        if self.expires_at <= now:
            return "expirée"
        return "en attente"


class AccountEvent(models.Model):
    """History of accounts and their scope: invitations, accounts opened, establishments added, deactivations."""

    class Action(models.TextChoices):
        INVITED = "invited", "Invitation envoyée"
        RESENT = "resent", "Invitation envoyée de nouveau"
        CANCELLED = "cancelled", "Invitation annulée"
        ACCEPTED = "accepted", "Compte ouvert"
        ESTABLISHMENT_ADDED = "establishment_added", "Établissement ajouté au compte"
        DEACTIVATED = "deactivated", "Compte désactivé"

    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField("action", max_length=24, choices=Action.choices)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="account_events")
    invitation = models.ForeignKey(Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    email = models.EmailField("adresse")
    establishment = models.ForeignKey(Establishment, on_delete=models.SET_NULL, null=True, blank=True)
    region = models.ForeignKey(Region, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "événement de compte"

    def __str__(self):
        return f"{self.get_action_display()} — {self.email}"
