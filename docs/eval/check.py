"""Checks the evaluation sets in this folder against the documents they judge.

Why: a judgment whose snippet is not in its document silently scores zero, and a
snippet that also occurs in a document the query does not judge hides a missed
answer. Both are mistakes of the writer, not of the engine, so they are caught
here, before any score is computed.

For every judgment it asserts, under the normalization of shared/eval/README.md
(lowercase, keep only `ch.isalnum()` characters):
- the snippet has 6 to 14 words and occurs in every text held for its symbol (the
  mirror text and, where there is one, the official PDF's extracted text);
- the snippet lies within one paragraph of at least one of those texts;
- every other document that contains the snippet is also judged by the same query.
It also checks the fields, the ids, the split rule (below) and, for the
multilingual set, that `direction` starts with `query_language`.

Split rule (fixed, never from results): order the queries of a file by
(direction, kind, primary document, sha256(id)), where direction is "" in the
English set and the primary document is the symbol of the query's first grade-2
judgment; walk that order with a counter p starting at 0; p % 5 in {1, 3} is
"validation", anything else "tune" (60/40, stratified by direction, kind and
document). `--write-splits` rewrites the field by this rule. A file named
`*-test.jsonl` is a held-out set written after the others were tuned on: all of
its queries are "test", and it is scored once per decision, never tuned on.

`--stats` prints the counts per split, kind, user, facet, document and direction
that docs/quality.md (protocol) reports.

Usage: .venv/bin/python docs/eval/check.py [--shared PATH] [--write-splits] [--stats] [FILE ...]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FILES = sorted(HERE.glob("*.jsonl"))
USERS = {"diplomat", "trainer", "researcher"}
KINDS = {"paraphrase", "keyword", "hard", "multi-doc", "fact"}
SPLITS = {"tune", "validation"}
LANGS = {"en", "fr", "es", "ru", "ar", "zh", "mixed"}


def normalize(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def default_shared() -> Path:
    # the worktree's parent holds the `shared` link (docs/eval -> worktree -> its parent)
    return HERE.parents[2] / "shared"


def strip_header(text: str) -> tuple[dict, str]:
    """The mirror's `---` header block as a dict, and the text after it."""
    header: dict[str, str] = {}
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end > 0:
            for line in text[4:end].splitlines():
                key, _, value = line.partition(":")
                header[key.strip()] = value.strip()
            text = text[end + 5:]
    return header, text


LABEL = re.compile(r"^\s*(\(?[0-9a-z]{1,4}[.)]|[０-９0-9]+-|[•–-])\s*$", re.I)


def paragraphs(text: str) -> list[str]:
    """Blocks split at blank lines, bare label lines and indented first lines."""
    out, cur = [], []
    for line in text.splitlines():
        starts_new = not line.strip() or LABEL.match(line) or (line[:1].isspace() and cur)
        if starts_new and cur:
            out.append(" ".join(cur))
            cur = []
        if line.strip() and not LABEL.match(line):
            cur.append(line)
    if cur:
        out.append(" ".join(cur))
    return [normalize(p) for p in out]


def load_documents(shared: Path) -> dict[str, list[tuple[str, str, list[str]]]]:
    """symbol (or file name) -> [(source name, normalized text, normalized paragraphs)]."""
    docs: dict[str, list] = defaultdict(list)
    for path in sorted((shared / "corpus").glob("*.txt")):
        header, body = strip_header(path.read_text(encoding="utf-8"))
        key = header.get("symbol") or path.name
        docs[key].append((f"corpus/{path.name}", normalize(body), paragraphs(body)))
    manifest = shared / "official" / "MANIFEST.tsv"
    if manifest.exists():
        from pypdf import PdfReader

        rows = manifest.read_text(encoding="utf-8").splitlines()
        head = rows[0].split("\t")
        for row in rows[1:]:
            rec = dict(zip(head, row.split("\t")))
            pdf = shared / "official" / rec["file"]
            body = "\n".join(p.extract_text() or "" for p in PdfReader(str(pdf)).pages)
            docs[rec["symbol"] or rec["file"]].append((f"official/{rec['file']}", normalize(body), paragraphs(body)))
    return dict(docs)


def split_order(queries: list[dict]) -> dict[str, str]:
    def primary(q):
        return next((r["symbol"] for r in q["relevant"] if r.get("grade") == 2), "")
    ordered = sorted(queries, key=lambda q: (q.get("direction", ""), q.get("kind", ""), primary(q),
                                             hashlib.sha256(q["id"].encode()).hexdigest()))
    return {q["id"]: ("validation" if p % 5 in (1, 3) else "tune") for p, q in enumerate(ordered)}


