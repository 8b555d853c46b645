"""The SQLite FTS5 lexical index (the default), in the same passages.sqlite as the passages.

The table is contentless (the text lives once, in `passages`) and uses the Porter
stemmer. Text in the other UN languages is analysed first (index/analysis.py: Snowball stems,
Arabic without vowel marks, Chinese cut into words), each passage by its language and each
query by its own, so both sides hold the same words. User text only ever reaches FTS5 through
`index.query.fts_expression`, which quotes every term; the column weights are bound as parameters.
"""
from __future__ import annotations

import sqlite3
from typing import Optional, Sequence

from ingest.records import Passage, SourceEntry

from .. import analysis
from ..query import ParsedQuery, fts_expression
from .base import Ranked, Where

TOKENIZER = "porter unicode61 remove_diacritics 2"
TABLE = f"""
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, heading, title, context, tokenize='{TOKENIZER}', content=''
);
"""
# Column weights for bm25(): the verbatim text counts most, headings and title help.
BM25_WEIGHTS = (1.0, 0.3, 0.2, 0.3)


class Fts5Lexical:
    """LexicalIndex in base.py. `weights` are read at query time, so a benchmark may try others on one index."""

    name = "sqlite-fts5"

    def __init__(self, weights: tuple[float, float, float, float] = BM25_WEIGHTS):
        self.weights = tuple(float(w) for w in weights)

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
        return self.match(db, fts_expression(analysis.analysed_query(query)), k, where)

    def match(self, db: sqlite3.Connection, expression: str, k: int, where: Optional[tuple[str, list]] = None
              ) -> Ranked:
        """(id, score) for an FTS5 expression, best first; scores are negated bm25 so that larger is better."""
        if not expression:
            return []
        sql = ("SELECT rowid, -bm25(passages_fts, ?, ?, ?, ?) AS s "
               "FROM passages_fts WHERE passages_fts MATCH ?")
        params: list = [*self.weights, expression]
        if where:
            sql += f" AND rowid IN (SELECT id FROM passages p JOIN documents d USING(doc_id) WHERE {where[0]})"
            params += where[1]
        sql += " ORDER BY s DESC LIMIT ?"
        return [(int(r[0]), float(r[1])) for r in db.execute(sql, params + [k])]


def analysed_columns(p: Passage, s: SourceEntry) -> tuple[str, str, str, str]:
    """What FTS5 indexes of a passage: its text, heading, title and context, analysed in its language."""
    return tuple(analysis.analyse(x, p.language) for x in (p.text, p.heading, s.title, p.context))
