"""Import of the official "Annuaire de l'éducation" CSV (semicolon separated, UTF-8 with or without BOM).

Only rows whose ``ministere_tutelle`` is ``AGRICULTURE`` are kept; establishments are upserted by UAI, so
running the same file twice changes nothing. A line that cannot be imported (broken quote, field too long, NUL
character, invalid values, a UAI listed twice, a database refusal) is reported with its number; the others are
imported.
"""

import csv
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from accounts.geography import DEPARTMENT_REGION, normalize_department
from accounts.models import Establishment, Region
from accounts.uai import normalize_uai, uai_error

REQUIRED_COLUMNS = (
    "Identifiant_de_l_etablissement",
    "Nom_etablissement",
    "Statut_public_prive",
    "Code postal",
    "Nom_commune",
    "Code_departement",
    "Code_region",
    "ministere_tutelle",
)
MFR_NATURE = "380"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"créés : {self.created} ; mis à jour : {self.updated} ; inchangés : {self.unchanged} ; "
            f"ignorés (hors enseignement agricole) : {self.skipped} ; rejetés : {len(self.rejected)}"
        )


class ImportFormatError(Exception):
    pass


def _network(row: dict, status: str) -> str:
    if status == Establishment.Status.PUBLIC:
        return Establishment.Network.EPLEFPA
    name = row.get("Nom_etablissement", "").lower()
    if row.get("code_nature", "").strip() == MFR_NATURE or "maison familiale" in name:
        return Establishment.Network.MFR
    mail = row.get("Mail", "").lower()
    if "cneap" in mail:
        return Establishment.Network.CNEAP
    if "unrep" in mail:
        return Establishment.Network.UNREP
    return Establishment.Network.UNKNOWN


def _values(row: dict, regions: dict[str, Region]) -> tuple[dict | None, str | None]:
    uai = normalize_uai(row.get("Identifiant_de_l_etablissement", ""))
    error = uai_error(uai)
    if error:
        return None, error
    name = row.get("Nom_etablissement", "").strip()
    if not name:
        return None, "nom de l'établissement manquant"
    status_label = row.get("Statut_public_prive", "").strip().lower()
    if status_label == "public":
        status = Establishment.Status.PUBLIC
    elif status_label in ("privé", "prive"):
        status = Establishment.Status.PRIVATE
    else:
        return None, f"statut public/privé inconnu « {row.get('Statut_public_prive', '')} »"
    department = normalize_department(row.get("Code_departement", "")) or uai[:3]
    region_code = row.get("Code_region", "").strip()
    region = (
        regions.get(region_code)
        or regions.get(region_code.zfill(2))
        or regions.get(DEPARTMENT_REGION.get(department, ""))
    )
    if region is None:
        return None, f"région inconnue (code région « {region_code} », département « {department} »)"
    address = ", ".join(p.strip() for p in (row.get("Adresse_1", ""), row.get("Adresse_2", "")) if p.strip())
    return {
        "uai": uai,
        "name": name[:200],
        "address": address[:300],
        "postal_code": row.get("Code postal", "").strip()[:5],
        "commune": row.get("Nom_commune", "").strip()[:120],
        "department": department,
        "region_id": region.pk,
        "status": status,
        "network": _network(row, status),
        "phone": row.get("Telephone", "").strip()[:30],
        "email": row.get("Mail", "").strip()[:254],
        "is_open": row.get("etat", "OUVERT").strip().upper() in ("OUVERT", "A OUVRIR", ""),
    }, None


def _lines(stream):
    """The file's lines, numbered from 1 as a spreadsheet shows them. The directory has one establishment per
    line, so each line is read on its own: a broken quote spoils that line only, never the rows after it."""
    raw = stream.read()
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    return enumerate(text.replace("\r\n", "\n").split("\n"), start=1)


def _fields(line: str) -> tuple[list[str] | None, str | None]:
    """The fields of one line, or why it cannot be read."""
    if "\x00" in line:
        return None, "caractère nul (0x00) dans la ligne : fichier abîmé ?"
    try:
        return next(csv.reader([line], delimiter=";", strict=True)), None
    except csv.Error as error:
        message = str(error)
        if "field larger than field limit" in message:
            return None, f"champ trop long (plus de {csv.field_size_limit():,} caractères)".replace(",", "\u202f")
        if "unexpected end of data" in message:
            return None, "guillemet ouvert et jamais fermé : la ligne est ignorée, les suivantes sont lues"
        return None, f"ligne illisible ({message})"


def _save(values: dict, current, report: ImportReport) -> None:
    if current is None:
        Establishment.objects.create(**values)
        report.created += 1
        return
    if values["network"] == Establishment.Network.UNKNOWN:
        values["network"] = current.network  # keep a network set by hand in the admin
    changed = [k for k, v in values.items() if getattr(current, k) != v]
    if changed:
        for key in changed:
            setattr(current, key, values[key])
        current.save(update_fields=changed)
        report.updated += 1
    else:
        report.unchanged += 1


def import_directory(stream) -> ImportReport:
    """Read the directory CSV from a binary or text stream and upsert the agricultural establishments. Every
    line that cannot be imported is reported with its number and reason (unreadable, incomplete, a UAI already
    read, refused by the database); the others are imported."""
    lines = _lines(stream)
    _number, header = next(lines, (1, ""))
    fieldnames, error = _fields(header)
    missing = [c for c in REQUIRED_COLUMNS if c not in (fieldnames or [])]
    if missing:
        raise ImportFormatError(error or "Colonnes manquantes dans le fichier : " + ", ".join(missing))

    regions = {r.code: r for r in Region.objects.all()}
    report = ImportReport()
    rows, first_line = [], {}
    for line, text in lines:
        if not text.strip():
            continue
        fields, error = _fields(text)
        if error:
            report.rejected.append((line, error))
            continue
        row = dict(zip(fieldnames, fields, strict=False))
        if (row.get("ministere_tutelle") or "").strip().upper() != "AGRICULTURE":
            report.skipped += 1
            continue
        values, error = _values(row, regions)
        if error:
            report.rejected.append((line, error))
        elif values["uai"] in first_line:
            report.rejected.append(
                (line, f"UAI {values['uai']} déjà lu ligne {first_line[values['uai']]} : cette ligne est ignorée")
            )
        else:
            first_line[values["uai"]] = line
            rows.append((line, values))

    existing = {e.uai: e for e in Establishment.objects.filter(uai__in=list(first_line))}
    with transaction.atomic():
        for line, values in rows:
            try:
                with transaction.atomic():  # a row the database refuses is reported; the others are kept
                    _save(values, existing.get(values["uai"]), report)
            except DatabaseError as error:
                report.rejected.append((line, f"refusée par la base de données ({str(error).strip()})"))
    report.rejected.sort()
    return report
