"""`python -m index`: build the index and search it from the command line."""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from dataclasses import asdict
from pathlib import Path

from ingest.catalog import CatalogError
from ingest.terminal import visible
from ingest.settings import INDEX, SettingsError, add_common_flags, settings_from_args

from benchmarks.bench import cli as bench_cli

from . import compare_cli, evaluate, export
from .api import serve as api_serve
from .backends import ModelUnavailable, UnknownBackend
from .manifest import IndexError_, current_version
from .records import Filters
from .search import MODES, Searcher

SEARCH_FORMATS = ("text", "json", "md", "csv")
EXTRA_COMMANDS = (evaluate.register_cli, bench_cli.register_cli, compare_cli.register_cli, api_serve.register_cli)  # each adds its subcommand(s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m index",
        description="Build the normbase index and search it. Settings come from flags, then "
                    "environment (NORMBASE_INDEX, NORMBASE_CORPUS, NORMBASE_MODEL), then defaults.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build or update the index from the corpus folders",
                       description="Ingest every corpus file, embed new or changed passages and swap "
                                   "the new index in atomically. Unchanged corpora take seconds.")
    _index_flags(p)
    p.add_argument("--force", action="store_true",
                   help="rebuild even if the corpus is unchanged, reading every file again "
                        "(vectors of unchanged passages are still reused)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("search", help="search the index",
                       description="Hybrid search with citations. Quote a phrase to match it exactly.")
    p.add_argument("query", nargs="?", help="the question or keywords")
    p.add_argument("--queries", type=Path, metavar="FILE",
                   help="read one query per line and print one JSON line per query (model loaded once)")
    p.add_argument("--k", type=int, default=10, help="number of hits (default 10)")
    p.add_argument("--mode", choices=MODES, default="hybrid", help="retrieval mode (default hybrid)")
    p.add_argument("--body", action="append", default=[], help="only this body, e.g. UNGA (repeatable)")
    p.add_argument("--doc", action="append", default=[], metavar="SYMBOL",
                   help="only this document, by symbol or id (repeatable)")
    p.add_argument("--type", action="append", default=[], dest="types", help="only this document type (repeatable)")
    p.add_argument("--language", action="append", default=[], help="only passages in this language (repeatable)")
    p.add_argument("--year-from", type=int, help="only documents from this year on")
    p.add_argument("--year-to", type=int, help="only documents up to this year")
    p.add_argument("--json", action="store_true", help='print {"query": ..., "hits": [...]} (same as --format json)')
    p.add_argument("--format", choices=SEARCH_FORMATS, default="text",
                   help="text (default): readable; json: for machines; md: a Markdown note quoting each passage "
                        "with its citation; csv: one row per passage, for a spreadsheet (the app's exports)")
    _index_flags(p)
    p.set_defaults(func=cmd_search)

    for register in EXTRA_COMMANDS:
        register(sub)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CatalogError, IndexError_, ModelUnavailable, SettingsError, UnknownBackend) as exc:
        print(visible(f"error: {exc}"), file=sys.stderr)
        return 2


def _index_flags(p: argparse.ArgumentParser) -> None:
    add_common_flags(p, INDEX)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build
    from .progress import TerminalProgress

    settings = settings_from_args(args)
    try:
        with TerminalProgress(enabled=not args.json) as bar:
            report = build(settings, force=args.force, progress=bar)
    except (OSError, sqlite3.Error) as exc:  # a full disk, say: the build is gone, the live index is not
        reason = getattr(exc, "strerror", None) or str(exc)
        try:
            live = current_version(settings.index) is not None
        except IndexError_:
            live = False
        raise IndexError_(f"building the index in {settings.index} failed ({reason}); "
                          + ("the previous index is unchanged and still answers" if live else
                             "there was no usable index before, so there is none now")) from None
    for s in report.skipped:
        print(visible(f"skipped: {s}"), file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        print(visible(report.summary()))
    return 0


def filters_from_args(args: argparse.Namespace) -> Filters:
    return Filters(bodies=tuple(args.body), documents=tuple(args.doc), types=tuple(args.types),
                   languages=tuple(args.language), year_from=args.year_from, year_to=args.year_to)


def cmd_search(args: argparse.Namespace) -> int:
    if not args.query and not args.queries:
        print("error: give a QUERY or --queries FILE", file=sys.stderr)
        return 2
    if args.json and args.format not in ("text", "json"):
        print(f"error: --json and --format {args.format} ask for two outputs; give one", file=sys.stderr)
        return 2
    fmt = "json" if args.json else args.format
    if args.queries and fmt in ("md", "csv"):
        print(f"error: --queries prints one JSON line per query; --format {fmt} is for one QUERY", file=sys.stderr)
        return 2
    queries = _read_queries(args.queries) if args.queries else ""
    settings = settings_from_args(args)
    searcher = Searcher.open(settings.index, settings=settings)
    filters = filters_from_args(args)
    if args.queries:
        for line in queries.split("\n"):  # not splitlines: \f, U+2028 are text
            if line.strip():
                print(json.dumps(_answer_json(searcher.answer(line, args.k, filters, args.mode)), ensure_ascii=False))
        return 0
    answer = searcher.answer(args.query, args.k, filters, args.mode)
    if fmt == "json":
        print(json.dumps(_answer_json(answer), ensure_ascii=False))
        return 0
    if fmt in ("md", "csv"):
        for notice in answer.notices:  # stdout holds the note or the sheet alone
            print(visible(f"note: {notice}"), file=sys.stderr)
        sys.stdout.write(export.to_markdown(answer, filters) + "\n" if fmt == "md" else export.to_csv(answer.hits))
        return 0
    for notice in answer.notices:
        print(visible(f"note: {notice}"))
    if answer.also_searched:
        print(visible(f"also searched as: {export.describe_also_searched(answer.also_searched)}"))
    for h in answer.hits:
        print("\n" + visible(f"{h.rank}. {h.citation}   [{h.body}; score {h.score:.4f}]"))
        print("   " + visible(h.url))
        print("   " + visible(h.text, lines=True))
        if h.also_in:
            print("   also in: " + visible("; ".join(f"{a.symbol} {a.label}" for a in h.also_in)))
    return 0


def _read_queries(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"--queries {path}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:  # missing, a folder, no permission
        raise SettingsError(f"--queries {path}: cannot read ({exc.strerror or exc})") from None


def _answer_json(answer) -> dict:
    return {"query": answer.query, "mode": answer.mode, "notices": answer.notices,
            "also_searched": answer.also_searched, "hits": [asdict(h) for h in answer.hits]}


if __name__ == "__main__":
    sys.exit(main())
