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


SCRIPT_LETTERS = 2  # letters of one non-Latin script that decide the language
DETECT_CHARS = 20_000  # the guess reads this much: a 50 MB paragraph costs no more than a long one


def detect(text: str, default: str = "en") -> str:
    text = text[:DETECT_CHARS]
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return default
    scripts = Counter(_script(ch) for ch in letters)
    script, count = scripts.most_common(1)[0]
    # A script says its language in a few letters (a two-character Chinese query is Chinese);
    # function words need a sentence.
    if script != "latin" and count / len(letters) > 0.5 and count >= SCRIPT_LETTERS:
        return script
    if len(letters) < 12:
        return default
    words = [w.lower() for w in _WORD.findall(text)]
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    lang, best = max(scores.items(), key=lambda kv: kv[1])
    return lang if best >= 2 else default


def _script(ch: str) -> str:
    o = ord(ch)
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
        return "ar"
    if 0x0400 <= o <= 0x04FF:
        return "ru"
    if 0x4E00 <= o <= 0x9FFF:
        return "zh"
    return "latin"
