"""Speed of compare and lineage, on the mirror index and on a synthetic 100k-passage index.

    .venv/bin/python benchmarks/lineage_speed.py [--index DIR]       # the mirror's index (build it first)
    .venv/bin/python benchmarks/lineage_speed.py --scale 100000      # + a synthetic index of that many passages

Prints, for the mirror: compare of two resolutions and of the Convention with
itself (median of repeats), a lineage of every passage (median, p95, max), and
the build-time cost of the fingerprints (the same `fingerprints.write` the build
runs, into a scratch file) with their row count and bytes.

The scale run builds an index through `index.build.build_documents` with a
hashing bag-of-words embedder injected in place of the model (embedding 100k
passages takes hours on two shared cores; lineage only needs the vectors to
exist and to put similar wording near each other). The documents are series of
invented resolutions whose paragraphs recur, are edited, or reuse a sentence,
so that fingerprint postings and candidate lists have a realistic shape.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import fingerprints  # noqa: E402
from index.search import Searcher  # noqa: E402
from ingest.records import Passage, SourceEntry  # noqa: E402
from ingest.settings import Settings  # noqa: E402


def timed(fn, repeat: int) -> float:
    """Median wall seconds of `repeat` calls (the first, cold, call included)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def lineage_latency(searcher: Searcher, ids: list[int]) -> dict:
    """Wall and CPU (this thread's) milliseconds: on a shared machine the wall time includes waiting for a core."""
    wall, cpu = [], []
    for pid in ids:
        t, c = time.perf_counter(), time.thread_time()
        searcher.lineage(pid)
        wall.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
    out: dict = {"passages": len(ids), "load_1min": round(os.getloadavg()[0], 1)}
    for name, times in (("wall", sorted(wall)), ("cpu", sorted(cpu))):
        out[f"{name}_median_ms"] = round(1000 * statistics.median(times), 1)
        out[f"{name}_p95_ms"] = round(1000 * times[int(0.95 * (len(times) - 1))], 1)
        out[f"{name}_max_ms"] = round(1000 * times[-1], 1)
    return out


