"""The scoring rules, as pure functions: rankings and judgments in, figures out.

The gold-set rules are those of shared/eval/README.md: snippets are matched on
letters and digits only, a passage credits at most one judgment per document,
a grouped hit stands for each of its documents. The BEIR figures are
pytrec_eval's (ndcg_cut, recall).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ingest.clean import normal_key as normalize  # letters and digits only, the rule's own matching

K = 10


@dataclass
class Judgment:
    symbol: str
    snippet: str  # normalized
    grade: int


@dataclass
class Ranked:
    """One returned passage as the rules see it: the documents it stands for, with their texts."""

    members: list[tuple[str, str]]  # (document key, normalized text), the hit itself first
    words: int = 0


def score_query(ranked: list[Ranked], judgments: list[Judgment], k: int = K) -> dict[str, float]:
    """Recall@1/5/10, Hit@1/5, MRR@10 and nDCG@10 for one query (shared/eval/README.md)."""
    credited_at: dict[int, int] = {}  # judgment -> rank of the passage credited with it
    gains: list[list[int]] = []  # per hit, the grades it was credited with
    first_match: dict[int, int] = {}  # judgment -> rank of the first passage matching it
    for rank, r in enumerate(ranked[:k], 1):
        grades, seen_docs = [], set()
        for doc, text in r.members:
            if doc in seen_docs:
                continue  # at most one judgment per document per passage
            seen_docs.add(doc)
            matches = [j for j, jd in enumerate(judgments) if jd.symbol == doc and jd.snippet and jd.snippet in text]
            for j in matches:
                first_match.setdefault(j, rank)
            free = [j for j in matches if j not in credited_at]
            if free:
                best = max(free, key=lambda j: judgments[j].grade)
                credited_at[best] = rank
                grades.append(judgments[best].grade)
        gains.append(sorted(grades, reverse=True))
    relevant2 = [j for j, jd in enumerate(judgments) if jd.grade == 2]

    def recall(n: int) -> float:
        if not relevant2:
            return 0.0
        return sum(1 for j in relevant2 if credited_at.get(j, k + 1) <= n) / len(relevant2)

    def hit(n: int) -> float:
        return 1.0 if any(first_match.get(j, k + 1) <= n for j in relevant2) else 0.0

    mrr = 0.0
    ranks2 = [first_match[j] for j in relevant2 if j in first_match]
    if ranks2:
        mrr = 1.0 / min(ranks2)
    flat = [g for gs in gains for g in (gs or [0])][:k]
    dcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(flat))
    ideal = sorted((jd.grade for jd in judgments), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return {"recall@1": recall(1), "recall@5": recall(5), "recall@10": recall(10), "hit@1": hit(1),
            "hit@5": hit(5), "mrr@10": mrr, "ndcg@10": dcg / idcg if idcg else 0.0}


def mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(sum(r[key] for r in rows) / len(rows), 4) for key in rows[0]} if rows else {}


def mean_words(ranked: list[Ranked]) -> float:
    """The mean length of the returned passages, in words: what a reader has to read per hit."""
    return round(sum(r.words for r in ranked) / max(1, len(ranked)), 1)


def ndcg_at(ranking: list[str], rel: dict[str, int], k: int = 10) -> float:
    """pytrec_eval's ndcg_cut: gain = relevance, log2(rank + 1) discount."""
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:k]))
    ideal = sorted((v for v in rel.values() if v > 0), reverse=True)[:k]
    idcg = sum(v / math.log2(i + 2) for i, v in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: list[str], rel: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, v in rel.items() if v > 0}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0
