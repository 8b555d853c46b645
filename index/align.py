"""Aligning two documents paragraph by paragraph, and word-level diffs.

Pure functions over texts; `index.compare` feeds them a document's paragraphs
and `index.lineage` uses the same wording measures to judge candidate versions.

Alignment in three passes, so that a 500-paragraph convention aligns in well
under a second while edited, split, merged and moved paragraphs still pair up:
1. anchors: paragraphs whose wording is the same (numbering and spacing aside)
   are matched in order by difflib's longest matching blocks;
2. between anchors, a Gale-Church style dynamic programme over word-bigram
   overlap pairs paragraphs one to one, one to two (a split) or two to one (a merge);
3. what is still unmatched on both sides is paired greedily when the wording is
   close enough: a paragraph moved, say, from the operative to the preambular part.

A pair is `same` when its wording is the same, `changed` otherwise; the rest is
`removed` (only in A) or `added` (only in B).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal, Optional, Sequence

import numpy as np
from diff_match_patch import diff_match_patch

Status = Literal["same", "changed", "added", "removed"]
STATUSES: tuple[Status, ...] = ("same", "changed", "added", "removed")

MATCH_DICE = 0.3  # pairs whose bigram overlap (Dice) is below this are not one paragraph edited
MOVE_DICE = 0.45  # out-of-order pairs need closer wording: a move is a stronger claim
SPLIT_PENALTY = 2.0  # in bigrams: a split or merge must gain this much over a plain pair
SPLIT_CONTAINMENT = 0.5  # each piece of a split or merge must have this share of its bigrams in the whole
ANCHOR_CHARS = 40  # shorter paragraphs ("1 A/65/201.", "(a) None;") recur anywhere: no anchors
SENTENCE_WORDS = 5  # shorter sentences ("Calls upon Member States:") are not "wording in common"

DIFF_TOKENS = 1500  # up to this many words, spaces and marks on both sides the diff is minimal, whatever the load
DIFF_SECONDS = 0.2  # past DIFF_TOKENS, the library's time limit: a coarser diff (still exact) of two long texts

_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.|\((?:[a-z]{1,4}|\d{1,3})\)|[a-z]\))\s+", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+|\n+")


@dataclass(frozen=True)
class DiffOp:
    """One stretch of a word diff: `equal`, `insert` (only in B) or `delete` (only in A)."""

    op: Literal["equal", "insert", "delete"]
    text: str

    def to_json(self) -> dict:
        return {"op": self.op, "text": self.text}


@dataclass(frozen=True)
class Pair:
    """One row of an alignment: indices into A and into B (either may be empty), and its status."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    status: Status


# -- wording measures ------------------------------------------------------
def strip_numbering(text: str) -> str:
    """The paragraph without its leading number: "3. Welcomes" and "4. Welcomes" are the same wording."""
    return _NUMBERING.sub("", text.strip(), count=1)


def wording_key(text: str) -> str:
    """What "the same wording" compares: the words and punctuation, numbering and spacing aside."""
    return " ".join(strip_numbering(text).split())


def words(text: str) -> list[str]:
    return _WORD.findall(strip_numbering(text).lower())


def bigrams(text: str) -> set[tuple[str, str]]:
    w = words(text)
    return set(zip(w, w[1:])) if len(w) > 1 else {(x, "") for x in w}


def dice(a: set, b: set) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


def sentences(text: str) -> list[str]:
    """Sentences and semicolon clauses: the units that recur from one document to the next."""
    return [s for s in (x.strip() for x in _SENTENCE_END.split(strip_numbering(text))) if s]


@dataclass(frozen=True)
class Wording:
    """A text's word pairs, whole and per sentence, computed once for the many comparisons of a lineage."""

    grams: frozenset
    sentences: tuple[tuple[str, int, frozenset], ...]  # (sentence, words, word pairs)

    @classmethod
    def of(cls, text: str) -> "Wording":
        return cls(frozenset(bigrams(text)), tuple((s, len(words(s)), frozenset(bigrams(s))) for s in sentences(text)))


def found_sentences(a: Wording, b: Wording, threshold: float = 0.6) -> tuple[list[str], float]:
    """a's sentences (of SENTENCE_WORDS words or more) whose word pairs are mostly in b, and their share of a's words.

    Containment in the whole of b, not a match with one sentence of b: two sentences
    of a norm paragraph are often merged into one preambular clause.
    """
    found, found_words, total = [], 0, 0
    for s, n, grams in a.sentences:
        total += n
        if n >= SENTENCE_WORDS and len(grams & b.grams) >= threshold * len(grams):
            found.append(s)
            found_words += n
    return found, found_words / total if total else 0.0


