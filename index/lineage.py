"""The lineage of a passage: every earlier and later version of its wording, oldest first.

    Searcher.open().lineage("A/RES/78/237, PP 8").to_json()

Candidates come from two precomputed sources, so that no query scans the corpus:
the sentence fingerprints written at build time (`index.fingerprints`: a shared
sentence, or shared stretches of an edited one) and the passage's nearest
neighbours in the vector index (edited wording with few words in common).
Each candidate is then judged on its words (`index.align`): the same wording,
edited wording (most word pairs in common), or only a sentence in common (a
sentence of a long norm paragraph reused in a later preamble), or unrelated.
One version is kept per document (its closest passage), and each version is
diffed against the one before it, so the timeline reads as a history of edits.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Optional

from . import fingerprints
from .backends import VectorIndex
from .align import DiffOp, Wording, dice, found_sentences, wording_key, word_diff
from .compare import resolve_document
from .manifest import REBUILD_HINT, IndexError_

EDIT_DICE = 0.5  # whole-passage bigram overlap from which a passage is an edited version
NEIGHBOURS = 20  # nearest vectors taken as candidates
NEIGHBOUR_COSINE = 0.8  # below this a neighbour is about the same topic, not the same text
FINGERPRINT_CANDIDATES = 100
SENTENCE_COVER = 0.6  # below this share of a passage's words in shared sentences, "only a sentence recurs"


class UnknownPassage(IndexError_, LookupError):
    """No passage answers to this "SYMBOL, LABEL" or id; the message names the nearest labels."""


@dataclass(frozen=True)
class PassageRef:
    passage_id: int
    doc_id: str
    symbol: str
    label: str
    date: str
    citation: str
    text: str
    language: str = ""
    url: str = ""

    def to_json(self) -> dict:
        return {"passage_id": self.passage_id, "doc_id": self.doc_id, "symbol": self.symbol, "label": self.label,
                "date": self.date, "citation": self.citation, "text": self.text, "language": self.language,
                "url": self.url}


@dataclass(frozen=True)
class Version:
    """One appearance of the wording: the passage, how it relates to the asked one, and its edit."""

    passage: PassageRef
    status: str  # self | same | changed
    diff: tuple[DiffOp, ...]  # against the version before it (the first: all inserted)
    first: bool = False
    only_sentence: bool = False  # only a sentence is shared with the asked passage
    shared: tuple[str, ...] = ()  # this version's sentences found in the asked passage (for only_sentence)
    similarity: float = 1.0  # word-pair overlap (Dice) with the asked passage

    def to_json(self) -> dict:
        p = self.passage
        return {"symbol": p.symbol, "label": p.label, "date": p.date, "citation": p.citation,
                "status": self.status, "diff": [d.to_json() for d in self.diff], "passage_id": p.passage_id,
                "doc_id": p.doc_id, "url": p.url, "text": p.text, "first": self.first,
                "only_sentence": self.only_sentence, "shared": list(self.shared),
                "similarity": round(self.similarity, 3)}


@dataclass(frozen=True)
class Lineage:
    passage: PassageRef
    versions: tuple[Version, ...]

    def to_json(self) -> dict:
        return {"passage": self.passage.to_json(), "versions": [v.to_json() for v in self.versions]}


_COLUMNS = ("SELECT p.id, p.doc_id, d.symbol, p.label, d.date, p.citation, p.text, p.language, d.url, d.title "
            "FROM passages p JOIN documents d USING(doc_id) ")


def _ref(r) -> PassageRef:
    return PassageRef(r[0], r[1], r[2] or r[9] or r[1], r[3] or "", r[4] or "", r[5] or "", r[6], r[7] or "",
                      r[8] or "")


def resolve_passage(conn: sqlite3.Connection, name: str | int) -> PassageRef:
    """A passage by id, or by "SYMBOL, LABEL" (the symbol may be a document id; the first part if split)."""
    text = str(name).strip()
    if text.isdigit():
        row = conn.execute(_COLUMNS + "WHERE p.id = ?", (int(text),)).fetchone()
        if row is None:
            raise UnknownPassage(f"no passage with id {text} in the index")
        return _ref(row)
    if ", " not in text:
        raise UnknownPassage(f"name a passage as \"SYMBOL, LABEL\" (e.g. \"A/RES/73/27, OP 1\") or by its id, "
                             f"not {text!r}")
    symbol, label = text.split(", ", 1)
    doc = resolve_document(conn, symbol)
    rows = list(conn.execute(_COLUMNS + "WHERE p.doc_id = ? ORDER BY p.ordinal", (doc.doc_id,)))
    for match in (lambda l: l == label.strip(), lambda l: l.casefold() == label.strip().casefold()):
        for r in rows:
            if match(r[3] or ""):
                return _ref(r)
    near = get_close_matches(label, list(dict.fromkeys(r[3] for r in rows if r[3])), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise UnknownPassage(f"{doc.name} has no paragraph {label.strip()!r}{hint}")


def lineage(conn: sqlite3.Connection, index: VectorIndex, name: str | int) -> Lineage:
    if not fingerprints.present(conn):
        raise IndexError_(f"this index was built before lineage fingerprints existed; {REBUILD_HINT}")
    asked = resolve_passage(conn, name)
    candidates = {pid for pid, _ in fingerprints.sharing(conn, fingerprints.fingerprints(asked.text),
                                                          FINGERPRINT_CANDIDATES)}
    candidates |= {pid for pid, cos in index.search(index.vector(asked.passage_id), NEIGHBOURS)
                   if cos >= NEIGHBOUR_COSINE}
    candidates.discard(asked.passage_id)
    found = [asked_version(asked)]
    wording = Wording.of(asked.text)
    best: dict[str, Version] = {}
    for ref in _refs(conn, sorted(candidates)):
        if ref.doc_id == asked.doc_id:
            continue
        v = judge(asked, ref, wording)
        if v is not None and (ref.doc_id not in best or v.similarity > best[ref.doc_id].similarity):
            best[ref.doc_id] = v
    found += best.values()
    return Lineage(asked, chain(found))


def asked_version(asked: PassageRef) -> Version:
    return Version(asked, "self", ())


def judge(asked: PassageRef, other: PassageRef, asked_wording: Optional[Wording] = None) -> Optional[Version]:
    """How `other` relates to the asked passage's wording, or None when it is not a version of it."""
    if wording_key(asked.text) == wording_key(other.text):
        return Version(other, "same", ())
    mine, theirs = asked_wording or Wording.of(asked.text), Wording.of(other.text)
    similarity = dice(mine.grams, theirs.grams)
    asked_found, asked_cover = found_sentences(mine, theirs)
    other_found, other_cover = found_sentences(theirs, mine)
    if similarity < EDIT_DICE and not (asked_found or other_found):
        return None
    # Only a sentence recurs when one side is mostly inside the other, and the other has sentences more
    # that are not (a clause added inside one sentence is an edit, not a reuse).
    low = mine if asked_cover < other_cover else theirs
    only = max(asked_cover, other_cover) >= SENTENCE_COVER > min(asked_cover, other_cover) and len(low.sentences) > 1
    return Version(other, "changed", (), only_sentence=only, shared=tuple(other_found) if only else (),
                   similarity=similarity)


def chain(found: list[Version]) -> tuple[Version, ...]:
    """Oldest first, the first marked, each diffed against the version before it."""
    ordered = sorted(found, key=lambda v: (v.passage.date or "9999", v.passage.doc_id, v.passage.passage_id))
    out = []
    for k, v in enumerate(ordered):
        before = ordered[k - 1].passage.text if k else ""
        out.append(Version(v.passage, v.status, tuple(word_diff(before, v.passage.text)), first=k == 0,
                           only_sentence=v.only_sentence, shared=v.shared, similarity=v.similarity))
    return tuple(out)


def _refs(conn: sqlite3.Connection, ids: list[int]) -> list[PassageRef]:
    if not ids:
        return []
    return [_ref(r) for r in conn.execute(_COLUMNS + f"WHERE p.id IN ({','.join('?' * len(ids))})", ids)]

