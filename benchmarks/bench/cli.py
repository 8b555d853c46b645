"""`python -m index bench`: its flags and the command (registered by index/__main__.py)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .data import LARGE_ANN_FROM
from .figures import parse_size


def register_cli(sub) -> None:
    p = sub.add_parser("bench", help="measure build, query latency, memory, ANN recall and start-up",
                       description="Performance figures per corpus size (docs/performance.md). Each "
                                   "measurement runs in its own subprocess so memory is per size.")
    p.add_argument("--sizes", default="1k,10k,100k,1m",
                   help="comma-separated passage counts, with k/m suffixes (default 1k,10k,100k,1m)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: a small slice of the corpus, 40 queries, every size above 1k synthetic")
    p.add_argument("--queries", type=int, default=250, help="measured queries per size (default 250, min 200 "
                                                               "unless --quick)")
    p.add_argument("--ann-large", default="project",
                   help=f"vector index for sizes above {LARGE_ANN_FROM:,} passages: 'project' (default: the "
                        "index code's own choice, exact up to 50k passages, IVF1024-SQ8 above), or a variant "
                        "to compare, ivf<N>-flat|sq8|pq<M>")
    p.add_argument("--ann-large-from", type=int, default=LARGE_ANN_FROM, help=argparse.SUPPRESS)
    p.add_argument("--nprobe", type=int, default=64, help="IVF lists probed per query (default 64)")
    p.add_argument("--exact-limit", type=int, default=None,
                   help="passages above which an ANN index is used (default: the project's setting)")
    p.add_argument("--raw-sample", type=int, default=2000,
                   help="above the real corpus, encode this many of the build's texts (a random sample) for the "
                        "raw throughput; 0 = all (default 2000)")
    p.add_argument("--workdir", type=Path, help="where corpora and indexes are written (default: a temp folder, "
                                                "removed afterwards unless --keep)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--no-app", action="store_true",
                   help="skip the browser measurements (app cold start and warm query render)")
    p.add_argument("--app-only", action="store_true",
                   help="only the browser measurements, on the existing index given by --index (a few minutes)")
    p.add_argument("--index", type=Path, default=None,
                   help="with --app-only: the index the app serves (default: NORMBASE_INDEX or data/index)")
    p.add_argument("--no-naive", action="store_true", help="skip the naive-recipe comparison")
    p.add_argument("--no-scifact", action="store_true",
                   help="sizes above the real corpus are synthetic too (no model encoding beyond the real corpus)")
    p.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    try:
        sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except argparse.ArgumentTypeError as exc:
        print(f"error: --sizes: {exc}", file=sys.stderr)
        return 2
    if not sizes:
        print("error: --sizes is empty", file=sys.stderr)
        return 2
    if args.queries < 200 and not args.quick:
        print("error: --queries must be at least 200 (or use --quick)", file=sys.stderr)
        return 2
    if args.app_only:
        if args.no_app:
            print("error: --app-only and --no-app exclude each other", file=sys.stderr)
            return 2
        if args.index is None:
            from ingest.settings import Settings

            args.index = Settings.from_env().index
        if not (Path(args.index) / "CURRENT").is_file():
            print(f"error: no index in {args.index} (build one with `python -m index build --index DIR`)",
                  file=sys.stderr)
            return 2
    from .report import render_text  # here, not at the top: `python -m index search` imports this module
    from .runner import Bench

    bench = Bench(args, sorted(set(sizes)))
    try:
        result = bench.run_app_only() if args.app_only else bench.run()
    finally:
        bench.cleanup()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(render_text(result))
    return 0

