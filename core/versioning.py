"""Optimistic locking, written once: a form carries the version it was opened with; saving writes only if
the row still has that version (and bumps it), otherwise the user is told who changed it and when, and what
they typed is kept on the page.

Every versioned object of the project (the Annexe 1, the usage report, the decision, the regional synthesis)
saves through ``save_if_version`` and refuses with ``StaleError``.
"""

import hashlib
from decimal import Decimal

from django.core import signing
from django.db.models import F
from django.utils import timezone

from core.errors import DomainError


class StaleError(DomainError):
    """The object changed since the form was opened (another tab, another person). ``changed`` says what
    ("Cette demande a été modifiée"), ``current`` is the object as it is now, ``who`` and ``when`` the last
    change."""

    def __init__(self, changed: str, current=None, who=None, when=None):
        self.current = current
        self.who = who
        self.when = when
        by = f" par {who.full_name}" if who else ""
        at = f" le {timezone.localtime(when):%d/%m/%Y à %H:%M}" if when else ""
        super().__init__(
            f"{changed} entre-temps{by}{at}, par exemple dans un autre onglet. Vos modifications n'ont pas été "
            "enregistrées : elles sont conservées ci-dessous. Vérifiez-les puis enregistrez de nouveau."
        )


def save_if_version(queryset, pk, expected_version: int, values: dict, user=None, **extra) -> bool:
    """Write ``values`` to the row ``pk`` of ``queryset`` only if its version is still ``expected_version``;
    the version goes up by one, ``updated_by``/``updated_at`` are set when ``user`` is given. True if written."""
    fields = {**values, **extra, "version": F("version") + 1}
    if user is not None:
        fields.update(updated_by=user, updated_at=timezone.now())
    return bool(queryset.filter(pk=pk, version=expected_version).update(**fields))


# --- What a form was opened with, field by field (to tell who changed what when two saves cross) -------------
DIGESTS_FIELD = "field_digests"
DIGESTS_SALT = "core.versioning.field-digests"


def value_digest(value) -> str:
    """A short digest of a model value, the same for equal values however they were typed (1,50 and 1.5)."""
    if isinstance(value, Decimal):
        value = value.normalize()
    text = "" if value is None else repr(value) if isinstance(value, bool) else str(value)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sign_digests(digests: dict) -> str:
    return signing.dumps(digests, salt=DIGESTS_SALT, compress=True)


def unsign_digests(token: str) -> dict | None:
    try:
        digests = signing.loads(token, salt=DIGESTS_SALT)
    except signing.BadSignature:
        return None
    return digests if isinstance(digests, dict) else None
