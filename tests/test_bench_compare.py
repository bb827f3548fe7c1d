"""make bench's verdicts: a figure worse than the committed baseline beyond the tolerance is a regression; the
figures compared do not depend on the machine's speed (pages against the admin changelist of the same round,
PDFs against their WeasyPrint floor)."""

import json

from bench import compare


def _figure(value):
    return {"median": value, "min": value, "max": value}


def _page(p95, throughput):
    return {"p50_ms": _figure(p95), "p95_ms": _figure(p95), "throughput_rps": _figure(throughput)}


def _results(p95=50.0, throughput=100.0, queries=8, ratio=1.3, admin_p95=200.0, admin_throughput=40.0, seconds=1.0):
    return {
        "machine": {"database": "postgresql", "cpus": 2},
        "pages": {
            "1x": {
                "admin_changelist": _page(admin_p95, admin_throughput),
                "regional_board": _page(p95, throughput),
            }
        },
        "queries": {"1x": {"regional_board": queries}},
        "pdfs": {"regional_summary": {"seconds": _figure(seconds), "ratio": _figure(ratio)}},
    }


def test_regressions_against_the_baseline(tmp_path, monkeypatch):
    monkeypatch.setattr(compare, "BASELINE", tmp_path / "baseline.json")
    assert compare.regressions(_results()) == []  # no baseline: nothing to compare with
    compare.write_baseline(_results())
    assert set(json.loads(compare.BASELINE.read_text())["figures"]) >= {
        "regional_board 1x p95",
        "regional_board 1x p95 × admin",
        "regional_board 1x throughput × admin",
        "regional_board 1x queries",
        "pdf regional_summary ratio to floor",
    }
    assert compare.regressions(_results(p95=60.0, throughput=85.0)) == []  # within 25 %
    lines = compare.regressions(_results(p95=70.0, throughput=70.0, queries=9, ratio=1.7))
    assert any(line.startswith("REGRESSION regional_board 1x p95 × admin: 0.35 x") for line in lines)
    assert any(line.startswith("REGRESSION regional_board 1x throughput × admin: 1.75 x") for line in lines)
    assert any(line.startswith("REGRESSION regional_board 1x queries: 9") for line in lines)
    assert any(line.startswith("REGRESSION pdf regional_summary ratio to floor") for line in lines)
    assert len(lines) == 4
    assert compare.regressions(_results(p95=20.0, throughput=500.0, queries=7)) == []  # better is never flagged


def test_a_slower_machine_is_not_a_regression(tmp_path, monkeypatch):
    """Everything three times slower, the admin changelist and the WeasyPrint floor too: the code did not change."""
    monkeypatch.setattr(compare, "BASELINE", tmp_path / "baseline.json")
    compare.write_baseline(_results())
    slower = _results(p95=150.0, throughput=33.3, admin_p95=600.0, admin_throughput=13.32, seconds=3.0)
    assert compare.regressions(slower) == []
    # The same slow machine with a page that lost ground against the admin changelist is still caught.
    lines = compare.regressions(_results(p95=300.0, throughput=20.0, admin_p95=600.0, admin_throughput=13.32))
    assert [line.split(":")[0] for line in lines] == [
        "REGRESSION regional_board 1x p95 × admin",
        "REGRESSION regional_board 1x throughput × admin",
    ]
