"""The sentence-transformers embedder (the default): the model loaded once, used in length-sorted batches.

`calls` and `encoded` count the work done, so tests can prove that an
incremental rebuild re-embeds only what changed.
"""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ingest.settings import ModelUnavailable, resolve_model

from .base import ProgressFn


class SentenceTransformerEmbedder:
    def __init__(self, model: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is downloaded at run time
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer

        self.name = model
        self.path = resolve_model(model)
        try:
            self.model = SentenceTransformer(self.path, device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(f"cannot load model {model!r} ({exc}); name a local "
                                   "sentence-transformers folder with --model or NORMBASE_MODEL") from None
        self.dimension = int(self.model.get_embedding_dimension()
                             if hasattr(self.model, "get_embedding_dimension")
                             else self.model.get_sentence_embedding_dimension())
        self.max_tokens = int(self.model.max_seq_length)
        self.calls = 0
        self.encoded = 0

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        progress: ProgressFn = lambda done, total: None) -> np.ndarray:
        """Normalized float32 vectors, in the order of `texts`.

        Texts are sorted by length so each batch pads to similar lengths;
        the result is written straight into one preallocated array.
        """
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for lo in range(0, len(order), batch_size):
            idx = order[lo:lo + batch_size]
            out[idx] = self._encode([texts[i] for i in idx])
            progress(min(lo + batch_size, len(order)), len(order))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        """One short text on one thread: PyTorch's second thread gains nothing on a query, and when the
        other core is busy its spinning partner turned 30 ms into 500 ms (docs/performance.md)."""
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self._encode([text])[0]
        finally:
            torch.set_num_threads(threads)

    def _encode(self, batch: list[str]) -> np.ndarray:
        self.calls += 1
        self.encoded += len(batch)
        return self.model.encode(batch, batch_size=len(batch), normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False).astype(np.float32, copy=False)
