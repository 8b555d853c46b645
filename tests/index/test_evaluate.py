"""The evaluation harness: metrics worked out by hand, then the two CLI commands end to end.

The unit cases follow shared/eval/README.md literally: snippets are matched on
letters and digits only, a passage credits at most one judgment per document,
a grouped hit is expanded for nDCG, gains are 2^g - 1 with a log2(rank + 1) discount.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from index.evaluate import (Judgment, Ranked, beir_ranking, ndcg_at, normalize, read_qrels, recall_at,
                            score_query)
from index.records import AlsoIn, Hit
from tests.index.index_helpers import run_cli


def J(symbol: str, snippet: str, grade: int) -> Judgment:
    return Judgment(symbol, normalize(snippet), grade)


def R(*members: tuple[str, str]) -> Ranked:
    return Ranked([(doc, normalize(text)) for doc, text in members])


JUDGMENTS = [J("X", "cables carry most of the information", 2),
             J("X", "annual tabletop exercise", 1),
             J("Y", "liaison office for incidents", 2)]


def test_single_document_ranking_by_hand() -> None:
    ranked = [R(("X", "Reliable undersea data cables carry most of the information exchanged")),
              R(("Z", "Nothing relevant here at all")),
              R(("X", "to hold an annual tabletop exercise on logistics"))]
    m = score_query(ranked, JUDGMENTS)
    assert (m["recall@1"], m["recall@5"], m["recall@10"]) == (0.5, 0.5, 0.5)
    assert (m["hit@1"], m["hit@5"], m["mrr@10"]) == (1.0, 1.0, 1.0)
    dcg = 3 / 1 + 0 + 1 / 2  # gains 3, 0, 1 at ranks 1-3
    idcg = 3 + 3 / math.log2(3) + 1 / 2  # grades 2, 2, 1
    assert m["ndcg@10"] == pytest.approx(dcg / idcg) == pytest.approx(0.64901, abs=1e-5)


def test_grouped_hit_is_credited_once_per_document_and_expanded() -> None:
    ranked = [R(("X", "cables carry most of the information"), ("Y", "a national liaison office for incidents")),
              R(("X", "an annual tabletop exercise"))]
    m = score_query(ranked, JUDGMENTS)
    assert m["recall@1"] == 1.0 and m["hit@1"] == 1.0 and m["mrr@10"] == 1.0
    assert m["ndcg@10"] == pytest.approx(1.0)  # expanded positions 3, 3, 1 are the ideal order


def test_one_passage_credits_one_judgment_of_a_document() -> None:
    both = "cables carry most of the information and an annual tabletop exercise"
    ranked = [R(("X", both)), R(("X", both))]
    m = score_query(ranked, JUDGMENTS)
    # rank 1 takes the grade-2 judgment, rank 2 the grade-1 one: gains 3, 1
    idcg = 3 + 3 / math.log2(3) + 1 / 2
    assert m["ndcg@10"] == pytest.approx((3 + 1 / math.log2(3)) / idcg)
    assert m["recall@10"] == 0.5


def test_wrong_document_gets_no_credit_and_mrr_counts_rank() -> None:
    ranked = [R(("Y", "cables carry most of the information")),  # right words, wrong document
              R(("Z", "unrelated")),
              R(("X", "Cables carry\nmost of the in-formation, indeed"))]  # spacing, case, hyphen ignored
    m = score_query(ranked, JUDGMENTS)
    assert m["hit@1"] == 0.0 and m["hit@5"] == 1.0
    assert m["mrr@10"] == pytest.approx(1 / 3)
    assert m["recall@1"] == 0.0 and m["recall@5"] == 0.5


def test_nothing_found_scores_zero() -> None:
    m = score_query([R(("Z", "unrelated"))], JUDGMENTS)
    assert all(v == 0.0 for v in m.values())


# -- BEIR scoring, as pytrec_eval defines it ------------------------------------------

def test_ndcg_and_recall_match_pytrec_eval_definitions() -> None:
    rel = {"d1": 1, "d3": 1}
    ranking = ["d2", "d1", "d4", "d3"]
    assert ndcg_at(ranking, rel) == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3)))
    assert recall_at(ranking, rel, 2) == 0.5 and recall_at(ranking, rel, 100) == 1.0


def test_grouped_beir_hit_stands_for_each_document() -> None:
    hit = Hit(rank=1, score=0.5, doc_id="d1", symbol="", title="", body="", date="", type="", language="en",
              label="", page=None, citation="", url="", text="t",
              also_in=[AlsoIn("", "", "", doc_id="d7", passage_id=7)])
    assert beir_ranking([hit]) == [("d1", 0.5), ("d7", 0.5)]


def test_qrels_header_and_crlf(tmp_path: Path) -> None:
    p = tmp_path / "q.tsv"
    p.write_bytes(b"query-id\tcorpus-id\tscore\r\n1\td1\t1\r\n1\td2\t0\r\n2\td3\t2\r\n")
    assert read_qrels(p) == {"1": {"d1": 1, "d2": 0}, "2": {"d3": 2}}


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
    proc = run_cli("evaluate-beir", str(data), "--mode", "lexical", "--run", str(run), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["systems"]["lexical"] == {"ndcg@10": 1.0, "recall@100": 1.0}
    lines = [ln.split() for ln in run.read_text().splitlines()]
    assert lines[0][:4] == ["q1", "Q0", "d1", "1"] and lines[0][5] == "normbase-lexical"
    assert all(len(ln) == 6 for ln in lines)
