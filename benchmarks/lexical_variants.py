"""Experiment: the cost of the FTS5 query at scale, and of cheaper query plans.

    .venv/bin/python benchmarks/lexical_variants.py INDEX_ROOT [--queries FILE] [--json]

The FTS5 backend (index/backends/fts5.py) ranks every passage that matches any
query term (terms OR'ed), so a query with a common word scores most of the corpus.
Measured here on one thread, in CPU time, over the bench's query list:

- current: `fts5.match(db, fts_expression(parsed), 100)`, as the Searcher runs it;
- no_bigrams: the same without the bigram phrases (if query.py adds them);
- df_cap: terms found in more than --df-cap of the passages are dropped (the two
  rarest terms are always kept), counted here with a MATCH per term (a real
  implementation would read them from an fts5vocab table built with the index);
- and_first: all terms AND'ed first, the OR query only when that finds fewer than
  the candidates needed;
- stored_parts: the backend's own `search` (each word's bm25() parts stored by the build and
  added with numpy, phrases of several words scored by FTS5 alone; exact), its arrays
  remembered across queries as a Searcher remembers them.

The overlap of each variant's top 10 with the current top 10 says what it costs
in ranking (1.0 = same ten passages).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import store  # noqa: E402
from index.backends.fts5 import Fts5Lexical  # noqa: E402
from index.manifest import current_version  # noqa: E402
from benchmarks.bench.data import load_queries  # noqa: E402
from benchmarks.bench.figures import percentile  # noqa: E402
from index.query import _quote, fts_expression, parse  # noqa: E402


def stemmed_df(db, term: str) -> int:
    """Documents containing the term as the porter tokenizer stores it (looked up through a MATCH count)."""
    row = db.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", [_quote(term)]).fetchone()
    return int(row[0])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index", type=Path)
    ap.add_argument("--queries", type=int, default=250)
    ap.add_argument("--df-cap", type=float, default=0.05)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    folder = current_version(args.index)
    db = store.open_readonly(folder / "passages.sqlite")
    fts5 = Fts5Lexical()
    n_passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    queries, _, source = load_queries(args.queries, 0)
    df_cache: dict[str, int] = {}

    def df(term: str) -> int:
        if term not in df_cache:
            df_cache[term] = stemmed_df(db, term)
        return df_cache[term]

    for q in queries:  # document frequencies first, outside the timings
        for t in parse(q, 1000).terms:
            df(t)

    def current(pq):
        return fts5.match(db, fts_expression(pq), 100)

    def no_bigrams(pq):
        if hasattr(pq, "bigrams"):
            pq = dataclasses.replace(pq, bigrams=[])
        return fts5.match(db, fts_expression(pq), 100)

    def df_cap(pq):
        terms = sorted(pq.terms, key=df)
        keep = [t for t in terms if df(t) <= args.df_cap * n_passages] or terms[:2]
        keep = list(dict.fromkeys(keep + terms[:2]))
        expr = " OR ".join([_quote(t) for t in keep] + [_quote(p) for p in pq.phrases[:8]])
        return fts5.match(db, expr, 100)

    def and_first(pq):
        if len(pq.terms) > 1:
            hits = fts5.match(db, " AND ".join(_quote(t) for t in pq.terms[:64]), 100)
            if len(hits) >= 30:
                return hits
        return fts5.match(db, fts_expression(pq), 100)

    def stored_parts(pq):  # the backend's own plan (Fts5Lexical.search): the build's bm25() parts added up
        return fts5.search(db, pq, 100)

    variants = {"current": current, "no_bigrams": no_bigrams, "df_cap": df_cap, "and_first": and_first,
                "stored_parts": stored_parts}
    times = {k: [] for k in variants}
    overlap = {k: [] for k in variants}
    same = {k: 0 for k in variants}  # queries whose whole top 100, scores included, is the current one
    for q in queries:
        pq = parse(q, 1000)
        if not (pq.terms or pq.phrases):
            continue
        ref = full = None
        for name, fn in variants.items():
            c = time.thread_time()
            hits = fn(pq)
            times[name].append((time.thread_time() - c) * 1000)
            top = [i for i, _ in hits[:10]]
            if ref is None:
                ref, full = top, hits
            same[name] += hits == full
            overlap[name].append(len(set(top) & set(ref)) / max(1, len(ref)) if ref else 1.0)
    rows = {k: {"cpu_p50_ms": round(percentile(v, 50), 2), "cpu_p95_ms": round(percentile(v, 95), 2),
                "cpu_p99_ms": round(percentile(v, 99), 2),
                "top10_overlap_with_current": round(sum(overlap[k]) / len(overlap[k]), 3),
                "same_top100_share": round(same[k] / len(v), 3)}
            for k, v in times.items()}
    out = {"index": str(folder), "passages": n_passages, "queries": len(times["current"]), "source": source,
           "df_cap": args.df_cap, "variants": rows}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{n_passages:,} passages, {out['queries']} queries ({source}); CPU ms on one thread")
        print("| plan | p50 | p95 | p99 | top-10 overlap with current | same top 100 |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for k, r in rows.items():
            print(f"| {k} | {r['cpu_p50_ms']} | {r['cpu_p95_ms']} | {r['cpu_p99_ms']} | "
                  f"{r['top10_overlap_with_current']} | {r['same_top100_share']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
