"""Turning a permission answer into an HTTP answer, the same way in every view.

Permission functions of the apps return ``(allowed, reason)``. A refusal with a reason is a 403 showing
that reason; a refusal with no reason (``None``) means the page is outside the user's world: 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

Permission = tuple[bool, str | None]

ALLOWED: Permission = (True, None)
HIDDEN: Permission = (False, None)


def enforce(permission: Permission) -> None:
    allowed, reason = permission
    if allowed:
        return
    if reason is None:
        raise Http404
    raise PermissionDenied(reason)


def check(permission: Permission, error_class: type[Exception]) -> None:
    """In a service: raise ``error_class`` with the refusal's reason (services speak no HTTP)."""
    allowed, reason = permission
    if not allowed:
        raise error_class(reason or "Action non autorisée.")


def is_head_of(user, establishment) -> bool:
    return (
        user.is_authenticated
        and getattr(user, "role", None) == "head"
        and user.establishments.filter(pk=establishment.pk).exists()
    )


def is_regional_of(user, region_id) -> bool:
    """Regional staff of this region (``region_id``: a region's primary key)."""
    return user.is_authenticated and getattr(user, "role", None) == "regional" and user.region_id == region_id
