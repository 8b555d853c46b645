"""Score `python -m index compare` against judged alignments (docs/lineage/alignments.json).

    .venv/bin/python benchmarks/compare_accuracy.py [--index DIR] [--gold FILE] [--json]

A gold row is right when the comparison has a row with the same A labels, the
same B labels and the same status. Per status: recall (gold rows of that
status found exactly) and precision (predicted rows of that status that are in
the gold). Pairs whose documents are not in the index are skipped, named on
stderr (the L.20 draft needs its official PDF in a corpus folder).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.align import STATUSES  # noqa: E402
from index.compare import UnknownDocument  # noqa: E402
from index.search import Searcher  # noqa: E402
from ingest.settings import Settings  # noqa: E402

GOLD = ROOT / "docs" / "lineage" / "alignments.json"


def row_key(row: dict) -> tuple:
    return tuple(row["a"]), tuple(row["b"]), row["status"]


def score(gold_rows: list[dict], predicted_rows: list[dict]) -> dict:
    """Counts per status: gold, predicted, correct (exact labels and status)."""
    gold = {row_key(r) for r in gold_rows}
    pred = {row_key(r) for r in predicted_rows}
    out = {}
    for s in STATUSES:
        g = {k for k in gold if k[2] == s}
        p = {k for k in pred if k[2] == s}
        out[s] = {"gold": len(g), "predicted": len(p), "correct": len(g & p)}
    out["all"] = {"gold": len(gold), "predicted": len(pred), "correct": len(gold & pred)}
    return out


def add_up(scores: list[dict]) -> dict:
    total = {k: {"gold": 0, "predicted": 0, "correct": 0} for k in (*STATUSES, "all")}
    for sc in scores:
        for k, v in sc.items():
            for f in v:
                total[k][f] += v[f]
    for v in total.values():
        v["recall"] = round(v["correct"] / v["gold"], 3) if v["gold"] else None
        v["precision"] = round(v["correct"] / v["predicted"], 3) if v["predicted"] else None
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, help="index folder (default: the configured one)")
    ap.add_argument("--gold", type=Path, default=GOLD, help="judged alignments (default docs/lineage/alignments.json)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    settings = Settings.from_env(index=args.index)
    searcher = Searcher.open(settings.index, settings=settings)
    pairs, scores = [], []
    for pair in json.loads(args.gold.read_text(encoding="utf-8")):
        try:
            result = searcher.compare(pair["a"], pair["b"]).to_json()
        except UnknownDocument as exc:
            print(f"skipped {pair['a']} -> {pair['b']}: {exc} ({pair.get('needs', '')})", file=sys.stderr)
            continue
        sc = score(pair["rows"], result["rows"])
        scores.append(sc)
        pairs.append({"a": pair["a"], "b": pair["b"], **{k: v["correct"] for k, v in sc.items() if k == "all"},
                      "rows": sc["all"]["gold"]})
    total = add_up(scores)
    if args.json:
        print(json.dumps({"pairs": pairs, "by_status": total}))
        return 0
    for p in pairs:
        print(f"{p['a']} -> {p['b']}: {p['all']}/{p['rows']} gold rows exact")
    print(f"\n{'status':<9}{'gold':>6}{'found':>7}{'recall':>8}{'predicted':>11}{'precision':>11}")
    for k, v in total.items():
        print(f"{k:<9}{v['gold']:>6}{v['correct']:>7}{v['recall'] if v['recall'] is not None else '-':>8}"
              f"{v['predicted']:>11}{v['precision'] if v['precision'] is not None else '-':>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
