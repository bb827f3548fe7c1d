"""Sums computed by the database, never in Python, and never NULL: hours are integers or one-decimal
Decimals, and an empty sum is 0."""

from decimal import Decimal

from django.db.models import DecimalField, IntegerField, Sum, Value
from django.db.models.functions import Coalesce

ZERO = Value(0, output_field=IntegerField())
ZERO_DEC = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=1))


def total(field: str, **options):
    """``Sum(field)`` or 0, for whole hours and counts (``filter=Q(...)`` passes through)."""
    return Coalesce(Sum(field, **options), ZERO)


def total_decimal(field: str, **options):
    """``Sum(field)`` or 0, for figures with one decimal (HSE per week, hours used)."""
    return Coalesce(Sum(field, **options), ZERO_DEC)
