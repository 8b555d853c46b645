"""Query terms in the other languages, through the thesaurus (corpus/thesaurus.toml): pure functions.

A question in Spanish names concepts ("doble incriminación") whose English wording the
thesaurus knows ("dual criminality"); searching that wording finds English resolutions by
their words, which the multilingual model alone misses when its top passages are the
document's neighbours. The other way, an English question's concepts in French, Spanish,
Russian, Arabic and Chinese reach the statements made in those languages. Only concepts
the thesaurus holds are carried over: nothing is guessed. (English-to-English expansion
with the same thesaurus is another function, in index/query.py.)
"""
from __future__ import annotations

from ingest.thesaurus import LANGUAGES, Thesaurus


def renderings(thesaurus: Thesaurus, text: str, query_language: str) -> dict[str, str]:
    """Language -> the query's concepts worded in that language, for the languages the query is not in.

    An English query gets one rendering per other language (the concepts' first translation in
    it, where the thesaurus has one); a query in another language gets the English one (each
    concept's first term). Empty when the thesaurus names none of the query's concepts."""
    matches = thesaurus.match(text)
    if query_language != "en":
        english = [m.concept.terms[0] for m in matches]
        return {"en": " ".join(dict.fromkeys(english))} if english else {}
    out = {}
    for lang in LANGUAGES:
        words = [m.concept.translations[lang][0] for m in matches if m.concept.translations.get(lang)]
        if words:
            out[lang] = " ".join(dict.fromkeys(words))
    return out


def phrases(thesaurus: Thesaurus, language: str) -> list[str]:
    """Every phrase a rendering in `language` can be made of (their Chinese words are cut ahead of the
    questions, index/analysis.segment_ahead)."""
    return [p for c in thesaurus.concepts for p in c.translations.get(language, ())]
