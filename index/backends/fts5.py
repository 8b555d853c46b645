"""The SQLite FTS5 lexical index (the default), in the same passages.sqlite as the passages.

The table is contentless (the text lives once, in `passages`) and uses the Porter
stemmer. Text in the other UN languages is analysed first (index/analysis.py: Snowball stems,
Arabic without vowel marks, Chinese cut into words), each passage by its language and each
query by its own, so both sides hold the same words. User text only ever reaches FTS5 through
`index.query.fts_phrases`, which quotes every term; the column weights are bound as parameters.

A query is an OR of its phrases ranked by FTS5's bm25(). Letting FTS5 score that OR costs, at
100k passages and more, a B-tree read per matching row and phrase (tens of ms per list at 100k,
seconds at 1M, for the common words every query has). But bm25() is a sum over the query's
phrases of a part that depends only on the phrase and the row. So the build stores, for each
word of the index, that part for every row holding it and the word's places in the row
(`passages_fts_impacts`, little-endian arrays computed from FTS5's own instance list and
document sizes, `passages_fts_rows`), and `search` adds the parts with numpy: a one-word
phrase's are read, a phrase of several words is found where its words stand one after the
other in one column and scored as bm25() scores it. The ranking and the scores are the one OR
query's (tests/index/backends/test_fts5.py compares them with FTS5's, `match`).

Finding a phrase of common words reads every place of each (tens of MB per word at 1M passages,
seconds for the Convention's thirty-word title). The phrases questions are expanded into most (the
thesaurus's wording, index/expansion.searched_wording) are therefore found at build time too, and their
parts stored (`passages_fts_phrases`, keyed by FTS5's words of the phrase joined by spaces, which no
word holds); any other phrase, or any phrase of an index built before, is found at search time. The
stored parts depend on the index's rows only, so a thesaurus changed since the build costs speed,
never a different answer.
"""
from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
from collections import OrderedDict
from typing import Callable, Iterator, Optional, Sequence

import numpy as np

from ingest.records import Passage, SourceEntry

from .. import analysis
from ..query import ParsedQuery, fts_phrases, quote
from .base import Ranked, Where

TOKENIZER = "porter unicode61 remove_diacritics 2"
COLUMNS = ("text", "heading", "title", "context")
TABLE = f"""
CREATE VIRTUAL TABLE passages_fts USING fts5(
    {", ".join(COLUMNS)}, tokenize='{TOKENIZER}', content=''
);
"""
# Per word: the rows holding it (int32, ascending), its bm25() part in each (float64), its number of places in
# each (int32) and the places (int32, column << 24 | token offset, ascending within a row).
IMPACTS = """
CREATE TABLE passages_fts_impacts(term TEXT PRIMARY KEY, ids BLOB NOT NULL, scores BLOB NOT NULL,
                                  counts BLOB NOT NULL, places BLOB NOT NULL);
CREATE TABLE passages_fts_rows(rows INTEGER NOT NULL, avgdl REAL NOT NULL, sizes BLOB NOT NULL, weights TEXT NOT NULL);
"""
# Per phrase of several words prepared at build time: the rows it matches and its part in each, as for a word.
PHRASES = "CREATE TABLE passages_fts_phrases(phrase TEXT PRIMARY KEY, ids BLOB NOT NULL, scores BLOB NOT NULL)"
PHRASE_READ = "SELECT ids, scores FROM passages_fts_phrases WHERE phrase = ?"
COLUMN_SHIFT = 24  # a place is column << 24 | offset: passages are far shorter than 2**24 tokens
WORD_COLUMNS = {"ids": "<i4", "scores": "<f8", "counts": "<i4", "places": "<i4"}  # passages_fts_impacts' blobs
WORD_TYPES = {"ids": np.intp, "counts": np.intp, "places": np.int64}  # what the search computes them in
WORD_READS = {  # a word alone needs its rows and parts; a word in a phrase its rows and places
    ("ids", "scores"): "SELECT ids, scores FROM passages_fts_impacts WHERE term = ?",
    ("ids", "counts", "places"): "SELECT ids, counts, places FROM passages_fts_impacts WHERE term = ?",
}
# Column weights for bm25(): the verbatim text counts most, headings and title help.
BM25_WEIGHTS = (1.0, 0.3, 0.2, 0.3)
K1, B = 1.2, 0.75  # bm25()'s constants in FTS5 (ext/fts5/fts5_aux.c)
CACHE_BYTES = 256 * 2**20  # the phrases' score arrays one Fts5Lexical keeps in memory, all index files together
FIRST_ROWS_PER_RESULT = 20  # pruning (`top_rows`) scores the rarest phrases' rows first, about this many per result
LOOKUP_COST = 4  # and prunes when adding every row would cost this many times looking the candidates up
FILTERS_KEPT = 16  # the allowed ids of this many filters are remembered (one answer runs each list with one filter)
BUILD_PLACES_BYTES = 1024 * 2**20  # the words' places `write_phrases` keeps between phrases (common words recur)


