"""Comparing two documents of the index: what changed from one text to the next.

    from index import Searcher
    result = Searcher.open().compare("A/RES/74/28", "A/RES/75/32")
    result.summary            # {"same": 23, "changed": 7, ...}
    result.to_json()          # the contract the CLI, the HTTP API and the app share

Documents are named by symbol or document id. Their passages are read back in
order, the parts of a paragraph split for the model window joined again, and
the paragraphs aligned by `index.align`. Documents in different languages are
paired by label only: a word diff between translations would be noise.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Optional

from .align import STATUSES, DiffOp, Pair, align, align_labels, whole_diff, word_diff
from .manifest import IndexError_

__all__ = ["CompareResult", "CompareRow", "DiffOp", "DocumentRef", "Paragraph", "UnknownDocument", "compare",
           "compare_paragraphs", "document_names", "document_paragraphs", "resolve_document"]


class UnknownDocument(IndexError_, LookupError):
    """No document of the index has this symbol or id; the message names the nearest ones."""


@dataclass(frozen=True)
class DocumentRef:
    """A compared document as a reader identifies it (and a link can point to it)."""

    doc_id: str
    symbol: str
    title: str
    date: str
    language: str
    body: str = ""
    type: str = ""
    url: str = ""

    @property
    def name(self) -> str:
        return self.symbol or self.title or self.doc_id

    def to_json(self) -> dict:
        return {"doc_id": self.doc_id, "symbol": self.symbol, "title": self.title, "date": self.date,
                "language": self.language, "body": self.body, "type": self.type, "url": self.url}


@dataclass(frozen=True)
class Paragraph:
    """One labelled paragraph of a document: its passages' texts joined (a split unit is one paragraph)."""

    label: str
    text: str
    passage_ids: tuple[int, ...]


@dataclass(frozen=True)
class CompareRow:
    """One aligned row: paragraphs of A, of B (several when split or merged), and the diff between them."""

    status: str  # same | changed | added | removed
    a: tuple[str, ...]
    b: tuple[str, ...]
    a_text: str
    b_text: str
    diff: tuple[DiffOp, ...]
    a_ids: tuple[int, ...] = ()
    b_ids: tuple[int, ...] = ()

    def to_json(self) -> dict:
        return {"status": self.status, "a": list(self.a), "b": list(self.b), "a_text": self.a_text,
                "b_text": self.b_text, "diff": [d.to_json() for d in self.diff]}


@dataclass(frozen=True)
class CompareResult:
    a: DocumentRef
    b: DocumentRef
    rows: tuple[CompareRow, ...]
    compared_by: str = "wording"  # or "labels", for documents in different languages
    notice: str = ""
    summary: dict = field(init=False)

    def __post_init__(self):
        counts = {s: 0 for s in STATUSES}
        for r in self.rows:
            counts[r.status] += 1
        object.__setattr__(self, "summary", {**counts, "rows": len(self.rows), "compared_by": self.compared_by,
                                             "notice": self.notice})

    def to_json(self) -> dict:
        return {"a": self.a.to_json(), "b": self.b.to_json(), "rows": [r.to_json() for r in self.rows],
                "summary": dict(self.summary)}


# -- reading documents -------------------------------------------------------
def resolve_document(conn: sqlite3.Connection, name: str) -> DocumentRef:
    """The document with this symbol or id (exact, then ignoring case), or UnknownDocument."""
    docs = document_names(conn)
    wanted = name.strip()
    for key in (str, str.casefold):
        for d in docs:
            if key(wanted) in (key(d.doc_id), key(d.symbol)):
                return d
    known = sorted({d.symbol for d in docs if d.symbol} | {d.doc_id for d in docs})
    near = get_close_matches(wanted, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(near)}?" if near else "; `python -m index compare --list` names them all"
    raise UnknownDocument(f"no document {wanted!r} in the index{hint}")


def document_names(conn: sqlite3.Connection) -> list[DocumentRef]:
    """Every document, oldest first: what a user may name (the CLI's --list, the app's pickers)."""
    return [DocumentRef(*(v or "" for v in r)) for r in conn.execute(
        "SELECT doc_id, symbol, title, date, language, body, type, url FROM documents ORDER BY date, doc_id")]


def document_paragraphs(conn: sqlite3.Connection, doc_id: str) -> list[Paragraph]:
    """The document's paragraphs in order; the parts of one split unit ("part 1/2", ...) joined again."""
    out: list[Paragraph] = []
    prev_part = ""
    for pid, label, text, part in conn.execute(
            "SELECT id, label, text, part FROM passages WHERE doc_id = ? ORDER BY ordinal", (doc_id,)):
        if part and prev_part and out and out[-1].label == label and not part.startswith("part 1/"):
            last = out[-1]
            out[-1] = Paragraph(label, f"{last.text} {text}", last.passage_ids + (pid,))
        else:
            out.append(Paragraph(label, text, (pid,)))
        prev_part = part
    return out


# -- comparing ---------------------------------------------------------------
def compare(conn: sqlite3.Connection, a: str, b: str) -> CompareResult:
    da, db = resolve_document(conn, a), resolve_document(conn, b)
    pa, pb = document_paragraphs(conn, da.doc_id), document_paragraphs(conn, db.doc_id)
    return compare_paragraphs(da, db, pa, pb)


def compare_paragraphs(da: DocumentRef, db: DocumentRef, pa: list[Paragraph], pb: list[Paragraph]) -> CompareResult:
    """Align and diff two paragraph lists (the pure core of `compare`)."""
    by_labels = bool(da.language and db.language and da.language != db.language)
    if by_labels:
        pairs = align_labels([p.label for p in pa], [p.label for p in pb])
        notice = (f"{da.name} is in {da.language} and {db.name} in {db.language}: paragraphs are paired by "
                  "label only, not compared word by word.")
    else:
        pairs = align([p.text for p in pa], [p.text for p in pb])
        notice = ""
    rows = tuple(_row(p, pa, pb, word_level=not by_labels) for p in pairs)
    return CompareResult(da, db, rows, "labels" if by_labels else "wording", notice)


def _row(pair: Pair, pa: list[Paragraph], pb: list[Paragraph], word_level: bool) -> CompareRow:
    a_par, b_par = [pa[i] for i in pair.a], [pb[j] for j in pair.b]
    a_text = "\n".join(p.text for p in a_par)
    b_text = "\n".join(p.text for p in b_par)
    diff = word_diff(a_text, b_text) if word_level else whole_diff(a_text, b_text)
    return CompareRow(pair.status, tuple(p.label for p in a_par), tuple(p.label for p in b_par), a_text, b_text,
                      tuple(diff), tuple(i for p in a_par for i in p.passage_ids),
                      tuple(i for p in b_par for i in p.passage_ids))

