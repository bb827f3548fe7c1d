"""Figures and dates the French way, written once for pages, PDFs, e-mails, messages and exports."""

import unicodedata
from decimal import Decimal

from django.utils import formats, timezone

NARROW_NBSP = "\u202f"


def sort_key(text: str) -> str:
    """The key names are sorted by, as a French reader expects: « Île-de-France » among the I, « École » among
    the E, capitals and small letters together (a database's binary order would put them last)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().strip()


def format_number(value, decimals: int | None = None) -> str:
    """1234.5 -> "1 234,5"; 54.0 -> "54"; None -> "—". Thousands separated by a narrow no-break space."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int) and not isinstance(value, bool) and decimals is None:
        return f"{value:,}".replace(",", NARROW_NBSP)  # the common case, fast
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
    result = sign + NARROW_NBSP.join(groups)
    return f"{result},{fraction}" if fraction else result


def count(n, singular: str, plural: str) -> str:
    """« 0 action », « 1 demande à décider », « 12 demandes à décider » (in French, 0 and 1 take the singular)."""
    return f"{format_number(n)} {plural if n is not None and abs(n) >= 2 else singular}"


def format_hours(value) -> str:
    """A number of hours in a sentence: "1 234 h"."""
    return f"{format_number(value)} h"


def plain_decimal(value) -> str:
    """A decimal as typed in a form or a CSV cell: "1,5", "2" (no thousands separator)."""
    if isinstance(value, bool) or value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{number.normalize():f}".replace(".", ",")


def format_date(value) -> str:
    """« 12 juillet 2027 », « 1er septembre 2027 » (the first day of a month is written « 1er » in French)."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {formats.date_format(value, 'F Y')}"


def format_datetime(value) -> str:
    """« 12 juillet 2027 à 14:05 », in the local time zone."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_date(local)} à {local:%H:%M}"


def format_short_datetime(value, zone=None) -> str:
    """« 12/07/2027 14:05 » in the local time zone (``zone``: the current one, looked up once for a whole list by
    the caller), for a column of a long list; None -> "—"."""
    if value is None:
        return "—"
    local = timezone.localtime(value, zone) if timezone.is_aware(value) else value
    return f"{local:%d/%m/%Y %H:%M}"


def percent(value, total, decimals: int = 1) -> str:
    if not total:
        return "—"
    return format_number(Decimal(value or 0) * 100 / Decimal(total), decimals) + f"{NARROW_NBSP}%"
