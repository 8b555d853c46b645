"""The load and fuzz commands, on the small budgets CI can afford (docs/reliability.md has full runs)."""
from __future__ import annotations

import json

import pytest

from tests.reliability.helpers import run_py

pytestmark = pytest.mark.slow


def test_load_small_budget_has_no_errors_and_flat_memory(mirror_index):
    """4 clients for 5 s against the search API and the app's server, then 300 searches for memory."""
    proc = run_py("benchmarks/load.py", "--index", str(mirror_index.index), "--clients", "4", "--duration", "5",
                  "--queries", "300", "--torch-threads", "1", "--json", timeout=600)
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-3000:])
    report = json.loads(proc.stdout)
    t, m = report["throughput"], report["memory"]
    assert t["total"]["errors"] == 0 and m["errors"] == 0, (t["error_samples"], m["error_samples"])
    for kind in ("search", "app_page", "app_health"):
        assert t[kind]["requests"] > 0 and t[kind]["p95_ms"] is not None, (kind, t)
    assert t["seconds"] < 5 + 60, "the throughput phase is bounded by --duration"
    assert m["completed"] and m["queries"] == 300
    assert m["growth_mb"]["start_to_end"] < 40 and m["growth_mb"]["middle_to_end"] < 25, m["rss_mb"]


def test_fuzz_small_budget_finds_nothing():
    """Every target but `query` (its property runs in-process in test_query_fuzz.py; here it would load the model)."""
    proc = run_py("benchmarks/fuzz.py", "--budget", "15", "--seconds", "25", "--extract-seconds", "5",
                  "--skip", "query", "--json", timeout=300)
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["failed"] == [], json.dumps(report["targets"], indent=1)[-4000:]
    assert set(report["targets"]) == {"loader-bytes", "loader-pdf", "loader-html", "html-guard", "pipeline-text",
                                      "upload-names", "sql-filters", "links", "escapes", "encodings", "catalogue"}
    assert all(r["examples"] > 0 for r in report["targets"].values()), report["targets"]
