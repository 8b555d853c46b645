"""The bench's synthetic sizes: what they hand the build instead of a model and the project's index."""
from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.bench.synthetic import (SYNTH_PER_DOC, Precomputed, ann_variant, synthetic_documents,
                                        synthetic_multilingual, synthetic_vectors)


def test_an_ann_variant_is_a_vector_index_class_with_ivf_parameters(tmp_path) -> None:
    from index.backends.faiss_tiers import FaissTiers
    from ingest.settings import Settings

    base = np.random.default_rng(1).standard_normal((3000, 16)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    settings = Settings.from_env({}, exact_search_limit=100_000)  # the variant whatever the exact limit
    built = ann_variant("ivf16-sq8", 4).build(base, settings)
    params = built.params()
    assert (params["kind"], params["nlist"], params["nprobe"]) == ("ivf", 16, 4)
    assert built.ntotal == 3000 and built.index.nprobe == 4 and built.index.nlist == 16
    built.save(tmp_path / "v.faiss")  # the project's reader takes the variant back
    again = FaissTiers.load(tmp_path / "v.faiss", params)
    assert [i for i, _ in again.search(base[7], 1)] == [7]
    with pytest.raises(ValueError, match="unknown --ann-large spec"):
        ann_variant("hnsw32", 4)


def test_synthetic_passages_mix_real_sentences_in_documents_of_twenty() -> None:
    rows = [{"text": f"First {i}. Second {i}; third {i}.", "heading": f"H{i}", "context": "", "title": f"T{i}"}
            for i in range(5)]
    base = np.eye(5, 8, dtype=np.float32)
    vecs, a, b, rng = synthetic_vectors(base, 45)
    assert vecs.shape == (45, 8) and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    docs = synthetic_documents(rows, a, b, rng, 45)
    assert [len(d.passages) for d in docs] == [SYNTH_PER_DOC, SYNTH_PER_DOC, 5]
    p = docs[0].passages[3]
    assert p.text.startswith(f"First {a[3]}.") and p.heading == f"H{a[3]}"
    assert sum(len(d.passages) for d in docs) == 45


def test_precomputed_vectors_refuse_a_different_count() -> None:
    emb = Precomputed("m", np.zeros((3, 4), dtype=np.float32))
    seen = []
    assert emb.encode_passages(["a", "b", "c"], progress=lambda d, t: seen.append((d, t))).shape == (3, 4)
    assert seen == [(3, 3)]
    with pytest.raises(ValueError, match="asked for 2 vectors, holds 3"):
        emb.encode_passages(["a", "b"])


def test_synthetic_multilingual_vectors_mix_the_same_pairs_in_the_second_space(tmp_path) -> None:
    rng = np.random.default_rng(3)
    first = rng.standard_normal((30, 8)).astype(np.float32)
    second = rng.standard_normal((30, 5)).astype(np.float32)
    np.save(tmp_path / "embeddings-multi.npy", second, allow_pickle=False)
    (tmp_path / "manifest.json").write_text(json.dumps({"multilingual": {"model": "usem3-x"}}), encoding="utf-8")
    _, a, b, _ = synthetic_vectors(first, 200)
    multi = synthetic_multilingual(tmp_path, a, b)
    assert multi.name == "usem3-x" and multi.vecs.shape == (200, 5)
    expected = 0.8 * second[a] + 0.35 * second[b]
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.all(np.einsum("ij,ij->i", multi.vecs, expected) > 0.95)  # the same passages, noise aside
    (tmp_path / "manifest.json").write_text(json.dumps({"multilingual": {}}), encoding="utf-8")
    assert synthetic_multilingual(tmp_path, a, b) is None
