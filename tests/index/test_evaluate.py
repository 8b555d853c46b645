"""`python -m index evaluate` and `evaluate-beir` end to end (the rules: tests/index/evaluation/)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.index.index_helpers import run_cli


# -- the commands end to end ---------------------------------------------------------------

@pytest.mark.slow
def test_evaluate_cli_on_a_fixture_gold_set(small_index, tmp_path: Path) -> None:
    """Lexical mode is deterministic: a query made of one passage's rare words ranks it first."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(q) for q in [
        {"id": "g1", "query": "annual tabletop exercise logistics restoring damaged cables",
         "relevant": [{"symbol": "A/RES/91/11", "snippet": "hold an annual tabletop exercise on the logistics",
                       "grade": 2}]},
        {"id": "g2", "query": "zebra quasar marmalade",
         "relevant": [{"symbol": "A/RES/91/11", "snippet": "hold an annual tabletop exercise on the logistics",
                       "grade": 2}]},
    ]) + "\n", encoding="utf-8")
    proc = run_cli("evaluate", "--gold", str(gold), "--index", str(small_index.index), "--mode", "lexical",
                   "--no-naive", "--json", "--corpus", str(small_index.corpus[0]))
    assert proc.returncode == 0, proc.stderr
    lexical = json.loads(proc.stdout)["systems"]["lexical"]
    # g1: found at rank 1 (every metric 1); g2: nothing (every metric 0): means are 0.5
    for key in ("recall@1", "recall@5", "recall@10", "hit@1", "hit@5", "mrr@10", "ndcg@10"):
        assert lexical[key] == 0.5, key
    assert lexical["mean_words"] > 5


@pytest.mark.slow
def test_evaluate_beir_cli_writes_a_trec_run(tmp_path: Path) -> None:
    data = tmp_path / "beir"
    (data / "qrels").mkdir(parents=True)
    docs = [("d1", "Undersea cables", "Repair ships restore broken undersea cables within days."),
            ("d2", "Lighthouses", "Automatic lanterns guide ships along rocky coasts at night."),
            ("d3", "Weather buoys", "Moored buoys report wind and wave height to forecasters.")]
    (data / "corpus.jsonl").write_text("".join(json.dumps({"_id": i, "title": t, "text": x}) + "\n"
                                               for i, t, x in docs), encoding="utf-8")
    (data / "queries.jsonl").write_text(json.dumps({"_id": "q1", "text": "repair of broken undersea cables"}) + "\n"
                                        + json.dumps({"_id": "q2", "text": "wave height buoys"}) + "\n",
                                        encoding="utf-8")
    (data / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\n", encoding="utf-8")
    run = tmp_path / "run.trec"
    proc = run_cli("evaluate-beir", str(data), "--mode", "lexical", "--mode", "dense", "--run", str(run), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["systems"]["lexical"] == {"ndcg@10": 1.0, "recall@100": 1.0}
    assert result["runs"] == {"lexical": str(tmp_path / "run.lexical.trec"), "dense": str(tmp_path / "run.dense.trec")}
    assert not run.exists()
    lines = [ln.split() for ln in (tmp_path / "run.lexical.trec").read_text().splitlines()]
    assert lines[0][:4] == ["q1", "Q0", "d1", "1"] and lines[0][5] == "normbase-lexical"
    assert all(len(ln) == 6 for ln in lines)
    # one system per file: each (query, rank) once, each (query, document) once, one tag
    for mode in ("lexical", "dense"):
        rows = [ln.split() for ln in (tmp_path / f"run.{mode}.trec").read_text().splitlines()]
        assert {r[5] for r in rows} == {f"normbase-{mode}"}
        assert len({(r[0], r[3]) for r in rows}) == len(rows) == len({(r[0], r[2]) for r in rows})
        assert {r[0] for r in rows} == {"q1", "q2"}


def test_evaluate_beir_without_qrels_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "queries.jsonl").write_text("", encoding="utf-8")
    proc = run_cli("evaluate-beir", str(tmp_path), "--json")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"error: no qrels/*.tsv in {tmp_path}; name one with --qrels"]
