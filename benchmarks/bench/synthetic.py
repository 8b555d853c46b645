"""Sizes beyond the real corpus: synthetic passages and vectors, and the ANN variants to compare.

The vectors are mixtures of real vectors (so their neighbourhoods look like the real ones, near
duplicates included); the texts are the sentences of real passages mixed, so that dense and lexical
retrieval agree. They reach the index through the build's public `build_documents`, with the
vectors handed in by `Precomputed` (an embedder) and an ANN variant handed in as the build's
vector-index choice: the engine is never patched.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

SYNTH_PER_DOC = 20  # synthetic passages per synthetic document
ANN_SPEC = re.compile(r"ivf(\d+)-(flat|sq8|sq4|fp16|pq(\d+))")


def ann_index(vecs, spec: str, nprobe: int):
    """A FAISS index for an `ivf<nlist>-<flat|sq8|pq<M>>` spec, inner product; trained on a sample."""
    import faiss
    import numpy as np

    m = ANN_SPEC.fullmatch(spec)
    if not m:
        raise ValueError(f"unknown --ann-large spec {spec!r}")
    nlist, code = int(m.group(1)), m.group(2)
    d = vecs.shape[1]
    quantizer = faiss.IndexFlatIP(d)
    if code == "flat":
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    elif code.startswith("pq"):
        index = faiss.IndexIVFPQ(quantizer, d, nlist, int(m.group(3)), 8, faiss.METRIC_INNER_PRODUCT)
    else:
        qt = {"sq8": faiss.ScalarQuantizer.QT_8bit, "sq4": faiss.ScalarQuantizer.QT_4bit,
              "fp16": faiss.ScalarQuantizer.QT_fp16}[code]
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, qt, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    sample = vecs[np.sort(rng.choice(len(vecs), size=min(len(vecs), max(40 * nlist, 50_000)), replace=False))]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    for lo in range(0, len(vecs), 100_000):
        index.add(np.ascontiguousarray(vecs[lo:lo + 100_000], dtype=np.float32))
    index.nprobe = nprobe
    return index


def ann_variant(spec: str, nprobe: int) -> type:
    """A VectorIndex class for an `--ann-large` variant, handed to the build: it saves IVF parameters
    (kind "ivf", which the project's FaissTiers reads back) and the variant's FAISS index, whatever the size."""
    from index.backends.faiss_tiers import FaissTiers, VectorParams

    m = ANN_SPEC.fullmatch(spec)
    if not m:
        raise ValueError(f"unknown --ann-large spec {spec!r}")

    class Variant(FaissTiers):
        @classmethod
        def build(cls, vecs, settings):
            return cls(ann_index(vecs, spec, nprobe), VectorParams("ivf", nlist=int(m.group(1)), nprobe=nprobe))

    return Variant


def synthetic_vectors(base_vecs, size: int, seed: int = 20261128, pairs=None):
    """normalize(0.8 v_a + 0.35 v_b + N(0, 0.02^2)) for random real vectors v_a, v_b: (vectors, a, b, rng).
    `pairs` (a, b) reuses the pairs of an earlier call (the same passages in the second vector space)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    a = rng.integers(len(base_vecs), size=size)
    b = rng.integers(len(base_vecs), size=size)
    if pairs is not None:
        a, b = pairs
    vecs = np.empty((size, base_vecs.shape[1]), dtype=np.float32)
    for lo in range(0, size, 100_000):
        hi = min(size, lo + 100_000)
        x = 0.8 * base_vecs[a[lo:hi]] + 0.35 * base_vecs[b[lo:hi]]
        x += rng.standard_normal(x.shape, dtype=np.float32) * 0.02
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        vecs[lo:hi] = x
    return vecs, a, b, rng


def synthetic_multilingual(base: Path, a, b):
    """The second (multilingual) index's vectors for the same synthetic passages, mixed from the real
    index's `embeddings-multi.npy` by the same pairs (a, b), as a `Precomputed` embedder under the real
    model's name; None when the real index has no multilingual index (the setting is off)."""
    import json

    import numpy as np

    entry = json.loads((base / "manifest.json").read_text(encoding="utf-8")).get("multilingual") or {}
    if not entry:
        return None
    base_vecs = np.load(base / "embeddings-multi.npy", allow_pickle=False)
    vecs, _, _, _ = synthetic_vectors(base_vecs, len(a), pairs=(a, b))
    return Precomputed(entry["model"], vecs)


def synthetic_documents(rows: list, a, b, rng, size: int) -> list:
    """`size` passages in documents of SYNTH_PER_DOC: passage j mixes the sentences of real passages
    a[j] and b[j] (`rows`: text, heading, context, title of the real passages)."""
    from ingest.pipeline import Document
    from ingest.records import BODIES, Passage, SourceEntry

    splitter = re.compile(r"(?<=[.;:])\s+")
    sents = [[s for s in splitter.split(r["text"]) if s.strip()] or [r["text"]] for r in rows]
    pick = rng.random(size)
    docs = []
    years = rng.integers(2000, 2026, size=size // SYNTH_PER_DOC + 1)
    for d0 in range(0, size, SYNTH_PER_DOC):
        k = d0 // SYNTH_PER_DOC
        title = rows[a[d0]]["title"] or "Synthetic document"
        src = SourceEntry(id=f"syn-{k:07d}", title=title, body=BODIES[k % len(BODIES)], date=f"{years[k]}-06-01",
                          type="report", symbol=f"SYN/{k}", url="", file=f"syn-{k:07d}.txt", catalogued=False)
        passages, pos = [], 0
        for j in range(d0, min(size, d0 + SYNTH_PER_DOC)):
            sa, sb = sents[a[j]], sents[b[j]]
            cut = max(1, int(len(sa) * (0.5 + 0.5 * pick[j])))
            text = " ".join(sa[:cut] + [sb[j % len(sb)]])
            passages.append(Passage(doc_id=src.id, ordinal=j - d0, label=f"para. {j - d0 + 1}", text=text,
                                    start=pos, end=pos + len(text), heading=rows[a[j]]["heading"] or "",
                                    context=rows[a[j]]["context"] or ""))
            pos += len(text) + 2
        docs.append(Document(src, Path(src.file), hashlib.sha256(src.id.encode()).hexdigest(), None, passages))
    return docs


class Precomputed:
    """An embedder that hands back precomputed vectors in the order asked: the synthetic sizes' model."""

    def __init__(self, name: str, vecs):
        self.name, self.vecs = name, vecs
        self.dimension = vecs.shape[1]

    def encode_query(self, text: str):
        raise ValueError("the synthetic sizes encode no query: their queries come from the real index")

    def encode_passages(self, texts, batch_size=32, progress=lambda d, t: None):
        if len(texts) != len(self.vecs):
            raise ValueError(f"asked for {len(texts)} vectors, holds {len(self.vecs)}")
        progress(len(texts), len(texts))
        return self.vecs
