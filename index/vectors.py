"""The FAISS side: exact inner product for small corpora, HNSW above a threshold.

Vectors are normalized, so inner product is cosine similarity. Row i of the
FAISS index is passage id i in the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import faiss
import numpy as np

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


@dataclass
class VectorParams:
    kind: str  # "flat" or "hnsw"
    m: int = 0
    ef_construction: int = 0
    ef_search: int = 0

    def to_json(self) -> dict:
        return {"kind": self.kind, "m": self.m, "ef_construction": self.ef_construction,
                "ef_search": self.ef_search}


def choose_params(n: int, exact_limit: int) -> VectorParams:
    if n <= exact_limit:
        return VectorParams("flat")
    return VectorParams("hnsw", HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH)


def build(vectors: np.ndarray, params: VectorParams) -> faiss.Index:
    d = vectors.shape[1]
    if params.kind == "flat":
        index = faiss.IndexFlatIP(d)
    else:
        index = faiss.IndexHNSWFlat(d, params.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = params.ef_construction
        index.hnsw.efSearch = params.ef_search
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load(path: Path, params: VectorParams) -> faiss.Index:
    index = faiss.read_index(str(path))
    if params.kind == "hnsw":
        index.hnsw.efSearch = params.ef_search
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
    else:
        sel = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        cls = faiss.SearchParametersHNSW if isinstance(index, faiss.IndexHNSW) else faiss.SearchParameters
        params = cls(sel=sel)
        if isinstance(index, faiss.IndexHNSW):
            params.efSearch = max(HNSW_EF_SEARCH, k)
        scores, ids = index.search(q, k, params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
