"""make bench's verdicts: a figure worse than the committed baseline beyond the tolerance is a regression."""

import json

from bench import compare


def _results(p95=50.0, throughput=100.0, queries=8, ratio=1.3):
    figure = {"median": p95, "min": p95, "max": p95}
    return {
        "machine": {"database": "postgresql", "cpus": 2},
        "pages": {
            "1x": {
                "regional_board": {
                    "p50_ms": figure,
                    "p95_ms": figure,
                    "throughput_rps": {"median": throughput, "min": throughput, "max": throughput},
                }
            }
        },
        "queries": {"1x": {"regional_board": queries}},
        "pdfs": {
            "regional_summary": {
                "seconds": {"median": 1.0, "min": 1.0, "max": 1.0},
                "ratio": {"median": ratio, "min": ratio, "max": ratio},
            }
        },
    }


def test_regressions_against_the_baseline(tmp_path, monkeypatch):
    monkeypatch.setattr(compare, "BASELINE", tmp_path / "baseline.json")
    assert compare.regressions(_results()) == []  # no baseline: nothing to compare with
    compare.write_baseline(_results())
    assert set(json.loads(compare.BASELINE.read_text())["figures"]) >= {
        "regional_board 1x p95",
        "regional_board 1x throughput",
        "regional_board 1x queries",
        "pdf regional_summary ratio to floor",
    }
    assert compare.regressions(_results(p95=60.0, throughput=85.0)) == []  # within 25 %
    lines = compare.regressions(_results(p95=70.0, throughput=70.0, queries=9, ratio=1.7))
    assert any(line.startswith("REGRESSION regional_board 1x p95: 70.0 ms") for line in lines)
    assert any(line.startswith("REGRESSION regional_board 1x throughput") for line in lines)
    assert any(line.startswith("REGRESSION regional_board 1x queries: 9") for line in lines)
    assert any(line.startswith("REGRESSION pdf regional_summary ratio to floor") for line in lines)
    assert compare.regressions(_results(p95=20.0, throughput=500.0, queries=7)) == []  # better is never flagged
