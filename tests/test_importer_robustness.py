"""The directory importer under real files: every line it cannot import is reported with its number and
reason, and the other lines are imported (a repeated UAI, a row the database refuses, an unterminated quote,
a field longer than the csv module's limit, a NUL character)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.importer import import_directory
from accounts.models import Establishment

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "fr-en-annuaire-education-35.csv"
SHIPPED = Path(__file__).resolve().parent.parent / "accounts" / "data" / "annuaire-education-agricole-35.csv"
SOURCE = DATA if DATA.exists() else SHIPPED


@pytest.fixture
def lines():
    """The real extract, as lines; ``agricultural`` are the indexes of its 23 agricultural rows."""
    text = SOURCE.read_bytes().decode("utf-8-sig")
    return text.split("\n")


def agricultural(lines):
    return [i for i, line in enumerate(lines) if ";AGRICULTURE;" in line]


def uai(line):
    return line[:8]


def run(lines):
    return import_directory(io.BytesIO("\n".join(lines).encode("utf-8")))


@pytest.fixture
def database_refuses(db):
    """A database that refuses one establishment (a trigger, rolled back with the test's transaction), as a real
    database may refuse a row."""

    def refuse(code):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.uai = '{code}' THEN RAISE EXCEPTION 'établissement refusé'; END IF; RETURN NEW; END; "
                    "$$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON accounts_establishment "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_one()"
                )
            else:
                cursor.execute(
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON accounts_establishment "
                    f"WHEN NEW.uai = '{code}' BEGIN SELECT RAISE(ABORT, 'établissement refusé'); END"
                )

    return refuse


def test_a_repeated_uai_is_imported_once_and_a_refused_row_is_reported(db, lines, database_refuses):
    rows = agricultural(lines)
    repeated = lines[rows[0]]
    refused = uai(lines[rows[1]])
    database_refuses(refused)
    lines.append(repeated.replace(repeated.split(";")[1], "Nom modifié dans la seconde ligne", 1))
    report = run(lines)
    reasons = dict(report.rejected)
    repeat_line, refused_line = len(lines), rows[1] + 1
    assert set(reasons) == {repeat_line, refused_line}
    assert f"UAI {uai(repeated)} déjà lu ligne {rows[0] + 1}" in reasons[repeat_line]
    assert "refusée par la base de données" in reasons[refused_line]
    assert "établissement refusé" in reasons[refused_line]
    assert report.created == 22
    assert Establishment.objects.filter(uai=uai(repeated)).count() == 1
    assert Establishment.objects.get(uai=uai(repeated)).name != "Nom modifié dans la seconde ligne"
    assert not Establishment.objects.filter(uai=refused).exists()


def test_an_unterminated_quote_spoils_its_line_only(db, lines):
    rows = agricultural(lines)
    broken = rows[3]
    fields = lines[broken].split(";")
    fields[1] = '"Lycée au guillemet jamais fermé'
    lines[broken] = ";".join(fields)
    report = run(lines)
    assert dict(report.rejected) == {
        broken + 1: "guillemet ouvert et jamais fermé : la ligne est ignorée, les suivantes sont lues"
    }
    assert report.created == 22
    following = [uai(lines[i]) for i in rows if i > broken]
    assert following
    assert Establishment.objects.filter(uai__in=following).count() == len(following)


def test_a_field_longer_than_the_csv_limit_is_reported(db, lines):
    rows = agricultural(lines)
    fields = lines[rows[2]].split(";")
    fields[4] = "x" * 200_000  # Adresse_1
    lines[rows[2]] = ";".join(fields)
    report = run(lines)
    assert dict(report.rejected) == {rows[2] + 1: "champ trop long (plus de 131\u202f072 caractères)"}
    assert report.created == 22


def test_a_nul_character_is_reported(db, lines):
    rows = agricultural(lines)
    lines[rows[5]] = lines[rows[5]].replace(";", ";Lyc\x00ée ", 1)
    report = run(lines)
    assert dict(report.rejected) == {rows[5] + 1: "caractère nul (0x00) dans la ligne : fichier abîmé ?"}
    assert report.created == 22
    assert not Establishment.objects.filter(uai=uai(lines[rows[5]])).exists()


def test_the_command_reports_each_line_and_imports_the_rest(db, tmp_path, lines, capsys):
    rows = agricultural(lines)
    lines.append(lines[rows[0]])
    lines[rows[1]] = lines[rows[1]].replace(";", ';"', 1)
    path = tmp_path / "annuaire.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    call_command("import_establishments", str(path))
    out, err = capsys.readouterr()
    assert "créés : 22" in out
    assert "rejetés : 2" in out
    assert f"ligne {rows[1] + 1} rejetée : guillemet ouvert et jamais fermé" in err
    assert f"ligne {len(lines)} rejetée : UAI {uai(lines[rows[0]])} déjà lu ligne {rows[0] + 1}" in err
