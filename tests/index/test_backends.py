"""The backend seams (index/backends): the defaults implement the Protocols, the registry finds
backends by the settings' names, the manifest records them, and an index built by other backends
is refused with the rebuild message naming both."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from index import IndexUnavailable, Searcher, backends
from index.backends.base import Embedder, LexicalIndex, UnknownBackend, VectorIndex
from index.backends.faiss_tiers import FaissTiers
from index.backends.fts5 import Fts5Lexical
from index.manifest import DEFAULT_BACKENDS, check_compatible, read_manifest
from ingest.settings import Settings
from tests.index.index_helpers import live_folder
from tests.index.test_manifest import _manifest


class OtherLexical(Fts5Lexical):
    """FTS5 under another name: what an index built by a different lexical backend looks like to a Searcher."""

    name = "other-lexical"


@pytest.fixture
def other_lexical():
    previous = backends.register_lexical_index("other-lexical", OtherLexical)
    yield
    backends.register_lexical_index("other-lexical", previous)


def test_the_defaults_implement_the_protocols(embedder):
    settings = replace(Settings.from_env({}), exact_search_limit=10)
    vectors = np.eye(4, dtype=np.float32)
    index = backends.vector_index(settings).build(vectors, settings)
    assert isinstance(index, VectorIndex) and isinstance(index, FaissTiers)
    assert (index.ntotal, index.dimension, index.params()["kind"]) == (4, 4, "flat")
    assert index.search(vectors[2], 1) == [(2, pytest.approx(1.0))]
    assert isinstance(backends.lexical_index(settings), LexicalIndex)
    assert isinstance(embedder, Embedder)
    # DEFAULT_BACKENDS is what built manifests that predate `backends`; the embedder default is now onnx
    assert backends.names(settings) == {**DEFAULT_BACKENDS, "embedder": "onnx"}


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownBackend, match=r"unknown lexical index backend 'nope'; known: .*sqlite-fts5"):
        backends.lexical_index(replace(Settings.from_env({}), lexical_backend="nope"))
    with pytest.raises(UnknownBackend, match=r"embedder backend 'nope'.*sentence-transformers"):
        backends.embedder(replace(Settings.from_env({}), embedder="nope"))


def test_a_registered_backend_is_found_by_name_and_can_be_removed(other_lexical):
    assert isinstance(backends.lexical_index(replace(Settings.from_env({}), lexical_backend="other-lexical")), OtherLexical)
    backends.register_lexical_index("other-lexical", None)
    with pytest.raises(UnknownBackend):
        backends.lexical_index(replace(Settings.from_env({}), lexical_backend="other-lexical"))


def test_another_backend_than_the_one_that_built_the_index_is_refused_by_name(tmp_path):
    check_compatible(_manifest(), tmp_path, "model-a", DEFAULT_BACKENDS)  # manifests before backends were recorded
    built = _manifest(backends={**DEFAULT_BACKENDS, "vector_index": "hnswlib"})
    with pytest.raises(IndexUnavailable, match=r"vector_index backend 'hnswlib', but 'faiss' is configured.*rebuild"):
        check_compatible(built, tmp_path, "model-a", DEFAULT_BACKENDS)


@pytest.mark.slow
def test_the_manifest_records_the_backends_and_a_searcher_checks_them(small_index, embedder, other_lexical):
    m = read_manifest(live_folder(small_index.index))
    assert m.backends == backends.names(small_index) == {**DEFAULT_BACKENDS, "embedder": "onnx"}
    assert m.lexical["tokenizer"].startswith("porter") and m.lexical["column_weights"] == [1.0, 0.3, 0.2, 0.3]
    other = replace(small_index, lexical_backend="other-lexical")
    with pytest.raises(IndexUnavailable, match=r"lexical backend 'sqlite-fts5', but 'other-lexical' is configured"):
        Searcher.open(small_index.index, settings=other, embedder=embedder)
    # an injected backend is the caller's choice: it answers from the same passages
    searcher = Searcher.open(small_index.index, settings=other, embedder=embedder, lexical=Fts5Lexical())
    assert searcher.answer("navigation beacons", 3, mode="lexical").hits
