"""The Searcher: hybrid dense + lexical retrieval with citations.

One object per index version, shared by the CLI, the Python API and the app.
A query is parsed (never trusted as syntax), run through the vector and the
lexical index (retrieval, here), fused by weighted reciprocal rank (index/fusion.py,
pure), collapsed so that repeated wording shows once with `also_in`, and returned
as typed `Hit`s with highlight spans.
"""
from __future__ import annotations

import contextlib
import os
import queue
from concurrent.futures import Future, ThreadPoolExecutor, wait
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np

from ingest.settings import Settings
from ingest.thesaurus import Thesaurus, ThesaurusError, load_thesaurus

from . import analysis, backends, lexicon, multilingual, store, translate, windows
from .backends import Embedder, LexicalIndex
from .evidence import QueryCues, concept_coverage, passage_features, query_cues
from .expansion import Expansion, expand, expanded_query
from .fusion import Ranked, Retrieved, Tuning, fuse, rendering_weight
from .highlight import best_sentences
from .manifest import (REBUILD_HINT, SPARE_FILES, IndexError_, Manifest, check_compatible, current_version,
                       damage_notice, damaged, read_manifest, verify)
from .query import ParsedQuery, parse
from .records import AlsoIn, Answer, Filters, Hit

if TYPE_CHECKING:
    from .compare import CompareResult
    from .lineage import Lineage
    from .lists import WholeList

MODES = ("hybrid", "dense", "lexical")
__all__ = ["MODES", "Searcher", "Tuning"]


