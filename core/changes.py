"""The version of the data the boards read, and what is computed from it.

A database trigger on each watched table (``core.migration_helpers.watch_changes``, in the migration of the app
that owns the table) adds to ``core.DataChange`` in the very transaction that writes a row, whatever writes it: a
service, the admin site, a ``QuerySet.update``, SQL typed by hand. ``data_version()`` is the sum of the weights:
it grows each time a transaction that changed a watched table commits, and never otherwise.

``memo(key, build)`` keeps, in the process, what ``build()`` returned for ``key`` at the version read just
before: the version is read first, then the figures; a change committed in between makes the figures newer
than their version, never older, and the next reader reads the new version and builds again. So a figure kept
here is never older than the database was when the page was asked for.
"""

from collections import OrderedDict
from datetime import timedelta
from threading import Lock

from django.db import connection

from core.models import DataChange
from core.periodic import periodic
from core.tasks import job

TABLE = DataChange._meta.db_table  # written by the triggers of ``core.migration_helpers.watch_changes``
_KEPT = 16  # entries kept per process (each a board of one campaign on one day)
_memo: "OrderedDict[tuple, object]" = OrderedDict()
_lock = Lock()


def supported() -> bool:
    return connection.vendor in ("postgresql", "sqlite")


def data_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(weight), 0) FROM {TABLE}")  # noqa: S608 (a constant)
        return int(cursor.fetchone()[0])


def memo(key: tuple, build):
    """``build()``'s result for ``key`` at the current data version, built again once the data changed. What it
    returns is shared by the requests of the process: never modified by its readers."""
    if not supported():
        return build()
    full = (*key, data_version())
    with _lock:
        if full in _memo:
            _memo.move_to_end(full)
            return _memo[full]
    value = build()
    with _lock:
        _memo[full] = value
        while len(_memo) > _KEPT:
            _memo.popitem(last=False)
    return value


def forget() -> None:
    """Empty this process's memo (tests: the database is emptied between them, and its version with it)."""
    with _lock:
        _memo.clear()


@periodic(every=timedelta(hours=1), name="compact-data-changes")
@job(time_limit=300)
def compact() -> int:
    """PostgreSQL: the rows written by the triggers folded into one, their weights summed, in one statement (the
    version read before and after is the same). Returns the number of rows folded."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {TABLE} RETURNING weight) "  # noqa: S608 (a constant)
            f"INSERT INTO {TABLE} (weight) SELECT SUM(weight) FROM gone HAVING COUNT(*) > 0 RETURNING "
            "(SELECT COUNT(*) FROM gone)"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
