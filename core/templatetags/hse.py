"""Figures the French way in templates: ``{{ value|fr }}``, ``{{ value|fr:1 }}``."""

from django import template

from core.formatting import format_number

register = template.Library()


@register.filter
def fr(value, decimals=None):
    return format_number(value, int(decimals) if decimals not in (None, "") else None)
