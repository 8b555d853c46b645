"""Experiment: the lexical backend, SQLite FTS5 (what the project uses) against bm25s.

    .venv/bin/python benchmarks/lexical_backends.py [--index DIR] [--large N] [--json]

Issue #3 asks to measure both for quality and speed and keep the better. Both
engines see the same passages and the same queries:

- FTS5 is the project's own code: `Searcher(mode="lexical")` scored by
  `index.evaluation` (dev set: `evaluate_system`; SciFact: `evaluate_beir`).
- bm25s indexes the texts stored in the same `passages.sqlite` (the four
  columns FTS5 indexes, concatenated: title, heading, lead-in, text; for
  SciFact that is title + abstract). It is a lexical backend (`Bm25sLexical`,
  a LexicalIndex of index/backends/base.py) injected into the project's
  Searcher, so parsing, candidates, grouping of near-duplicates (`also_in`),
  hits and scoring are the project's own code for both engines.
- fts5-title1 is a diagnostic, not a candidate: the FTS5 backend injected with
  the title column weighted 1.0 instead of 0.2 (bm25s sees the title at full weight).

bm25s variants (BM25 "lucene", k1=1.2 and b=0.75 as FTS5's bm25(); bm25s's
English stop words; bm25s's tokenizer, words of 2+ letters, lower-cased):
  bm25s         Snowball English stemmer (PyStemmer), the raw query;
  bm25s-nostem  no stemmer, the raw query;
  bm25s-parsed  stemmer, the query as index.query.parse reads it (content
                words plus acronym expansions; FTS5 also gets quoted phrases
                and adjacent word pairs, which bm25s cannot express).

Speed, per size (mirror passages, SciFact abstracts, and --large synthetic
passages recombined from SciFact sentences): build seconds (FTS5: the SQLite
write of index.build, i.e. store.create/insert_*/optimize; bm25s: tokenize +
index), bytes on disk and in memory, and single-threaded warm query latency of
the core call that returns the top 100 ids (FTS5: parse + the backend's search;
bm25s: tokenize + retrieve), wall and CPU time.

The SciFact index is built by index.build.build_documents with zero vectors in
place of the model (`NoVectors`): the lexical side never reads vectors, and
embedding 5,183 abstracts takes tens of minutes on 2 shared cores. Grouping
there is by exact wording only.

bm25s and PyStemmer are not project requirements. Install them aside:
    .venv/bin/pip install --target /tmp/bm25slib bm25s==0.3.16 PyStemmer==3.1.0
The script looks there (--bm25s-path) when they are not importable, and skips
bm25s with a one-line message when they are missing altogether.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # single-threaded latency, set before numpy loads

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, Optional  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import store  # noqa: E402
from index.backends.fts5 import BM25_WEIGHTS, Fts5Lexical  # noqa: E402
from index.build import build_documents  # noqa: E402
from index.evaluation.beir import beir_documents, beir_ranking, evaluate_beir, read_jsonl, read_qrels  # noqa: E402
from index.evaluation.gold import evaluate_system, load_gold  # noqa: E402
from index.evaluation.metrics import ndcg_at, recall_at  # noqa: E402
from index.query import ParsedQuery, parse  # noqa: E402
from index.search import Searcher  # noqa: E402
from ingest.records import Passage, SourceEntry  # noqa: E402
from ingest.settings import MIRROR, Settings  # noqa: E402

SHARED = MIRROR.parent
K1, B = 1.2, 0.75  # FTS5's bm25() constants, so the comparison is of engines, not of tuning
CANDIDATES = 100  # what Searcher takes from the lexical side before grouping
MAX_QUERY_CHARS = 1000


STARTED = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr, so that --json output stays one object."""
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


# -- bm25s -----------------------------------------------------------------------

