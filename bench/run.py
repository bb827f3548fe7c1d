"""make bench: the product's pages and documents measured against the targets of issue 15, at national scale
and at 10x, in interleaved rounds, and compared with the baseline committed in ``bench/baseline.json``.

1. Builds two datasets (national scale: every region, about 800 establishments, two campaigns with a request
   for each establishment in a mix of every state; and 10x that), on PostgreSQL when DATABASE_URL is set
   (two scratch databases next to it), otherwise in SQLite files under bench/data/.
2. Counts the queries of each page at both sizes (they must be equal).
3. Serves each dataset with gunicorn (production settings) on loopback and, in each of BENCH_ROUNDS rounds
   (3), loads every page once with 8 concurrent keep-alive clients (BENCH_REQUESTS requests each, 30) at both
   scales — beside the floor (a bare view behind the same middleware), the Django admin's changelist of the
   same requests and the serving of a frozen PDF — then times every PDF once beside a bare WeasyPrint document
   holding the same text, cell by cell. Rounds are interleaved, so that a slow moment of the machine hits
   every figure alike; each figure is the median of the rounds, shown with its spread (min–max).
4. Races concurrent allocation writers on one envelope (PostgreSQL) and checks the invariant.
Prints one table, writes bench/results.json and exits non-zero when a target is missed or a figure regressed
beyond the tolerance of ``bench/compare.py`` against ``bench/baseline.json``. BENCH_WRITE_BASELINE=true
writes the run's medians as the new baseline. A quick run: BENCH_ROUNDS=1 BENCH_REQUESTS=10.
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.compare import print_table, regressions, spread, write_baseline
from bench.serving import collect_static, load, serve

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
PYTHON = sys.executable
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
REQUESTS_PER_CLIENT = int(os.environ.get("BENCH_REQUESTS", "30"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PDF_PAIRS = 3
SCALES = (1, 10)
# Issue 15: p95 at 8 clients, throughput against the admin changelist, p95 at 10x against 1x, regional PDFs
# against their WeasyPrint floor; a frozen PDF is served like a page.
TARGETS = {
    "p95_ms": 100,
    "throughput_vs_admin": 4.0,
    "p95_10x_vs_1x": 1.5,
    "regional_pdf_ratio": 1.15,
    "frozen_pdf_ms": 100,
    "national_pdf_seconds": 3,
}
PAGES = ("regional_board", "request_list", "request_page", "decision_page", "national_board")
REGIONAL_PDFS = ("regional_summary", "regional_review")
NATIONAL_PDFS = ("national_summary_whole", "national_review_whole")
SECRET = secrets.token_urlsafe(60)  # the same for the probes (sessions) and the servers


def log(message):
    print(message, file=sys.stderr, flush=True)


def databases():
    """The environment of each scale's database (created afresh)."""
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


def run(script, *args, env, extra=None):
    full = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    full.update(env, **(extra or {}))
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


def page_paths(dataset):
    """What each client loads: (user, path). The references (floor, admin, frozen PDF) beside the pages."""
    regional, dger, admin = "draaf.53@bench.example.org", "dger@bench.example.org", "admin@bench.example.org"
    detail = dataset["detail_request"]
    return {
        "floor": (regional, "/__bench__/plancher/"),
        "admin_changelist": (admin, "/admin/requests_app/request/"),
        "regional_board": (regional, "/allocations/?campagne=2027"),
        "request_list": (regional, "/demandes/?campagne=2027"),
        "request_page": (regional, f"/demandes/{detail}/"),
        "decision_page": (regional, f"/allocations/demandes/{detail}/"),
        "national_board": (dger, "/national/?campagne=2027"),
        "frozen_pdf": (dger, f"/rapports/transmissions/{dataset['transmission']}/pdf/"),
    }


def measure(envs, datasets):
    """The interleaved rounds: every page at both scales, then every PDF (``PDF_PAIRS`` times beside its floor,
    the least of each kept: the machine's speed drifts by a third from one second to the next), once a round."""
    servers, cookies = {}, {}
    samples = {f"{scale}x": {} for scale in SCALES}
    pdf_samples = {}
    collect_static(envs[1], SECRET)
    try:
        for scale in SCALES:
            detail = datasets[scale]["detail_request"]
            sessions = run("probe.py", "sessions", detail, env=envs[scale])
            cookies[scale] = {email: f"__Host-sessionid={key}" for email, key in sessions.items()}
            servers[scale] = serve(envs[scale], SECRET)
        for number in range(1, ROUNDS + 1):
            log(f"round {number}/{ROUNDS}: pages…")
            for scale in SCALES:
                _process, port, _workers = servers[scale]
                for name, (email, path) in page_paths(datasets[scale]).items():
                    if scale != 1 and name in ("floor", "frozen_pdf"):
                        continue  # references of the national scale only
                    result = load(port, path, cookies[scale][email], CLIENTS, REQUESTS_PER_CLIENT)
                    samples[f"{scale}x"].setdefault(name, []).append(result)
            log(f"round {number}/{ROUNDS}: PDFs…")
            pdfs = run("probe.py", "pdfs", datasets[1]["detail_request"], PDF_PAIRS, env=envs[1])
            for name, pdf in pdfs.items():
                pdf_samples.setdefault(name, []).append(pdf)
    finally:
        for process, _port, _workers in servers.values():
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    pages = {
        scale: {
            name: {
                **{key: spread([s[key] for s in runs]) for key in ("throughput_rps", "p50_ms", "p95_ms")},
                "errors": sum(s["errors"] for s in runs),
            }
            for name, runs in by_name.items()
        }
        for scale, by_name in samples.items()
    }
    pdfs = {
        name: {
            **{key: spread([s[key] for s in runs]) for key in ("seconds", "floor_seconds", "ratio")},
            "cells": runs[0]["cells"],
        }
        for name, runs in pdf_samples.items()
    }
    return pages, pdfs, servers[1][2]


