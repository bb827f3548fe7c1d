"""The SQL a page runs, as a snapshot: which queries, not only how many.

``normalise`` turns each captured query into a stable line (literals, ids, savepoint names and the length of
``IN (...)`` lists replaced), so that a snapshot is the same at every size of data and on every run. A page whose
queries change (one more, a join gone, a query per row) fails its test with the difference; when the change is
wanted, regenerate the snapshots with ``UPDATE_SNAPSHOTS=1`` and review the diff of ``tests/snapshots/``.

The snapshots are PostgreSQL's SQL; on another database only the constancy with the number of rows is checked.
"""

import difflib
import os
import re
from pathlib import Path

import pytest
from django.db import connection

SNAPSHOTS = Path(__file__).parent / "snapshots"

_RULES = (
    (re.compile(r"'(?:[^']|'')*'"), "?"),  # string literals (dates, session keys, status values...)
    (re.compile(r'"s\d+_x\d+"|\bs\d+_x\d+\b'), "<savepoint>"),  # savepoint names carry the thread id
    (re.compile(r"(?<![\w.\"])-?\d+(?:\.\d+)?(?:E[+-]?\d+)?\b"), "?"),  # numbers: ids, limits, hours
    (re.compile(r"::\w+(?:\(\?(?:,\s*\?)?\))?"), ""),  # casts of the literals
    (re.compile(r"\((?:\s*\?\s*,)+\s*\?\s*\)"), "(?...)"),  # IN lists of any length
    (re.compile(r"\s+"), " "),
)


def normalise(sql: str) -> str:
    for pattern, replacement in _RULES:
        sql = pattern.sub(replacement, sql)
    return sql.strip()


def normalised(captured) -> list[str]:
    return [normalise(query["sql"]) for query in captured.captured_queries]


def assert_sql_snapshot(name: str, queries: list[str]) -> None:
    """Compare ``queries`` (normalised) with ``tests/snapshots/<name>.txt``; write it under ``UPDATE_SNAPSHOTS=1``."""
    if connection.vendor != "postgresql":
        return
    path = SNAPSHOTS / f"{name}.txt"
    text = "\n".join(queries) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text)
        return
    if not path.exists():
        pytest.fail(f"no SQL snapshot {path.name}: run the test once with UPDATE_SNAPSHOTS=1 and review it")
    expected = path.read_text()
    if text != expected:
        diff = "\n".join(
            difflib.unified_diff(expected.splitlines(), text.splitlines(), "snapshot", "this run", lineterm="")
        )
        pytest.fail(
            f"the SQL of {name} changed ({len(expected.splitlines())} → {len(queries)} queries); if this is "
            f"wanted, regenerate with UPDATE_SNAPSHOTS=1 and review the diff:\n{diff}"
        )
