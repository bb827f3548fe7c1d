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