def idf(df: int, rows: int) -> float:
    """FTS5's idf of a phrase `df` of `rows` rows match: log((N - n + 0.5) / (n + 0.5)), 1e-6 when not positive."""
    x = math.log((rows - df + 0.5) / (df + 0.5))
    return x if x > 0 else 1e-6


def impacts(freq: np.ndarray, sizes: np.ndarray, avgdl: float, rows: int, df: Optional[int] = None) -> np.ndarray:
    """bm25()'s part for one phrase in each row holding it: its weighted frequency `freq` there and the
    rows' sizes in tokens `sizes` (all columns), evaluated in FTS5's order of operations; `df`, the rows the
    phrase matches, is those of `freq` unless given."""
    return idf(len(freq) if df is None else df, rows) * ((freq * (K1 + 1.0)) / (freq + K1 * (1 - B + B * sizes / avgdl)))


def decode_sizes(blob: bytes) -> int:
    """A row's size in tokens, all columns: the sum of the SQLite varints of a passages_fts_docsize blob."""
    total, value, i = 0, 0, 0
    while i < len(blob):
        byte = blob[i]
        value = (value << 7) | (byte & 0x7F)
        i += 1
        if not byte & 0x80:
            total, value = total + value, 0
    return total


class Fts5Lexical:
    """LexicalIndex in base.py. The stored parts are weighted by the build's column weights; a backend made
    with other `weights` (a benchmark trying them on one index) has FTS5 score its searches instead."""

    name = "sqlite-fts5"

    def __init__(self, weights: tuple[float, float, float, float] = BM25_WEIGHTS):
        if min(weights) < 0:
            raise ValueError(f"bm25 column weights must not be negative: {weights}")
        self.weights = tuple(float(w) for w in weights)
        self._lock = threading.Lock()
        self._arrays: OrderedDict[tuple, object] = OrderedDict()  # LRU of arrays, at most CACHE_BYTES
        self._sizes: dict[tuple, int] = {}
        self._bytes = 0
        self._allowed: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._tokens: dict[str, tuple[str, ...]] = {}
        self._tokenizer: Optional[sqlite3.Connection] = None

    def params(self) -> dict:
        return {"tokenizer": TOKENIZER, "column_weights": list(self.weights), "analysis": analysis.params(),
                "impacts": "bm25 parts per word and row", "phrases": "bm25 parts per prepared phrase and row"}

    def index_passages(self, db: sqlite3.Connection, rows: Sequence[tuple[int, Passage, SourceEntry]],
                       phrases: Sequence[str] = ()) -> None:
        db.execute(TABLE)
        db.executemany("INSERT INTO passages_fts(rowid, text, heading, title, context) VALUES (?,?,?,?,?)",
                       [(i, *analysed_columns(p, s)) for i, p, s in rows])
        db.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")
        write_impacts(db, self.weights)
        words = self._tokenize([quote(p) for p in phrases])
        write_phrases(db, [w for w in dict.fromkeys(words.values()) if len(w) > 1], self.weights)

    def check(self, db: sqlite3.Connection) -> None:
        # damage inside FTS5 pages shows only when they are read
        db.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH '\"a\"' LIMIT 1").fetchall()
        db.execute("SELECT term, length(ids), length(places) FROM passages_fts_impacts LIMIT 1").fetchall()
        db.execute("SELECT rows, length(sizes) FROM passages_fts_rows").fetchall()
        if _has_phrases(db):
            db.execute("SELECT phrase, length(ids) FROM passages_fts_phrases LIMIT 1").fetchall()

    def search(self, db: sqlite3.Connection, query: ParsedQuery, k: int, where: Where = None) -> Ranked:
        """What `match` gives for the OR of the query's phrases, from the stored parts (module docstring)."""
        return self.rank(db, fts_phrases(analysis.analysed_query(query)), k, where)

    def rank(self, db: sqlite3.Connection, phrases: Sequence[str], k: int, where: Where = None) -> Ranked:
        """The top `k` rows for the OR of these quoted phrases, as `match` ranks and scores them."""
        if not phrases:
            return []
        key = _file_key(db)
        if self._rows(db, key)[3] != self.weights:
            return self.match(db, " OR ".join(phrases), k, where)
        tokens = self._tokenize(phrases)
        parts = [self._phrase(db, key, p, tokens[p]) for p in phrases]
        allowed = self._allowed_ids(db, key, where) if where else None
        ids, scores = top_rows(parts, k, allowed, positive=min(self.weights) > 0)
        return [(int(i), float(x)) for i, x in zip(ids, scores)]

    def score_texts(self, db: sqlite3.Connection, query: ParsedQuery, texts: Sequence[str]
                    ) -> list[tuple[float, int]]:
        """bm25() of each text as the text column of one more row (the rows and each phrase's rows counted with
        it, the index's average size, the text's own length), and how many of the query's words it holds.
        The texts are tokenized without being remembered: a long-running server sees every passage's gloss."""
        phrases = fts_phrases(analysis.analysed_query(query))
        if not phrases or not texts:
            return [(0.0, 0)] * len(texts)
        key = _file_key(db)
        rows, avgdl = self._rows(db, key)[:2]
        tokens = self._tokenize(phrases)
        found = self._tokenize([quote(t) for t in texts], remember=False)
        df = {p: len(self._phrase(db, key, p, tokens[p])[0]) for p in phrases}
        out = []
        for text in texts:
            words = found[quote(text)]
            freq = {p: f for p in phrases if (f := occurrences(tokens[p], words))}
            score = sum(float(impacts(np.array([f * self.weights[0]]), np.array([len(words)]), avgdl, rows + 1,
                                      df[p] + 1)[0]) for p, f in freq.items())
            out.append((score, len({tokens[p] for p in freq if len(tokens[p]) == 1})))
        return out

    def match(self, db: sqlite3.Connection, expression: str, k: Optional[int] = None,
              where: Optional[tuple[str, list]] = None) -> Ranked:
        """(id, score) for an FTS5 expression, best first (all matching rows when `k` is None); scores are
        negated bm25 so that larger is better. FTS5 does all the scoring: the reference `search` matches."""
        if not expression:
            return []
        sql = ("SELECT rowid, -bm25(passages_fts, ?, ?, ?, ?) AS s "
               "FROM passages_fts WHERE passages_fts MATCH ?")
        params: list = [*self.weights, expression]
        if where:
            sql += f" AND +rowid IN (SELECT id FROM passages p JOIN documents d USING(doc_id) WHERE {where[0]})"
            params += where[1]
        sql += " ORDER BY s DESC LIMIT ?"
        return [(int(r[0]), float(r[1])) for r in db.execute(sql, params + [-1 if k is None else k])]

    # -- the parts of one phrase, remembered -----------------------------------------------
    def _phrase(self, db: sqlite3.Connection, key: Optional[tuple], phrase: str, tokens: tuple[str, ...]
                ) -> "Part":
        """Ids (ascending) and bm25() parts of the rows a quoted phrase (FTS5's `tokens` of it) matches."""
        if len(tokens) == 1:
            return self._remembered(key, ("word", tokens[0]),
                                    lambda: _part(*read_word(db, tokens[0], ("ids", "scores"))))
        if not tokens:  # FTS5 matches no row with an empty phrase
            return _EMPTY
        return self._remembered(key, ("phrase", tokens),
                                lambda: self._stored(db, key, tokens) or self._found(db, key, tokens))

    def _found(self, db: sqlite3.Connection, key: Optional[tuple], tokens: tuple[str, ...]) -> "Part":
        """A phrase the build did not store, found from its words' places (each remembered)."""
        return _part(*phrase_parts(tokens, lambda t: self._remembered(key, ("places", t), lambda: read_places(db, t)),
                                   self._rows(db, key)[:3], self.weights))

    def _stored(self, db: sqlite3.Connection, key: Optional[tuple], tokens: tuple[str, ...]) -> Optional["Part"]:
        """The phrase's parts as the build stored them (`write_phrases`), or None where it did not."""
        if not self._remembered(key, ("has phrases",), lambda: _has_phrases(db)):
            return None
        row = db.execute(PHRASE_READ, [" ".join(tokens)]).fetchone()
        if row is None:
            return None
        return _part(np.frombuffer(row[0], dtype="<i4").astype(np.intp), np.frombuffer(row[1], dtype="<f8"))

    def _rows(self, db: sqlite3.Connection, key: Optional[tuple]) -> tuple[int, float, np.ndarray, tuple]:
        return self._remembered(key, ("rows",), lambda: read_rows(db))

    def _remembered(self, key: Optional[tuple], name: tuple, read):
        """`read()`, remembered per database file in an LRU of at most CACHE_BYTES of arrays."""
        if key is None:
            return read()
        with self._lock:
            found = self._arrays.get((key, name))
            if found is not None:
                self._arrays.move_to_end((key, name))
                return found
        found = read()
        size = sum(a.nbytes for a in (found if isinstance(found, tuple) else (found,)) if isinstance(a, np.ndarray))
        with self._lock:
            if (key, name) not in self._arrays:
                self._arrays[key, name] = found
                self._sizes[key, name] = size
                self._bytes += size
            while self._bytes > CACHE_BYTES and len(self._arrays) > 1:
                old, _ = self._arrays.popitem(last=False)
                self._bytes -= self._sizes.pop(old)
        return found

    def _tokenize(self, phrases: Sequence[str], remember: bool = True) -> dict[str, tuple[str, ...]]:
        """The words FTS5 makes of each quoted phrase, by FTS5's own tokenizer (an in-memory table with the same
        tokenize= option), so that a phrase finds the stored word its text is stemmed to; remembered unless not
        `remember`."""
        with self._lock:
            new = [p for p in dict.fromkeys(phrases) if p not in self._tokens]
            made: dict[str, tuple[str, ...]] = {}
            if new:
                if self._tokenizer is None:
                    self._tokenizer = sqlite3.connect(":memory:", check_same_thread=False)
                    self._tokenizer.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{TOKENIZER}')")
                    self._tokenizer.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
                if remember and len(self._tokens) + len(new) > 100_000:
                    self._tokens.clear()
                with self._tokenizer as conn:
                    conn.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)",
                                     [(n, p[1:-1].replace('""', '"')) for n, p in enumerate(new)])
                    words: dict[int, list[str]] = {}
                    for n, _, term in sorted(conn.execute("SELECT doc, offset, term FROM v")):
                        words.setdefault(n, []).append(term)
                    conn.execute("DELETE FROM t")
                for n, p in enumerate(new):
                    made[p] = tuple(words.get(n, ()))
                if remember:
                    self._tokens.update(made)
            return {p: made[p] if p in made else self._tokens[p] for p in phrases}

    def _allowed_ids(self, db: sqlite3.Connection, key: Optional[tuple], where: tuple[str, list]) -> np.ndarray:
        """The ids a filter allows, ascending; the lists of one answer share one filter, so it is read once."""
        cache_key = (key, where[0], tuple(where[1]))
        with self._lock:
            if key is not None and cache_key in self._allowed:
                return self._allowed[cache_key]
        ids = np.array([r[0] for r in db.execute(
            f"SELECT id FROM passages p JOIN documents d USING(doc_id) WHERE {where[0]} ORDER BY id", where[1])],
            dtype=np.intp)
        if key is not None:
            with self._lock:
                self._allowed[cache_key] = ids
                while len(self._allowed) > FILTERS_KEPT:
                    self._allowed.popitem(last=False)
        return ids


