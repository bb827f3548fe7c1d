"""Bringing people in: invitations by e-mail with a single-use link valid a week, accounts opened from them,
establishments added to an existing account, deactivation. One function per action, transactional, every
change of scope recorded (``AccountEvent``), ``AccountError`` when refused. E-mails go through the outbox
(``core.mail.send_templated``), in the same transaction as the invitation they carry."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import permissions
from accounts.models import AccountEvent, Establishment, Invitation, User
from core.access import check
from core.errors import DomainError
from core.mail import send_templated

VALIDITY = timedelta(days=7)


class AccountError(DomainError):
    pass


def _check(permission) -> None:
    check(permission, AccountError)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(address: str) -> str:
    """The one normalisation of an e-mail address: trimmed, lower case."""
    return (address or "").strip().lower()


def record(actor, action, *, email, user=None, invitation=None, establishment=None, region=None) -> AccountEvent:
    return AccountEvent.objects.create(
        actor=actor,
        action=action,
        email=email,
        user=user,
        invitation=invitation,
        establishment=establishment,
        region=region,
    )


def _send(invitation: Invitation, token: str) -> None:
    send_templated(
        [invitation.email],
        f"Invitation à {_service_label(invitation)} — HSE appui personnalisé",
        "accounts/email/invitation.txt",
        {
            "invitation": invitation,
            "path": reverse("accounts:invitation", args=[token]),
            "expires_at": timezone.localtime(invitation.expires_at),
        },
        about=invitation,
    )


def _service_label(invitation) -> str:
    if invitation.establishment_id:
        return f"la demande d'HSE de {invitation.establishment.name}"
    if invitation.region_id:
        return f"la répartition des HSE de la {invitation.region.authority_short}"
    return "la consolidation nationale des HSE"


def _issue(invitation: Invitation, now=None) -> str:
    """A new single-use token for the invitation (a week from now); the previous link no longer works."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.expires_at = (now or timezone.now()) + VALIDITY
    return token


@dataclass
class Outcome:
    """What ``invite`` did: an invitation sent (or sent again), or an establishment added to an account."""

    invitation: Invitation | None = None
    added_to: User | None = None
    resent: bool = False
    messages: list = field(default_factory=list)


@transaction.atomic
def invite(actor, email: str, full_name: str, role: str, establishment=None, region=None) -> Outcome:
    _check(permissions.can_manage_accounts(actor))
    _check(permissions.can_invite(actor, role, establishment=establishment, region=region))
    email = normalize_email(email)
    if not email:
        raise AccountError("Indiquez l'adresse électronique de la personne à inviter.", field="email")
    if role in (User.Role.HEAD, User.Role.TEAM) and establishment is None:
        raise AccountError("Choisissez l'établissement.", field="establishment")
    if role == User.Role.REGIONAL and region is None:
        raise AccountError("Choisissez la région de l'agent.", field="region")
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return Outcome(added_to=_add_to_account(actor, existing, role, establishment, region))
    pending = (
        Invitation.objects.select_for_update()
        .pending()
        .filter(email=email, role=role, establishment=establishment, region=region)
        .first()
    )
    if pending is not None:
        return Outcome(invitation=resend(actor, pending), resent=True)
    invitation = Invitation(
        email=email,
        full_name=full_name.strip(),
        role=role,
        establishment=establishment,
        region=region if role == User.Role.REGIONAL else None,
        invited_by=actor,
        created_at=timezone.now(),
    )
    token = _issue(invitation, now=invitation.created_at)
    invitation.save()
    record(
        actor,
        AccountEvent.Action.INVITED,
        email=email,
        invitation=invitation,
        establishment=establishment,
        region=invitation.region,
    )
    _send(invitation, token)
    return Outcome(invitation=invitation)


def _add_to_account(actor, user: User, role, establishment, region) -> User:
    """An invitation for an e-mail that already has an account: the establishment is added to it (a head of
    two establishments), when the roles agree."""
    if role in (User.Role.HEAD, User.Role.TEAM) and user.role == role:
        if not user.is_active:
            raise AccountError(
                f"Le compte de {user.email} est désactivé : demandez à l'administrateur de le réactiver.",
                field="email",
            )
        if user.establishments.filter(pk=establishment.pk).exists():
            raise AccountError(f"{user.email} a déjà accès à {establishment.name}.", field="email")
        user.establishments.add(establishment)
        record(actor, AccountEvent.Action.ESTABLISHMENT_ADDED, email=user.email, user=user, establishment=establishment)
        send_templated(
            [user.email],
            f"Accès à la demande d'HSE de {establishment.name}",
            "accounts/email/access_added.txt",
            {"user": user, "establishment": establishment, "actor": actor, "path": reverse("home")},
            about=user,
        )
        return user
    raise AccountError(
        f"Un compte existe déjà pour {user.email} ({user.get_role_display()}"
        + (f", {user.region.authority_short}" if user.region_id else "")
        + ") : il ne peut pas recevoir ce rôle. Utilisez une autre adresse ou contactez l'administrateur.",
        field="email",
    )


@transaction.atomic
def resend(actor, invitation: Invitation) -> Invitation:
    """A new link, valid a week, sent again; the previous link no longer works."""
    _check(permissions.can_manage_invitation(actor, invitation))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise AccountError("Cette invitation a déjà été acceptée : le compte existe.")
    invitation.cancelled_at = None
    return _send_again(actor, invitation)


