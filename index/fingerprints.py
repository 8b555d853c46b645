"""Sentence fingerprints: what lets a lineage find earlier and later wording without a scan.

Written at build time into passages.sqlite, beside the passages, in the same
transaction (so every version folder has its own, and an incremental build
writes them like the rest). Per passage:
- one hash per sentence (or semicolon clause) of at least SENTENCE_WORDS words,
  over its lower-cased words: a sentence reused verbatim shares this hash;
- a sample of its word 4-gram shingles (those whose hash is 0 mod SAMPLE):
  an edited sentence keeps most of its shingles, so it shares some sampled ones.
Sampling by hash value (not by position) keeps the same shingles of the same
words everywhere, which is what makes the sample comparable across passages.
A hash found in more than COMMON_LIMIT passages is boilerplate ("information
and communications technologies in the") and is dropped at query time.
"""
from __future__ import annotations

import sqlite3
import zlib
from typing import Iterable

from .align import SENTENCE_WORDS, sentences, words

SHINGLE = 4
SAMPLE = 4
COMMON_LIMIT = 2000  # postings above which a fingerprint says nothing about lineage
SCHEMA = """
CREATE TABLE IF NOT EXISTS fingerprints (hash INTEGER NOT NULL, passage_id INTEGER NOT NULL);
"""
INDEX = "CREATE INDEX IF NOT EXISTS fingerprints_hash ON fingerprints(hash, passage_id)"


def _hash(text: str) -> int:
    """CRC-32: stable across processes and a C call (the build hashes every shingle of the corpus).
    Its rare collisions only add a candidate, which the word-level judgement then drops."""
    return zlib.crc32(text.encode())


def fingerprints(text: str) -> set[int]:
    """The passage's sentence hashes and sampled shingle hashes."""
    out = set()
    for s in sentences(text):
        w = words(s)
        if len(w) >= SENTENCE_WORDS:
            out.add(_hash("s\0" + " ".join(w)))
    w = words(text)
    for k in range(len(w) - SHINGLE + 1):
        h = _hash(" ".join(w[k:k + SHINGLE]))
        if h % SAMPLE == 0:
            out.add(h)
    return out


def write(conn: sqlite3.Connection, passages: Iterable[tuple[int, str]]) -> int:
    """Fingerprint (id, text) pairs into the open build connection; returns the rows written."""
    conn.executescript(SCHEMA)
    n = 0
    for pid, text in passages:
        rows = [(h, pid) for h in fingerprints(text)]
        conn.executemany("INSERT INTO fingerprints VALUES (?, ?)", rows)
        n += len(rows)
    conn.execute(INDEX)  # after the inserts: one sorted pass instead of a b-tree grown row by row
    return n


def present(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fingerprints'").fetchone() is not None


def sharing(conn: sqlite3.Connection, hashes: set[int], limit: int = 200) -> list[tuple[int, int]]:
    """(passage id, fingerprints shared) for the passages sharing most of `hashes`, most first."""
    if not hashes:
        return []
    marks = ",".join("?" * len(hashes))
    common = {h for h, in conn.execute(
        f"SELECT hash FROM fingerprints WHERE hash IN ({marks}) GROUP BY hash HAVING count(*) > ?",
        [*hashes, COMMON_LIMIT])}
    useful = list(hashes - common)
    if not useful:
        return []
    marks = ",".join("?" * len(useful))
    return [(int(p), int(c)) for p, c in conn.execute(
        f"SELECT passage_id, count(*) AS c FROM fingerprints WHERE hash IN ({marks}) "
        "GROUP BY passage_id ORDER BY c DESC, passage_id LIMIT ?", [*useful, limit])]
