"""Measuring retrieval quality: the domain gold set and BEIR datasets.

`evaluate` scores a gold set in the format of `shared/eval/dev.jsonl` with
exactly the rules of its README (chunking-independent snippet matching,
grouped hits credited per document). `evaluate-beir` indexes a BEIR corpus one
passage per document and scores nDCG@10 and Recall@100 as pytrec_eval does.
Both report our hybrid beside the lexical and dense retrievers and, for the
gold set, the naive recipe (1000-character chunks, the same model, FAISS flat).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np

from ingest.clean import normal_key as normalize
from ingest.records import Hit, Passage, SourceEntry
from ingest.settings import Settings, settings_from_args

from .embed import Embedder
from .search import MODES, Searcher

K = 10


# -- the gold-set rules --------------------------------------------------------

@dataclass
class Judgment:
    symbol: str
    snippet: str  # normalized
    grade: int


@dataclass
class GoldQuery:
    id: str
    query: str
    judgments: list[Judgment]
    kind: str = ""


@dataclass
class Ranked:
    """One returned passage as the rules see it: the documents it stands for, with their texts."""

    members: list[tuple[str, str]]  # (document key, normalized text), the hit itself first
    words: int = 0


def load_gold(path: Path) -> list[GoldQuery]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(GoldQuery(d["id"], d["query"], [Judgment(r["symbol"], normalize(r["snippet"]), int(r["grade"]))
                                                       for r in d["relevant"]], d.get("kind", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise SystemExit(f"error: {path}, line {n}: not a gold query ({exc})") from None
    return out


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


# -- our system -------------------------------------------------------------

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
    rows, words, latencies = [], [], []
    for g in gold:
        t = time.perf_counter()
        hits = searcher.search(g.query, k=K, mode=mode)
        latencies.append(time.perf_counter() - t)
        ranked = ranked_from_hits(hits, searcher, keys)
        words += [r.words for r in ranked]
        rows.append(dict(score_query(ranked, g.judgments), id=g.id))
    summary = mean([{k: v for k, v in r.items() if k != "id"} for r in rows])
    summary["mean_words"] = round(sum(words) / max(1, len(words)), 1)
    summary["ms_per_query"] = round(1000 * sum(latencies) / max(1, len(latencies)), 1)
    return summary, rows


# -- the naive recipe ------------------------------------------------------------

def naive_chunks(settings: Settings) -> list[tuple[str, str]]:
    """(document key, chunk) with LangChain's default recipe over each file's extracted text."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ingest.loaders import load
    from ingest.pipeline import corpus_files

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    out = []
    for path in corpus_files(settings.corpus):
        try:
            loaded = load(path, max_bytes=settings.max_file_bytes, max_pages=settings.max_pages)
        except Exception:
            continue
        key = loaded.header.get("symbol") or path.name
        out += [(key, c) for c in splitter.split_text(loaded.text.strip())]
    return out


def evaluate_naive(settings: Settings, gold: list[GoldQuery], embedder: Embedder) -> dict:
    import faiss

    chunks = naive_chunks(settings)
    vecs = embedder.encode([c for _, c in chunks], settings.batch_size)
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(vecs)
    rows, words = [], []
    for g in gold:
        _, ids = index.search(embedder.encode_query(g.query).reshape(1, -1), K)
        ranked = [Ranked([(chunks[i][0], normalize(chunks[i][1]))], len(chunks[i][1].split())) for i in ids[0] if i >= 0]
        words += [r.words for r in ranked]
        rows.append(score_query(ranked, g.judgments))
    summary = mean(rows)
    summary["mean_words"] = round(sum(words) / max(1, len(words)), 1)
    return summary


# -- BEIR ---------------------------------------------------------------------------

def read_jsonl(path: Path) -> Iterable[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        parts = line.strip().split("\t")
        if len(parts) < 3 or (n == 0 and not parts[2].lstrip("-").isdigit()):
            continue  # the header line
        qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def beir_documents(corpus: Path) -> list:
    """One passage per BEIR document: the title is the source title, the text is the passage."""
    from ingest.pipeline import Document

    docs = []
    for d in read_jsonl(corpus):
        text = (d.get("text") or "").strip() or d.get("title", "")
        source = SourceEntry(id=str(d["_id"]), title=(d.get("title") or "").strip(), body="other", date="",
                             type="outcome", file=str(d["_id"]), catalogued=False)
        passage = Passage(doc_id=source.id, ordinal=0, label="", text=text, start=0, end=len(text))
        docs.append(Document(source, Path(str(d["_id"])), "", None, [passage]))
    return docs


def ndcg_at(ranking: list[str], rel: dict[str, int], k: int = 10) -> float:
    """pytrec_eval's ndcg_cut: gain = relevance, log2(rank + 1) discount."""
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:k]))
    ideal = sorted((v for v in rel.values() if v > 0), reverse=True)[:k]
    idcg = sum(v / math.log2(i + 2) for i, v in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: list[str], rel: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, v in rel.items() if v > 0}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0


def beir_ranking(hits: list[Hit]) -> list[tuple[str, float]]:
    """Document ids in rank order; a grouped hit stands for each of its documents in turn."""
    out, seen = [], set()
    for h in hits:
        for doc in [h.doc_id] + [a.doc_id for a in h.also_in]:
            if doc not in seen:
                seen.add(doc)
                out.append((doc, h.score))
    return out


