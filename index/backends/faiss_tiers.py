"""The FAISS vector index (the default): exact search for small corpora, quantized inverted lists above.

Vectors are normalized, so inner product is cosine similarity. Row i of the
FAISS index is passage id i in the database. Two tiers, by size:

- flat (exact) up to `exact_limit` vectors: a few ms per query at 50k;
- IVF lists with 8-bit scalar quantization above: trained in seconds, 384 bytes a
  vector, recall@10 0.976 at 300k and 0.974 at 1M synthetic passages, 3-7 ms per query.
  HNSW was measured and rejected: slow to build (15-20 min at 1M here), 1.8 kB a vector,
  and recall@10 0.66 at 100k on the near-duplicate-rich synthetic vectors (docs/performance.md).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Optional

import faiss
import numpy as np

from ingest.settings import Settings

from .base import Ranked

IVF_NPROBE = 64
IVF_TRAIN_MIN = 50_000  # training sample: at least this many vectors, or 40 per list
EXACT_FILTER_LIMIT = 20_000  # a filter allowing fewer ids is answered exactly: an ANN walk may miss them


@dataclass
class VectorParams:
    kind: str  # "flat" or "ivf-sq8"
    nlist: int = 0  # IVF lists
    nprobe: int = 0  # IVF lists visited per query

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "VectorParams":
        """Parameters from a manifest; keys of other versions are ignored, an unknown kind refused."""
        params = cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
        if params.kind != "flat" and not params.kind.startswith("ivf"):  # "ivf": the bench's variants
            raise ValueError(f"unknown vector index kind {params.kind!r}")
        return params


def choose_params(n: int, exact_limit: int) -> VectorParams:
    if n <= exact_limit:
        return VectorParams("flat")
    nlist = min(1024 if n <= 2_000_000 else 4096, max(1, n // 40))  # k-means wants ≥ 39 points a list
    return VectorParams("ivf-sq8", nlist=nlist, nprobe=min(IVF_NPROBE, nlist))


def train(vectors: np.ndarray, params: VectorParams) -> faiss.Index:
    """A FAISS index of the tier `params` names, holding all of `vectors`."""
    d = vectors.shape[1]
    if params.kind == "flat":
        index = faiss.IndexFlatIP(d)
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


class FaissTiers:
    """A FAISS index and the parameters it was built with (VectorIndex in base.py)."""

    name = "faiss"

    def __init__(self, index: faiss.Index, params: VectorParams):
        self.index, self.vector_params = index, params

    @classmethod
    def build(cls, vectors: np.ndarray, settings: Settings) -> "FaissTiers":
        params = choose_params(len(vectors), settings.exact_search_limit)
        return cls(train(vectors, params), params)

    @classmethod
    def load(cls, path: Path, params: dict) -> "FaissTiers":
        vector_params = VectorParams.from_json(params)
        index = faiss.read_index(str(path))
        if isinstance(index, faiss.IndexIVF):
            index.nprobe = vector_params.nprobe
            index.make_direct_map()  # lets a narrow filter read its vectors back (8 bytes a vector)
        return cls(index, vector_params)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    def params(self) -> dict:
        return self.vector_params.to_json()

    def vector(self, passage_id: int) -> np.ndarray:
        return self.index.reconstruct(int(passage_id))  # IVF: load() made the direct map

    def search(self, query: np.ndarray, k: int, allowed: Optional[np.ndarray] = None) -> Ranked:
        """Top-k (id, cosine) pairs, restricted to `allowed` ids when given."""
        index = self.index
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
            if isinstance(index, faiss.IndexIVF):  # IndexIVF refuses plain SearchParameters
                params = faiss.SearchParametersIVF(sel=sel, nprobe=index.nprobe)
            else:
                params = faiss.SearchParameters(sel=sel)
            scores, ids = index.search(q, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


def _exact_among(index: faiss.Index, q: np.ndarray, k: int, allowed: np.ndarray) -> Ranked:
    """Exact scores over the allowed ids' stored vectors (decoded, for a quantized index)."""
    ids = np.ascontiguousarray(allowed, dtype=np.int64)
    scores = index.reconstruct_batch(ids) @ q
    top = np.argsort(-scores, kind="stable")[:k]
    return [(int(ids[j]), float(scores[j])) for j in top]