def _send_again(actor, invitation: Invitation) -> Invitation:
    """A new link on a locked invitation (the previous one stops working), recorded and e-mailed."""
    invitation.sent_count += 1
    token = _issue(invitation)
    invitation.save(update_fields=["token_hash", "expires_at", "sent_count", "cancelled_at"])
    record(
        actor,
        AccountEvent.Action.RESENT,
        email=invitation.email,
        invitation=invitation,
        establishment=invitation.establishment,
        region=invitation.region,
    )
    _send(invitation, token)
    return invitation


@transaction.atomic
def cancel(actor, invitation: Invitation) -> Invitation:
    _check(permissions.can_manage_invitation(actor, invitation))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise AccountError("Cette invitation a déjà été acceptée : désactivez le compte si besoin.")
    if invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        record(
            actor,
            AccountEvent.Action.CANCELLED,
            email=invitation.email,
            invitation=invitation,
            establishment=invitation.establishment,
            region=invitation.region,
        )
    return invitation


class InvalidLink(AccountError):
    """The link cannot open an account: ``reason`` is ``unknown``, ``used``, ``cancelled`` or ``expired``."""

    def __init__(self, reason: str, invitation=None):
        self.reason = reason
        self.invitation = invitation
        super().__init__(reason)


def find(token: str, now=None) -> Invitation:
    """The invitation a link opens, or ``InvalidLink`` saying why not."""
    invitation = (
        Invitation.objects.select_related("establishment", "region", "invited_by")
        .filter(token_hash=_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise InvalidLink("unknown")
    if invitation.accepted_at:
        raise InvalidLink("used", invitation)
    if invitation.cancelled_at:
        raise InvalidLink("cancelled", invitation)
    if invitation.expires_at <= (now or timezone.now()):
        raise InvalidLink("expired", invitation)
    return invitation


@transaction.atomic
def accept(token: str, full_name: str, password: str) -> User:
    """Open the account the invitation describes, once. Raises ``InvalidLink`` (used, expired...) or
    ``ValidationError`` (password) — nothing is created then."""
    invitation = find(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:  # accepted meanwhile, in another tab
        raise InvalidLink("used", invitation)
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": "Indiquez votre prénom et votre nom."})
    user = User(
        email=invitation.email,
        full_name=full_name,
        role=invitation.role,
        region=invitation.region if invitation.role == User.Role.REGIONAL else None,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise AccountError(
            f"Un compte existe déjà pour {invitation.email} : connectez-vous, ou demandez un nouveau mot de passe."
        ) from None
    if invitation.establishment_id:
        user.establishments.add(invitation.establishment)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(
        user,
        AccountEvent.Action.ACCEPTED,
        email=user.email,
        user=user,
        invitation=invitation,
        establishment=invitation.establishment,
        region=invitation.region,
    )
    return user


@transaction.atomic
def renew_expired(token: str) -> Invitation:
    """The invitee of an expired link asks for a new one: sent to the same address, by the same inviter."""
    try:
        find(token)
    except InvalidLink as invalid:
        if invalid.reason != "expired":
            raise
        invitation = Invitation.objects.select_for_update().get(pk=invalid.invitation.pk)
        return _send_again(None, invitation)
    raise AccountError("Ce lien est encore valable : utilisez-le pour ouvrir votre compte.")


@transaction.atomic
def deactivate(actor, account: User) -> User:
    _check(permissions.can_manage_account(actor, account))
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.is_active:
        account.is_active = False
        account.save(update_fields=["is_active"])
        record(actor, AccountEvent.Action.DEACTIVATED, email=account.email, user=account, region=account.region)
    return account


def uninvited_establishments(region):
    """The establishments of a region with nobody to fill their request: no active account of a head or team
    member, and no pending invitation."""
    people = User.objects.filter(is_active=True, role__in=[User.Role.HEAD, User.Role.TEAM])
    return (
        Establishment.objects.filter(region=region, is_open=True)
        .exclude(heads__in=people)
        .exclude(invitations__in=Invitation.objects.pending())
        .order_by("sort_name")
        .distinct()
    )


@dataclass
class RegionInvitations:
    invited: list = field(default_factory=list)  # establishments invited
    added: list = field(default_factory=list)  # establishments added to an existing account
    left: list = field(default_factory=list)  # (establishment, reason) left aside


@transaction.atomic
def invite_region(actor, region) -> RegionInvitations:
    """Invite, as head, every establishment of the region that has nobody yet, at the e-mail address of the
    directory (one e-mail each, through the outbox). An address that already has an account gets the
    establishment added; what cannot be done is said, establishment by establishment."""
    _check(permissions.can_manage_accounts(actor))
    if not actor.is_regional_of(region.pk):
        raise AccountError("Vous ne pouvez inviter que pour les établissements de votre région.")
    region = type(region).objects.select_for_update().get(pk=region.pk)  # one bulk invitation at a time
    result = RegionInvitations()
    for establishment in uninvited_establishments(region):
        address = normalize_email(establishment.email)
        if not address:
            result.left.append((establishment, "pas d'adresse électronique dans l'annuaire"))
            continue
        try:
            with transaction.atomic():
                outcome = invite(actor, address, "", User.Role.HEAD, establishment=establishment)
        except AccountError as error:
            result.left.append((establishment, str(error)))
            continue
        (result.added if outcome.added_to else result.invited).append(establishment)
    return result