Part = tuple[np.ndarray, np.ndarray, float]  # one phrase: the rows it matches (ascending), its parts, their largest


def read_word(db: sqlite3.Connection, token: str, columns: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """The word's arrays of one of WORD_READS: SQLite reads a row's blobs only as far as the last column
    asked for, and a common word's places (last) are several times the rest."""
    row = db.execute(WORD_READS[columns], [token]).fetchone()
    return tuple(np.frombuffer(row[n] if row else b"", dtype=WORD_COLUMNS[c])
                 .astype(WORD_TYPES.get(c, WORD_COLUMNS[c]), copy=False) for n, c in enumerate(columns))


def read_rows(db: sqlite3.Connection) -> tuple[int, float, np.ndarray, tuple]:
    """What bm25() reads beside a phrase's places (the number of rows, the average and each row's size),
    and the column weights the stored parts were computed with."""
    rows, avgdl, sizes, weights = db.execute("SELECT rows, avgdl, sizes, weights FROM passages_fts_rows").fetchone()
    return int(rows), float(avgdl), np.frombuffer(sizes, dtype="<f8"), tuple(json.loads(weights))


def read_places(db: sqlite3.Connection, token: str) -> np.ndarray:
    """A word's places as int64 row << 32 | column << 24 | offset, ascending."""
    ids, counts, places = read_word(db, token, ("ids", "counts", "places"))
    return (np.repeat(ids.astype(np.int64), counts) << 32) | places


def phrase_parts(tokens: tuple[str, ...], places: Callable[[str], np.ndarray], rows: tuple[int, float, np.ndarray],
                 weights: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Ids (ascending) and bm25() parts of a phrase of several words: the `places` of its first word followed by
    the others', in one column; `rows` is passages_fts_rows' number of rows, average and row sizes."""
    start = places(tokens[0])
    for j, token in enumerate(tokens[1:], 1):
        following = places(token)
        if not len(start) or not len(following):
            return _EMPTY[:2]
        at = np.minimum(np.searchsorted(following, start + j), len(following) - 1)
        start = start[following[at] == start + j]
    if not len(start):
        return _EMPTY[:2]
    n, avgdl, sizes = rows
    ids, inverse = np.unique(start >> 32, return_inverse=True)
    column_weight = np.asarray(weights)[(start >> COLUMN_SHIFT) & 0xFF]
    freq = np.bincount(inverse, weights=column_weight)  # in FTS5's order: by row, column, offset
    return ids.astype(np.intp), impacts(freq, sizes[ids], avgdl, n)


def occurrences(phrase: tuple[str, ...], tokens: tuple[str, ...]) -> int:
    """How often the words of `phrase` stand one after the other in `tokens` (0 for an empty phrase)."""
    n = len(phrase)
    return sum(1 for i in range(len(tokens) - n + 1) if tokens[i:i + n] == phrase) if n else 0


def _has_phrases(db: sqlite3.Connection) -> bool:
    """Whether the build stored phrases: indexes written before it did have no passages_fts_phrases."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'passages_fts_phrases'").fetchone() is not None


def _part(ids: np.ndarray, scores: np.ndarray) -> Part:
    return ids, scores, float(scores.max()) if len(scores) else 0.0


_EMPTY: Part = _part(np.zeros(0, dtype=np.intp), np.zeros(0))


def top_rows(parts: Sequence[Part], k: int, allowed: Optional[np.ndarray] = None, positive: bool = True
             ) -> tuple[np.ndarray, np.ndarray]:
    """The `k` best rows by the sum of the phrases' parts (ids and scores, best first, ties by id), among the
    `allowed` ids (ascending) when given. Every part is positive when `positive` (every column weighs
    something); else a row matching only where the weight is 0 scores 0 and is still a match, as in FTS5.

    Adding up every phrase's rows costs their number; at 1M passages the common phrases hold millions. So,
    when that is many times the work of looking rows up, the rows of the rarest phrases are scored first
    (looked up in every phrase's array), and their k-th score bounds the rest: phrases whose largest parts
    sum below it (the commonest, whose idf is small) cannot lift a row matching none of the others into
    the top k, so only the others' rows are candidates (MaxScore). The result is the full sum's."""
    total = sum(len(p[0]) for p in parts)
    if positive and total > LOOKUP_COST * FIRST_ROWS_PER_RESULT * k * len(parts):
        pruned = _pruned(parts, k, allowed)
        if pruned is not None:
            return pruned
    if not total:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    ids = np.concatenate([p[0] for p in parts])
    size = int(max(p[0][-1] for p in parts if len(p[0]))) + 1
    # bincount adds in array order, phrase after phrase: the sum FTS5 makes, in its order
    scores = np.bincount(ids, weights=np.concatenate([p[1] for p in parts]), minlength=size)
    found = np.flatnonzero(scores if positive else np.bincount(ids, minlength=size))
    if allowed is not None:
        found = found[np.isin(found, allowed, assume_unique=True)]
    return _best(found, scores[found], k)


def _pruned(parts: Sequence[Part], k: int, allowed: Optional[np.ndarray]) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """`top_rows` from candidates only (its docstring), or None when no phrase can be left out."""
    order = sorted(range(len(parts)), key=lambda j: len(parts[j][0]))
    first, rows = [], 0
    for j in order:
        if rows >= FIRST_ROWS_PER_RESULT * k:
            break
        first.append(j)
        rows += len(parts[j][0])
    candidates = _union([parts[j][0] for j in first], allowed)
    if len(candidates) < k:
        return None
    scores = _scores_at(parts, candidates)
    threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
    rest = sorted((j for j in order if j not in first), key=lambda j: parts[j][2])
    # the phrases whose largest parts sum below the threshold, smallest first (a margin for rounding)
    left_out = int(np.searchsorted(np.cumsum([parts[j][2] for j in rest]) * (1 + 1e-9), threshold))
    if left_out == 0:
        return None
    if left_out < len(rest):
        candidates = _union([parts[j][0] for j in first + rest[left_out:]], allowed)
        scores = _scores_at(parts, candidates)
    return _best(candidates, scores, k)


def _union(arrays: Sequence[np.ndarray], allowed: Optional[np.ndarray]) -> np.ndarray:
    out = np.unique(np.concatenate(arrays)) if arrays else np.zeros(0, dtype=np.intp)
    return out[np.isin(out, allowed, assume_unique=True)] if allowed is not None else out


def _scores_at(parts: Sequence[Part], rows: np.ndarray) -> np.ndarray:
    """The sum of the phrases' parts at these rows (ascending), added in phrase order as `top_rows` adds."""
    total = np.zeros(len(rows))
    for ids, scores, _ in parts:
        if len(ids):
            at = np.minimum(np.searchsorted(ids, rows), len(ids) - 1)
            total += np.where(ids[at] == rows, scores[at], 0.0)
    return total


def _best(ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (id, score), best first, ties by id."""
    if len(ids) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))
    return ids[order], scores[order]


def write_impacts(db: sqlite3.Connection, weights: Sequence[float]) -> None:
    """Fill passages_fts_impacts and passages_fts_rows from the FTS5 table just written: for each word, the
    rows holding it, its bm25() part (`impacts`) and its places in each; the row sizes bm25() reads."""
    db.executescript(IMPACTS)
    ids = [r[0] for r in db.execute("SELECT id FROM passages_fts_docsize ORDER BY id")]
    sizes = np.zeros(ids[-1] + 1 if ids else 0)
    for i, blob in db.execute("SELECT id, sz FROM passages_fts_docsize"):
        sizes[i] = decode_sizes(blob)
    rows, avgdl = len(ids), float(sizes.sum()) / max(1, len(ids))
    db.execute("INSERT INTO passages_fts_rows VALUES (?, ?, ?, ?)",
               [rows, avgdl, sizes.astype("<f8").tobytes(), json.dumps([float(w) for w in weights])])
    weight = np.asarray(weights, dtype=float)
    db.execute("CREATE VIRTUAL TABLE temp.passages_fts_instance USING fts5vocab(main, passages_fts, instance)")
    try:
        db.executemany("INSERT INTO passages_fts_impacts VALUES (?,?,?,?,?)",
                       (_word_row(term, places, weight, sizes, avgdl, rows) for term, places in _places(db)))
    finally:
        db.execute("DROP TABLE temp.passages_fts_instance")


def write_phrases(db: sqlite3.Connection, phrases: Sequence[tuple[str, ...]], weights: Sequence[float]) -> None:
    """Fill passages_fts_phrases from the words' rows just written: each phrase (FTS5's words of it, several)
    with the rows it matches and its parts there, found as the search finds them (`phrase_parts`)."""
    db.execute(PHRASES)
    rows = read_rows(db)[:3]
    kept: dict[str, np.ndarray] = {}

    def places(token: str) -> np.ndarray:
        if token not in kept:
            if sum(a.nbytes for a in kept.values()) > BUILD_PLACES_BYTES:
                kept.clear()
            kept[token] = read_places(db, token)
        return kept[token]

    for tokens in sorted(phrases):
        ids, scores = phrase_parts(tokens, places, rows, weights)
        db.execute("INSERT INTO passages_fts_phrases VALUES (?, ?, ?)",
                   [" ".join(tokens), ids.astype("<i4").tobytes(), scores.astype("<f8").tobytes()])


def _places(db: sqlite3.Connection) -> Iterator[tuple[str, np.ndarray]]:
    """Each word of the FTS5 index with its places, row << 32 | column << 24 | offset, ascending."""
    column = " ".join(f"WHEN '{c}' THEN {n}" for n, c in enumerate(COLUMNS))
    term, places = None, []
    for t, place in db.execute(f"SELECT term, (doc << 32) | ((CASE col {column} END) << {COLUMN_SHIFT}) | offset "
                               "FROM temp.passages_fts_instance"):
        if t != term:
            if term is not None:
                yield term, np.sort(np.array(places, dtype=np.int64))
            term, places = t, []
        places.append(place)
    if term is not None:
        yield term, np.sort(np.array(places, dtype=np.int64))


def _word_row(term: str, places: np.ndarray, weight: np.ndarray, sizes: np.ndarray, avgdl: float, rows: int
              ) -> tuple[str, bytes, bytes, bytes, bytes]:
    docs, starts, counts = np.unique(places >> 32, return_index=True, return_counts=True)
    freq = np.add.reduceat(weight[(places >> COLUMN_SHIFT) & 0xFF], starts)  # by row, column, offset, as bm25()
    return (term, docs.astype("<i4").tobytes(), impacts(freq, sizes[docs], avgdl, rows).astype("<f8").tobytes(),
            counts.astype("<i4").tobytes(), (places & 0xFFFFFFFF).astype("<i4").tobytes())


def _file_key(db: sqlite3.Connection) -> Optional[tuple]:
    """The main database file as it is now (path, size, modification time): arrays remembered under it
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