def checks(pages, queries, pdfs, race):
    one, ten = pages["1x"], pages["10x"]
    admin_rps = one["admin_changelist"]["throughput_rps"]["median"]
    ratios = {"1x": {}, "10x": {}}
    for name in PAGES:
        ratios["1x"][name] = {"vs_admin": round(one[name]["throughput_rps"]["median"] / admin_rps, 2)}
        ratios["10x"][name] = {"p95_10x_vs_1x": round(ten[name]["p95_ms"]["median"] / one[name]["p95_ms"]["median"], 2)}

    def check(ok, detail):
        return {"ok": bool(ok), "detail": detail}

    def listing(values, unit=""):
        return ", ".join(f"{name} {value}{unit}" for name, value in values.items())

    p95 = {name: one[name]["p95_ms"]["median"] for name in PAGES}
    vs_admin = {name: ratios["1x"][name]["vs_admin"] for name in PAGES}
    scaled = {name: ratios["10x"][name]["p95_10x_vs_1x"] for name in PAGES}
    regional = {name: pdfs[name]["ratio"]["median"] for name in REGIONAL_PDFS if name in pdfs}
    frozen = one["frozen_pdf"]["p95_ms"]["median"]
    national = {name: pdfs[name]["seconds"]["median"] for name in NATIONAL_PDFS if name in pdfs}
    errors = {f"{scale} {name}": p["errors"] for scale, by in pages.items() for name, p in by.items() if p["errors"]}
    return ratios, {
        "pages_p95": check(
            all(v <= TARGETS["p95_ms"] for v in p95.values()), f"≤ {TARGETS['p95_ms']} ms at 1x: {listing(p95, ' ms')}"
        ),
        "pages_vs_admin": check(
            all(v >= TARGETS["throughput_vs_admin"] for v in vs_admin.values()),
            f"≥ {TARGETS['throughput_vs_admin']}× the admin changelist's throughput: {listing(vs_admin, '×')}",
        ),
        "pages_10x": check(
            all(v <= TARGETS["p95_10x_vs_1x"] for v in scaled.values()),
            f"p95 at 10x ≤ {TARGETS['p95_10x_vs_1x']}× p95 at 1x: {listing(scaled, '×')}",
        ),
        "queries_constant": check(
            queries["1x"] == queries["10x"],
            "same query count at 1x and 10x"
            + "".join(
                f"; {n} {queries['1x'][n]}/{queries['10x'][n]}"
                for n in queries["1x"]
                if queries["1x"][n] != queries["10x"].get(n)
            ),
        ),
        "regional_pdfs": check(
            len(regional) == len(REGIONAL_PDFS) and all(v <= TARGETS["regional_pdf_ratio"] for v in regional.values()),
            f"≤ {TARGETS['regional_pdf_ratio']}× their WeasyPrint floor: {listing(regional, '×')}",
        ),
        "frozen_pdf": check(frozen <= TARGETS["frozen_pdf_ms"], f"served at p95 {frozen} ms"),
        "national_pdfs": check(
            len(national) == len(NATIONAL_PDFS)
            and all(v <= TARGETS["national_pdf_seconds"] for v in national.values()),
            f"≤ {TARGETS['national_pdf_seconds']} s, assembled from the regions' PDFs: {listing(national, ' s')}",
        ),
        "no_http_errors": check(not errors, listing(errors) or "every answer 200"),
        "race_invariant": check(
            race.get("invariant_holds", True) and not race.get("crashes"),
            race.get("skipped", "allocated hours never exceed the envelope"),
        ),
    }


def main():
    started = time.time()
    envs = databases()
    datasets, queries = {}, {}
    for scale in SCALES:
        log(f"building the {scale}x dataset…")
        datasets[scale] = run("dataset.py", "--scale", scale, env=envs[scale])
        queries[f"{scale}x"] = run("probe.py", "queries", datasets[scale]["detail_request"], env=envs[scale])
    log("racing concurrent writers…")
    race = run("probe.py", "race", datasets[1]["detail_request"], env=envs[1])
    pages, pdfs, workers = measure(envs, datasets)
    ratios, verdicts = checks(pages, queries, pdfs, race)
    results = {
        "machine": {
            "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
            "cpus": os.cpu_count(),
            "gunicorn_workers": workers,
            "clients": CLIENTS,
            "rounds": ROUNDS,
            "requests": CLIENTS * REQUESTS_PER_CLIENT,
        },
        "datasets": {f"{scale}x": datasets[scale] for scale in SCALES},
        "pages": pages,
        "ratios": ratios,
        "queries": queries,
        "pdfs": pdfs,
        "race": race,
        "targets": TARGETS,
        "checks": verdicts,
    }
    results["regressions"] = regressions(results)
    results["seconds"] = round(time.time() - started)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print_table(results)
    if os.environ.get("BENCH_WRITE_BASELINE", "").lower() in ("1", "true", "yes"):
        write_baseline(results)
        print("baseline written to bench/baseline.json")
    missed = [name for name, check in results["checks"].items() if not check["ok"]]
    if missed or results["regressions"]:
        print(f"FAILED: {len(missed)} target(s) missed, {len(results['regressions'])} regression(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
