"""The figures of ``make bench``: medians of the rounds with their spread, the targets of the issue, the
comparison with the committed baseline (``bench/baseline.json``) and the printed table."""

import json
import os
import statistics
from pathlib import Path

BASELINE = Path(__file__).resolve().parent / "baseline.json"
# A figure regresses when it is worse than the baseline's by more than TOLERANCE (relative, BENCH_TOLERANCE,
# 25 % by default) *and* by more than the absolute slack of its unit (a 3 ms page that takes 4 ms is noise, not
# a regression). Query counts may not grow at all.
TOLERANCE = float(os.environ.get("BENCH_TOLERANCE", "0.25"))
SLACK = {"ms": 5.0, "s": 0.1, "x": 0.05, "rps": 0.0, "queries": 0}
# Compared with the baseline: the product's pages and the serving of a frozen PDF (not the references they are
# measured against: the bare floor and the admin changelist), every query count, every PDF's time, and the ratio
# to the WeasyPrint floor of the PDFs that have a target (the floor of a sub-second document is too noisy).
REFERENCES = ("floor ", "admin_changelist ")
RATIOS = ("pdf regional_summary ratio to floor", "pdf regional_review ratio to floor")


def spread(values):
    """Median, minimum and maximum of the rounds' values."""
    return {"median": round(statistics.median(values), 3), "min": min(values), "max": max(values)}


def fmt(figure, digits=1):
    return f"{figure['median']:.{digits}f} ({figure['min']:.{digits}f}–{figure['max']:.{digits}f})"


def figures(results) -> dict:
    """The figures compared with the baseline: name -> (median, unit, whether higher is better)."""
    out = {}
    for scale, pages in results["pages"].items():
        for name, page in pages.items():
            out[f"{name} {scale} p50"] = (page["p50_ms"]["median"], "ms", False)
            out[f"{name} {scale} p95"] = (page["p95_ms"]["median"], "ms", False)
            out[f"{name} {scale} throughput"] = (page["throughput_rps"]["median"], "rps", True)
    for scale, counts in results["queries"].items():
        for name, count in counts.items():
            out[f"{name} {scale} queries"] = (count, "queries", False)
    for name, pdf in results["pdfs"].items():
        out[f"pdf {name} seconds"] = (pdf["seconds"]["median"], "s", False)
        out[f"pdf {name} ratio to floor"] = (pdf["ratio"]["median"], "x", False)
    return out


def write_baseline(results):
    baseline = {
        "note": "Medians of a real `make bench` run (BENCH_WRITE_BASELINE=true); compared by every run.",
        "machine": results["machine"],
        "tolerance": TOLERANCE,
        "figures": {name: value for name, (value, _unit, _better) in figures(results).items()},
    }
    BASELINE.write_text(json.dumps(baseline, indent=2, ensure_ascii=False) + "\n")


def regressions(results) -> list[str]:
    """One line per figure worse than the baseline beyond the tolerance; none without a baseline."""
    if not BASELINE.exists():
        return []
    baseline = json.loads(BASELINE.read_text())["figures"]
    lines = []
    for name, (value, unit, higher_is_better) in figures(results).items():
        base = baseline.get(name)
        if base is None or (unit != "queries" and name.startswith(REFERENCES)):
            continue
        if name.endswith("ratio to floor") and name not in RATIOS:
            continue
        if unit == "queries":
            worse = value > base
            limit = base
        elif higher_is_better:
            limit = base / (1 + TOLERANCE)
            worse = value < limit
        else:
            limit = base * (1 + TOLERANCE)
            worse = value > limit and value - base > SLACK[unit]
        if worse:
            lines.append(f"REGRESSION {name}: {value} {unit}, baseline {base} {unit} (limit {round(limit, 2)} {unit})")
    return lines


def print_table(r):
    line = "-" * 112
    print(line)
    m = r["machine"]
    print(
        f"HSE appui personnalisé — benchmark on {m['database']}, {m['cpus']} CPUs, gunicorn {m['gunicorn_workers']} "
        f"workers, {m['clients']} concurrent clients, {m['rounds']} interleaved rounds of {m['requests']} requests "
        "a page: median (min–max)"
    )
    d1, d10 = r["datasets"]["1x"], r["datasets"]["10x"]
    print(
        f"datasets: 1x {d1['establishments']} establishments / {d1['requests']} requests; "
        f"10x {d10['establishments']} / {d10['requests']}"
    )
    print(line)
    print(f"{'page':<18}{'scale':>6}{'req/s':>22}{'p50 ms':>22}{'p95 ms':>22}{'× admin':>9}{'10x/1x':>8}{'queries':>9}")
    for scale, pages in r["pages"].items():
        for name, p in pages.items():
            extra = r["ratios"].get(scale, {}).get(name, {})
            print(
                f"{name:<18}{scale:>6}{fmt(p['throughput_rps']):>22}{fmt(p['p50_ms']):>22}{fmt(p['p95_ms']):>22}"
                f"{extra.get('vs_admin', ''):>9}{extra.get('p95_10x_vs_1x', ''):>8}"
                f"{r['queries'].get(scale, {}).get(name, ''):>9}"
            )
    print(line)
    print(f"{'PDF':<20}{'seconds':>22}{'floor s':>22}{'ratio':>22}{'cells':>8}")
    for name, p in r["pdfs"].items():
        print(
            f"{name:<20}{fmt(p['seconds'], 3):>22}{fmt(p['floor_seconds'], 3):>22}{fmt(p['ratio'], 2):>22}"
            f"{p['cells']:>8}"
        )
    print(line)
    race = r["race"]
    if "skipped" in race:
        print(f"allocation race: {race['skipped']}")
    else:
        print(
            f"allocation race: {race['writers']} writers, {race['attempts']} attempts ({race['granted']} granted, "
            f"{race['refused']} refused, {race['crashes']} crashes) in {race['seconds']} s; allocated "
            f"{race['allocated']} h <= envelope {race['envelope']} h: {race['invariant_holds']}"
        )
    print(line)
    for name, check in r["checks"].items():
        print(f"{'ok    ' if check['ok'] else 'MISSED'} {name}: {check['detail']}")
    for regression in r["regressions"]:
        print(regression)
    print(f"written to bench/results.json ({r['seconds']} s)")
