"""Turning what a user typed into safe, useful queries.

Nothing a user types is FTS5 syntax: every term is quoted, so quotes, `*`,
`NEAR(`, `AND`, `-`, `:` and parentheses are plain text. Quoted phrases are
kept as phrases. The field's acronyms are expanded so that "CERT" also finds
"computer emergency response teams" and "PoC" finds "points of contact".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.U)
PHRASE_RE = re.compile(r"[\"“”]([^\"“”]{2,200})[\"“”]")

STOPWORDS = frozenset("""
a an and are as at be by can could did do does for from had has have how i if in into is it its
may might of on or our should so than that the their them there these they this those to was
we were what when where which who whom why will with would you your any about there's is there
un text wording language agreed states state does don't dont not no
""".split())

# Terms of art: an acronym (lower-cased) and the words the texts actually use.
EXPANSIONS = {
    "cbm": "confidence-building measures",
    "cbms": "confidence-building measures",
    "oewg": "open-ended working group",
    "gge": "group of governmental experts",
    "poa": "programme of action",
    "cert": "computer emergency response teams",
    "certs": "computer emergency response teams",
    "csirt": "cybersecurity incident response teams",
    "csirts": "cybersecurity incident response teams",
    "poc": "points of contact",
    "pocs": "points of contact",
    "ihl": "international humanitarian law",
    "ict": "information and communications technologies",
    "icts": "information and communications technologies",
    "ci": "critical infrastructure",
    "unga": "general assembly",
    "ngo": "non-governmental organizations",
    "ngos": "non-governmental organizations",
    "sdg": "sustainable development goals",
    "sdgs": "sustainable development goals",
}


@dataclass
class ParsedQuery:
    text: str  # what the user typed, cleaned of control characters and truncated
    terms: list[str] = field(default_factory=list)  # content words, lower-cased
    phrases: list[str] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    truncated: bool = False
    years: frozenset[int] = frozenset()  # years named in the query ("the 2019 resolution")
    bigrams: list[str] = field(default_factory=list)  # adjacent content words, matched as phrases

    @property
    def dense_text(self) -> str:
        """What the model encodes: the query, plus the spelled-out acronyms."""
        return self.text + ("" if not self.expansions else " (" + "; ".join(self.expansions) + ")")


def parse(raw: str, max_chars: int) -> ParsedQuery:
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\t\n" else " " for ch in raw)
    text = re.sub(r"\s+", " ", text).strip()
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
    phrases = [p.strip() for p in PHRASE_RE.findall(text) if WORD_RE.search(p)]
    words = [w.lower() for w in WORD_RE.findall(text)]
    terms = list(dict.fromkeys(w for w in words if w not in STOPWORDS)) or list(dict.fromkeys(words))
    expansions = list(dict.fromkeys(EXPANSIONS[w] for w in words if w in EXPANSIONS))
    years = frozenset(int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text))
    bigrams = list(dict.fromkeys(f"{a} {b}" for a, b in zip(words, words[1:])
                                 if a not in STOPWORDS and b not in STOPWORDS))
    return ParsedQuery(text, terms, phrases, expansions, truncated, years, bigrams)


def _quote(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def fts_expression(q: ParsedQuery, max_terms: int = 64) -> str:
    """An OR of quoted phrases, expansions, terms and word pairs (at most `max_terms`): BM25 ranks the matches."""
    parts = [_quote(p) for p in q.phrases[:8]] + [_quote(e) for e in q.expansions]
    parts += [_quote(t) for t in q.terms] + [_quote(b) for b in q.bigrams]
    return " OR ".join(parts[:max_terms])


def stem(word: str) -> str:
    """A light stemmer for highlight matching (the index itself uses Porter)."""
    w = word.lower()
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ness", "ments", "ment", "ers", "ed", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w
