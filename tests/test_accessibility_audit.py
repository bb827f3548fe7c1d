"""The accessibility audit kept as data (docs/rgaa/) and the statement computed from it (/accessibilite/)."""

import csv
import html
from decimal import Decimal

from core.accessibility import AUDIT, PAGES, read_audit

THEMES = {1: 9, 2: 2, 3: 3, 4: 13, 5: 8, 6: 2, 7: 5, 8: 10, 9: 4, 10: 14, 11: 13, 12: 11, 13: 12}  # RGAA 4.1


def test_the_audit_covers_every_rgaa_criterion_on_a_documented_sample():
    audit = read_audit()
    expected = [f"{theme}.{n}" for theme, count in THEMES.items() for n in range(1, count + 1)]
    assert len(expected) == 106
    assert [c.number for c in audit.criteria] == expected
    sample = {page["id"] for page in audit.pages}
    assert len(sample) == len(audit.pages) >= 20
    roles = {page["role"] for page in audit.pages}
    assert roles == {"public", "chef·fe d'établissement", "DRAAF-SRFD", "DGER"}
    with AUDIT.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            assert row["methode"].strip(), f"criterion {row['critere']}: how it was checked is missing"
            if row["pages"] != "toutes":
                assert set(row["pages"].split()) <= sample, row
            if row["resultat"] == "NC":
                assert row["remarque"].strip(), f"criterion {row['critere']}: what fails is not said"


def test_the_rate_follows_the_rgaa_method(tmp_path):
    audit_csv = tmp_path / "audit.csv"
    audit_csv.write_text(
        "critere,thematique,intitule,pages,resultat,methode,remarque\n"
        "1.1,Images,a,toutes,C,revue,\n"
        "1.2,Images,b,toutes,C,revue,\n"
        "1.2,Images,b,P02,NC,revue,échoue sur une page\n"  # fails on one page: not compliant
        "1.3,Images,c,toutes,NA,revue,\n"  # not applicable: out of the rate
        "1.4,Images,d,P01,NA,revue,\n"
        "1.4,Images,d,P02,C,revue,\n"  # met on one page, failing on none: compliant
        "1.5,Images,e,toutes,C,revue,\n",
        encoding="utf-8",
    )
    audit = read_audit(audit_csv, PAGES)
    assert [c.result for c in audit.criteria] == ["C", "NC", "NA", "C", "C"]
    assert (audit.compliant, audit.applicable, audit.not_applicable) == (3, 4, 1)
    assert audit.rate == Decimal("75.00")
    audit_csv.write_text(
        "critere,thematique,intitule,pages,resultat,methode,remarque\n"
        + "".join(f"1.{n},Images,x,toutes,C,revue,\n" for n in range(1, 3))
        + "1.3,Images,x,toutes,NC,revue,échec\n",
        encoding="utf-8",
    )
    assert read_audit(audit_csv, PAGES).rate == Decimal("66.66")  # rounded down, never flattering


def test_the_statement_gives_the_computed_rate_and_what_is_not_compliant(client, db):
    audit = read_audit()
    response = client.get("/accessibilite/")
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    rate = f"{audit.rate:.2f}".replace(".", ",")
    assert f"{rate} %" in text
    assert f"{audit.compliant} critères conformes sur {audit.applicable} critères applicables" in text
    for criterion in audit.not_compliant:
        assert f"Critère {criterion.number} ({criterion.theme})" in text
    assert "Cette déclaration a été établie le 23 novembre 2026" in text
    assert "docs/rgaa" not in text  # no path of the repository in a page for the public
    assert audit.rate > Decimal("93.10")  # the best public reference today (Démarches simplifiées)
