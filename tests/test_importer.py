import io
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.importer import import_directory
from accounts.models import Establishment

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "fr-en-annuaire-education-35.csv"
SHIPPED = Path(__file__).resolve().parent.parent / "accounts" / "data" / "annuaire-education-agricole-35.csv"
SOURCE = DATA if DATA.exists() else SHIPPED


@pytest.fixture
def directory_bytes():
    return SOURCE.read_bytes()


def test_real_file_gives_23_agricultural_establishments_in_bretagne(db, directory_bytes):
    report = import_directory(io.BytesIO(directory_bytes))
    assert report.created == 23
    assert report.rejected == []
    establishments = Establishment.objects.all()
    assert establishments.count() == 23
    assert set(establishments.values_list("region__name", flat=True)) == {"Bretagne"}
    assert establishments.filter(status="public").count() == 2
    assert establishments.filter(status="prive").count() == 21
    assert establishments.filter(network="mfr").count() == 11
    monod = Establishment.objects.get(uai="0350700W")
    assert monod.name == "Lycée Théodore Monod"
    assert monod.commune == "Le Rheu"
    assert monod.network == "eplefpa"
    assert monod.department == "035"


def test_a_second_run_changes_nothing(db, directory_bytes):
    import_directory(io.BytesIO(directory_bytes))
    before = list(Establishment.objects.order_by("uai").values())
    report = import_directory(io.BytesIO(directory_bytes))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 23)
    assert list(Establishment.objects.order_by("uai").values()) == before


def test_bom_is_optional(db, directory_bytes):
    without_bom = directory_bytes.removeprefix(b"\xef\xbb\xbf")
    assert import_directory(io.BytesIO(without_bom)).created == 23


def test_broken_rows_are_reported_with_their_line(db, directory_bytes):
    text = directory_bytes.decode("utf-8-sig")
    lines = text.splitlines()
    agricultural = [i for i, line in enumerate(lines) if ";AGRICULTURE;" in line]
    bad_uai_line, bad_region_line = agricultural[0], agricultural[1]
    lines[bad_uai_line] = lines[bad_uai_line].replace(lines[bad_uai_line][:8], "0351962Z", 1)
    fields = lines[bad_region_line].split(";")
    fields[10], fields[12] = "999", "99"  # Code_departement, Code_region
    lines[bad_region_line] = ";".join(fields)
    report = import_directory(io.StringIO("\n".join(lines)))
    assert report.created == 21
    reasons = dict(report.rejected)
    assert set(reasons) == {bad_uai_line + 1, bad_region_line + 1}
    assert "lettre de contrôle" in reasons[bad_uai_line + 1]
    assert "région inconnue" in reasons[bad_region_line + 1]


def test_a_changed_row_is_updated(db, directory_bytes):
    import_directory(io.BytesIO(directory_bytes))
    text = directory_bytes.decode("utf-8-sig").replace("Lycée Théodore Monod", "Lycée Théodore-Monod")
    report = import_directory(io.StringIO(text))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 22)
    assert Establishment.objects.get(uai="0350700W").name == "Lycée Théodore-Monod"


def test_command_prints_counts_and_rejections(db, tmp_path, directory_bytes, capsys):
    path = tmp_path / "annuaire.csv"
    path.write_bytes(directory_bytes.replace(b"0350700W", b"0350700X"))
    call_command("import_establishments", str(path))
    out, err = capsys.readouterr()
    assert "créés : 22" in out
    assert "rejetés : 1" in out
    assert "lettre de contrôle" in err
    assert "ligne " in err


def test_command_explains_a_missing_column(db, tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Colonnes manquantes"):
        call_command("import_establishments", str(path))
