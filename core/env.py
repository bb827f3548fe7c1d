"""Strict parsing of settings from the environment.

A value that does not parse is a configuration error raised at start-up, never a
silently truthy string: ``DEBUG=Fasle`` stops the process instead of enabling debug.
"""

import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on", "oui", "vrai"}
_FALSE = {"0", "false", "no", "off", "non", "faux"}


def _raw(name: str, environ=None) -> str | None:
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value if value != "" else None


def env_bool(name: str, default: bool, environ=None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use one of {sorted(_TRUE)} or {sorted(_FALSE)}.")


def _number(name, default, environ, minimum, parse, kind):
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = parse(value)
        if isinstance(number, Decimal) and not number.is_finite():  # NaN, Infinity
            raise ValueError
    except (ValueError, InvalidOperation):
        raise ImproperlyConfigured(f"{name}={value!r} is not {kind}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_int(name: str, default: int, environ=None, minimum: int | None = None) -> int:
    return _number(name, default, environ, minimum, int, "an integer")


def env_decimal(name: str, default: Decimal, environ=None, minimum: Decimal | None = None) -> Decimal:
    return _number(name, default, environ, minimum, Decimal, "a number (write 1.1, not 1,1)")


def env_str(name: str, default: str | None = None, environ=None) -> str | None:
    value = _raw(name, environ)
    return default if value is None else value


def env_list(name: str, default: list[str] | None = None, environ=None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
