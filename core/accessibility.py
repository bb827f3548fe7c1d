"""The accessibility statement (/accessibilite/), computed from the audit kept in the repository.

``docs/rgaa/audit.csv``: one row per RGAA 4.1 criterion and group of pages of the sample
(``docs/rgaa/pages.csv``), with its result (C compliant, NC not compliant, NA not applicable), how it was
checked and a remark. The RGAA method: a criterion is not compliant when it fails on one page of the sample,
compliant when it is met on at least one page and fails on none, not applicable otherwise; the conformance
rate is the compliant criteria over the applicable ones."""

import csv
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

AUDIT = settings.BASE_DIR / "docs" / "rgaa" / "audit.csv"
PAGES = settings.BASE_DIR / "docs" / "rgaa" / "pages.csv"
RESULTS = {"C", "NC", "NA"}
# The day the audit of docs/rgaa/ was last run over the whole sample: change it with the audit.
AUDIT_DATE = datetime.date(2026, 11, 23)


@dataclass
class Criterion:
    number: str
    theme: str
    title: str
    rows: list = field(default_factory=list)  # (pages, result, method, remark)

    @property
    def result(self) -> str:
        results = {row[1] for row in self.rows}
        if "NC" in results:
            return "NC"
        return "C" if "C" in results else "NA"

    @property
    def failures(self) -> list:
        return [row for row in self.rows if row[1] == "NC"]


@dataclass
class Audit:
    criteria: list
    pages: list

    def count(self, result: str) -> int:
        return sum(1 for c in self.criteria if c.result == result)

    @property
    def compliant(self) -> int:
        return self.count("C")

    @property
    def not_applicable(self) -> int:
        return self.count("NA")

    @property
    def applicable(self) -> int:
        return self.count("C") + self.count("NC")

    @property
    def rate(self) -> Decimal:
        """Compliant over applicable criteria, in per cent, rounded down to two decimals (never flattering)."""
        if not self.applicable:
            return Decimal(0)
        return (Decimal(100 * self.count("C")) / self.applicable).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    @property
    def not_compliant(self) -> list:
        return [c for c in self.criteria if c.result == "NC"]


def read_audit(audit_path=AUDIT, pages_path=PAGES) -> Audit:
    criteria = {}
    with open(audit_path, newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["resultat"] not in RESULTS:
                raise ValueError(f"{audit_path}: critère {row['critere']}, résultat inconnu {row['resultat']!r}")
            criterion = criteria.setdefault(
                row["critere"], Criterion(row["critere"], row["thematique"], row["intitule"])
            )
            criterion.rows.append((row["pages"], row["resultat"], row["methode"], row["remarque"]))
    with open(pages_path, newline="", encoding="utf-8") as stream:
        pages = list(csv.DictReader(stream))
    return Audit(list(criteria.values()), pages)


@lru_cache(maxsize=1)
def _audit() -> Audit:
    return read_audit()


@login_not_required
def statement(request):
    return render(
        request,
        "pages/accessibility.html",
        {"audit": _audit(), "audit_date": AUDIT_DATE, "contact_email": settings.CONTACT_EMAIL},
    )
