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


def role_in(user, *roles) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "role", None) in roles)
