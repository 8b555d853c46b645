"""A small, dependency-free language guess for the UN's six official languages.

Statements in a compendium come in the language of submission. The script
decides Arabic, Russian and Chinese; function words decide English, French
and Spanish. Short or mixed texts fall back to the caller's default.
"""
from __future__ import annotations

import re
from collections import Counter

_FUNCTION_WORDS = {
    "en": set("the and of to in that is for with on as are this we our be by it have has which".split()),
    "fr": set("le la les des et du une un est que pour dans nous sur au aux qui pas ce cette sont".split()),
    "es": set("el la los las de y en que por para con una un del es su se al nuestra como".split()),
}
_WORD = re.compile(r"[^\W\d_]+", re.U)
# The six official languages by code, in the order the app offers them; codes found in the index come after.
NAMES = {"en": "English", "fr": "French", "es": "Spanish", "ru": "Russian", "ar": "Arabic", "zh": "Chinese"}


def name(code: str) -> str:
    """The language's English name for a code; an unknown code is shown as it is."""
    return NAMES.get(code, code)


DETECT_CHARS = 20_000  # the guess reads this much: a 50 MB paragraph costs no more than a long one


def detect(text: str, default: str = "en") -> str:
    text = text[:DETECT_CHARS]
    letters = sum(map(str.isalpha, text))
    if letters < 12:
        return default
    # A script with more than half the letters (counted in C, not letter by letter in Python:
    # a file of 50,000 paragraphs spent minutes here).
    for script, chars in _SCRIPTS.items():
        if sum(map(str.isalpha, chars.findall(text))) / letters > 0.5:
            return script
    words = Counter(map(str.lower, _WORD.findall(text)))
    scores = {lang: sum(words[w] for w in vocab) for lang, vocab in _FUNCTION_WORDS.items()}
    lang, best = max(scores.items(), key=lambda kv: kv[1])
    return lang if best >= 2 else default


_SCRIPTS = {
    "ar": re.compile("[\u0600-\u06FF\u0750-\u077F\uFB50-\uFEFF]"),
    "ru": re.compile("[\u0400-\u04FF]"),
    "zh": re.compile("[\u4E00-\u9FFF]"),
}
