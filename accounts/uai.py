"""UAI (unité administrative immatriculée): 7 digits and a check letter.

The first three digits are the department (``035``; ``620``/``720`` for Corse; ``971``-``976`` overseas),
and the 7-digit number modulo 23 indexes ``ABCDEFGHJKLMNPRSTUVWXYZ``.
"""

from django.core.exceptions import ValidationError

from accounts.geography import DEPARTMENTS

CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def check_letter(digits: str) -> str:
    return CHECK_LETTERS[int(digits) % 23]


def normalize_uai(value: str) -> str:
    return (value or "").strip().upper()


def uai_error(value: str) -> str | None:
    """The French reason why ``value`` is not a valid UAI, or None when it is."""
    uai = normalize_uai(value)
    if len(uai) != 8:
        return f"Le code UAI « {value} » doit comporter 8 caractères (7 chiffres et une lettre)."
    digits, letter = uai[:7], uai[7]
    if not digits.isdigit() or not letter.isalpha():
        return f"Le code UAI « {value} » doit comporter 7 chiffres suivis d'une lettre."
    if digits[:3] not in DEPARTMENTS:
        return f"Le code UAI « {value} » ne commence pas par un code de département connu ({digits[:3]})."
    expected = check_letter(digits)
    if letter != expected:
        return f"La lettre de contrôle du code UAI « {value} » est incorrecte (attendue : {expected})."
    return None


def validate_uai(value: str) -> None:
    error = uai_error(value)
    if error:
        raise ValidationError(error, code="invalid_uai")


def make_uai(digits: str) -> str:
    """Complete 7 digits with their check letter."""
    return digits + check_letter(digits)
