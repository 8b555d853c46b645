"""The FAISS side: exact search for small corpora, graph or quantized lists above.

Vectors are normalized, so inner product is cosine similarity. Row i of the
FAISS index is passage id i in the database. Three tiers, by size:

- flat (exact) up to `exact_limit` vectors: at most a few ms per query;
- HNSW up to `hnsw_limit`: fast queries, but slow to build and 1.8 kB a vector;
- IVF lists with 8-bit scalar quantization above: trained in seconds, 384 bytes a
  vector, recall@10 0.97 at 1M passages (docs/performance.md).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import faiss
import numpy as np

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
IVF_NPROBE = 64
IVF_TRAIN_MIN = 50_000  # training sample: at least this many vectors, or 40 per list
EXACT_FILTER_LIMIT = 20_000  # a filter allowing fewer ids is answered exactly: an ANN walk may miss them


@dataclass
class VectorParams:
    kind: str  # "flat", "hnsw" or "ivf-sq8"
    m: int = 0  # HNSW links per node
    ef_construction: int = 0
    ef_search: int = 0
    nlist: int = 0  # IVF lists
    nprobe: int = 0  # IVF lists visited per query

    def to_json(self) -> dict:
        return asdict(self)


def choose_params(n: int, exact_limit: int, hnsw_limit: int) -> VectorParams:
    if n <= exact_limit:
        return VectorParams("flat")
    if n <= hnsw_limit:
        return VectorParams("hnsw", HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH)
    nlist = min(1024 if n <= 2_000_000 else 4096, max(1, n // 40))  # k-means wants ≥ 39 points a list
    return VectorParams("ivf-sq8", nlist=nlist, nprobe=min(IVF_NPROBE, nlist))


def build(vectors: np.ndarray, params: VectorParams) -> faiss.Index:
    d = vectors.shape[1]
    if params.kind == "flat":
        index = faiss.IndexFlatIP(d)
    elif params.kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, params.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = params.ef_construction
        index.hnsw.efSearch = params.ef_search
    else:
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(d), d, params.nlist,
                                              faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        take = np.random.default_rng(0).choice(len(vectors), min(len(vectors), max(40 * params.nlist, IVF_TRAIN_MIN)),
                                               replace=False)
        index.train(np.ascontiguousarray(vectors[np.sort(take)], dtype=np.float32))
        index.nprobe = params.nprobe
    for lo in range(0, len(vectors), 100_000):  # in slices: no second full-size copy
        index.add(np.ascontiguousarray(vectors[lo:lo + 100_000], dtype=np.float32))
    return index


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load(path: Path, params: VectorParams) -> faiss.Index:
    index = faiss.read_index(str(path))
    if params.kind == "hnsw":
        index.hnsw.efSearch = params.ef_search
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = params.nprobe
        index.make_direct_map()  # lets a narrow filter read its vectors back (8 bytes a vector)
    return index


def search(index: faiss.Index, query: np.ndarray, k: int,
           allowed: Optional[np.ndarray] = None) -> list[tuple[int, float]]:
    """Top-k (id, cosine) pairs, restricted to `allowed` ids when given."""
    if index.ntotal == 0 or k <= 0:
        return []
    q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    k = min(k, index.ntotal if allowed is None else len(allowed))
    if k == 0:
        return []
    if allowed is None:
        scores, ids = index.search(q, k)
    elif not isinstance(index, faiss.IndexFlat) and len(allowed) <= EXACT_FILTER_LIMIT:
        return _exact_among(index, q[0], k, allowed)
    else:
        sel = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        if isinstance(index, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(HNSW_EF_SEARCH, k))
        elif isinstance(index, faiss.IndexIVF):
            params = faiss.SearchParametersIVF(sel=sel, nprobe=index.nprobe)
        else:
            params = faiss.SearchParameters(sel=sel)
        scores, ids = index.search(q, k, params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


def _exact_among(index: faiss.Index, q: np.ndarray, k: int, allowed: np.ndarray) -> list[tuple[int, float]]:
    """Exact scores over the allowed ids' stored vectors (decoded, for a quantized index)."""
    ids = np.ascontiguousarray(allowed, dtype=np.int64)
    scores = index.reconstruct_batch(ids) @ q
    top = np.argsort(-scores, kind="stable")[:k]
    return [(int(ids[j]), float(scores[j])) for j in top]
