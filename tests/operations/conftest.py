"""Real parts for the operations tests: worker processes (``manage.py worker``), gunicorn app servers, an SMTP
server (aiosmtpd) and an S3-compatible server (moto), all on the loopback, against the test database.

The test database is shared with the subprocesses: these tests use ``transactional_db`` (what the test writes
is committed), and on SQLite the test database is a file (``config/settings.py``)."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout=60.0, every=0.1, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def database_env() -> dict:
    """The environment that points a subprocess at the test database."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return {"DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    name = str(db["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        pytest.skip("the SQLite test database is in memory: subprocesses cannot share it")
    return {"SQLITE_PATH": name}


class Processes:
    """Subprocesses started by a test, stopped (and their output kept) at its end."""

    def __init__(self, tmp_path: Path, base_env: dict):
        self.tmp_path = tmp_path
        self.base_env = base_env
        self.started = []

    def start(self, name: str, args: list[str], **env) -> subprocess.Popen:
        log_path = self.tmp_path / f"{name}.log"
        environment = {**self.base_env, **{k: str(v) for k, v in env.items()}}
        with log_path.open("w") as log:
            process = subprocess.Popen(
                args, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        process.name = name
        process.log_path = log_path
        self.started.append(process)
        return process

    def worker(self, name: str, **env) -> subprocess.Popen:
        return self.start(name, [sys.executable, "manage.py", "worker", "--interval", "0.2"], **env)

    def gunicorn(self, name: str, port: int, **env) -> subprocess.Popen:
        process = self.start(
            name,
            [
                sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60",
            ],
            **env,
        )  # fmt: skip
        wait_until(lambda: _answers(port), timeout=60, message=f"{name} listening on {port}")
        return process

    def output(self, process) -> str:
        return Path(process.log_path).read_text()

    def kill(self, process, sig=signal.SIGKILL) -> None:
        if process.poll() is None:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def processes(transactional_db, tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SQLITE_PATH", "EMAIL_HOST", "S3_BUCKET", "SENTRY_DSN", "PRODUCTION"}
    }
    env.update(
        database_env(),
        PYTHONUNBUFFERED="1",
        DEBUG="false",
        TASKS_BACKEND="database",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        WORKER_HEARTBEAT_SECONDS="1",
        WORKER_STALE_SECONDS="3",
        LOG_FORMAT="json",
        DB_CONN_MAX_AGE="0",
    )
    running = Processes(tmp_path, env)
    yield running
    running.stop_all()


class ScriptedSMTP:
    """An aiosmtpd handler that answers each message as told (``refuse_with = "451 …"``, or ``None`` to accept)
    and keeps what it accepted."""

    def __init__(self):
        self.refuse_with = None
        self.accepted = []
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_with:
                self.refused += 1
                return self.refuse_with
            self.accepted.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    handler = ScriptedSMTP()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def in_ci():
    return os.environ.get("CI", "").lower() == "true"
