"""The SQLite FTS5 lexical index (the default), in the same passages.sqlite as the passages.

The table is contentless (the text lives once, in `passages`) and uses the Porter
stemmer. Text in the other UN languages is analysed first (index/analysis.py: Snowball stems,
Arabic without vowel marks, Chinese cut into words), each passage by its language and each
query by its own, so both sides hold the same words. User text only ever reaches FTS5 through
`index.query.fts_phrases`, which quotes every term; the column weights are bound as parameters.

A query is an OR of all its phrases, ranked by bm25(). Scoring is what costs at scale
(at 100k passages 15x the merge of the phrases' lists), and a common word makes FTS5
score a large part of the table. So `search` scores in two phases and returns exactly
what the one OR query would: first only the rows matching the rarest phrases (each row
scored on the whole query), then, if the phrases left out could together lift a row
matching none of the rare ones to the k-th score, again with as many more phrases as
that bound needs (the whole query when it takes them all).
"""
from __future__ import annotations

import math
import os
import sqlite3
from typing import Optional, Sequence

from ingest.records import Passage, SourceEntry

from .. import analysis
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
K1 = 1.2  # bm25()'s constant in FTS5 (ext/fts5/fts5_aux.c): no phrase adds (K1 + 1) * idf to a row
FIRST_ROWS_PER_RESULT = 20  # the first phase scores the rarest phrases' rows, about this many per result asked
FIRST_ROWS_MIN = 3  # and at least this many per result, when the rarest phrases match fewer
CACHE_SIZE = 100_000  # phrases whose row counts one Fts5Lexical remembers per database file


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


def phrase_bound(df: int, rows: int) -> float:
    """The most one phrase of the query can add to a row's bm25() score: (K1 + 1) * idf, with FTS5's idf
    (log((N - n + 0.5) / (n + 0.5)), 1e-6 when not positive); 0 for a phrase no row matches."""
    if df <= 0:
        return 0.0
    idf = math.log((rows - df + 0.5) / (df + 0.5))
    return (K1 + 1) * (idf if idf > 0 else 1e-6)


def needed_essential(bounds: Sequence[float], threshold: float) -> int:
    """How many of the common phrases (their `bounds`, rarest first) must join the rare ones so that a
    row matching none of those stays below `threshold`, the k-th score found: the bounds of the phrases
    left out sum to less."""
    n = 0
    while n < len(bounds) and sum(bounds[n:]) * (1 + 1e-9) >= threshold:
        n += 1
    return n


class Fts5Lexical:
    """LexicalIndex in base.py. `weights` are read at query time, so a benchmark may try others on one index."""

    name = "sqlite-fts5"

    def __init__(self, weights: tuple[float, float, float, float] = BM25_WEIGHTS):
        if min(weights) < 0:  # phrase_bound holds for weights of at least 0
            raise ValueError(f"bm25 column weights must not be negative: {weights}")
        self.weights = tuple(float(w) for w in weights)
        self._counts: dict[tuple, int] = {}  # (database file, phrase or "" for all rows) -> rows matching

    def params(self) -> dict:
        return {"tokenizer": TOKENIZER, "column_weights": list(self.weights), "analysis": analysis.params()}

    def index_passages(self, db: sqlite3.Connection, rows: Sequence[tuple[int, Passage, SourceEntry]]) -> None:
        db.execute(TABLE)
        db.executemany("INSERT INTO passages_fts(rowid, text, heading, title, context) VALUES (?,?,?,?,?)",
                       [(i, *analysed_columns(p, s)) for i, p, s in rows])
        db.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")

    def check(self, db: sqlite3.Connection) -> None:
        # damage inside FTS5 pages shows only when they are read
        db.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH '\"a\"' LIMIT 1").fetchall()

    def search(self, db: sqlite3.Connection, query: ParsedQuery, k: int, where: Where = None) -> Ranked:
        """What `match` gives for the OR of the query's phrases, scoring the rarest phrases' rows first
        (the module's docstring says why and when that is exact)."""
        phrases = fts_phrases(analysis.analysed_query(query))
        expression = " OR ".join(phrases)
        key = _file_key(db)
        rows = self._count(db, key, "")
        if len(phrases) < 2 or rows <= FIRST_ROWS_PER_RESULT * k:  # a small table: one query is cheapest
            return self.match(db, expression, k, where)
        order = sorted(phrases, key=lambda p: self._count(db, key, p))
        counts = [self._count(db, key, p) for p in order]
        m = first_essential(counts, k)
        if m < len(order):
            ranked = self.match(db, expression, k, where, among=" OR ".join(order[:m]))
            if len(ranked) == k:  # else nothing to compare the other rows' bound with
                needed = needed_essential([phrase_bound(df, rows) for df in counts[m:]], ranked[-1][1])
                if needed == 0:
                    return ranked
                if m + needed < len(order):  # the k-th score can only rise with more rows: the last round
                    return self.match(db, expression, k, where, among=" OR ".join(order[:m + needed]))
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

    def _count(self, db: sqlite3.Connection, key: Optional[tuple], phrase: str) -> int:
        """Rows matching a quoted phrase ("": all rows), as bm25() counts them; remembered per database file."""
        if key is not None and (key, phrase) in self._counts:
            return self._counts[key, phrase]
        if phrase:
            n = db.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", [phrase]).fetchone()[0]
        else:
            n = db.execute("SELECT count(*) FROM passages_fts_docsize").fetchone()[0]
        if key is not None:
            if len(self._counts) >= CACHE_SIZE:
                self._counts.clear()
            self._counts[key, phrase] = int(n)
        return int(n)


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


def analysed_columns(p: Passage, s: SourceEntry) -> tuple[str, str, str, str]:
    """What FTS5 indexes of a passage: its text, heading, title and context, analysed in its language."""
    return tuple(analysis.analyse(x, p.language) for x in (p.text, p.heading, s.title, p.context))
