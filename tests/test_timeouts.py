"""A database that accepts connections but never answers: the health probe still answers 503 within five
seconds, and the settings bound connecting and statements."""

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import os, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.test import Client
client = Client()
for _ in range(2):
    start = time.perf_counter()
    response = client.get("/healthz")
    print(response.status_code, round(time.perf_counter() - start, 2), flush=True)
"""


@pytest.fixture
def silent_database():
    """A local socket that accepts every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for peer in accepted:
        peer.close()
    server.close()


@pytest.mark.parametrize("connect_timeout", ["3", "60"])
def test_health_probe_answers_503_within_five_seconds_from_a_silent_database(silent_database, connect_timeout):
    env = {k: v for k, v in os.environ.items() if k not in {"PRODUCTION", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DATABASE_URL=f"postgres://hse@127.0.0.1:{silent_database}/hse", DB_CONNECT_TIMEOUT=connect_timeout)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    answers = [line.split() for line in result.stdout.splitlines()]
    assert len(answers) == 2, result.stderr[-2000:]
    for status, seconds in answers:
        assert status == "503"
        assert float(seconds) < 5, answers


def test_postgresql_connections_carry_the_statement_timeout(db, settings):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor != "postgresql":
        pytest.skip("statement timeout: a PostgreSQL setting (SQLite waits on locks for its own 20 s timeout)")
    assert options["connect_timeout"] == settings.DB_CONNECT_TIMEOUT
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == f"{settings.DB_STATEMENT_TIMEOUT}s"
        # The planner reads a region's requests through the indexes (DB_RANDOM_PAGE_COST, see the settings).
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == str(settings.DB_RANDOM_PAGE_COST) == "1.1"
