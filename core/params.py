"""Numbers read from a query string or a posted field outside a form: a value that is not a plain whole number
within bounds is treated as absent, never as a server error (``"²"`` passes ``str.isdigit`` but not ``int``; a
5,000-digit number exceeds Python's conversion limit; a 20-digit one overflows a database integer)."""

import re

WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def whole_number(value) -> int | None:
    """``"42"`` → 42; anything else (empty, signed, other digits, more than 18 digits, not a string) → None."""
    if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value):
        return int(value)
    return None
