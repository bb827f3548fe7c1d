"""Figures the French way, and status badges."""

from decimal import Decimal

from django import template

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
    number = Decimal(str(value))
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


@register.filter
def percent(value, total):
    if not total:
        return "—"
    return format_number(Decimal(value or 0) * 100 / Decimal(total), 1) + "\u202f%"
