"""`python -m index evaluate` and `evaluate-beir`: the command line of index/evaluation/.

`evaluate` scores a gold set in the format of `shared/eval/dev.jsonl` with
exactly the rules of its README (chunking-independent snippet matching,
grouped hits credited per document). `evaluate-beir` indexes a BEIR corpus one
passage per document and scores nDCG@10 and Recall@100 as pytrec_eval does.
Both report our hybrid beside the lexical and dense retrievers and, for the
gold set, the naive recipe (1000-character chunks, the same model, FAISS flat).
Input errors are `EvaluationError`s, printed here as one line with exit code 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingest.settings import Settings, settings_from_args

from . import backends
from .evaluation import EvaluationError
from .search import MODES, Searcher

ALL_MODES = ["lexical", "dense", "hybrid"]


def register_cli(sub: argparse._SubParsersAction) -> None:
    from .__main__ import _index_flags  # shared flags

    p = sub.add_parser("evaluate", help="score a gold set (shared/eval/dev.jsonl format)",
                       description="Score our retrieval modes and the naive recipe on a gold set, with the "
                                   "relevance rules of shared/eval/README.md: Recall@1/5/10, Hit@1/5, MRR@10, "
                                   "nDCG@10, and the mean length of returned passages in words.")
    p.add_argument("--gold", type=Path, required=True, help="gold queries, one JSON object per line")
    p.add_argument("--split", choices=("tune", "validation"),
                   help="score only the queries whose \"split\" field has this value (docs/eval/queries.jsonl)")
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
    p.add_argument("--run", type=Path, metavar="FILE",
                   help="write each mode's rankings as its own TREC run file (qid Q0 docid rank score tag), "
                        "named FILE with the mode before the suffix: --run run.trec writes run.lexical.trec, "
                        "run.dense.trec, run.hybrid.trec")
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
    from .evaluation.gold import evaluate_system, load_gold
    from .evaluation.naive import evaluate_naive

    settings = settings_from_args(args)
    try:
        gold = load_gold(args.gold, args.split or "")
    except EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    embedder = backends.embedder(settings)
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    systems, per_query = {}, {}
    if not args.no_naive:
        systems["naive"] = evaluate_naive(settings, gold, embedder)
    for mode in args.mode or ALL_MODES:
        systems[mode], per_query[mode] = evaluate_system(searcher, gold, mode)
    out = {"gold": str(args.gold), "split": args.split or "all", "queries": len(gold), "index": str(searcher.folder), "systems": systems}
    if args.per_query:
        out["per_query"] = per_query
    if args.json:
        print(json.dumps(out))
    else:
        cols = ["recall@1", "recall@5", "recall@10", "hit@1", "hit@5", "mrr@10", "ndcg@10", "mean_words"]
        print(f"{len(gold)} queries from {args.gold}" + (f" ({args.split})" if args.split else "") + "\n" + _table(systems, cols))
    return 0


def cmd_evaluate_beir(args: argparse.Namespace) -> int:
    from .evaluation.beir import default_qrels, evaluate_beir
    from .progress import TerminalProgress

    settings = Settings.from_env(model=args.model)
    try:
        qrels = args.qrels or default_qrels(args.dir)  # before the model loads: a wrong folder fails at once
        embedder = backends.embedder(settings)
        with TerminalProgress(enabled=not args.json) as bar:
            result = evaluate_beir(args.dir, qrels, args.mode or ALL_MODES, settings, embedder, args.run,
                                   progress=bar)
    except EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['queries']} queries, {result['documents']} documents ({result['qrels']})\n"
              + _table(result["systems"], ["ndcg@10", "recall@100"]))
        for mode, path in result.get("runs", {}).items():
            print(f"run {mode}: {path}")
    return 0