def import_bm25s(fallback: Path):
    """(bm25s, Stemmer) or (None, reason); /tmp installs are used only when nothing else is importable."""
    for attempt in range(2):
        try:
            import bm25s
            import Stemmer
            return bm25s, Stemmer
        except ImportError as exc:
            if attempt or not fallback.is_dir():
                return None, f"bm25s skipped: {exc.name} is not importable (see the docstring for the install line)"
            sys.path.append(str(fallback))  # appended: the venv's numpy stays first
    return None, "bm25s skipped"


@dataclass(frozen=True)
class Variant:
    name: str
    stem: bool
    parsed_query: bool


VARIANTS = (Variant("bm25s", True, False), Variant("bm25s-nostem", False, False), Variant("bm25s-parsed", True, True))


class Bm25sLexical:
    """bm25s as a LexicalIndex (index/backends/base.py), in memory: injected into a Searcher, never stored.

    `rank` answers with passage ids like the FTS5 backend; filters are not supported (these
    measurements run unfiltered), and `check` has nothing on disk to read.
    """

    name = "bm25s"

    def __init__(self, lib, stemmer_mod, variant: Variant):
        self.lib, self.variant = lib, variant
        self.stemmer = stemmer_mod.Stemmer("english") if variant.stem else None

    def params(self) -> dict:
        return {"variant": self.variant.name, "k1": K1, "b": B}

    def index_passages(self, db: sqlite3.Connection, rows, phrases=()) -> None:  # prepares no phrase
        rows = [Row(i, p.doc_id, p.text, p.heading, s.title, p.context) for i, p, s in rows]
        self.index_texts([r.id for r in rows], [r.indexed_text() for r in rows])

    def index_texts(self, ids: list[int], texts: list[str]) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        t, c = time.perf_counter(), time.process_time()
        tokens = self.lib.tokenize(texts, stopwords="en", stemmer=self.stemmer, show_progress=False)
        self.retriever = self.lib.BM25(method="lucene", k1=K1, b=B)
        self.retriever.index(tokens, show_progress=False)
        self.build_s, self.build_cpu_s = time.perf_counter() - t, time.process_time() - c

    def check(self, db: sqlite3.Connection) -> None:
        pass

    def search(self, db: sqlite3.Connection, query: ParsedQuery, k: int, where=None) -> list[tuple[int, float]]:
        if where:
            raise ValueError("the bm25s benchmark backend answers unfiltered queries only")
        return self.rank(query.text, k)

    def score_texts(self, db: sqlite3.Connection, query: ParsedQuery, texts: list[str]) -> list[tuple[float, int]]:
        """No text is placed in the list (0 each): under this backend the passages' English glosses weigh
        nothing, and the comparison is of the word lists alone."""
        return [(0.0, 0)] * len(texts)

    def query_text(self, query: str) -> str:
        if not self.variant.parsed_query:
            return query
        q = parse(query, MAX_QUERY_CHARS)
        return " ".join(q.terms + q.expansions)

    def rank(self, query: str, k: int = CANDIDATES) -> list[tuple[int, float]]:
        """(passage id, score) best first; passages sharing no query word (score 0) are left out, as in FTS5."""
        tokens = self.lib.tokenize([self.query_text(query)], stopwords="en", stemmer=self.stemmer,
                                   return_ids=False, show_progress=False)
        if not any(t in self.retriever.vocab_dict for t in tokens[0]):
            return []
        docs, scores = self.retriever.retrieve(tokens, k=min(k, len(self.ids)), show_progress=False, n_threads=0)
        return [(int(self.ids[d]), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def memory_bytes(self) -> int:
        """The score matrix (CSC arrays) that retrieval reads; the vocabulary dict comes on top."""
        return int(sum(v.nbytes for v in self.retriever.scores.values() if isinstance(v, np.ndarray)))

    def disk_bytes(self, folder: Path) -> int:
        self.retriever.save(str(folder))
        return folder_bytes(folder)


# -- passages as both engines see them ---------------------------------------------

@dataclass
class Row:
    id: int
    doc_id: str
    text: str
    heading: str
    title: str
    context: str

    def indexed_text(self, fields: str = "all") -> str:
        """The four columns FTS5 indexes, as one field (bm25s has no column weights), or the text alone."""
        if fields == "text":
            return self.text
        return "\n".join(x for x in (self.title, self.heading, self.context, self.text) if x)


def index_rows(db: sqlite3.Connection) -> list[Row]:
    sql = ("SELECT p.id, p.doc_id, p.text, p.heading, d.title, p.context FROM passages p "
           "JOIN documents d USING(doc_id) ORDER BY p.id")
    return [Row(r[0], r[1], r[2] or "", r[3] or "", r[4] or "", r[5] or "") for r in db.execute(sql)]


@dataclass(frozen=True)
class Bm25sLib:
    lib: object  # the bm25s module
    stemmer_mod: object  # PyStemmer's Stemmer module
    fields: str = "all"  # what of a passage bm25s indexes: "all" FTS5 columns, or "text"


def build_bm25s(bm25: Bm25sLib, variant: Variant, rows: list[Row]) -> Bm25sLexical:
    idx = Bm25sLexical(bm25.lib, bm25.stemmer_mod, variant)
    idx.index_texts([r.id for r in rows], [r.indexed_text(bm25.fields) for r in rows])
    return idx


def bm25s_searcher(root: Path, settings: Settings, embedder, idx: Bm25sLexical) -> Searcher:
    """The project's Searcher with bm25s as its lexical backend: everything else is unchanged."""
    return Searcher.open(root, settings=settings, embedder=embedder, lexical=idx)


class NoVectors:
    """An Embedder of zero vectors, for when only the lexical side is measured (see the module docstring)."""

    dimension = 384

    def __init__(self, name: str):
        self.name = name

    def encode_passages(self, texts, batch_size: int = 32, progress=lambda done, total: None) -> np.ndarray:
        progress(len(texts), len(texts))
        return np.zeros((len(texts), self.dimension), dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return np.zeros(self.dimension, dtype=np.float32)


# -- FTS5 --------------------------------------------------------------------------

def fts5_rank(db: sqlite3.Connection, query: str, k: int = CANDIDATES) -> list[tuple[int, float]]:
    """What the Searcher's retrieval runs in lexical mode without filters."""
    return Fts5Lexical().search(db, parse(query, MAX_QUERY_CHARS), k)


def fts5_build(rows: list[Row], path: Path) -> dict:
    """The SQLite stage of index.build._write (documents, passages, FTS5, optimize), timed."""
    sources = {r.doc_id: SourceEntry(id=r.doc_id, title=r.title, body="other", date="", type="outcome")
               for r in rows}
    items = [(r.id, Passage(doc_id=r.doc_id, ordinal=n, label="", text=r.text, start=0, end=len(r.text),
                            heading=r.heading, context=r.context), sources[r.doc_id], "", r.id)
             for n, r in enumerate(rows)]
    t, c = time.perf_counter(), time.process_time()
    conn = store.create(path)
    with conn:
        store.insert_documents(conn, [(s, "", "", 0) for s in sources.values()])
        store.insert_passages(conn, items)
        Fts5Lexical().index_passages(conn, [(i, p, s) for i, p, s, _, _ in items])
    conn.close()
    out = {"build_s": time.perf_counter() - t, "build_cpu_s": time.process_time() - c,
           "file_bytes": path.stat().st_size}
    db = store.open_readonly(path)
    out["fts_bytes"] = int(db.execute("SELECT coalesce(sum(pgsize), 0) FROM dbstat "
                                      "WHERE name LIKE 'passages_fts%'").fetchone()[0])
    db.close()
    return out


# -- quality -------------------------------------------------------------------------

def fts5_title_weight(weight: float) -> Fts5Lexical:
    """The FTS5 backend with another title-column weight, for the fts5-title1 diagnostic."""
    return Fts5Lexical(BM25_WEIGHTS[:2] + (weight,) + BM25_WEIGHTS[3:])


def dev_quality(index_root: Path, gold_path: Path, bm25: Optional[Bm25sLib], settings: Settings) -> dict:
    """The dev set scored by index.evaluation.gold.evaluate_system, for FTS5 and for each bm25s variant."""
    gold = load_gold(gold_path)
    searcher = Searcher.open(index_root, settings=settings)  # no model: lexical mode never embeds
    out = {"index": str(searcher.folder), "queries": len(gold), "systems": {}}
    out["systems"]["fts5"], _ = evaluate_system(searcher, gold, "lexical")
    title1 = Searcher.open(index_root, settings=settings, lexical=fts5_title_weight(1.0))
    out["systems"]["fts5-title1"], _ = evaluate_system(title1, gold, "lexical")
    if bm25:
        rows = index_rows(store.open_readonly(searcher.folder / "passages.sqlite"))
        for v in VARIANTS:
            other = bm25s_searcher(index_root, settings, None, build_bm25s(bm25, v, rows))
            out["systems"][v.name], _ = evaluate_system(other, gold, "lexical")
    for row in out["systems"].values():
        row.pop("ms_per_query", None)  # latency is measured apart, on 300 queries
    return out


def beir_scores(searcher: Searcher, queries: dict[str, str], qrels: dict) -> dict:
    """evaluate_beir's loop for one searcher in lexical mode (its index has to outlive the call here)."""
    nd, rc = [], []
    for qid, text in queries.items():
        ranking = [d for d, _ in beir_ranking(searcher.search(text, k=CANDIDATES, mode="lexical"))]
        nd.append(ndcg_at(ranking, qrels[qid]))
        rc.append(recall_at(ranking, qrels[qid]))
    return {"ndcg@10": round(sum(nd) / len(nd), 4), "recall@100": round(sum(rc) / len(rc), 4)}


def scifact_quality(folder: Path, qrels_path: Path, bm25: Optional[Bm25sLib], settings: Settings, work: Path) -> dict:
    """SciFact: FTS5 by evaluate_beir itself; the others over an index built the same way, scored the same way."""
    stub = NoVectors(settings.model)
    fts = evaluate_beir(folder, qrels_path, ["lexical"], settings, stub)
    out = {"qrels": str(qrels_path), "queries": fts["queries"], "documents": fts["documents"],
           "systems": {"fts5": fts["systems"]["lexical"]}}
    s = Settings.from_env({}, corpus=[work / "none"], index=work / "scifact-index", model=settings.model)
    build_documents(s, beir_documents(folder / "corpus.jsonl"), embedder=stub)
    qrels = read_qrels(qrels_path)
    queries = {str(q["_id"]): q["text"] for q in read_jsonl(folder / "queries.jsonl") if str(q["_id"]) in qrels}
    searcher = Searcher.open(s.index, settings=s, embedder=stub, lexical=fts5_title_weight(1.0))
    out["systems"]["fts5-title1"] = beir_scores(searcher, queries, qrels)
    if bm25:
        rows = index_rows(store.open_readonly(searcher.folder / "passages.sqlite"))
        for v in VARIANTS:
            other = bm25s_searcher(s.index, s, stub, build_bm25s(bm25, v, rows))
            out["systems"][v.name] = beir_scores(other, queries, qrels)
    return out


# -- speed ---------------------------------------------------------------------------

def latency(fn: Callable[[str], object], queries: list[str], warmup: list[str]) -> dict:
    """Milliseconds per call, warm, on this thread: wall (perf_counter) and CPU (thread_time)."""
    for q in warmup:
        fn(q)
    wall, cpu = [], []
    for q in queries:
        t, c = time.perf_counter(), time.thread_time()
        fn(q)
        cpu.append((time.thread_time() - c) * 1000)
        wall.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(float(np.percentile(wall, 50)), 2), "p95_ms": round(float(np.percentile(wall, 95)), 2),
            "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 2),
            "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 2), "queries": len(queries)}


def speed_at(label: str, rows: list[Row], queries: list[str], warmup: list[str], bm25: Optional[Bm25sLib],
             work: Path) -> dict:
    """Build, size and latency of FTS5 and of the main bm25s variant over the same rows and queries."""
    log(f"speed at {len(rows):,} passages")
    folder = work / f"speed-{label}"
    folder.mkdir(parents=True, exist_ok=True)
    fts = fts5_build(rows, folder / "passages.sqlite")
    db = store.open_readonly(folder / "passages.sqlite")
    fts.update(latency(lambda q: fts5_rank(db, q), queries, warmup))
    out = {"size": label, "passages": len(rows), "engines": {"fts5": fts}}
    if bm25:
        idx = build_bm25s(bm25, VARIANTS[0], rows)
        b = {"build_s": idx.build_s, "build_cpu_s": idx.build_cpu_s, "memory_bytes": idx.memory_bytes(),
             "disk_bytes": idx.disk_bytes(folder / "bm25s")}
        b.update(latency(idx.rank, queries, warmup))
        out["engines"][VARIANTS[0].name] = b
    for e in out["engines"].values():
        e["build_s"], e["build_cpu_s"] = round(e["build_s"], 2), round(e["build_cpu_s"], 2)
    shutil.rmtree(folder, ignore_errors=True)
    return out


def scifact_rows(corpus: Path) -> list[Row]:
    """SciFact one passage per document, title in the title column (as beir_documents does)."""
    return [Row(n, str(d["_id"]), (d.get("text") or "").strip() or d.get("title", ""), "",
                (d.get("title") or "").strip(), "") for n, d in enumerate(read_jsonl(corpus))]


def synthetic_rows(base: list[Row], n: int, seed: int = 20261128) -> list[Row]:
    """n passages of 3-6 SciFact sentences drawn at random: real vocabulary and lengths, for speed only."""
    rng = random.Random(seed)
    sentences = [s for r in base for s in re.split(r"(?<=[.!?])\s+", r.text) if len(s) > 20]
    titles = [r.title for r in base]
    return [Row(i, f"syn-{i // 20}", " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 6))), "",
                titles[(i // 20) % len(titles)], "") for i in range(n)]


def query_pool(dev_path: Path, scifact: Path) -> list[str]:
    """Dev queries first, then SciFact claims, without repeats (as benchmarks/bench/data.py picks them)."""
    pool = [json.loads(line)["query"] for line in dev_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pool += [q["text"] for q in read_jsonl(scifact / "queries.jsonl")]
    return list(dict.fromkeys(pool))


# -- output ------------------------------------------------------------------------------

def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def markdown(out: dict) -> str:
    lines = [f"OPENBLAS_CORETYPE set: {out['openblas_coretype_set']}; {out['machine']}", out.get("bm25s_note", "")]
    if "dev" in out:
        cols = ["recall@1", "recall@5", "recall@10", "hit@1", "hit@5", "mrr@10", "ndcg@10", "mean_words"]
        lines += ["", f"Dev set ({out['dev']['queries']} queries, {out['dev']['index']})",
                  "| system | " + " | ".join(cols) + " |", "| --- |" + " ---: |" * len(cols)]
        lines += [f"| {k} | " + " | ".join(f"{v.get(c, '')}" for c in cols) + " |"
                  for k, v in out["dev"]["systems"].items()]
    if "scifact" in out:
        lines += ["", f"SciFact ({out['scifact']['queries']} queries, {out['scifact']['documents']} documents)",
                  "| system | nDCG@10 | Recall@100 |", "| --- | ---: | ---: |"]
        lines += [f"| {k} | {v['ndcg@10']} | {v['recall@100']} |" for k, v in out["scifact"]["systems"].items()]
    if out.get("speed"):
        lines += ["", "| passages | engine | build s (CPU s) | on disk MB | in memory MB | p50 ms | p95 ms "
                      "| CPU p50 ms | CPU p95 ms |", "| ---: | --- |" + " ---: |" * 7]
        for s in out["speed"]:
            for name, e in s["engines"].items():
                disk = (f"{e['file_bytes'] / 2**20:.2f} ({e['fts_bytes'] / 2**20:.2f} FTS)" if "file_bytes" in e
                        else f"{e['disk_bytes'] / 2**20:.2f}")
                mem = f"{e['memory_bytes'] / 2**20:.2f}" if "memory_bytes" in e else "page cache"
                lines.append(f"| {s['passages']:,} | {name} | {e['build_s']} ({e['build_cpu_s']}) | {disk} | {mem} "
                             f"| {e['p50_ms']} | {e['p95_ms']} | {e['cpu_p50_ms']} | {e['cpu_p95_ms']} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=ROOT / "data" / "index",
                    help="the mirror index (built by `python -m index build`; default data/index)")
    ap.add_argument("--gold", type=Path, default=SHARED / "eval" / "dev.jsonl", help="the dev set")
    ap.add_argument("--scifact", type=Path, default=SHARED / "benchmarks" / "scifact", help="the BEIR folder")
    ap.add_argument("--qrels", type=Path, help="SciFact judgments (default qrels/train.tsv)")
    ap.add_argument("--queries", type=int, default=300, help="measured queries per speed size (default 300)")
    ap.add_argument("--warmup", type=int, default=30, help="unmeasured warm-up queries (default 30)")
    ap.add_argument("--large", type=int, default=100_000,
                    help="synthetic passages for the large speed size; 0 skips it (default 100000)")
    ap.add_argument("--skip", action="append", default=[], choices=["dev", "scifact", "speed"],
                    help="leave out a part (repeatable)")
    ap.add_argument("--bm25s-path", type=Path, default=Path("/tmp/bm25slib"),
                    help="where bm25s/PyStemmer were installed with pip --target, if not importable")
    ap.add_argument("--bm25s-fields", choices=["all", "text"], default="all",
                    help="bm25s indexes all four FTS5 columns as one field (default), or the passage text only")
    ap.add_argument("--workdir", type=Path, help="scratch folder (default a temporary one, removed at the end)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of Markdown tables")
    args = ap.parse_args()

    coretype = os.environ.get("OPENBLAS_CORETYPE")
    print(f"OPENBLAS_CORETYPE {'set to ' + coretype if coretype else 'not set'}", file=sys.stderr)
    lib, stemmer_mod = import_bm25s(args.bm25s_path)
    bm25 = Bm25sLib(lib, stemmer_mod, args.bm25s_fields) if lib else None
    note = f"bm25s {lib.__version__}, PyStemmer {metadata.version('PyStemmer')}" if lib else stemmer_mod
    print(note, file=sys.stderr)
    qrels = args.qrels or args.scifact / "qrels" / "train.tsv"
    settings = Settings.from_env()
    out = {"date": time.strftime("%Y-%m-%d"), "command": " ".join([Path(sys.executable).name] + sys.argv),
           "openblas_coretype_set": bool(coretype), "bm25s_note": note,
           "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start",
           "bm25_constants": {"k1": K1, "b": B}}
    work = Path(args.workdir or tempfile.mkdtemp(prefix="lexbench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if "dev" not in args.skip:
            log("dev set")
            out["dev"] = dev_quality(args.index, args.gold, bm25, settings)
        if "scifact" not in args.skip:
            log("SciFact")
            out["scifact"] = scifact_quality(args.scifact, qrels, bm25, settings, work)
        if "speed" not in args.skip:
            pool = query_pool(args.gold, args.scifact)
            warm, meas = pool[-args.warmup:], pool[:args.queries]
            mirror = index_rows(store.open_readonly(Searcher.open(args.index, settings=settings).folder
                                                    / "passages.sqlite"))
            sci = scifact_rows(args.scifact / "corpus.jsonl")
            sizes = [("mirror", mirror), ("scifact", sci)]
            if args.large:
                sizes.append(("large", synthetic_rows(sci, args.large)))
            out["speed"] = [speed_at(label, rows, meas, warm, bm25, work) for label, rows in sizes]
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    out["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out) if args.json else markdown(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
