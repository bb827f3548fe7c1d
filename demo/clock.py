"""The demo's clock: each step of a campaign is replayed at its own date.

``moved_to(moment)`` moves Django's clock (``django.utils.timezone.now``, which every service, permission
check, model default and ``auto_now`` field reads) to ``moment`` for the duration of a block, ticking from
there. It is for the demo generator only: production code reads the real clock and has no way to be told
another time (no service takes a date to backdate what it records).

How: ``django.utils.timezone.now`` reads ``datetime.now`` through its module's ``datetime`` name; that name is
swapped for a subclass whose ``now`` is shifted, and whose ``isinstance`` checks still accept every datetime.
"""

import datetime
from contextlib import contextmanager

from django.utils import timezone as django_timezone

_REAL = datetime.datetime


class _AnyDatetime(type):
    def __instancecheck__(cls, value):
        return isinstance(value, _REAL)

    def __subclasscheck__(cls, subclass):
        return issubclass(subclass, _REAL)


def _shifted(offset: datetime.timedelta):
    class Shifted(_REAL, metaclass=_AnyDatetime):
        @classmethod
        def now(cls, tz=None):
            return _REAL.now(tz) + offset

    return Shifted


@contextmanager
def moved_to(moment: datetime.datetime):
    """Django's clock reads ``moment`` (aware) at the start of the block, and ticks on from there."""
    if django_timezone.is_naive(moment):
        raise ValueError("moved_to needs an aware datetime")
    previous = django_timezone.datetime
    django_timezone.datetime = _shifted(moment - _REAL.now(datetime.UTC))
    try:
        yield
    finally:
        django_timezone.datetime = previous
