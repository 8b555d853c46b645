"""The SQLite FTS5 lexical index (the default), in the same passages.sqlite as the passages.

The table is contentless (the text lives once, in `passages`) and uses the Porter
stemmer. User text only ever reaches FTS5 through `index.query.fts_phrases`,
which quotes every term; the column weights are bound as parameters.

A query is an OR of all its phrases, ranked by bm25(). Scoring is what costs at scale
(at 100k passages 15x the merge of the phrases' lists), and a common word makes FTS5
score a large part of the table. So `search` scores in two phases and returns exactly
what the one OR query would: first only the rows matching the rarest phrases (each row
scored on the whole query), then, if the phrases left out could together lift a row
matching none of the rare ones to the k-th score, again with as many more phrases as
that bound needs (the whole query when it takes them all).
"""
from __future__ import annotations

import itertools
import math
import os
import sqlite3
from typing import Optional, Sequence

from ingest.records import Passage, SourceEntry

from ..query import ParsedQuery, fts_phrases
from .base import Ranked, Where

TOKENIZER = "porter unicode61 remove_diacritics 2"
TABLE = f"""
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, heading, title, context, tokenize='{TOKENIZER}', content=''
);
"""
# Column weights for bm25(): the verbatim text counts most, headings and title help.
BM25_WEIGHTS = (1.0, 0.3, 0.2, 0.3)
FIRST_ROWS_PER_RESULT = 20  # the first phase scores the rarest phrases' rows, about this many per result asked
FIRST_ROWS_MIN = 3  # and at least this many per result, when the rarest phrases match fewer
CACHE_SIZE = 100_000  # phrases whose figures one Fts5Lexical remembers per database file


def first_essential(dfs: Sequence[int], k: int) -> int:
    """How many of the rarest phrases (dfs sorted ascending) the first phase searches: rarer ones while
    their rows stay within FIRST_ROWS_PER_RESULT * k, and at least as many as match FIRST_ROWS_MIN * k
    rows (fewer than k rows found would leave the bound nothing to compare with)."""
    m, total = 0, 0
    for df in dfs:
        if total >= FIRST_ROWS_MIN * k and total + df > FIRST_ROWS_PER_RESULT * k:
            break
        m, total = m + 1, total + df
    return m


def needed_essential(tops: Sequence[float], threshold: float) -> int:
    """How many of the common phrases (their `tops`, the most each adds to any row's score, rarest
    first) must join the rare ones so that a row matching none of those stays below `threshold`, the
    k-th score found: the tops of the phrases left out sum to less."""
    n = 0
    while n < len(tops) and sum(tops[n:]) * (1 + 1e-9) >= threshold:
        n += 1
    return n


MAX_GROUPS = 64  # the most AND groups `overlap_groups` writes


def overlap_groups(phrases: Sequence[str], tops: Sequence[float], threshold: float) -> str:
    """An FTS5 expression for the rows matching more of `phrases` than can stay below `threshold`: a row
    matching only j of them scores less than its j largest tops, so the rows to score are those
    matching j + 1 for the largest j whose tops sum below it. "" when no such j or too many groups."""
    largest = sorted(tops, reverse=True)
    j = 0
    while j < len(largest) and sum(largest[:j + 1]) * (1 + 1e-9) < threshold:
        j += 1
    if j == 0 or j >= len(phrases) or math.comb(len(phrases), j + 1) > MAX_GROUPS:
        return ""
    return " OR ".join("(" + " AND ".join(g) + ")" for g in itertools.combinations(phrases, j + 1))


