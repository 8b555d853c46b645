"""The scoring rules (index/evaluation/metrics.py, beir.py, gold.py): worked out by hand.

The unit cases follow shared/eval/README.md literally: snippets are matched on
letters and digits only, a passage credits at most one judgment per document,
a grouped hit is expanded for nDCG, gains are 2^g - 1 with a log2(rank + 1) discount.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from index import Hit
from index.evaluation import EvaluationError
from index.evaluation.beir import beir_ranking, read_qrels, run_path_for, trec_lines
from index.evaluation.gold import load_gold
from index.evaluation.metrics import Judgment, Ranked, mean, mean_words, ndcg_at, normalize, recall_at, score_query
from index.records import AlsoIn


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


def test_means_round_and_mean_words_counts_every_returned_passage() -> None:
    assert mean([{"a": 1.0, "b": 0.0}, {"a": 0.0, "b": 1 / 3}]) == {"a": 0.5, "b": 0.1667}
    assert mean([]) == {}
    assert mean_words([Ranked([], 3), Ranked([], 4), Ranked([], 8)]) == 5.0 and mean_words([]) == 0.0


def test_each_mode_gets_its_own_run_file() -> None:
    assert run_path_for(Path("/x/run.trec"), "dense") == Path("/x/run.dense.trec")
    assert run_path_for(Path("runs/scifact"), "hybrid") == Path("runs/scifact.hybrid")
    assert trec_lines("q1", [("d2", 0.5), ("d1", 0.25)], "normbase-dense") == [
        "q1 Q0 d2 1 0.500000 normbase-dense", "q1 Q0 d1 2 0.250000 normbase-dense"]


def test_a_bad_gold_line_is_a_typed_error_naming_file_and_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "g1", "query": "q", "relevant": []}\n\n{"id": "g2"}\n', encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"gold.jsonl, line 3: not a gold query"):
        load_gold(gold)
    with pytest.raises(EvaluationError, match="cannot be read"):
        load_gold(tmp_path / "missing.jsonl")


def test_a_split_keeps_only_its_queries_and_an_empty_split_is_an_error(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    rel = '"relevant": [{"symbol": "S", "snippet": "a b c d e f", "grade": 2}]'
    gold.write_text(f'{{"id": "g1", "query": "q", {rel}, "split": "tune", "facet": "list"}}\n'
                    f'{{"id": "g2", "query": "r", {rel}, "split": "validation"}}\n'
                    f'{{"id": "g3", "query": "s", {rel}}}\n', encoding="utf-8")
    assert [g.id for g in load_gold(gold)] == ["g1", "g2", "g3"]
    tune = load_gold(gold, "tune")
    assert [(g.id, g.facet) for g in tune] == [("g1", "list")]
    assert [g.id for g in load_gold(gold, "validation")] == ["g2"]
    with pytest.raises(EvaluationError, match='no query has "split": "other"'):
        load_gold(gold, "other")
