"""The Searcher: hybrid dense + lexical retrieval with citations.

One object per index version, shared by the CLI, the Python API and the app.
A query is parsed (never trusted as syntax), run through FAISS and FTS5,
fused by weighted reciprocal rank, collapsed so that repeated wording shows
once with `also_in`, and returned as typed `Hit`s with highlight spans.
"""
from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from ingest.records import AlsoIn, Answer, Filters, Hit
from ingest.settings import Settings

from . import store, vectors
from .embed import Embedder
from .highlight import best_sentences
from .manifest import (REBUILD_HINT, IndexError_, Manifest, check_compatible, current_version, read_manifest,
                       verify)
from .query import ParsedQuery, fts_expression, parse

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class Tuning:
    """Fusion and gating constants, chosen by measurement (docs/quality.md)."""

    candidates: int = 100  # taken from each retriever before fusion
    rrf_k: int = 20
    dense_weight: float = 1.0
    lexical_weight: float = 1.25
    dense_floor: float = 0.25  # below this cosine, a passage with no lexical match is noise
    year_weight: float = 1.0  # a year named in the query favours documents of that year, as one more list
    part_weight: float = 1.0  # each question of a multi-part query is also searched alone, as lists of this weight
    cosine_weight: float = 0.003  # times a passage's best cosine, added to its fused score: reorders near-ties only


