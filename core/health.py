"""Does the database answer? For the health probe, which must itself answer quickly (a load balancer waits a
few seconds at most) even when the database accepts connections but never replies.

The check runs in its own thread, on its own fresh connection (so a persistent connection stuck on a silent
server cannot hold it), and the probe waits ``timeout`` seconds at most. While a previous check is still
waiting, the database is not answering: the next probe says so at once instead of starting another thread.
"""

import threading

from django.db import DatabaseError, connection

_running = threading.Lock()


def _check(outcome: dict) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        outcome["ok"] = True
    except DatabaseError:
        outcome["ok"] = False
    finally:
        try:
            connection.close()
        finally:
            _running.release()


def database_answers(timeout: float = 4.0) -> bool:
    if not _running.acquire(blocking=False):
        return False
    outcome = {}
    thread = threading.Thread(target=_check, args=(outcome,), name="healthz-database", daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome.get("ok", False)
