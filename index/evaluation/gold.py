"""A gold set in the format of shared/eval/dev.jsonl, scored on a Searcher."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from index import Hit, Searcher

from . import EvaluationError
from .metrics import K, Judgment, Ranked, mean, mean_words, normalize, score_query


@dataclass
class GoldQuery:
    id: str
    query: str
    judgments: list[Judgment]
    kind: str = ""
    split: str = ""  # tune | validation (docs/quality.md): levers are chosen on one and decided on the other
    facet: str = ""


def load_gold(path: Path, split: str = "") -> list[GoldQuery]:
    """The queries of a gold file; with `split`, only those whose "split" field says so."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(GoldQuery(d["id"], d["query"], [Judgment(r["symbol"], normalize(r["snippet"]), int(r["grade"]))
                                                       for r in d["relevant"]], d.get("kind", ""),
                                  d.get("split", ""), d.get("facet", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise EvaluationError(f"{path}, line {n}: not a gold query ({exc})") from None
    if split:
        out = [g for g in out if g.split == split]
        if not out:
            raise EvaluationError(f"{path}: no query has \"split\": \"{split}\"")
    return out


def document_keys(searcher: Searcher) -> dict[str, str]:
    """doc_id -> the key judgments use: the symbol, or the file name of a document without one."""
    return {d["doc_id"]: d["symbol"] or Path(d["path"] or d["file"]).name for d in searcher.documents()}


def ranked_from_hits(hits: list[Hit], searcher: Searcher, keys: dict[str, str]) -> list[Ranked]:
    member_ids = [a.passage_id for h in hits for a in h.also_in if a.passage_id >= 0]
    texts = searcher.texts(member_ids) if member_ids else {}
    out = []
    for h in hits:
        members = [(keys.get(h.doc_id, h.symbol), normalize(h.text))]
        members += [(keys.get(a.doc_id, a.symbol), normalize(texts.get(a.passage_id, ""))) for a in h.also_in]
        out.append(Ranked(members, len(h.text.split())))
    return out


def evaluate_system(searcher: Searcher, gold: list[GoldQuery], mode: str) -> tuple[dict, list[dict]]:
    keys = document_keys(searcher)
    rows, returned, latencies = [], [], []
    for g in gold:
        t = time.perf_counter()
        hits = searcher.search(g.query, k=K, mode=mode)
        latencies.append(time.perf_counter() - t)
        ranked = ranked_from_hits(hits, searcher, keys)
        returned += ranked
        rows.append(dict(score_query(ranked, g.judgments), id=g.id))
    summary = mean([{k: v for k, v in r.items() if k != "id"} for r in rows])
    summary["mean_words"] = mean_words(returned)
    summary["ms_per_query"] = round(1000 * sum(latencies) / max(1, len(latencies)), 1)
    return summary, rows