# -- word diff -------------------------------------------------------------
def word_diff(a: str, b: str) -> list[DiffOp]:
    """Word-level diff of a to b: equal + delete texts rebuild a, equal + insert texts rebuild b.

    diff-match-patch diffs characters; each word, space run and punctuation mark is
    mapped to one private character first (the library's documented "word mode"), so
    that edits snap to whole words, then semantic clean-up merges the crumbs a reader
    would not want to see.
    """
    if a == b:
        return [DiffOp("equal", a)] if a else []
    vocab: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        out = []
        for tok in _TOKEN.findall(text):
            ch = vocab.get(tok)
            if ch is None:
                ch = vocab[tok] = chr(0xF0000 + len(tokens))  # supplementary private use area
                tokens.append(tok)
            out.append(ch)
        return "".join(out)

    ea, eb = encode(a), encode(b)
    dmp = diff_match_patch()
    # A time limit alone made the same Compare differ between a busy and an idle machine.
    dmp.Diff_Timeout = 0 if len(ea) + len(eb) <= DIFF_TOKENS else DIFF_SECONDS
    diffs = dmp.diff_main(ea, eb, checklines=False)
    dmp.diff_cleanupSemantic(diffs)
    names = {0: "equal", 1: "insert", -1: "delete"}
    ops: list[DiffOp] = []
    for code, chars in diffs:
        text = "".join(tokens[ord(c) - 0xF0000] for c in chars)
        if text:
            ops.append(DiffOp(names[code], text))
    return ops


def whole_diff(a: str, b: str) -> list[DiffOp]:
    """The diff that says only "a was replaced by b": for texts not compared word by word."""
    return [DiffOp(op, t) for op, t in (("delete", a), ("insert", b)) if t]


# -- alignment -------------------------------------------------------------
def align(a: Sequence[str], b: Sequence[str]) -> list[Pair]:
    """Rows aligning paragraphs a to paragraphs b, in reading order (B's order for moves)."""
    keys_a, keys_b = [wording_key(t) for t in a], [wording_key(t) for t in b]
    grams_a, grams_b = [bigrams(t) for t in a], [bigrams(t) for t in b]
    overlap = _overlap_matrix(grams_a, grams_b)
    sizes_a = np.array([len(g) for g in grams_a], dtype=np.float64)
    sizes_b = np.array([len(g) for g in grams_b], dtype=np.float64)

    pairs: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    i0 = j0 = 0
    anchors_a = [k if len(k) >= ANCHOR_CHARS else ("a", i) for i, k in enumerate(keys_a)]
    anchors_b = [k if len(k) >= ANCHOR_CHARS else ("b", j) for j, k in enumerate(keys_b)]
    blocks = SequenceMatcher(None, anchors_a, anchors_b, autojunk=False).get_matching_blocks()
    for i, j, n in blocks:
        pairs += _align_gap(range(i0, i), range(j0, j), grams_a, grams_b, overlap, sizes_a, sizes_b)
        pairs += [((i + k,), (j + k,)) for k in range(n)]
        i0, j0 = i + n, j + n
    pairs = _pair_moves(pairs, overlap, sizes_a, sizes_b)
    return [Pair(pa, pb, _status(pa, pb, keys_a, keys_b)) for pa, pb in pairs]


def align_labels(a: Sequence[str], b: Sequence[str]) -> list[Pair]:
    """Rows pairing paragraphs by label only, for documents in different languages."""
    rows: list[Pair] = []
    i0 = j0 = 0
    for i, j, n in SequenceMatcher(None, list(a), list(b), autojunk=False).get_matching_blocks():
        rows += [Pair((x,), (), "removed") for x in range(i0, i)]
        rows += [Pair((), (y,), "added") for y in range(j0, j)]
        rows += [Pair((i + k,), (j + k,), "changed") for k in range(n)]
        i0, j0 = i + n, j + n
    return rows


def _status(pa: tuple[int, ...], pb: tuple[int, ...], keys_a: list[str], keys_b: list[str]) -> Status:
    if not pb:
        return "removed"
    if not pa:
        return "added"
    same = " ".join(keys_a[i] for i in pa) == " ".join(keys_b[j] for j in pb)
    return "same" if same else "changed"


def _overlap_matrix(grams_a: list[set], grams_b: list[set]) -> np.ndarray:
    """Shared bigrams for every pair of paragraphs, via an inverted index (no n x m set intersections)."""
    overlap = np.zeros((len(grams_a), len(grams_b)), dtype=np.float64)
    postings: dict[tuple[str, str], list[int]] = {}
    for j, g in enumerate(grams_b):
        for gram in g:
            postings.setdefault(gram, []).append(j)
    for i, g in enumerate(grams_a):
        hits = [j for gram in g for j in postings.get(gram, ())]
        if hits:
            overlap[i] += np.bincount(hits, minlength=len(grams_b))
    return overlap