def check_file(path: Path, docs: dict, write_splits: bool, seen_ids: set) -> list[str]:
    errors: list[str] = []
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    queries = []
    for n, line in enumerate(lines, 1):
        try:
            queries.append(json.loads(line))
        except ValueError as exc:
            errors.append(f"{path.name}:{n}: not JSON ({exc})")
    multilingual = path.name.startswith("multilingual")
    held_out = path.name.endswith("-test.jsonl")
    splits = {"test"} if held_out else SPLITS
    for q in queries:
        where = f"{path.name} {q.get('id', '?')}"
        for field in ("id", "query", "user", "kind", "relevant", "split"):
            if field not in q:
                errors.append(f"{where}: missing field {field}")
        if q.get("id") in seen_ids:
            errors.append(f"{where}: duplicate id")
        seen_ids.add(q.get("id"))
        if q.get("user") not in USERS:
            errors.append(f"{where}: user {q.get('user')!r} not one of {sorted(USERS)}")
        if q.get("kind") not in KINDS:
            errors.append(f"{where}: kind {q.get('kind')!r} not one of {sorted(KINDS)}")
        if q.get("split") not in splits and not (write_splits and not held_out):
            errors.append(f"{where}: split {q.get('split')!r} not one of {sorted(splits)}")
        if multilingual:
            lang, direction = q.get("query_language"), q.get("direction", "")
            if lang not in LANGS:
                errors.append(f"{where}: query_language {lang!r} not one of {sorted(LANGS)}")
            if not direction.startswith(f"{lang}→"):
                errors.append(f"{where}: direction {direction!r} does not start with {lang}→")
        judged = {r.get("symbol") for r in q.get("relevant", [])}
        if not any(r.get("grade") == 2 for r in q.get("relevant", [])):
            errors.append(f"{where}: no grade-2 judgment")
        pairs = Counter((r.get("symbol"), normalize(r.get("snippet", ""))) for r in q.get("relevant", []))
        for (sym, snip), count in pairs.items():
            if count > 1:
                errors.append(f"{where}: judgment repeated ({sym}: {snip[:40]})")
        for r in q.get("relevant", []):
            sym, snippet, grade = r.get("symbol"), r.get("snippet", ""), r.get("grade")
            tag = f"{where} [{sym}] {snippet[:50]!r}"
            words = len(snippet.split())
            if not 6 <= words <= 14:
                errors.append(f"{tag}: {words} words (6 to 14 allowed)")
            if grade not in (1, 2):
                errors.append(f"{tag}: grade {grade!r}")
            if sym not in docs:
                errors.append(f"{tag}: no document with this symbol")
                continue
            snip = normalize(snippet)
            for source, text, _ in docs[sym]:
                if snip not in text:
                    errors.append(f"{tag}: not in {source}")
            if not any(snip in p for _, _, paras in docs[sym] for p in paras):
                errors.append(f"{tag}: crosses a paragraph boundary")
            for other, texts in docs.items():
                if other != sym and other not in judged and any(snip in t for _, t, _ in texts):
                    errors.append(f"{tag}: also in {other}, which this query does not judge")
    if held_out:
        return errors
    rule = split_order(queries)
    if write_splits:
        for q in queries:
            q["split"] = rule[q["id"]]
        path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries), encoding="utf-8")
    else:
        for q in queries:
            if q.get("split") in SPLITS and q["split"] != rule[q["id"]]:
                errors.append(f"{path.name} {q['id']}: split {q['split']} but the rule gives {rule[q['id']]}")
    return errors


def stats(path: Path) -> str:
    """Markdown count tables for one set: how it is spread, so gaps are visible."""
    rows = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    present = [s for s in ("tune", "validation", "test") if any(q.get("split") == s for q in rows)]
    out = [f"### {path.name}: {len(rows)} queries, {sum(len(q['relevant']) for q in rows)} judgments", ""]

    def table(title, key):
        counts: dict[str, Counter] = defaultdict(Counter)
        for q in rows:
            for value in key(q):
                counts[value][q.get("split", "")] += 1
        out.extend([f"| {title} | {' | '.join(present)} | all |", "|---|" + "---:|" * (len(present) + 1)])
        for value in sorted(counts):
            c = counts[value]
            out.append(f"| {value} | {' | '.join(str(c[s]) for s in present)} | {sum(c.values())} |")
        out.append("")

    table("split", lambda q: ["all"])
    table("kind", lambda q: [q["kind"]])
    table("user", lambda q: [q["user"]])
    table("facet (issue 19 kinds)", lambda q: [q.get("facet", "-")])
    table("document with a grade-2 answer", lambda q: sorted({r["symbol"] for r in q["relevant"] if r["grade"] == 2}))
    table("document judged at all", lambda q: sorted({r["symbol"] for r in q["relevant"]}))
    if any("direction" in q for q in rows):
        table("direction", lambda q: [q["direction"]])
        table("query_language", lambda q: [q["query_language"]])
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="Exit status 1 when any check fails.")
    ap.add_argument("files", nargs="*", type=Path, default=DEFAULT_FILES, help="JSONL sets (default: every *.jsonl here)")
    ap.add_argument("--shared", type=Path, default=default_shared(), help="the shared folder (corpus/ and official/)")
    ap.add_argument("--write-splits", action="store_true", help="rewrite each query's split by the fixed rule")
    ap.add_argument("--stats", action="store_true", help="print the count tables (Markdown) and check nothing")
    args = ap.parse_args()
    if args.stats:
        print("\n".join(stats(p) for p in args.files))
        return 0
    docs = load_documents(args.shared)
    errors, seen, total_q, total_j = [], set(), 0, 0
    for path in args.files:
        errors += check_file(path, docs, args.write_splits, seen)
        rows = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        total_q += len(rows)
        total_j += sum(len(q["relevant"]) for q in rows)
    for e in errors:
        print(e)
    print(f"{total_q} queries, {total_j} judgments, {len(docs)} documents: "
          f"{'OK' if not errors else f'{len(errors)} problem(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