class Searcher:
    def __init__(self, folder: Path, manifest: Manifest, embedder: Optional[Embedder], settings: Settings,
                 tuning: Tuning = Tuning(), lexical: Optional[LexicalIndex] = None,
                 thesaurus: Optional[Thesaurus] = None, multilingual_embedder: Optional[Embedder] = None):
        self.folder, self.manifest, self.settings, self.tuning = folder, manifest, settings, tuning
        self._embedder = embedder
        self._thesaurus = thesaurus
        self.lexical = lexical or backends.lexical_index(settings)
        self._pool: queue.SimpleQueue = queue.SimpleQueue()  # idle SQLite connections
        self._lock = threading.Lock()
        self._multi_lock = threading.Lock()  # apart: the two models load and encode side by side
        # While this thread encodes the question with MiniLM (ONNX Runtime lets go of the GIL for the
        # whole forward pass), the multilingual vector and the lexical lists are made on threads of
        # their own, so a query's wall time is about its MiniLM encode plus fusion. Not the other way
        # round: a thread that comes back from the forward pass waits for the GIL (up to the
        # interpreter's 5 ms switch interval) while Python work holds it. At the first query both
        # models load at once, on two cores.
        self._beside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="normbase-multilingual")
        self._lexical_side = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1),
                                                thread_name_prefix="normbase-lexical")
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._version_symbols: Optional[tuple[dict[str, str], dict[str, list[str]]]] = None  # _versions
        self._languages: Optional[store.LanguageGroups] = None  # _language_groups
        verify(folder, manifest, ("passages.sqlite", "vectors.faiss"))
        self.damaged_spares = damaged(folder, manifest, SPARE_FILES)  # said with every answer, repaired by a build
        try:
            self.vectors = backends.vector_index(settings).load(folder / "vectors.faiss", manifest.vector_index)
        except Exception as exc:
            raise IndexError_(f"{folder / 'vectors.faiss'} is missing or damaged ({str(exc)[:80]}); "
                              f"{REBUILD_HINT}") from None
        if self.vectors.ntotal != manifest.passages or self.vectors.dimension != manifest.dimension:
            raise IndexError_(f"{folder / 'vectors.faiss'} does not match its manifest "
                              f"({self.vectors.ntotal} vectors, {manifest.passages} passages); {REBUILD_HINT}")
        try:
            with self._connection() as db:
                n = db.execute("SELECT count(*) FROM passages").fetchone()[0]
                self.lexical.check(db)
        except Exception as exc:
            raise IndexError_(f"{folder / 'passages.sqlite'} is missing or damaged ({str(exc)[:80]}); "
                              f"{REBUILD_HINT}") from None
        if n != manifest.passages:
            raise IndexError_(f"{folder / 'passages.sqlite'} does not match its manifest; {REBUILD_HINT}")
        # the second, multilingual vector index (index/multilingual.py); None when off or not built
        self._multilingual = multilingual_embedder
        self.multi_vectors, self.multilingual_notice = multilingual.open_index(folder, manifest, settings)
        # the English words of the corpus, for glossing a question not in English word for word
        self.lexicon = multilingual.open_lexicon(folder, manifest) if self.multi_vectors is not None else None
        # the long passages' clauses, for reranking a question not in English (index/windows.py)
        self.windows = multilingual.open_windows(folder, manifest) if self.multi_vectors is not None else None

    @classmethod
    def open(cls, path: Optional[Path | str] = None, *, settings: Optional[Settings] = None,
             embedder: Optional[Embedder] = None, lexical: Optional[LexicalIndex] = None,
             tuning: Tuning = Tuning(), thesaurus: Optional[Thesaurus] = None,
             multilingual_embedder: Optional[Embedder] = None) -> "Searcher":
        """The live version of an index. Backends come from settings (and must be the ones that built
        the index) unless injected: an injected embedder must have the index's model name, an injected
        lexical index is trusted to read its passages."""
        settings = settings or Settings.from_env()
        root = Path(path) if path is not None else settings.index
        folder = current_version(root)
        if folder is None:
            raise IndexError_(f"no index at {root}; build it with `python -m index build`")
        manifest = read_manifest(folder)
        expected = backends.names(settings, lexical=lexical)
        if embedder is not None:
            del expected["embedder"]
        if lexical is not None:
            del expected["lexical"]
        check_compatible(manifest, folder, embedder.name if embedder else settings.model, expected)
        return cls(folder, manifest, embedder, settings, tuning, lexical, thesaurus, multilingual_embedder)

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
            return self._loaded_embedder()

    def _loaded_embedder(self) -> Embedder:
        """The model, loaded at first use (lexical searches never need it); call with the lock held."""
        if self._embedder is None:
            self._embedder = backends.embedder(self.settings, self.manifest.model)
        return self._embedder

    @property
    def thesaurus(self) -> Thesaurus:
        """corpus/thesaurus.toml, read at first use; unreadable, it expands nothing (search goes on)."""
        with self._lock:
            if self._thesaurus is None:
                try:
                    self._thesaurus = load_thesaurus(cache=self.settings.model_cache)
                except ThesaurusError as exc:
                    self._thesaurus = Thesaurus((), [str(exc)])
                analysis.segment_ahead(translate.phrases(self._thesaurus, "zh"), self.settings.model_cache)
            return self._thesaurus

    def _encode(self, text: str) -> np.ndarray:
        """MiniLM's query vector, cached; the lock is held for the cache and the model's load, not the
        encode, so that the thesaurus and the language groups (the same lock) are read meanwhile."""
        with self._lock:
            vec = self._query_cache.get(text)
            embedder = self._loaded_embedder() if vec is None else None
        if embedder is not None:
            vec = embedder.encode_query(text)
            with self._lock:
                self._query_cache[text] = vec
                if len(self._query_cache) > 512:  # bounded: memory stays flat under load
                    self._query_cache.popitem(last=False)
        return vec

    def _multilingual_model(self) -> Embedder:
        """The multilingual model, loaded at first use."""
        with self._multi_lock:
            if self._multilingual is None:
                self._multilingual = backends.multilingual_embedder(self.settings)
            return self._multilingual

    def _encode_multilingual(self, text: str, language: str) -> np.ndarray:
        """The multilingual model's query vector (a few ms: not cached)."""
        return backends.query_vector(self._multilingual_model(), text, language)

    def _gloss(self, text: str, language: str) -> list[str]:
        """A question not in English, word for word in the corpus's English words (index/lexicon.py)."""
        if self.lexicon is None or language == "en" or not (words := lexicon.question_words(text)):
            return []
        vectors = backends.word_vectors(self._multilingual_model(), [*words, text])  # the question last: the context
        if vectors is None:
            return []
        if vectors.shape[1] != self.lexicon.vectors.shape[1]:
            raise IndexError_(f"{self.folder / lexicon.VECTORS_FILE} holds vectors of {self.lexicon.vectors.shape[1]} "
                              f"dimensions, the multilingual model gives {vectors.shape[1]}; {REBUILD_HINT}")
        t = self.tuning
        return self.lexicon.gloss(vectors[:-1], vectors[-1], t.word_gloss_floor, t.word_gloss_context)

    def _clause_vector(self, text: str) -> Optional[np.ndarray]:
        """The question as the clause windows were placed (index/windows.py): the model's short-text vector."""
        vectors = backends.word_vectors(self._multilingual_model(), [text])
        if vectors is not None and self.windows is not None and vectors.shape[1] != self.windows.vectors.shape[1]:
            raise IndexError_(f"{self.folder / windows.VECTORS_FILE} holds vectors of {self.windows.vectors.shape[1]} "
                              f"dimensions, the multilingual model gives {vectors.shape[1]}; {REBUILD_HINT}")
        return None if vectors is None else vectors[0]

    def _multilingual_list(self, q: ParsedQuery, n: int, allowed) -> tuple[np.ndarray, list[tuple[int, float]]]:
        """The multilingual query vector and its nearest passages (on the multilingual thread); the
        question's language is told as the lexical side tells it (cached: once per question)."""
        vec = self._encode_multilingual(q.dense_text, multilingual.query_language(q.text, self.settings.model_cache))
        return vec, self.multi_vectors.search(vec, n, allowed)

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
        out.notices += [damage_notice(self.folder, name) for name in self.damaged_spares]
        if q.truncated:
            out.notices.append(f"The query was cut to its first {self.settings.max_query_chars} characters.")
        if not q.text or not (q.terms or q.phrases):
            out.notices.append("Type a few words to search for." if not q.text else
                               "The query has no words to search for.")
            return out
        k = max(1, min(int(k), 100))
        script = multilingual.uncovered_script(q.text)
        if script and mode != "lexical":
            mode = "lexical"
            out.notices.append(multilingual.UNCOVERED.format(script=script.title()))
        try:
            with self._connection() as db:
                retrieved = self._retrieve(db, q, filters, mode, k)
                # the question's language (fusion, duplicates, the notice), found beside the MiniLM encode
                language = (multilingual.query_language(q.text, self.settings.model_cache) if retrieved is None
                            else retrieved.query_language)
                ranked = [] if retrieved is None else fuse(retrieved, mode, self.tuning)
                out.hits = self._hits(db, ranked, q, k, language)
                out.also_searched = dict(retrieved.renderings) if retrieved is not None else {}
        except sqlite3.DatabaseError as exc:
            raise IndexError_(f"{self.folder / 'passages.sqlite'} is damaged ({str(exc)[:80]}); "
                              f"{REBUILD_HINT}") from None
        if self.multilingual_notice and language != "en":
            out.notices.append(self.multilingual_notice)
        if not out.hits:
            out.notices.append("Nothing relevant was found" + (" with these filters" if filters else "") +
                               ". Try removing filters or rephrasing.")
        return out

    def _retrieve(self, db: sqlite3.Connection, q: ParsedQuery, f: Filters, mode: str, k: int) -> Optional[Retrieved]:
        """The ranked lists fusion needs, the question's language among them, or None when the filters
        allow no passage."""
        t = self.tuning
        allowed = store.allowed_ids(db, f)
        if allowed is not None and len(allowed) == 0:
            return None
        n, where = max(t.candidates, 3 * k), store.restriction(db, f)
        multi_side: Optional[Future] = (self._beside.submit(self._multilingual_list, q, n, allowed)
                                        if mode == "hybrid" and self.multi_vectors is not None else None)
        queries = [q]
        if mode == "hybrid" and t.part_weight:
            # Each question of a multi-part query is searched alone as well, so that the answer to
            # one part is not drowned by the words of the others.
            queries += [parse(part, self.settings.max_query_chars) for part in q.parts]
        expanding = mode == "hybrid" and bool(t.thesaurus_dense_weight or t.thesaurus_lexical_weight
                                              or t.operative_weight)  # operative cues read the expansion

        def lexical_side():
            language = multilingual.query_language(q.text, self.settings.model_cache)
            e = expand(q.text, self.thesaurus) if expanding else Expansion()
            # the concepts a question not in English names (its English rendering, and the coverage below)
            named = translate.named(self.thesaurus, q.text, language) if mode == "hybrid" and language != "en" else []
            renderings = (translate.with_gloss(translate.renderings(self.thesaurus, q.text, language, named),
                                               self._gloss(q.text, language))
                          if mode == "hybrid" and rendering_weight(language, t) else {})
            rendered = [parse(text, self.settings.max_query_chars, lang) for lang, text in renderings.items()]
            lists = [self.lexical.search(db, x, n, where) for x in queries] if mode in ("lexical", "hybrid") else []
            th_lists = (self.lexical.search(db, expanded_query(q, e), n, where)
                        if e.phrases and t.thesaurus_lexical_weight else [])
            return (language, e, named, renderings, rendered, lists, th_lists,
                    [self.lexical.search(db, x, n, where) for x in rendered])

        side = self._lexical_side.submit(lexical_side)  # the connection is used by one thread at a time
        try:
            dense = ([self.vectors.search(self._encode(x.dense_text), n, allowed) for x in queries]
                     if mode in ("dense", "hybrid") else [])
        finally:
            wait([side])  # should the encode fail, the connection goes back to the pool only once unused
        language, e, named, renderings, rendered, lexical, th_lexical, translated_lexical = side.result()
        th_dense = (self.vectors.search(self._encode(e.dense_text), n, allowed)
                    if e.dense_text and t.thesaurus_dense_weight else [])
        translated_dense = [self.vectors.search(self._encode(x.dense_text), n, allowed)
                            for x in rendered if language != "en"]
        candidates = list(dict.fromkeys(i for hits in dense + lexical + [th_dense, th_lexical] for i, _ in hits))
        years = {}
        if mode == "hybrid" and q.years and t.year_weight:
            years = store.years_of(db, candidates)
        features, cues = {}, QueryCues()
        if mode == "hybrid" and t.structure():
            features = {i: passage_features(r["label"] or "", r["text"], r["delegation"] or "")
                        for i, r in store.passages_by_id(db, candidates).items()}
            cues = query_cues(q.text, e.phrases)
        multi_vector, multi = multi_side.result() if multi_side is not None else (None, [])
        # every candidate's language and group when the multilingual list is there (fusion keeps a place
        # among distinct answers for another language than the question's)
        found = self._language_groups(db).of(list(dict.fromkeys(
            i for hits in [*dense, *lexical, th_dense, th_lexical, multi, *translated_lexical, *translated_dense]
            for i, _ in hits))) if multi else {}
        coverage = {}
        if named and t.coverage_weight:
            ids = list(dict.fromkeys(i for hits in [*lexical, *dense, multi, *translated_lexical, *translated_dense]
                                     for i, _ in hits[:t.coverage_depth]))
            coverage = {i: share for i, r in store.passages_by_id(db, ids).items()
                        if (share := concept_coverage(r["text"], r["language"] or "en", named))}
        glossed = self._glossed(db, q, language, multi, lexical, found) if mode == "hybrid" else {}
        cosines = {}
        if multi and t.multilingual_rerank_weight and language != "en":
            cosines = {i: float(multi_vector @ self.multi_vectors.vector(i)) for i in found}
            clause = self._clause_vector(q.text) if self.windows is not None and t.window_weight and cosines else None
            if clause is not None:
                for i in cosines:
                    cosines[i] += t.window_weight * self.windows.bonus(i, clause)
        return Retrieved(dense, lexical, q.years, years, thesaurus_dense=th_dense, thesaurus_lexical=th_lexical,
                         features=features, cues=cues, multilingual=multi, query_language=language,
                         multilingual_cosines=cosines, coverage=coverage, glossed=glossed,
                         languages={i: lang for i, (lang, _) in found.items()},
                         groups={i: g for i, (_, g) in found.items()},
                         translated_lexical=translated_lexical, translated_dense=translated_dense,
                         renderings=renderings)

    def _glossed(self, db: sqlite3.Connection, q: ParsedQuery, language: str, multi: Ranked,
                 lexical: list[Ranked], found: dict[int, tuple[str, int]]) -> dict[int, int]:
        """An English question: the passages in another language among the multilingual list's first distinct
        answers (`found`: each id's language and group; one wording in two files is one answer) above its noise
        floor, by the rank their English gloss would take in the question's word list (Tuning.passage_gloss_*)."""
        t = self.tuning
        glosses = self.lexicon.glosses if self.lexicon is not None else {}
        if language != "en" or not t.passage_gloss_weight or not glosses:
            return {}
        groups: set[int] = set()
        ids = []
        for i, cosine in multi:
            groups.add(found[i][1] if i in found else -1 - i)
            if len(groups) > t.passage_gloss_within or cosine < t.multilingual_floor:
                break
            if i in glosses:
                ids.append(i)
        scores = self.lexical.score_texts(db, q, [glosses[i] for i in ids]) if ids else []
        return {i: 1 + sum(1 for j, s in lexical[0] if s > score and j != i)
                for i, (score, words) in zip(ids, scores) if score > 0 and words >= t.passage_gloss_words}

    def _hits(self, db: sqlite3.Connection, ranked: Ranked, q: ParsedQuery, k: int, language: str) -> list[Hit]:
        ranked = ranked[: 4 * k + 20]  # what is shown comes from these rows: the rest would be skipped below
        keys = store.passage_keys(db, [i for i, _ in ranked])
        ranked = multilingual.in_query_language(ranked, keys, language)
        picked, seen_groups = [], set()
        for i, score in ranked:
            row = keys.get(i)
            if row is None:
                continue
            if row["group_id"] in seen_groups:
                continue
            seen_groups.add(row["group_id"])
            picked.append((i, score))
            if len(picked) == k:
                break
        rows = store.passages_by_id(db, [i for i, _ in picked])
        chosen = [(rows[i], score) for i, score in picked]
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
    def passage(self, passage_id: int) -> Optional[Hit]:
        """One passage as a Hit (with its `also_in`), for links that name a passage id; None if absent."""
        with self._connection() as db:
            hits = self._hits(db, [(passage_id, 0.0)], parse("", self.settings.max_query_chars), 1, "en")
        return hits[0] if hits else None

    def parallels(self, hit: Hit) -> list[dict]:
        """The same passage in the document's other language versions: same label, and the same symbol or a
        translation's own symbol that names it (`multilingual.version_symbol`), whichever version was hit."""
        if not hit.symbol or not hit.label:
            return []
        with self._connection() as db:
            of, versions = self._versions(db)
            others = [d for d in versions.get(of.get(hit.doc_id, ""), ()) if d != hit.doc_id]
            return [dict(r) for r in store.parallels(db, others, hit.label, hit.doc_id)]

    def _language_groups(self, db: sqlite3.Connection) -> store.LanguageGroups:
        """Every passage's language and group, read at first use (an index version never changes)."""
        with self._lock:
            if self._languages is None:
                self._languages = store.language_groups(db)
            return self._languages

    def _versions(self, db: sqlite3.Connection) -> tuple[dict[str, str], dict[str, list[str]]]:
        """doc_id -> the symbol of the document it is a version of, and that symbol -> its versions' doc_ids;
        read once (a version never changes), so that a card's parallels are two lookups."""
        with self._lock:
            if self._version_symbols is None:
                of = {r["doc_id"]: multilingual.version_symbol(r["symbol"], r["language"] or "")
                      for r in store.document_symbols(db)}
                versions: dict[str, list[str]] = {}
                for doc_id, symbol in of.items():
                    versions.setdefault(symbol, []).append(doc_id)
                self._version_symbols = (of, versions)
            return self._version_symbols

    def context(self, hit: Hit, before: int = 2, after: int = 2) -> list[dict]:
        """The passages around a hit in its document, the hit included."""
        with self._connection() as db:
            return [dict(r) for r in store.neighbours(db, hit.doc_id, hit.ordinal, before, after)]

    def whole_list(self, hit: Hit) -> Optional["WholeList"]:
        """The numbered or bulleted list the hit is an item (or the lead-in) of, None when it is in none."""
        from .lists import SPAN, list_around

        with self._connection() as db:
            return list_around([dict(r) for r in store.list_rows(db, hit.doc_id, hit.ordinal, SPAN)], hit.ordinal)

    def documents(self) -> list[dict]:
        with self._connection() as db:
            return [dict(r) for r in store.documents(db)]

    def passage_count(self) -> int:
        with self._connection() as db:
            return db.execute("SELECT count(*) FROM passages").fetchone()[0]

    # -- comparison and lineage (index/compare.py, index/lineage.py) -----------
    def compare(self, a: str, b: str) -> "CompareResult":
        """Two documents (symbols or ids) aligned paragraph by paragraph, with word diffs."""
        from .compare import compare

        with self._connection() as db:
            return compare(db, a, b)

    def lineage(self, passage: str | int) -> "Lineage":
        """Every version of a passage's wording ("SYMBOL, LABEL" or passage id), oldest first."""
        from .lineage import lineage

        with self._connection() as db:
            return lineage(db, self.vectors, passage)

    def texts(self, passage_ids: list[int]) -> dict[int, str]:
        """Verbatim texts by passage id (to judge the members of a grouped hit)."""
        with self._connection() as db:
            return {i: r["text"] for i, r in store.passages_by_id(db, passage_ids).items()}
