"""Score fusion levers on the tune and validation splits and on the dev set, one row per setting.

Why: every lever of docs/quality.md is chosen on `tune` and decided on `validation`
(docs/quality.md, protocol). Opening one index and one model and scoring each setting as an
injected `Tuning` keeps a sweep to seconds per row; nothing in the engine is patched.

    nice -n 10 .venv/bin/python benchmarks/quality_levers.py --index /tmp/q-index \
        --try thesaurus_lexical_weight=0.5 --try thesaurus_lexical_weight=1,thesaurus_dense_weight=0.5

The first row is always the default `Tuning`. `--facets` adds Hit@5/MRR per facet of the split sets.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import Searcher, backends  # noqa: E402
from index.evaluation.gold import GoldQuery, evaluate_system, load_gold  # noqa: E402
from index.fusion import Tuning  # noqa: E402
from ingest.settings import Settings  # noqa: E402

METRICS = ("hit@5", "mrr@10", "ndcg@10")


def overrides(spec: str) -> dict:
    """"a=1,b=0.5" -> {"a": 1.0, "b": 0.5}, checked against Tuning's fields."""
    fields = {f.name: f.type for f in dataclasses.fields(Tuning)}
    out = {}
    for item in filter(None, spec.split(",")):
        name, _, value = item.partition("=")
        if name not in fields:
            raise SystemExit(f"error: --try {spec!r}: {name!r} is not a Tuning field ({', '.join(fields)})")
        out[name] = int(value) if fields[name] in (int, "int") else float(value)
    return out


def by_facet(gold: list[GoldQuery], rows: list[dict]) -> dict[str, dict]:
    facet = {g.id: g.facet or "-" for g in gold}
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(facet[r["id"]], []).append(r)
    return {f: {m: round(sum(r[m] for r in rs) / len(rs), 3) for m in ("hit@5", "mrr@10")} | {"n": len(rs)}
            for f, rs in sorted(groups.items())}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index", type=Path, required=True, help="a built mirror index (python -m index build --index DIR)")
    p.add_argument("--gold", type=Path, default=ROOT / "docs" / "eval" / "queries.jsonl")
    p.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.jsonl")
    p.add_argument("--try", dest="tries", action="append", default=[], metavar="FIELD=V,...",
                   help="one row: Tuning fields to override (repeatable)")
    p.add_argument("--facets", action="store_true", help="per-facet Hit@5 and MRR@10 on tune and validation")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    settings = Settings.from_env(index=args.index)
    embedder = backends.embedder(settings)
    sets = {"tune": load_gold(args.gold, "tune"), "validation": load_gold(args.gold, "validation")}
    if args.dev.is_file():
        sets["dev"] = load_gold(args.dev)
    results = []
    for spec in [""] + args.tries:
        tuning = dataclasses.replace(Tuning(), **overrides(spec))
        searcher = Searcher.open(args.index, settings=settings, embedder=embedder, tuning=tuning)
        row = {"try": spec or "default"}
        for name, gold in sets.items():
            summary, rows = evaluate_system(searcher, gold, "hybrid")
            row[name] = {m: round(summary[m], 3) for m in METRICS}
            if args.facets and name != "dev":
                row[name]["facets"] = by_facet(gold, rows)
        results.append(row)
        if not args.json:
            print(f"{row['try']:<60}" + "  ".join(
                f"{name[:3]} {row[name]['hit@5']:.3f}/{row[name]['mrr@10']:.3f}/{row[name]['ndcg@10']:.3f}"
                for name in sets), flush=True)
            if args.facets:
                for name in ("tune", "validation"):
                    print(f"   {name}: " + "; ".join(f"{f} {v['hit@5']:.2f}/{v['mrr@10']:.2f} (n{v['n']})"
                                                    for f, v in row[name]["facets"].items()))
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