def evaluate_beir(folder: Path, qrels_path: Optional[Path], modes: list[str], settings: Settings,
                  embedder: Embedder, run_path: Optional[Path] = None,
                  progress: Callable[[str, int, int], None] = lambda *a: None) -> dict:
    from .build import build_documents

    qrels_path = qrels_path or _default_qrels(folder)
    qrels = read_qrels(qrels_path)
    queries = {str(q["_id"]): q["text"] for q in read_jsonl(folder / "queries.jsonl") if str(q["_id"]) in qrels}
    result = {"dataset": str(folder), "qrels": str(qrels_path), "queries": len(queries), "systems": {}}
    with tempfile.TemporaryDirectory(prefix="normbase-beir-") as tmp:
        s = Settings.from_env({}, corpus=[Path(tmp) / "none"], index=Path(tmp) / "index", model=settings.model)
        docs = beir_documents(folder / "corpus.jsonl")
        t = time.perf_counter()
        build_documents(s, docs, embedder=embedder, progress=progress)
        result["documents"], result["build_s"] = len(docs), round(time.perf_counter() - t, 1)
        searcher = Searcher.open(s.index, settings=s, embedder=embedder)
        runs = []
        for mode in modes:
            nd, rc = [], []
            for qid, text in queries.items():
                ranking = beir_ranking(searcher.search(text, k=100, mode=mode))
                nd.append(ndcg_at([d for d, _ in ranking], qrels[qid]))
                rc.append(recall_at([d for d, _ in ranking], qrels[qid]))
                runs += [f"{qid} Q0 {d} {r} {sc:.6f} normbase-{mode}" for r, (d, sc) in enumerate(ranking, 1)]
            result["systems"][mode] = {"ndcg@10": round(sum(nd) / len(nd), 4), "recall@100": round(sum(rc) / len(rc), 4)}
    if run_path:
        run_path.write_text("\n".join(runs) + "\n", encoding="utf-8")
    return result


def _default_qrels(folder: Path) -> Path:
    for name in ("test.tsv", "dev.tsv", "train.tsv"):
        if (folder / "qrels" / name).is_file():
            return folder / "qrels" / name
    raise SystemExit(f"error: no qrels/*.tsv in {folder}; name one with --qrels")


# -- CLI ------------------------------------------------------------------------------

def register_cli(sub: argparse._SubParsersAction) -> None:
    from .__main__ import _index_flags  # shared flags

    p = sub.add_parser("evaluate", help="score a gold set (shared/eval/dev.jsonl format)",
                       description="Score our retrieval modes and the naive recipe on a gold set, with the "
                                   "relevance rules of shared/eval/README.md: Recall@1/5/10, Hit@1/5, MRR@10, "
                                   "nDCG@10, and the mean length of returned passages in words.")
    p.add_argument("--gold", type=Path, required=True, help="gold queries, one JSON object per line")
    p.add_argument("--mode", choices=MODES, action="append", help="our mode(s) to score (default: all three)")
    p.add_argument("--no-naive", action="store_true", help="skip the naive baseline (it embeds the corpus again)")
    p.add_argument("--per-query", action="store_true", help="include per-query scores in --json output")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    _index_flags(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("evaluate-beir", help="score a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/*.tsv)",
                       description="Index a BEIR corpus one passage per document (title + text) in a temporary "
                                   "index and score nDCG@10 and Recall@100 as pytrec_eval/BEIR do.")
    p.add_argument("dir", type=Path, help="the dataset folder")
    p.add_argument("--qrels", type=Path, help="judgments file (default qrels/test.tsv, else dev, else train)")
    p.add_argument("--mode", choices=MODES, action="append", help="mode(s) to score (default: all three)")
    p.add_argument("--run", type=Path, help="write the rankings as a TREC run file (qid Q0 docid rank score tag)")
    p.add_argument("--model", help="sentence-transformers model (default the bundled all-MiniLM-L6-v2)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_evaluate_beir)


def _table(rows: dict[str, dict], columns: list[str]) -> str:
    head = f"{'system':<10}" + "".join(f"{c:>11}" for c in columns)
    lines = [head, "-" * len(head)]
    for name, r in rows.items():
        lines.append(f"{name:<10}" + "".join(f"{r.get(c, float('nan')):>11.3f}" if isinstance(r.get(c), float)
                                              else f"{str(r.get(c, '')):>11}" for c in columns))
    return "\n".join(lines)


def cmd_evaluate(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    gold = load_gold(args.gold)
    embedder = Embedder(settings.model)
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    systems, per_query = {}, {}
    if not args.no_naive:
        systems["naive"] = evaluate_naive(settings, gold, embedder)
    for mode in args.mode or ["lexical", "dense", "hybrid"]:
        systems[mode], per_query[mode] = evaluate_system(searcher, gold, mode)
    out = {"gold": str(args.gold), "queries": len(gold), "index": str(searcher.folder), "systems": systems}
    if args.per_query:
        out["per_query"] = per_query
    if args.json:
        print(json.dumps(out))
    else:
        cols = ["recall@1", "recall@5", "recall@10", "hit@1", "hit@5", "mrr@10", "ndcg@10", "mean_words"]
        print(f"{len(gold)} queries from {args.gold}\n" + _table(systems, cols))
    return 0


def cmd_evaluate_beir(args: argparse.Namespace) -> int:
    from .progress import TerminalProgress

    settings = Settings.from_env(model=args.model)
    embedder = Embedder(settings.model)
    with TerminalProgress(enabled=not args.json) as bar:
        result = evaluate_beir(args.dir, args.qrels, args.mode or ["lexical", "dense", "hybrid"], settings,
                               embedder, args.run, progress=bar)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['queries']} queries, {result['documents']} documents ({result['qrels']})\n"
              + _table(result["systems"], ["ndcg@10", "recall@100"]))
    return 0
