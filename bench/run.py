"""make bench: the product's pages and documents measured against their floors, at national scale and 10x.

1. Builds two datasets (national scale: every region, about 800 establishments, two campaigns with a request
   for each establishment in a mix of every state; and 10x that), on PostgreSQL when DATABASE_URL is set
   (two scratch databases next to it), otherwise in SQLite files under bench/data/.
2. Counts the queries of each page at both sizes (they must be equal).
3. Serves the national-scale dataset with gunicorn (production settings) on loopback and loads each page with
   8 concurrent keep-alive clients: throughput, p50 and p95 — beside the floor (a bare view behind the same
   middleware) and the Django admin's changelist of the same requests.
4. Times each PDF beside a bare WeasyPrint document holding the same text, cell by cell; times serving a
   frozen (transmitted) PDF.
5. Races concurrent allocation writers on one envelope (PostgreSQL) and checks the invariant.
Prints one table and writes bench/results.json.
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_REQUESTS", "60"))
SCALES = (1, 10)
TARGETS = {"throughput_vs_admin": 1.5, "p95_ms": 150, "pdf_ratio": 1.25, "frozen_pdf_ms": 100}


def log(message):
    print(message, file=sys.stderr, flush=True)


SECRET = secrets.token_urlsafe(60)  # the same for the probes (sessions) and the server


def databases():
    """The environment of each scale's database."""
    url = os.environ.get("DATABASE_URL")
    envs = {}
    if url:
        import psycopg

        parts = urlsplit(url)
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            for scale in SCALES:
                name = f"{parts.path.strip('/') or 'hse'}_bench_{scale}x"
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
                envs[scale] = {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
    else:
        DATA.mkdir(parents=True, exist_ok=True)
        for scale in SCALES:
            path = DATA / f"bench_{scale}x.sqlite3"
            for stale in DATA.glob(f"bench_{scale}x.sqlite3*"):
                stale.unlink()
            envs[scale] = {"SQLITE_PATH": str(path)}
    for scale in SCALES:
        media = DATA / f"media_{scale}x"
        shutil.rmtree(media, ignore_errors=True)
        envs[scale].update(MEDIA_ROOT=str(media), DEBUG="false", PRODUCTION="false", SECRET_KEY=SECRET)
    return envs


def run(script, *args, env):
    full = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    full.update(env)
    result = subprocess.run(
        [PYTHON, str(ROOT / "bench" / script), *map(str, args)],
        env=full,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"bench/{script} {' '.join(map(str, args))} failed")
    return json.loads(result.stdout.strip().splitlines()[-1].replace("'", '"'))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(env):
    port = free_port()
    production = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")},
        **env,
        "PRODUCTION": "true",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_HOST": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "BENCHMARK_FLOOR": "true",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=production, cwd=ROOT, check=True)
    workers = str(int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 2) + 1))))
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            workers,
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ],
        env=production,
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    return process, port, workers


