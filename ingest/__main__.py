"""`python -m ingest`: look at documents the way the index will see them."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from . import catalog as cat
from . import fetch
from .passages import tokenizer_counter
from .pipeline import ingest_corpus, ingest_file, scan_corpus
from .records import IngestError
from .terminal import visible
from .settings import ModelUnavailable, Settings, SettingsError, add_common_flags, resolve_model, settings_from_args


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Turn source documents (TXT, MD, PDF, HTML) into citable passages. "
                    "Use `inspect` to check one new document before adding it to a corpus folder, "
                    "`scan` to check a whole corpus, and `fetch` to download the catalogue's documents.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("inspect", help="print the passages of one document with labels, citations and pages",
                       description="Print each passage of FILE with its label, citation and page, "
                                   "so you can check a document before adding it.")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="print a JSON list of passages instead")
    add_common_flags(p)
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("scan", help="ingest every file of the corpus folders and report what was skipped",
                       description="Ingest all corpus files (without indexing) and print "
                                   "'N ingested, M skipped' with a reason for each skipped file.")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--strict", action="store_true", help="exit non-zero if any file is skipped")
    add_common_flags(p)
    p.set_defaults(func=cmd_scan)

    fetch.register_cli(sub)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (cat.CatalogError, ModelUnavailable, SettingsError) as exc:
        print(visible(f"error: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing partial was left behind", file=sys.stderr)
        return 130


def _counter(settings: Settings):
    return tokenizer_counter(resolve_model(settings.model))


def cmd_inspect(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    catalog = cat.Catalog(cat.load_catalog(settings.sources))
    try:
        doc = ingest_file(args.file, catalog, settings, _counter(settings))
    except (IngestError, OSError) as exc:
        print(visible(f"error: {args.file}: {exc}"), file=sys.stderr)
        return 1
    for w in doc.warnings:
        print(visible(f"warning: {args.file}: {w}"), file=sys.stderr)
    s = doc.source
    facts = {"symbol": s.symbol, "title": s.title, "body": s.body, "date": s.date, "type": s.type,
             "language": s.language, "revises": s.revises, "supersedes": s.supersedes, "inferred": list(s.inferred)}
    # Each passage carries its document's facts, so the contract is checkable without the catalogue:
    # flat (`symbol`, `title`, ...) and whole under `document`. A passage's `language` is its own (a
    # compendium's statements differ); the version's is `document_language` and `document.language`.
    rows = [dict(asdict(p), citation=p.citation(s), **{k: v for k, v in facts.items() if k != "language"},
                 document_language=s.language, document=facts) for p in doc.passages]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(visible(f"{args.file}: {s.display_symbol} — {s.title} ({s.body}, {s.date}, {s.type}"
                  f"{', uncatalogued' if not s.catalogued else ''}); {len(rows)} passages"))
    for r in rows:
        print("\n" + visible(f"[{r['citation']}]" + (f"  ({r['heading']})" if r["heading"] else "")))
        print(visible(r["text"], lines=True))
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    scan = scan_corpus(settings.corpus)
    result = ingest_corpus(settings, _counter(settings), files=scan.files, refused=scan.refused)
    for s in result.skipped:
        print(visible(f"skipped: {s}"), file=sys.stderr)
    for w in result.warnings:
        print(visible(f"warning: {w}"), file=sys.stderr)
    if args.json:
        print(json.dumps({
            "ingested": [{"file": str(d.path), "id": d.source.id, "passages": len(d.passages)}
                         for d in result.documents],
            "skipped": [{"file": s.path, "reason": s.reason} for s in result.skipped],
        }, ensure_ascii=False))
    else:
        for d in result.documents:
            print(visible(f"{len(d.passages):5d} passages  {d.source.display_symbol}  ({d.path.name})"))
        print(result.summary())
    if not result.documents or (args.strict and result.skipped):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
