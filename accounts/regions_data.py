"""The 22 regional authorities shipped with the project (``accounts/data/regions.csv``)."""

import csv
from pathlib import Path

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"


def region_rows() -> list[dict]:
    with REGIONS_CSV.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream, delimiter=";"))


def load_regions(region_model) -> int:
    """Upsert every region by code; works with the real model and with a migration's historical one."""
    for row in region_rows():
        region_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["region"],
                "kind": row["kind"],
                "authority_short": row["authority_short"],
                "authority_name": row["authority_name"],
            },
        )
    return region_model.objects.count()