class Fts5Lexical:
    """LexicalIndex in base.py. `weights` are read at query time, so a benchmark may try others on one index."""

    name = "sqlite-fts5"

    def __init__(self, weights: tuple[float, float, float, float] = BM25_WEIGHTS):
        self.weights = tuple(float(w) for w in weights)
        self._cache: dict[tuple, tuple[int, Optional[float]]] = {}  # (database file, phrase) -> _figures

    def params(self) -> dict:
        return {"tokenizer": TOKENIZER, "column_weights": list(self.weights)}

    def index_passages(self, db: sqlite3.Connection, rows: Sequence[tuple[int, Passage, SourceEntry]]) -> None:
        db.execute(TABLE)
        db.executemany("INSERT INTO passages_fts(rowid, text, heading, title, context) VALUES (?,?,?,?,?)",
                       [(i, p.text, p.heading, s.title, p.context) for i, p, s in rows])
        db.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")

    def check(self, db: sqlite3.Connection) -> None:
        # damage inside FTS5 pages shows only when they are read
        db.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH '\"a\"' LIMIT 1").fetchall()

    def search(self, db: sqlite3.Connection, query: ParsedQuery, k: int, where: Where = None) -> Ranked:
        """What `match` gives for the OR of the query's phrases, scoring the rarest phrases' rows first
        (the module's docstring says why and when that is exact)."""
        phrases = fts_phrases(query)
        expression = " OR ".join(phrases)
        if len(phrases) < 2:
            return self.match(db, expression, k, where)
        key = _file_key(db)
        order = sorted(phrases, key=lambda p: self._figures(db, key, p)[0])
        m = first_essential([self._figures(db, key, p)[0] for p in order], k)
        if m >= len(order):
            return self.match(db, expression, k, where)
        rare = " OR ".join(order[:m])
        ranked = self.match(db, expression, k, where, among=rare)
        if len(ranked) < k:  # nothing to compare the other rows' bound with
            return self.match(db, expression, k, where)
        tops = [self._figures(db, key, p, best=True)[1] for p in order[m:]]
        needed = needed_essential(tops, ranked[-1][1])
        if needed == 0:
            return ranked
        # The k-th score can only rise with more rows scored, so the next round is the last: either the
        # next rarest phrases join the rare ones, or the rows matching more of the others than can matter.
        if needed < len(tops):
            return self.match(db, expression, k, where, among=" OR ".join(order[:m + needed]))
        groups = overlap_groups(order[m:], tops, ranked[-1][1])
        if groups:
            return self.match(db, expression, k, where, among=f"{rare} OR {groups}")
        return self.match(db, expression, k, where)

    def match(self, db: sqlite3.Connection, expression: str, k: int, where: Optional[tuple[str, list]] = None,
              among: str = "") -> Ranked:
        """(id, score) for an FTS5 expression, best first; scores are negated bm25 so that larger is better.
        `among`, another expression, scores only the rows it matches (on the whole `expression`)."""
        if not expression:
            return []
        sql = ("SELECT rowid, -bm25(passages_fts, ?, ?, ?, ?) AS s "
               "FROM passages_fts WHERE passages_fts MATCH ?")
        params: list = [*self.weights, expression]
        if among:
            sql += " AND +rowid IN (SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?)"
            params.append(among)
        if where:
            sql += f" AND +rowid IN (SELECT id FROM passages p JOIN documents d USING(doc_id) WHERE {where[0]})"
            params += where[1]
        sql += " ORDER BY s DESC LIMIT ?"
        return [(int(r[0]), float(r[1])) for r in db.execute(sql, params + [k])]

    def _figures(self, db: sqlite3.Connection, key: Optional[tuple], phrase: str, best: bool = False
                 ) -> tuple[int, float]:
        """(rows matching a quoted phrase, the most it adds to any row's score), remembered per database
        file. The most is the phrase's own top bm25() score: bm25() sums one term per phrase, each from
        the phrase's own idf and the row's frequency and length, so alone it scores what it adds to
        any OR. It costs scoring the phrase's rows once, so it is read only when `best` asks for it."""
        known = self._cache.get((key, phrase)) if key is not None else None
        if known is None or (best and known[1] is None):
            df = known[0] if known else db.execute(
                "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", [phrase]).fetchone()[0]
            top = (self.match(db, phrase, 1) or [(0, 0.0)])[0][1] if best else None
            known = (int(df), top)
            if key is not None:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.clear()
                self._cache[key, phrase] = known
        return known[0], (known[1] if known[1] is not None else 0.0)


def _file_key(db: sqlite3.Connection) -> Optional[tuple]:
    """The main database file as it is now (path, size, modification time): counts remembered under it
    are never read for another index version or a rewritten file; None for an in-memory database."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return path, st.st_size, st.st_mtime_ns
