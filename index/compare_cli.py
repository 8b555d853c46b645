"""`python -m index compare` and `python -m index lineage`: the command-line face of index/compare.py and lineage.py."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingest.settings import settings_from_args

from .align import STATUSES
from .compare_render import FORMATS, render
from .manifest import IndexError_

COMPARE_HELP = """\
Align the paragraphs of two documents in order and show what changed, the way
negotiators read tracked changes. Paragraphs may be edited (changed), split,
merged, moved between the preambular and operative parts, or exist in one
document only (removed: only in A; added: only in B). Changed rows carry a
word-level diff. Documents in different languages are paired by label only.

examples:
  python -m index compare A/RES/74/28 A/RES/75/32
  python -m index compare A/RES/77/36 A/RES/78/237 --status changed --status added
  python -m index compare A/RES/79/237 A/RES/80/16 --format docx --output brief.docx
  python -m index compare A/RES/74/28 A/RES/75/32 --json    # {"a", "b", "rows", "summary"}
  python -m index compare --list                              # every document, by symbol and id
"""

LINEAGE_HELP = """\
List every earlier and later version of a passage's wording across the corpus,
oldest first: the same wording, edited wording (most of its words in common),
and passages that share only a sentence with it (flagged). Each version is
diffed against the one before it; the first appearance is marked.

Name the passage as "SYMBOL, LABEL" (the citation's first two parts) or by its
passage id (the `passage_id` of a search hit).

examples:
  python -m index lineage "A/RES/78/237, PP 8"
  python -m index lineage "A/RES/73/27, OP 1" --json    # {"passage", "versions"}
"""


def register_cli(sub: argparse._SubParsersAction) -> None:
    from .__main__ import _index_flags  # shared flags

    p = sub.add_parser("compare", help="compare two documents paragraph by paragraph (tracked changes)",
                       description=COMPARE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", nargs="?", help="the earlier document: symbol (A/RES/74/28) or document id")
    p.add_argument("b", nargs="?", help="the later document: symbol or document id")
    p.add_argument("--list", action="store_true", help="list the documents that can be compared, and exit")
    p.add_argument("--json", action="store_true", help='print {"a", "b", "rows", "summary"} as JSON')
    p.add_argument("--format", choices=FORMATS, help="md (default on screen), html (a fragment), "
                                                     "or docx (Word; needs --output)")
    p.add_argument("--output", type=Path, metavar="FILE", help="write to FILE instead of the screen")
    p.add_argument("--status", action="append", choices=STATUSES, default=[],
                   help="only rows with this status (repeatable; default all)")
    _index_flags(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("lineage", help="where a passage's wording came from and how it evolved",
                       description=LINEAGE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("passage", help='"SYMBOL, LABEL" (e.g. "A/RES/78/237, PP 8") or a passage id')
    p.add_argument("--json", action="store_true", help='print {"passage", "versions"} as JSON')
    _index_flags(p)
    p.set_defaults(func=cmd_lineage)


def _searcher(args: argparse.Namespace):
    from .search import Searcher

    settings = settings_from_args(args)
    return Searcher.open(settings.index, settings=settings)


def cmd_compare(args: argparse.Namespace) -> int:
    searcher = _searcher(args)
    if args.list:
        for d in searcher.documents():
            print(f"{d['symbol'] or '-':<28} {d['doc_id']:<44} {d['date']}  {d['language']}")
        return 0
    if not (args.a and args.b):
        raise IndexError_("give two documents A and B (symbols or ids), or --list")
    fmt = args.format or "md"
    if fmt == "docx" and not args.output:
        raise IndexError_("--format docx writes a Word file: add --output FILE.docx")
    result = searcher.compare(args.a, args.b)
    if args.json:
        out: str | bytes = json.dumps(result.to_json(), ensure_ascii=False)
    else:
        out = render(result, fmt, args.status or None)
    if args.output:
        try:
            if isinstance(out, bytes):
                args.output.write_bytes(out)
            else:
                args.output.write_text(out, encoding="utf-8")
        except OSError as exc:
            raise IndexError_(f"cannot write {args.output} ({exc.strerror or type(exc).__name__})") from None
        print(f"wrote {args.output} ({_summary(result)})", file=sys.stderr)
    else:
        print(out)
    return 0


def _summary(result) -> str:
    return ", ".join(f"{result.summary[s]} {s}" for s in STATUSES)


def cmd_lineage(args: argparse.Namespace) -> int:
    result = _searcher(args).lineage(args.passage)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    from .compare_render import plain_diff

    print(f"{result.passage.citation}: {len(result.versions)} version(s)")
    for v in result.versions:
        marks = [m for m, on in (("first appearance", v.first), ("only a sentence recurs", v.only_sentence)) if on]
        print(f"\n{v.passage.date}  {v.passage.citation}  [{v.status}{'; ' + '; '.join(marks) if marks else ''}]")
        print("   " + (v.passage.text if v.first else plain_diff(v.diff)))
    return 0