def fingerprint_cost(searcher: Searcher) -> dict:
    """Time the build's fingerprint step alone, over this index's passages, into a scratch file."""
    with searcher._connection() as db:  # noqa: SLF001 - a read of the texts, nothing patched
        rows = list(db.execute("SELECT id, text FROM passages ORDER BY id"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.sqlite"
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=OFF")
        t = time.perf_counter()
        with conn:
            n = fingerprints.write(conn, rows)
        seconds = time.perf_counter() - t
        conn.close()
        size = path.stat().st_size
    return {"passages": len(rows), "seconds": round(seconds, 2), "rows": n, "mb": round(size / 2 ** 20, 1)}


def mirror(searcher: Searcher, repeat: int) -> dict:
    docs = {d["symbol"]: d for d in searcher.documents()}
    out: dict = {}
    if {"A/RES/74/28", "A/RES/75/32"} <= set(docs):
        out["compare_two_resolutions_s"] = round(timed(lambda: searcher.compare("A/RES/74/28", "A/RES/75/32"),
                                                       repeat), 4)
    if "A/RES/79/243" in docs:
        n = len(searcher.compare("A/RES/79/243", "A/RES/79/243").rows)
        out["compare_convention_itself_s"] = round(timed(lambda: searcher.compare("A/RES/79/243", "A/RES/79/243"),
                                                         max(1, repeat // 2)), 3)
        out["convention_rows"] = n
    if {"A/RES/77/36", "A/RES/79/243"} <= set(docs):
        out["compare_convention_with_a_resolution_s"] = round(
            timed(lambda: searcher.compare("A/RES/79/243", "A/RES/77/36"), max(1, repeat // 2)), 3)
    out["lineage_every_passage"] = lineage_latency(searcher, list(range(searcher.passage_count())))
    out["fingerprints_build"] = fingerprint_cost(searcher)
    out["index_build_seconds"] = searcher.manifest.build_seconds
    return out


# -- the synthetic scale run ---------------------------------------------------
class HashingEmbedder:
    """Bag-of-words vectors by feature hashing: similar wording, similar vector; no model needed."""

    def __init__(self, name: str, dimension: int = 384):
        self.name, self.dimension = name, dimension

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dimension, dtype=np.float32)
        for w in text.lower().split():
            h = hash(w) & 0xFFFFFFFF  # PYTHONHASHSEED is fixed by main() for a stable run
            v[h % self.dimension] += 1.0 if h & 0x80000000 else -1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def encode_passages(self, texts, batch_size: int = 32, progress=lambda done, total: None) -> np.ndarray:
        out = np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)
        progress(len(texts), len(texts))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def synthetic_documents(passages: int, per_doc: int = 50, series_length: int = 10, seed: int = 0) -> list:
    from ingest.pipeline import Document

    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "fi", "gu", "he", "jo"]
    vocab = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(5000)]

    def sentence() -> str:
        return " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 25))).capitalize() + "."

    def paragraph() -> str:
        return " ".join(sentence() for _ in range(rng.randint(1, 3)))

    def edit(text: str) -> str:
        w = text.split()
        for _ in range(rng.randint(1, 3)):
            w[rng.randrange(len(w))] = rng.choice(vocab)
        return " ".join(w)

    docs, previous = [], []
    for d in range((passages + per_doc - 1) // per_doc):
        if d % series_length == 0:
            previous = []
        texts = []
        for p in range(per_doc):
            r = rng.random()
            if previous and r < 0.5:
                texts.append(previous[p % len(previous)])
            elif previous and r < 0.75:
                texts.append(edit(previous[p % len(previous)]))
            elif previous and r < 0.8:  # a sentence of an earlier paragraph in a new one
                texts.append(rng.choice(previous).split(". ")[0].rstrip(".") + ". " + sentence())
            else:
                texts.append(paragraph())
        previous = texts
        source = SourceEntry(id=f"syn-{d}", title=f"Synthetic resolution {d}", body="UNGA",
                             date=f"{2000 + d % series_length}-01-01", type="resolution", symbol=f"A/RES/S/{d}",
                             catalogued=False)
        ps = [Passage(doc_id=source.id, ordinal=i, label=f"OP {i + 1}", text=t, start=0, end=len(t))
              for i, t in enumerate(texts)]
        docs.append(Document(source, Path(source.id), "", None, ps))
    return docs


def scale(n: int, samples: int) -> dict:
    from index.build import build_documents

    docs = synthetic_documents(n)
    with tempfile.TemporaryDirectory(prefix="normbase-lineage-") as tmp:
        settings = Settings.from_env({}, corpus=[Path(tmp) / "none"], index=Path(tmp) / "index")
        embedder = HashingEmbedder(settings.model)
        t = time.perf_counter()
        build_documents(settings, docs, embedder=embedder)
        build_s = time.perf_counter() - t
        searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
        total = searcher.passage_count()
        ids = random.Random(1).sample(range(total), min(samples, total))
        lat = lineage_latency(searcher, ids)
        versions = statistics.mean(len(searcher.lineage(i).versions) for i in ids[:50])
        return {"passages": total, "build_seconds": round(build_s, 1), "lineage": lat,
                "mean_versions": round(versions, 1), "fingerprints_build": fingerprint_cost(searcher)}


def main(argv=None) -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":  # the hashing embedder must be the same in every run
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, help="the mirror's index folder (default: the configured one)")
    ap.add_argument("--scale", type=int, default=0, metavar="N", help="also measure a synthetic index of N passages")
    ap.add_argument("--samples", type=int, default=300, help="lineages timed on the synthetic index")
    ap.add_argument("--repeat", type=int, default=5, help="repeats per compare timing")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    settings = Settings.from_env(index=args.index)
    result = {"openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "(not set)"), "cpus": os.cpu_count(),
              "mirror": mirror(Searcher.open(settings.index, settings=settings), args.repeat)}
    if args.scale:
        result["scale"] = scale(args.scale, args.samples)
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
