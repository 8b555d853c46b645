"""Lexical analysis per language: the words of a text, as the lexical index stores and matches them.

FTS5's tokenizer (`porter unicode61`) serves English only. On the other UN languages it fails in
three ways (measured in docs/quality.md, Languages): Spanish, French and Russian words are not
stemmed ("infraestructuras críticas" misses "infraestructura crítica"); Arabic short vowels are
combining marks, which unicode61 treats as separators ("الجُمهورية" becomes "الج" and "مهورية");
and Chinese has no spaces, so a whole clause is one token that no query matches. So text in those
languages is analysed here before FTS5 sees it, the same way on both sides: a passage by its
recorded language at build time, a query by its detected language (or a rendering by the language
it was rendered in) at search time. English passes unchanged (Porter does it inside FTS5).

Snowball stemmers come from PyStemmer, Arabic vowel marks are stripped with pyarabic, Chinese is cut
into words by rjieba (jieba-rs); each library is loaded at first use.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Iterable

from ingest.keyed_cache import read_keyed, write_keyed

from .query import ParsedQuery

# What the manifest records of the analysis (Fts5Lexical.params): a change here needs a rebuild.
SNOWBALL = {"es": "spanish", "fr": "french", "ru": "russian", "ar": "arabic"}
WORD_RE = re.compile(r"[^\W_]+", re.U)
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def params() -> dict:
    """The analysis an index was built with: which language gets which stemmer or segmenter, and the
    libraries' releases (another release may stem differently, so it is part of the index's identity)."""
    return {"snowball": dict(SNOWBALL), "pystemmer": metadata.version("pystemmer"),
            "pyarabic": metadata.version("pyarabic"), "zh": "rjieba-" + metadata.version("rjieba")}


def analyse(text: str, language: str) -> str:
    """`text` as the lexical index holds it for `language`: English as it is, Arabic without its vowel
    marks, the other stemmed languages as their stems, Chinese runs cut into words (separated by spaces)."""
    if not text:
        return text
    text = segment_han(text)
    if language == "ar":
        text = strip_marks(text)
    stemmer = _stemmer(language)
    if stemmer is None:
        return text
    return WORD_RE.sub(lambda m: stemmer.stemWord(m.group(0).lower()), text)


def analyse_terms(terms: list[str], language: str) -> list[str]:
    """Query terms analysed for `language`; a term that analyses to several words (a Chinese run) gives each."""
    out = [w for t in terms for w in analyse(t, language).split()]
    return list(dict.fromkeys(out))


def analysed_query(q: ParsedQuery) -> ParsedQuery:
    """The query's words as `analyse` wrote the passages in its language: terms, phrases, word pairs and
    acronym expansions (the expression built from them quotes each, index/query.fts_expression)."""
    if q.language not in SNOWBALL and not HAN_RE.search(q.text):
        return q

    def phrases(items: list[str]) -> list[str]:
        return list(dict.fromkeys(a for a in (" ".join(analyse(x, q.language).split()) for x in items) if a))

    return replace(q, terms=analyse_terms(q.terms, q.language), phrases=phrases(q.phrases),
                   bigrams=phrases(q.bigrams), expansions=phrases(q.expansions))


def segment_han(text: str) -> str:
    """Chinese runs cut into words, with spaces around each word; other text untouched."""
    if not HAN_RE.search(text):
        return text
    return HAN_RE.sub(lambda m: " " + " ".join(_words(m.group(0))) + " ", text)


# Han run -> rjieba's words, cut ahead of time (segment_ahead): the thesaurus's Chinese phrases, which an
# English question's Chinese rendering is made of, so that such a question does not load rjieba (0.2 s).
_AHEAD: dict[str, list[str]] = {}


def _words(run: str) -> list[str]:
    ahead = _AHEAD.get(run)
    return ahead if ahead is not None else [w for w in _jieba()(run) if w.strip()]


def segment_ahead(texts: Iterable[str], cache: Path) -> None:
    """Cut the Chinese runs of `texts` now, or read them as rjieba cut them last time (a JSON file in `cache`,
    keyed by the runs and rjieba's release): segment_han then gives the same words without rjieba."""
    runs = sorted({run for text in texts for run in HAN_RE.findall(text)})
    key = hashlib.sha256("\n".join([metadata.version("rjieba"), *runs]).encode()).hexdigest()
    file = cache / "zh-segments.json"
    known = read_keyed(file, key)
    if not (isinstance(known, dict) and all(isinstance(w, list) and all(isinstance(x, str) for x in w)
                                            for w in known.values())):
        known = {run: _words(run) for run in runs}
        write_keyed(file, key, known)
    _AHEAD.update(known)


def strip_marks(text: str) -> str:
    """Arabic without short vowels, shadda, sukun and tatweel: the letters a reader types."""
    from pyarabic import araby

    return araby.strip_tatweel(araby.strip_tashkeel(text))


@functools.lru_cache(maxsize=None)
def _stemmer(language: str):
    if language not in SNOWBALL:
        return None
    import Stemmer

    return Stemmer.Stemmer(SNOWBALL[language])


@functools.lru_cache(maxsize=1)
def _jieba():
    import rjieba

    return rjieba.cut
