"""Tables as CSV (French Excel: semicolon, decimal comma, UTF-8 with BOM) and XLSX (numbers as numbers).

No cell carries a formula: a text that a spreadsheet would evaluate (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return, e.g. an establishment named ``=HYPERLINK(…)`` in the directory) is written as text —
behind an apostrophe in CSV, as a string cell in XLSX. Numbers, negative ones included, stay numbers."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.formatting import plain_decimal

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal | float):
        return plain_decimal(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # shown as text by spreadsheets, never evaluated
    return value


def _xlsx_value(value):
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _xlsx_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # a string cell, even when it starts with "=" (openpyxl would write a formula)
    return cell


def csv_bytes(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(headers, rows, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    widths = [min(max(len(str(h)), 8) + 2, 60) for h in headers]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(fmt: str, filename: str, headers, rows, title: str) -> HttpResponse:
    content = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows, title)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