def load(port, path, cookie, clients=CLIENTS, per_client=REQUESTS_PER_CLIENT):
    """``clients`` keep-alive connections in parallel, ``per_client`` requests each; after a warm-up."""
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

    warm = [threading.Thread(target=client, args=(3, False)) for _ in range(clients)]
    for thread in warm:
        thread.start()
    for thread in warm:
        thread.join()
    threads = [threading.Thread(target=client, args=(per_client, True)) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    bad = [s for s in statuses if s != 200]
    return {
        "requests": len(latencies),
        "errors": len(bad),
        "throughput_rps": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
    }


def main():
    started = time.time()
    envs = databases()
    datasets, queries = {}, {}
    for scale in SCALES:
        log(f"building the {scale}x dataset…")
        datasets[scale] = run("dataset.py", "--scale", scale, env=envs[scale])
        queries[scale] = run("probe.py", "queries", datasets[scale]["detail_request"], env=envs[scale])
    national = envs[1]
    detail = datasets[1]["detail_request"]
    log("timing the PDFs…")
    pdfs = run("probe.py", "pdfs", detail, env=national)
    log("racing concurrent writers…")
    race = run("probe.py", "race", detail, env=national)
    sessions = run("probe.py", "sessions", detail, env=national)

    log("serving with gunicorn and loading the pages…")
    process, port, workers = serve(national)
    try:
        cookie = {email: f"__Host-sessionid={key}" for email, key in sessions.items()}
        regional, dger, admin = (
            cookie["draaf.53@bench.example.org"],
            cookie["dger@bench.example.org"],
            cookie["admin@bench.example.org"],
        )
        http_results = {
            "floor": load(port, "/__bench__/plancher/", regional),
            "admin_changelist": load(port, "/admin/requests_app/request/", admin),
            "regional_board": load(port, "/allocations/?campagne=2027", regional),
            "request_list": load(port, "/demandes/?campagne=2027", regional),
            "request_page": load(port, f"/demandes/{detail}/", regional),
            "national_board": load(port, "/national/?campagne=2027", dger),
            "frozen_pdf": load(port, f"/rapports/transmissions/{datasets[1]['transmission']}/pdf/", dger),
        }
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    admin_rps = http_results["admin_changelist"]["throughput_rps"]
    floor_rps = http_results["floor"]["throughput_rps"]
    pages = {}
    for name in ("regional_board", "request_list", "request_page", "national_board"):
        result = http_results[name]
        pages[name] = {
            **result,
            "vs_admin": round(result["throughput_rps"] / admin_rps, 2),
            "vs_floor": round(result["throughput_rps"] / floor_rps, 2),
            "queries_1x": queries[1][name],
            "queries_10x": queries[10][name],
        }
    checks = {
        "pages_vs_admin": all(p["vs_admin"] >= TARGETS["throughput_vs_admin"] for p in pages.values()),
        "pages_p95": all(p["p95_ms"] < TARGETS["p95_ms"] for p in pages.values()),
        "queries_constant": all(queries[1][n] == queries[10][n] for n in queries[1]),
        "pdfs_vs_floor": all(p["ratio"] <= TARGETS["pdf_ratio"] for p in pdfs.values()),
        "frozen_pdf": http_results["frozen_pdf"]["p95_ms"] < TARGETS["frozen_pdf_ms"],
        "no_http_errors": all(r["errors"] == 0 for r in http_results.values()),
        "race_invariant": race.get("invariant_holds", True) and not race.get("crashes"),
    }
    results = {
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "cpus": os.cpu_count(),
        "gunicorn_workers": int(workers),
        "clients": CLIENTS,
        "datasets": datasets,
        "pages": pages,
        "references": {
            "floor": http_results["floor"],
            "admin_changelist": {
                **http_results["admin_changelist"],
                "queries_1x": queries[1]["admin_changelist"],
                "queries_10x": queries[10]["admin_changelist"],
            },
        },
        "frozen_pdf": http_results["frozen_pdf"],
        "pdfs": pdfs,
        "race": race,
        "targets": TARGETS,
        "checks": checks,
        "seconds": round(time.time() - started),
    }
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print_table(results)
    return 0


def print_table(r):
    line = "-" * 100
    print(line)
    print(
        f"HSE appui personnalisé — benchmark on {r['database']}, {r['cpus']} CPUs, gunicorn {r['gunicorn_workers']} "
        f"workers, {r['clients']} concurrent clients"
    )
    d1, d10 = r["datasets"][1], r["datasets"][10]
    print(
        f"datasets: 1x {d1['establishments']} establishments / {d1['requests']} requests; "
        f"10x {d10['establishments']} / {d10['requests']}"
    )
    print(line)
    print(f"{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'× admin':>9}{'× floor':>9}{'queries 1x/10x':>17}")
    floor, admin = r["references"]["floor"], r["references"]["admin_changelist"]
    print(f"{'floor (bare view)':<22}{floor['throughput_rps']:>9}{floor['p50_ms']:>9}{floor['p95_ms']:>9}{'1.00':>18}")
    admin_vs_floor = round(admin["throughput_rps"] / floor["throughput_rps"], 2)
    print(
        f"{'admin changelist':<22}{admin['throughput_rps']:>9}{admin['p50_ms']:>9}{admin['p95_ms']:>9}{'1.00':>9}"
        f"{admin_vs_floor:>9}{admin['queries_1x']:>9}/{admin['queries_10x']}"
    )
    for name, p in r["pages"].items():
        print(
            f"{name:<22}{p['throughput_rps']:>9}{p['p50_ms']:>9}{p['p95_ms']:>9}{p['vs_admin']:>9}{p['vs_floor']:>9}"
            f"{p['queries_1x']:>9}/{p['queries_10x']}"
        )
    f = r["frozen_pdf"]
    print(f"{'frozen PDF (served)':<22}{f['throughput_rps']:>9}{f['p50_ms']:>9}{f['p95_ms']:>9}")
    print(line)
    print(f"{'PDF':<22}{'seconds':>10}{'floor s':>10}{'ratio':>8}{'cells':>8}")
    for name, p in r["pdfs"].items():
        print(f"{name:<22}{p['seconds']:>10}{p['floor_seconds']:>10}{p['ratio']:>8}{p['cells']:>8}")
    print(line)
    race = r["race"]
    if "skipped" in race:
        print(f"allocation race: {race['skipped']}")
    else:
        print(
            f"allocation race: {race['writers']} writers, {race['attempts']} attempts ({race['granted']} granted, "
            f"{race['refused']} refused, {race['crashes']} crashes) in {race['seconds']} s = "
            f"{race['decisions_per_second']} decisions/s; allocated {race['allocated']} h <= envelope "
            f"{race['envelope']} h: {race['invariant_holds']}"
        )
    print(line)
    print("checks: " + ", ".join(f"{k}={'ok' if v else 'MISSED'}" for k, v in r["checks"].items()))
    print(f"written to bench/results.json ({r['seconds']} s)")


if __name__ == "__main__":
    sys.exit(main())