class Searcher:
    def __init__(self, folder: Path, manifest: Manifest, embedder: Optional[Embedder], settings: Settings,
                 tuning: Tuning = Tuning()):
        self.folder, self.manifest, self.settings, self.tuning = folder, manifest, settings, tuning
        self._embedder = embedder
        self._pool: queue.SimpleQueue = queue.SimpleQueue()  # idle SQLite connections
        self._lock = threading.Lock()
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        verify(folder, manifest, ("passages.sqlite", "vectors.faiss"))
        try:
            self.vectors = vectors.load(folder / "vectors.faiss", vectors.VectorParams.from_json(manifest.vector_index))
        except Exception as exc:
            raise IndexError_(f"{folder / 'vectors.faiss'} is missing or damaged ({str(exc)[:80]}); "
                              f"{REBUILD_HINT}") from None
        if self.vectors.ntotal != manifest.passages or self.vectors.d != manifest.dimension:
            raise IndexError_(f"{folder / 'vectors.faiss'} does not match its manifest "
                              f"({self.vectors.ntotal} vectors, {manifest.passages} passages); {REBUILD_HINT}")
        try:
            with self._connection() as db:
                n = db.execute("SELECT count(*) FROM passages").fetchone()[0]
                # touch the lexical index too: damage inside FTS5 pages shows only when it is read
                db.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH '\"a\"' LIMIT 1").fetchall()
        except Exception as exc:
            raise IndexError_(f"{folder / 'passages.sqlite'} is missing or damaged ({str(exc)[:80]}); "
                              f"{REBUILD_HINT}") from None
        if n != manifest.passages:
            raise IndexError_(f"{folder / 'passages.sqlite'} does not match its manifest; {REBUILD_HINT}")

    @classmethod
    def open(cls, path: Optional[Path | str] = None, *, settings: Optional[Settings] = None,
             embedder: Optional[Embedder] = None, tuning: Tuning = Tuning()) -> "Searcher":
        settings = settings or Settings.from_env()
        root = Path(path) if path is not None else settings.index
        folder = current_version(root)
        if folder is None:
            raise IndexError_(f"no index at {root}; build it with `python -m index build`")
        manifest = read_manifest(folder)
        check_compatible(manifest, folder, embedder.name if embedder else settings.model)
        return cls(folder, manifest, embedder, settings, tuning)

    # -- resources -------------------------------------------------------
    @contextlib.contextmanager
    def _connection(self):
        """A connection of this Searcher's own, returned to the pool after use.

        Pooled rather than one per thread: servers run each request in a new thread, and a
        connection per thread (each with its own page cache) made memory grow with every request.
        The pool holds as many connections as there were concurrent queries, no more.
        """
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            path = self.folder / "passages.sqlite"
            if not path.is_file():
                raise IndexError_(f"{path} is missing; {REBUILD_HINT}") from None
            conn = store.open_readonly(path)
        try:
            yield conn
        finally:
            self._pool.put(conn)

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = Embedder(self.manifest.model)
        return self._embedder

    def _encode(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._query_cache.get(text)
            if vec is None:
                if self._embedder is None:
                    self._embedder = Embedder(self.manifest.model)
                vec = self._embedder.encode_query(text)
                self._query_cache[text] = vec
                if len(self._query_cache) > 512:  # bounded: memory stays flat under load
                    self._query_cache.popitem(last=False)
            return vec

    def is_stale(self) -> bool:
        """Has a newer build been swapped in since this Searcher was opened?"""
        try:
            return current_version(self.folder.parent) != self.folder
        except IndexError_:
            return False

    # -- search ----------------------------------------------------------
    def search(self, query: str, k: int = 10, filters: Optional[Filters] = None, mode: str = "hybrid") -> list[Hit]:
        return self.answer(query, k, filters, mode).hits

    def answer(self, query: str, k: int = 10, filters: Optional[Filters] = None, mode: str = "hybrid") -> Answer:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        filters = filters or Filters()
        q = parse(query, self.settings.max_query_chars)
        out = Answer(q.text, mode=mode)
        if q.truncated:
            out.notices.append(f"The query was cut to its first {self.settings.max_query_chars} characters.")
        if not q.text or not (q.terms or q.phrases):
            out.notices.append("Type a few words to search for." if not q.text else
                               "The query has no words to search for.")
            return out
        k = max(1, min(int(k), 100))
        try:
            with self._connection() as db:
                ranked = self._rank(db, q, filters, mode, k)
                out.hits = self._hits(db, ranked, q, k)
        except sqlite3.DatabaseError as exc:
            raise IndexError_(f"{self.folder / 'passages.sqlite'} is damaged ({str(exc)[:80]}); "
                              f"{REBUILD_HINT}") from None
        if not out.hits:
            out.notices.append("Nothing relevant was found" + (" with these filters" if filters else "") +
                               ". Try removing filters or rephrasing.")
        return out

    def _rank(self, db: sqlite3.Connection, q: ParsedQuery, f: Filters, mode: str, k: int) -> list[tuple[int, float]]:
        t = self.tuning
        allowed = store.allowed_ids(db, f)
        if allowed is not None and len(allowed) == 0:
            return []
        n = max(t.candidates, 3 * k)
        dense = lexical = []
        if mode in ("dense", "hybrid"):
            dense = vectors.search(self.vectors, self._encode(q.dense_text), n, allowed)
        if mode in ("lexical", "hybrid"):
            lexical = store.lexical(db, fts_expression(q), n, store.restriction(db, f))
        if mode == "dense":
            return [(i, s) for i, s in dense if s >= t.dense_floor]
        if mode == "lexical":
            return lexical
        if dense and max(s for _, s in dense) < t.dense_floor and not lexical:
            return []
        dense_lists, lexical_lists = [(dense, t.dense_weight)], [(lexical, t.lexical_weight)]
        if t.part_weight:
            # Each question of a multi-part query is searched alone as well, so that the answer to
            # one part is not drowned by the words of the others.
            for part in q.parts:
                pq = parse(part, self.settings.max_query_chars)
                dense_lists.append((vectors.search(self.vectors, self._encode(pq.dense_text), n, allowed),
                                    t.dense_weight * t.part_weight))
                lexical_lists.append((store.lexical(db, fts_expression(pq), n, store.restriction(db, f)),
                                      t.lexical_weight * t.part_weight))
        fused: dict[int, float] = {}
        for hits, weight in dense_lists + lexical_lists:
            for rank, (i, _) in enumerate(hits, 1):
                fused[i] = fused.get(i, 0.0) + weight / (t.rrf_k + rank)
        if q.years and t.year_weight:
            for i, year in store.years_of(db, list(fused)).items():
                if year in q.years:
                    fused[i] += t.year_weight / (t.rrf_k + 1)
        cosine: dict[int, float] = {}
        for hits, _ in dense_lists:
            for i, s in hits:
                cosine[i] = max(s, cosine.get(i, s))
        if t.cosine_weight:
            # Neighbouring RRF scores differ by about 0.001-0.002 (1/(k+r) - 1/(k+r+1)); a bonus of
            # 0.003 x cosine lets the passage closer in meaning win a near-tie without overriding ranks.
            # A passage outside the dense top-n (lexical only) has no cosine here and gets none.
            for i in fused:
                fused[i] += t.cosine_weight * cosine.get(i, 0.0)
        lexical_ids = {i for hits, _ in lexical_lists for i, _ in hits}
        keep = [(i, s) for i, s in fused.items() if i in lexical_ids or cosine.get(i, 0.0) >= t.dense_floor]
        return sorted(keep, key=lambda x: -x[1])

    def _hits(self, db: sqlite3.Connection, ranked: list[tuple[int, float]], q: ParsedQuery, k: int) -> list[Hit]:
        rows = store.passages_by_id(db, [i for i, _ in ranked[: 4 * k + 20]])
        chosen, seen_groups = [], set()
        for i, score in ranked:
            row = rows.get(i)
            if row is None:
                continue
            if row["group_id"] in seen_groups:
                continue
            seen_groups.add(row["group_id"])
            chosen.append((row, score))
            if len(chosen) == k:
                break
        members = store.group_members(db, [r["group_id"] for r, _ in chosen])
        hits = []
        for rank, (r, score) in enumerate(chosen, 1):
            also = [AlsoIn(m["symbol"] or m["title"], m["label"], m["citation"], m["doc_id"], m["date"], m["id"])
                    for m in members.get(r["group_id"], []) if m["id"] != r["id"]]
            hits.append(Hit(
                rank=rank, score=round(float(score), 6), doc_id=r["doc_id"], symbol=r["symbol"] or "",
                title=r["title"], body=r["body"], date=r["date"], type=r["type"], language=r["language"],
                label=r["label"], page=r["page"], citation=r["citation"], url=r["url"] or "", text=r["text"],
                heading=r["heading"] or "", delegation=r["delegation"] or "", ordinal=r["ordinal"],
                passage_id=r["id"], highlights=best_sentences(r["text"], q), also_in=also,
                footnotes=store.footnotes_of(r),
            ))
        return hits

    # -- browsing --------------------------------------------------------
    def context(self, hit: Hit, before: int = 2, after: int = 2) -> list[dict]:
        """The passages around a hit in its document, the hit included."""
        with self._connection() as db:
            return [dict(r) for r in store.neighbours(db, hit.doc_id, hit.ordinal, before, after)]

    def documents(self) -> list[dict]:
        with self._connection() as db:
            return [dict(r) for r in store.documents(db)]

    def passage_count(self) -> int:
        with self._connection() as db:
            return db.execute("SELECT count(*) FROM passages").fetchone()[0]

    def texts(self, passage_ids: list[int]) -> dict[int, str]:
        """Verbatim texts by passage id (to judge the members of a grouped hit)."""
        with self._connection() as db:
            return {i: r["text"] for i, r in store.passages_by_id(db, passage_ids).items()}
