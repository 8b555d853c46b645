"""A BEIR dataset (corpus.jsonl, queries.jsonl, qrels/*.tsv) indexed one passage per document and
scored as pytrec_eval does (nDCG@10, Recall@100), with one TREC run per mode if asked."""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable, Optional

from index import Hit, Searcher
from ingest.records import Passage, SourceEntry
from ingest.settings import Settings

from ..backends import Embedder
from . import EvaluationError
from .metrics import ndcg_at, recall_at

QRELS_NAMES = ("test.tsv", "dev.tsv", "train.tsv")  # the first present is the default


def read_jsonl(path: Path) -> Iterable[dict]:
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError as exc:
                        raise EvaluationError(f"{path}, line {n}: not JSON ({exc})") from None
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        parts = line.strip().split("\t")
        if len(parts) < 3 or (n == 0 and not parts[2].lstrip("-").isdigit()):
            continue  # the header line
        qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def default_qrels(folder: Path) -> Path:
    for name in QRELS_NAMES:
        if (folder / "qrels" / name).is_file():
            return folder / "qrels" / name
    raise EvaluationError(f"no qrels/*.tsv in {folder}; name one with --qrels")


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


def beir_ranking(hits: list[Hit]) -> list[tuple[str, float]]:
    """Document ids in rank order; a grouped hit stands for each of its documents in turn."""
    out, seen = [], set()
    for h in hits:
        for doc in [h.doc_id] + [a.doc_id for a in h.also_in]:
            if doc not in seen:
                seen.add(doc)
                out.append((doc, h.score))
    return out


def trec_lines(qid: str, ranking: list[tuple[str, float]], tag: str) -> list[str]:
    """One query's ranking in TREC run format: qid Q0 docid rank score tag."""
    return [f"{qid} Q0 {d} {r} {sc:.6f} {tag}" for r, (d, sc) in enumerate(ranking, 1)]


def run_path_for(run_path: Path, mode: str) -> Path:
    """Where one mode's run goes: the mode before the suffix (run.trec -> run.hybrid.trec), so that each
    file holds one system and a query id appears once per rank in it, as trec_eval expects."""
    return run_path.with_name(f"{run_path.stem}.{mode}{run_path.suffix}")


def evaluate_beir(folder: Path, qrels_path: Optional[Path], modes: list[str], settings: Settings,
                  embedder: Embedder, run_path: Optional[Path] = None,
                  progress: Callable[[str, int, int], None] = lambda *a: None) -> dict:
    from ..build import build_documents

    qrels_path = qrels_path or default_qrels(folder)
    try:
        qrels = read_qrels(qrels_path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EvaluationError(f"{qrels_path}: not a qrels file ({exc})") from None
    queries = {str(q["_id"]): q["text"] for q in read_jsonl(folder / "queries.jsonl") if str(q["_id"]) in qrels}
    result = {"dataset": str(folder), "qrels": str(qrels_path), "queries": len(queries), "systems": {}}
    runs: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="normbase-beir-") as tmp:
        s = Settings.from_env({}, corpus=[Path(tmp) / "none"], index=Path(tmp) / "index", model=settings.model)
        docs = beir_documents(folder / "corpus.jsonl")
        t = time.perf_counter()
        build_documents(s, docs, embedder=embedder, progress=progress)
        result["documents"], result["build_s"] = len(docs), round(time.perf_counter() - t, 1)
        searcher = Searcher.open(s.index, settings=s, embedder=embedder)
        for mode in modes:
            nd, rc, lines = [], [], []
            for qid, text in queries.items():
                ranking = beir_ranking(searcher.search(text, k=100, mode=mode))
                nd.append(ndcg_at([d for d, _ in ranking], qrels[qid]))
                rc.append(recall_at([d for d, _ in ranking], qrels[qid]))
                lines += trec_lines(qid, ranking, f"normbase-{mode}")
            runs[mode] = lines
            result["systems"][mode] = {"ndcg@10": round(sum(nd) / len(nd), 4), "recall@100": round(sum(rc) / len(rc), 4)}
    if run_path:
        result["runs"] = {}
        for mode, lines in runs.items():
            path = run_path_for(run_path, mode)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            result["runs"][mode] = str(path)
    return result
