"""The HTTP side of ``make bench``: one gunicorn server per dataset (production settings, loopback) and the load
of one page by concurrent keep-alive clients."""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(env, secret):
    return {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")},
        **env,
        "PRODUCTION": "true",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_HOST": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "BENCHMARK_FLOOR": "true",
        "LOG_LEVEL": "WARNING",
    }


def collect_static(env, secret):
    """The production static files (hashed and compressed names), once for every server."""
    command = [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(command, env=production_env(env, secret), cwd=ROOT, check=True)


def serve(env, secret):
    """Starts gunicorn on a free loopback port for the database of ``env``; returns (process, port, workers)."""
    port = free_port()
    production = production_env(env, secret)
    workers = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 2) + 1)))
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ],
        env=production,
        cwd=ROOT,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    return process, port, workers


def load(port, path, cookie, clients, per_client):
    """``clients`` keep-alive connections in parallel, ``per_client`` requests each, after a warm-up of three
    requests per client: throughput, p50 and p95 of the latencies, and the answers other than 200."""
    headers = {"Cookie": cookie, "Connection": "keep-alive"} if cookie else {"Connection": "keep-alive"}
    latencies, statuses, lock = [], [], threading.Lock()

    def client(count, record):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(count):
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if record:
                with lock:
                    latencies.append(elapsed)
                    statuses.append(response.status)
        conn.close()

    def in_parallel(count, record):
        threads = [threading.Thread(target=client, args=(count, record)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    in_parallel(3, False)
    started = time.perf_counter()
    in_parallel(per_client, True)
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": len([s for s in statuses if s != 200]),
        "throughput_rps": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[max(int(len(latencies) * 0.95) - 1, 0)] * 1000, 1),
    }