def _score(shared: float, size: float) -> float:
    """Bigrams won by matching minus the threshold's share of all bigrams: positive iff Dice >= MATCH_DICE."""
    return 2 * shared - MATCH_DICE * size


def _contained(shared: float, size: float) -> bool:
    """Is a piece mostly inside the whole it is said to be split from (or merged into)?"""
    return shared >= SPLIT_CONTAINMENT * size


def _group_score(one: set, pieces: set) -> float:
    """Score of a split or merge, on the exact union of the pieces' bigrams (shared ones count once)."""
    return _score(len(one & pieces), len(one) + len(pieces)) - SPLIT_PENALTY


def _align_gap(ia: range, jb: range, grams_a: list[set], grams_b: list[set], overlap: np.ndarray,
               sizes_a: np.ndarray, sizes_b: np.ndarray) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Best monotone alignment of a[ia] to b[jb] with 1-1, 1-2, 2-1 steps and gaps (scored 0)."""
    n, m = len(ia), len(jb)
    if n == 0 or m == 0:
        return [((i,), ()) for i in ia] + [((), (j,)) for j in jb]
    a0, b0 = ia.start, jb.start
    best = np.full((n + 1, m + 1), -np.inf)
    step: list[list[Optional[tuple[int, int]]]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0, :] = 0.0
    best[:, 0] = 0.0
    for x in range(1, n + 1):
        step[x][0] = (1, 0)
    for y in range(1, m + 1):
        step[0][y] = (0, 1)
    for x in range(1, n + 1):
        i = a0 + x - 1
        for y in range(1, m + 1):
            j = b0 + y - 1
            options = [  # on ties the first wins: tracing back from the end, additions come after removals
                (best[x, y - 1], (0, 1)),
                (best[x - 1, y], (1, 0)),
                (best[x - 1, y - 1] + max(0.0, _score(overlap[i, j], sizes_a[i] + sizes_b[j])), (1, 1)),
            ]
            if x >= 2 and _contained(overlap[i - 1, j], sizes_a[i - 1]) and _contained(overlap[i, j], sizes_a[i]):
                options.append((best[x - 2, y - 1] + _group_score(grams_b[j], grams_a[i - 1] | grams_a[i]), (2, 1)))
            if y >= 2 and _contained(overlap[i, j - 1], sizes_b[j - 1]) and _contained(overlap[i, j], sizes_b[j]):
                options.append((best[x - 1, y - 2] + _group_score(grams_a[i], grams_b[j - 1] | grams_b[j]), (1, 2)))
            best[x, y], step[x][y] = max(options, key=lambda o: o[0])
    out = []
    x, y = n, m
    while x or y:
        dx, dy = step[x][y]
        ra = tuple(range(a0 + x - dx, a0 + x))
        rb = tuple(range(b0 + y - dy, b0 + y))
        if ra and rb and dx == dy == 1 and _score(overlap[ra[0], rb[0]], sizes_a[ra[0]] + sizes_b[rb[0]]) <= 0:
            out += [((), rb), (ra, ())]  # a diagonal step that gained nothing: two unrelated paragraphs
        else:
            out.append((ra, rb))
        x, y = x - dx, y - dy
    out.reverse()
    return out


def _pair_moves(pairs: list[tuple[tuple[int, ...], tuple[int, ...]]], overlap: np.ndarray,
                sizes_a: np.ndarray, sizes_b: np.ndarray) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Pair leftover removed and added paragraphs whose wording is close; the pair takes B's place."""
    removed = [pa[0] for pa, pb in pairs if not pb]
    added = [pb[0] for pa, pb in pairs if not pa]
    if not removed or not added:
        return pairs
    sub = overlap[np.ix_(removed, added)]
    d = 2 * sub / (sizes_a[removed][:, None] + sizes_b[added][None, :]).clip(min=1)
    moved: dict[int, int] = {}  # b index -> a index
    used_a: set[int] = set()
    for flat in np.argsort(-d, axis=None, kind="stable"):
        r, c = divmod(int(flat), len(added))
        if d[r, c] < MOVE_DICE:
            break
        if removed[r] in used_a or added[c] in moved:
            continue
        moved[added[c]] = removed[r]
        used_a.add(removed[r])
    out = []
    for pa, pb in pairs:
        if not pb and pa[0] in used_a:
            continue
        if not pa and pb[0] in moved:
            out.append(((moved[pb[0]],), pb))
        else:
            out.append((pa, pb))
    return out
