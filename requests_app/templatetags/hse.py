"""Figures the French way, and status badges."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_BADGES = {
    "brouillon": "",
    "deposee": "fr-badge--info",
    "en_instruction": "fr-badge--new",
    "a_completer": "fr-badge--warning",
    "attribuee": "fr-badge--success",
    "refusee": "fr-badge--error",
    "notifiee": "fr-badge--success",
    "retiree": "",
}


def format_number(value, decimals: int | None = None) -> str:
    """1234.5 -> "1 234,5"; 54.0 -> "54"; None -> "—". Thousands separated by a narrow no-break space."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int) and not isinstance(value, bool) and decimals is None:
        return f"{value:,}".replace(",", "\u202f")  # the common case, fast
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals))
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _dot, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + "\u202f".join(groups)
    return f"{result},{fraction}" if fraction else result


@register.filter
def fr(value, decimals=None):
    return format_number(value, int(decimals) if decimals not in (None, "") else None)


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@register.simple_tag
def badge(request_or_status, label=None):
    """The DSFR badge of a request's state: ``{% badge req %}`` (a filter-free tag, cheap in long lists)."""
    status = getattr(request_or_status, "status", request_or_status)
    if label is None:
        label = request_or_status.get_status_display()
    return format_html(
        '<span class="fr-badge fr-badge--sm fr-badge--no-icon {}">{}</span>', STATUS_BADGES.get(status, ""), label
    )


@register.filter
def percent(value, total):
    if not total:
        return "—"
    return format_number(Decimal(value or 0) * 100 / Decimal(total), 1) + "\u202f%"
