"""The FAISS backend's two tiers (flat, IVF-SQ8): chosen by size, saved and loaded, and filtered correctly.

Recall is checked against exact inner product on clustered random vectors, as real
embeddings are clustered; the end-to-end test builds the fixture corpus with the exact-search
limit lowered, so the quantized tier runs through build(), the manifest and the Searcher.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from index import Searcher
from index.backends import faiss_tiers
from index.backends.faiss_tiers import FaissTiers, VectorParams
from index.build import build
from index.manifest import current_version, read_manifest
from tests.index.index_helpers import copy_corpus, make_settings

D = 32


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    """4,000 vectors in 40 clusters, and 50 queries near them; all normalized."""
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((40, D)).astype(np.float32)
    x = centres[rng.integers(40, size=4000)] + 0.35 * rng.standard_normal((4000, D)).astype(np.float32)
    q = centres[rng.integers(40, size=50)] + 0.35 * rng.standard_normal((50, D)).astype(np.float32)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)), (q / np.linalg.norm(q, axis=1, keepdims=True))


def exact_top(x: np.ndarray, q: np.ndarray, k: int, among: np.ndarray | None = None) -> list[int]:
    ids = np.arange(len(x)) if among is None else among
    scores = x[ids] @ q
    return [int(ids[j]) for j in np.argsort(-scores, kind="stable")[:k]]


PARAMS = {
    "flat": VectorParams("flat"),
    "ivf-sq8": VectorParams("ivf-sq8", nlist=40, nprobe=8),
}


def saved_and_loaded(x: np.ndarray, params: VectorParams, path) -> FaissTiers:
    FaissTiers(faiss_tiers.train(x, params), params).save(path)
    return FaissTiers.load(path, params.to_json())


def test_the_tier_follows_the_size():
    assert faiss_tiers.choose_params(100, 100).kind == "flat"
    assert faiss_tiers.choose_params(101, 100).kind == "ivf-sq8"
    big = faiss_tiers.choose_params(1_000_000, 50_000)
    assert (big.kind, big.nlist, big.nprobe) == ("ivf-sq8", 1024, faiss_tiers.IVF_NPROBE)
    small = faiss_tiers.choose_params(2_000, 10)
    assert small.kind == "ivf-sq8" and small.nlist == 50, "k-means needs about 40 points per list"


@pytest.mark.parametrize("kind", PARAMS)
def test_saved_and_loaded_each_tier_finds_the_exact_neighbours(data, tmp_path, kind):
    x, qs = data
    index = saved_and_loaded(x, PARAMS[kind], tmp_path / "v.faiss")
    assert index.ntotal == len(x)
    recall = np.mean([len(set(exact_top(x, q, 10)) & {i for i, _ in index.search(q, 10)}) / 10
                      for q in qs])
    assert recall >= (1.0 if kind == "flat" else 0.9), recall
    hits = index.search(qs[0], 10)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert abs(hits[0][1] - float(x[hits[0][0]] @ qs[0])) < 0.02, "scores are cosines (8-bit codes: close)"


@pytest.mark.parametrize("kind", PARAMS)
@pytest.mark.parametrize("allowed_n", [7, 300, 3000])
def test_a_filter_returns_only_allowed_ids_and_narrow_ones_exactly(data, tmp_path, kind, allowed_n):
    x, qs = data
    index = saved_and_loaded(x, PARAMS[kind], tmp_path / "v.faiss")
    allowed = np.sort(np.random.default_rng(allowed_n).choice(len(x), allowed_n, replace=False))
    for q in qs[:10]:
        got = index.search(q, 10, allowed)
        assert {i for i, _ in got} <= set(allowed.tolist())
        assert len(got) == min(10, allowed_n), "a narrow filter still fills the page"
        truth = exact_top(x, q, 10, allowed)
        if kind != "ivf-sq8" or allowed_n <= faiss_tiers.EXACT_FILTER_LIMIT:
            overlap = len({i for i, _ in got} & set(truth)) / len(truth)
            assert overlap >= (1.0 if kind != "ivf-sq8" else 0.8), (kind, allowed_n, overlap)


@pytest.fixture(scope="module")
def flat_reference(small_searcher):
    return {q: [h.passage_id for h in small_searcher.answer(q, 3, mode="dense").hits]
            for q in ("protection of undersea cables", "points of contact for incidents")}


@pytest.mark.slow
def test_the_quantized_tier_runs_through_build_and_search(tmp_path, embedder, flat_reference):
    settings = replace(make_settings(tmp_path, copy_corpus(tmp_path / "corpus")), exact_search_limit=5)
    build(settings, embedder=embedder)
    assert read_manifest(current_version(settings.index)).vector_index["kind"] == "ivf-sq8"
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    for q, ids in flat_reference.items():
        assert [h.passage_id for h in searcher.answer(q, 3, mode="dense").hits][:1] == ids[:1], q


def test_a_wide_filter_walks_the_ann_index_with_a_selector(data, tmp_path, monkeypatch):
    x, qs = data
    monkeypatch.setattr(faiss_tiers, "EXACT_FILTER_LIMIT", 100)  # 3,000 allowed ids: the ANN path
    index = saved_and_loaded(x, PARAMS["ivf-sq8"], tmp_path / "v.faiss")
    allowed = np.arange(0, len(x), 2)[:2000]
    recall = []
    for q in qs:
        got = [i for i, _ in index.search(q, 10, allowed)]
        assert set(got) <= set(allowed.tolist()) and len(got) == 10
        recall.append(len(set(got) & set(exact_top(x, q, 10, allowed))) / 10)
    assert np.mean(recall) >= 0.85, np.mean(recall)
