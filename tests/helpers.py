import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace collapsed to single spaces (line breaks fall anywhere in a PDF)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def form_data(values: dict, version: int, action: str = "save") -> dict:
    """POST data of the Annexe 1 form from model values."""
    from requests_app.models import AXES, LEVEL_KEYS

    data = {"version": str(version), action: action}
    for key, value in values.items():
        if key.startswith(("level_", "axis_")):
            continue
        if value is None:
            data[key] = ""
        elif key.startswith("hse_"):
            data[key] = str(value).replace(".", ",")
        else:
            data[key] = str(value)
    data["levels"] = [k for k in LEVEL_KEYS if values.get(f"level_{k}")]
    data["axes"] = [k for k, _ in AXES if values.get(f"axis_{k}")]
    return data


def require_postgresql(why: str) -> None:
    """Skip a test that needs PostgreSQL on another database, except under ``CI=true`` where the missing
    database is a failure: the continuous integration must run these tests, not quietly skip them."""
    import os

    import pytest
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    reason = f"needs PostgreSQL ({why}): run with DATABASE_URL=postgres://…"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but the database is {connection.vendor}: {reason}")
    pytest.skip(reason)


def join_all(threads, timeout: float = 60) -> None:
    """Wait for every thread; one still running after ``timeout`` seconds (a writer stuck on a lock, a
    deadlock) fails the test instead of being silently left behind."""
    import time

    import pytest

    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        pytest.fail(f"{len(stuck)} writer thread(s) did not finish within {timeout} s: {', '.join(stuck)}")


def _cell_text(cell) -> str:
    return " ".join(cell.get_text(" ").replace("\u202f", " ").replace("\xa0", " ").split())


def table_cell(content, row: str, column: str) -> str:
    """The text of the table cell at ``row`` (the text its first cell starts with) and ``column`` (its header's
    text, exactly), read from the parsed page (colspans counted); narrow and no-break spaces read as spaces.
    Fails when no table of the page has that column and row: a figure found elsewhere on the page is no proof."""
    from bs4 import BeautifulSoup

    page = content if hasattr(content, "find_all") else BeautifulSoup(content, "html.parser")
    for table in page.find_all("table"):
        header = table.find("thead").find_all("tr")[-1] if table.find("thead") else table.find("tr")
        index, position = None, 0
        for cell in header.find_all(["th", "td"]):
            if _cell_text(cell) == column:
                index = position
            position += int(cell.get("colspan", 1))
        if index is None:
            continue
        for tr in table.find_all("tr"):
            cells = tr.find_all(["th", "td"])
            if not cells or tr is header or not _cell_text(cells[0]).startswith(row):
                continue
            position = 0
            for cell in cells:
                if position == index:
                    return _cell_text(cell)
                position += int(cell.get("colspan", 1))
    raise AssertionError(f"no table cell at row {row!r} and column {column!r}")


def element_text(content, element_id: str) -> str:
    """The text of the element with this id (narrow and no-break spaces read as spaces)."""
    from bs4 import BeautifulSoup

    page = content if hasattr(content, "find_all") else BeautifulSoup(content, "html.parser")
    element = page.find(id=element_id)
    assert element is not None, f"no element #{element_id}"
    return _cell_text(element)
