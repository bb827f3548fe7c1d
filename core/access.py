"""Turning a permission answer into an HTTP answer or a service error, the same way everywhere.

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


def refuse_unless(allowed: bool, reason: str | None) -> Permission:
    return ALLOWED if allowed else (False, reason)
