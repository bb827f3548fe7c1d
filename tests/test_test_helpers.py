"""The guards of the concurrency tests themselves: under ``CI=true`` a missing PostgreSQL fails, and a writer
thread still running after its time counts as a failure."""

import threading

import pytest
from _pytest.outcomes import Failed, Skipped
from django.db import connection

from tests.helpers import join_all, require_postgresql, table_cell


def test_missing_postgresql_skips_locally_and_fails_under_ci(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped):
        require_postgresql("row locks")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="CI=true but the database is sqlite"):
        require_postgresql("row locks")


def test_a_writer_that_does_not_finish_fails_the_test():
    release = threading.Event()
    stuck = threading.Thread(target=release.wait, name="writer-stuck", daemon=True)
    done = threading.Thread(target=lambda: None, name="writer-done")
    stuck.start()
    done.start()
    try:
        with pytest.raises(Failed, match=r"1 writer thread.*writer-stuck"):
            join_all([done, stuck], timeout=0.2)
    finally:
        release.set()
        stuck.join()
    join_all([done, stuck], timeout=1)  # all finished: no failure


TABLE = """<p>126</p><table><thead><tr><th colspan="2">Établissement</th><th>Heures par an</th></tr></thead>
<tbody><tr><th>Lycée A</th><td>x</td><td>1\u202f026</td></tr>
<tr><th>Lycée B</th><td>y</td><td>54</td></tr></tbody></table>"""


def test_table_cell_reads_the_cell_by_row_and_column_header():
    assert table_cell(TABLE, "Lycée A", "Heures par an") == "1 026"
    assert table_cell(TABLE, "Lycée B", "Heures par an") == "54"
    with pytest.raises(AssertionError, match="no table cell"):
        table_cell(TABLE, "Lycée C", "Heures par an")  # the figure elsewhere on the page does not count
    with pytest.raises(AssertionError, match="no table cell"):
        table_cell(TABLE, "Lycée A", "HSE par semaine")
