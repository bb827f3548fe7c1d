"""Verification codes of the frozen documents (deposited Annexe 1, notification letter, usage report,
report transmitted to DGER).

A code is 8 characters of Crockford's base 32 (no I, L, O or U: nothing to misread), printed as
``7K3M-Q9XD`` with a QR code leading to the public check page (``/verifier/``). It is drawn at random when the
document is frozen (40 bits: guessing one is hopeless behind the check page's rate limit) and stored with
the document's SHA-256; the ``verification`` app answers who issued which document and when.
"""

import re
import secrets

import segno
from django.conf import settings
from django.urls import reverse

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
# What people type or read back: lower case, spaces or dashes anywhere, O for 0, I and L for 1.
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})
# As printed after the words « code de vérification » (a bare 4-4 pattern would also match « 2026-2027 »).
PATTERN = re.compile(rf"vérification\W+([{ALPHABET}]{{4}})-([{ALPHABET}]{{4}})\b", re.IGNORECASE)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str | None:
    """The stored form of a typed code (``7k3m q9xd`` → ``7K3MQ9XD``), or None when it cannot be one."""
    code = re.sub(r"[\s\-–.]", "", text or "").upper().translate(_MISREAD)
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def find_code(text: str) -> str | None:
    """The code printed after « code de vérification » in a document's text, in its stored form."""
    match = PATTERN.search(text or "")
    return (match.group(1) + match.group(2)).upper() if match else None


def check_url(code: str) -> str:
    return f"{settings.SITE_URL}{reverse('verification:check')}?code={display(code)}"


def stamp(code: str | None) -> dict | None:
    """What a frozen document prints: the code, the QR code (an SVG data URI) and the site's address."""
    if not code:
        return None
    url = check_url(code)
    qr = segno.make(url, error="m")
    return {
        "code": display(code),
        "url": url,
        "qr": qr.svg_data_uri(border=0, dark="#161616"),
        "site": settings.SITE_URL.split("://", 1)[-1],
    }
