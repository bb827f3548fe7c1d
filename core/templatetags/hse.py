"""Figures and dates the French way in templates (a builtin library: no ``{% load %}`` needed):
``{{ value|fr }}``, ``{{ value|fr:1 }}``, ``{{ day|jour }}`` (« 1er septembre 2027 »), ``{{ moment|jour_heure }}``."""

from django import template

from core.formatting import count, format_date, format_datetime, format_number

register = template.Library()


@register.filter
def fr(value, decimals=None):
    return format_number(value, int(decimals) if decimals not in (None, "") else None)


@register.filter(expects_localtime=True)
def jour(value):
    return format_date(value) if value else ""


@register.filter(expects_localtime=True)
def jour_heure(value):
    return format_datetime(value) if value else ""


@register.filter
def compte(n, forms):
    """``{{ n|compte:"action,actions" }}`` → « 0 action », « 3 actions »."""
    singular, _comma, plural = forms.partition(",")
    return count(n, singular, plural or singular)
