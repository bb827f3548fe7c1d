"""Who may bring whom in: each function returns ``(allowed, reason)``.

DGER invites the State's agents (regional staff of any region, DGER colleagues); regional staff invite the
heads and team members of their region's establishments. Nobody invites beyond their scope: an establishment
of another region is not offered, and a forged request for it is refused.
"""

from core.access import ALLOWED, HIDDEN, Permission


def can_manage_accounts(user) -> Permission:
    if user.is_regional or user.is_national:
        return ALLOWED
    if user.is_establishment_staff:
        return HIDDEN
    return False, (
        "La gestion des comptes est réservée aux DRAAF-SRFD et à la DGER (l'administrateur technique passe par "
        "l'administration)."
    )


def invitable_roles(user) -> list:
    from accounts.models import User

    if user.is_national:
        return [User.Role.REGIONAL, User.Role.NATIONAL]
    if user.is_regional:
        return [User.Role.HEAD, User.Role.TEAM]
    return []


def can_invite(user, role, establishment=None, region=None) -> Permission:
    """``role`` for ``establishment`` (heads, team members) or ``region`` (regional staff)."""
    if role not in invitable_roles(user):
        return False, "Vous ne pouvez pas inviter une personne pour ce rôle."
    if establishment is not None and not user.is_national and establishment.region_id != user.region_id:
        return False, "Vous ne pouvez inviter que pour les établissements de votre région."
    return ALLOWED


def can_manage_account(user, account) -> Permission:
    """Deactivate an account, see its history: regional staff for the people of their region's
    establishments; DGER for the State's agents."""
    if account.pk == user.pk:
        return False, "Vous ne pouvez pas désactiver votre propre compte."
    if user.is_national and account.is_state_staff:
        return ALLOWED
    in_region = account.is_establishment_staff and account.establishments.filter(region_id=user.region_id).exists()
    if user.is_regional and in_region:
        return ALLOWED
    return HIDDEN


def can_manage_invitation(user, invitation) -> Permission:
    if user.is_national and invitation.role in invitable_roles(user):
        return ALLOWED
    if user.is_regional and invitation.establishment_id and invitation.establishment.region_id == user.region_id:
        return ALLOWED
    return HIDDEN
