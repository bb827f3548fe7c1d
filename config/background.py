"""Work done after the response: a thread started once the transaction has committed.

For long, repeatable work only (building PDFs, sending their e-mails): every task must be safe to run again
(a restart of the server can interrupt it, and the page that started it offers to start it again). With
``BACKGROUND_INLINE`` (the tests) the task runs at once, in the caller's transaction.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction

logger = logging.getLogger(__name__)


def _run(task, args):
    try:
        task(*args)
    except Exception:
        logger.exception("background task %s failed", getattr(task, "__name__", task))
    finally:
        close_old_connections()
        connection.close()


def run_in_background(task, *args) -> None:
    if getattr(settings, "BACKGROUND_INLINE", False):
        task(*args)
        return
    transaction.on_commit(lambda: threading.Thread(target=_run, args=(task, args), daemon=True).start())
