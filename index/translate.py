"""Query terms in the other languages, through the thesaurus (corpus/thesaurus.toml): pure functions.

A question in Spanish names concepts ("doble incriminación") whose English wording the
thesaurus knows ("dual criminality"); searching that wording finds English resolutions by
their words, which the multilingual model alone misses when its top passages are the
document's neighbours. The other way, an English question's concepts in French, Spanish,
Russian, Arabic and Chinese reach the statements made in those languages. Only concepts
the thesaurus holds are carried over here; the question's other words join the English rendering
as the multilingual model glosses them (with_gloss, index/lexicon.py). (English-to-English expansion
with the same thesaurus is another function, in index/query.py.)
"""
from __future__ import annotations

import re
import weakref
from typing import Optional

from ingest.thesaurus import LANGUAGES, Concept, Thesaurus, tokens

from .analysis import analyse

_AROUND = re.compile(r"^[\W_]+|[\W_]+$")  # the punctuation around a word

# thesaurus -> language -> stemmed phrase of a concept's wording in that language -> the concepts
_STEMMED: "weakref.WeakKeyDictionary[Thesaurus, dict[str, dict[tuple[str, ...], list[Concept]]]]" = \
    weakref.WeakKeyDictionary()


def renderings(thesaurus: Thesaurus, text: str, query_language: str,
               concepts: Optional[list[Concept]] = None) -> dict[str, str]:
    """Language -> the query's concepts worded in that language, for the languages the query is not in.

    An English query gets one rendering per other language (the concepts' first translation in
    it, where the thesaurus has one); a query in another language gets the English one (each
    concept's first term; `concepts`: what `named` found, when the caller has it). Empty when the thesaurus names
    none of the query's concepts."""
    if query_language != "en":
        english = [c.terms[0] for c in (named(thesaurus, text, query_language) if concepts is None else concepts)]
        return {"en": " ".join(dict.fromkeys(english))} if english else {}
    matches = thesaurus.match(text)
    out = {}
    for lang in LANGUAGES:
        words = [m.concept.translations[lang][0] for m in matches if m.concept.translations.get(lang)]
        if words:
            out[lang] = " ".join(dict.fromkeys(words))
    return out


def with_gloss(renderings: dict[str, str], gloss: list[str]) -> dict[str, str]:
    """The renderings with the question's words glossed in English (index/lexicon.py) after its concepts'
    English wording, as one English rendering: the concepts say what is asked, the gloss the rest of it."""
    if not gloss:
        return renderings
    return {**renderings, "en": " ".join(x for x in (renderings.get("en", ""), " ".join(gloss)) if x)}


def named(thesaurus: Thesaurus, text: str, language: str) -> list[Concept]:
    """The concepts a question names, in order: those `Thesaurus.match` finds, and those whose wording in the
    question's language (official, or the users' `<lang>_variants`) it says, in any inflection Snowball stems.

    The thesaurus lists each translation in one form ("рабочая группа открытого состава"); a question
    says it in the case or number its sentence needs ("мандат рабочей группы открытого состава",
    "principios de creación de capacidades"), or in the words users say ("¿qué resolución creó…?" for
    "Decide convocar"). Both sides are compared as stems of the thesaurus's normalised words (Chinese:
    characters), longest phrase first, so "la" or "de" never make a match on their own."""
    found = [(m.start, m.concept) for m in thesaurus.match(text)]
    if language in LANGUAGES:
        index = stemmed_index(thesaurus, language)
        longest = max(map(len, index), default=0)
        words = stemmed(text, language)
        i = 0
        while i < len(words):
            for n in range(min(longest, len(words) - i), 0, -1):
                hits = index.get(words[i:i + n])
                if hits:
                    found += [(i, c) for c in hits]
                    i += n
                    break
            else:
                i += 1
    return list(dict.fromkeys(c for _, c in sorted(found, key=lambda x: x[0])))


def stemmed_index(thesaurus: Thesaurus, language: str) -> dict[tuple[str, ...], list[Concept]]:
    """The stems of every concept's wording in `language`, official and users', made once per loaded thesaurus."""
    by_language = _STEMMED.setdefault(thesaurus, {})
    if language not in by_language:
        index: dict[tuple[str, ...], list[Concept]] = {}
        for c in thesaurus.concepts:
            for phrase in c.translations.get(language, ()) + c.translated_variants.get(language, ()):
                key = stemmed(phrase, language)
                if key and c not in index.setdefault(key, []):
                    index[key].append(c)
        by_language[language] = index
    return by_language[language]


def stemmed(text: str, language: str) -> tuple[str, ...]:
    """The text's words as stems, normalised as the thesaurus compares them. Stemmed before the normalising,
    which drops combining marks: Snowball reads "взаимной" (й) as an inflection, not "взаимнои". An acronym
    is a name, not a word, and stays whole: Spanish Snowball makes both "UNIDIR" and "Unidas" "unid"."""
    return tuple(t for word in text.split() for t in tokens(word if acronym(word) else analyse(word, language)))


def acronym(word: str) -> bool:
    """ "UNIDIR", "(GTCA)", "ЕС": two to eight capitals, punctuation around them aside."""
    core = _AROUND.sub("", word)
    return 2 <= len(core) <= 8 and core.isupper()


def phrases(thesaurus: Thesaurus, language: str) -> list[str]:
    """Every phrase a rendering in `language` can be made of (their Chinese words are cut ahead of the
    questions, index/analysis.segment_ahead)."""
    return [p for c in thesaurus.concepts for p in c.translations.get(language, ())]
