"""Turning what a user typed into safe, useful queries.

Nothing a user types is FTS5 syntax: every term is quoted, so quotes, `*`,
`NEAR(`, `AND`, `-`, `:` and parentheses are plain text. Quoted phrases are
kept as phrases. The field's acronyms are expanded so that "CERT" also finds
"computer emergency response teams" and "PoC" finds "points of contact".
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from ingest.language import detect

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


# British -ise/-yse spellings and the -ize/-yze ones the UN texts use stem apart under Porter
# ("criminalise" -> criminalis, "criminalize" -> crimin), so a query term gets its other spelling too.
SPELLING_RE = re.compile(r"^(\w{3,}[iy])s(e|es|ed|ing|ation|ations)$")


def spelling_variant(word: str) -> str:
    """The -ize/-yze spelling of a British -ise/-yse word ("organisation" -> "organization"), else ""."""
    m = SPELLING_RE.match(word)
    return f"{m.group(1)}z{m.group(2)}" if m else ""


@dataclass
class ParsedQuery:
    text: str  # what the user typed, cleaned of control characters and truncated
    terms: list[str] = field(default_factory=list)  # content words, lower-cased
    phrases: list[str] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    truncated: bool = False
    years: frozenset[int] = frozenset()  # years named in the query ("the 2019 resolution")
    bigrams: list[str] = field(default_factory=list)  # adjacent content words, matched as phrases
    parts: list[str] = field(default_factory=list)  # the questions of a multi-part query, when there are several
    language: str = "en"  # what the lexical side analyses the words as (index/analysis.py)

    @property
    def dense_text(self) -> str:
        """What the model encodes: the query, plus the spelled-out acronyms."""
        return self.text + ("" if not self.expansions else " (" + "; ".join(self.expansions) + ")")


def normal_form(text: str) -> str:
    """NFKC: the one form of text that queries and the lexical index share.

    Fullwidth letters (ｓｕｐｐｌｙ), ligatures from PDF extraction (ﬁnancial), superscripts and
    compatibility spaces become their plain forms, so that what a user types matches what a
    document says however either was encoded. The quoted text itself is never changed.
    """
    return unicodedata.normalize("NFKC", text)


def parse(raw: str, max_chars: int, language: str = "") -> ParsedQuery:
    """What the user typed, made safe; `language` is the text's language when the caller knows it (a
    thesaurus rendering), else it is detected (a query too short to tell counts as English)."""
    raw = normal_form(raw)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\t\n" else " " for ch in raw)
    text = re.sub(r"\s+", " ", text).strip()
    truncated = len(text) > max_chars
    if truncated:
        text = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
    phrases = [p.strip() for p in PHRASE_RE.findall(text) if WORD_RE.search(p)]
    words = [w.lower() for w in WORD_RE.findall(text)]
    terms = list(dict.fromkeys(w for w in words if w not in STOPWORDS)) or list(dict.fromkeys(words))
    terms = list(dict.fromkeys(v for w in terms for v in (w, spelling_variant(w)) if v))
    expansions = list(dict.fromkeys(EXPANSIONS[w] for w in words if w in EXPANSIONS))
    years = frozenset(int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text))
    bigrams = list(dict.fromkeys(f"{a} {b}" for a, b in zip(words, words[1:])
                                 if a not in STOPWORDS and b not in STOPWORDS))
    return ParsedQuery(text, terms, phrases, expansions, truncated, years, bigrams, split_parts(text),
                       language or detect(text, default="en"))


# A part ends at "?", ";" or a sentence's full stop, or before ", and"/", or" that opens a new question.
PART_RE = re.compile(r"(?<=[?;])\s+|(?<=[a-z0-9]{2}[.!])\s+(?=(?-i:[A-Z]))|,\s+(?:and|or)\s+(?=(?:what|when|where|which|who|"
                     r"whom|whose|why|how|does|do|did|is|are|was|were|can|could|should|will|would|may|must|has|have)\b)",
                     re.I)


def split_parts(text: str, min_terms: int = 2, max_parts: int = 4) -> list[str]:
    """The questions of a multi-part query ("Which resolutions ...? When did ...?"); [] for a single one.

    A part needs `min_terms` content words of its own; a shorter fragment joins its neighbour. More
    than `max_parts` parts make a pasted text rather than questions: [] (it is searched as a whole).
    """
    def content(piece: str) -> int:
        return sum(1 for w in WORD_RE.findall(piece.lower()) if w not in STOPWORDS)

    parts: list[str] = []
    for piece in PART_RE.split(text):
        piece = piece.strip(" ,;")
        if not piece:
            continue
        if parts and (content(piece) < min_terms or content(parts[-1]) < min_terms):
            parts[-1] += " " + piece
        else:
            parts.append(piece)
    return parts if 1 < len(parts) <= max_parts else []


def quote(s: str) -> str:
    """An FTS5 phrase of `s`: the only way user text reaches an FTS5 expression."""
    return '"' + s.replace('"', '""') + '"'


def fts_phrases(q: ParsedQuery, max_terms: int = 64) -> list[str]:
    """The quoted phrases, expansions, terms and word pairs (at most `max_terms`) that `fts_expression` ORs."""
    parts = [quote(p) for p in q.phrases[:8]] + [quote(e) for e in q.expansions]
    parts += [quote(t) for t in q.terms] + [quote(b) for b in q.bigrams]
    return parts[:max_terms]


def fts_expression(q: ParsedQuery, max_terms: int = 64) -> str:
    """An OR of quoted phrases, expansions, terms and word pairs (at most `max_terms`): BM25 ranks the matches."""
    return " OR ".join(fts_phrases(q, max_terms))


@functools.lru_cache(maxsize=65536)  # highlights stem every word of every hit's sentences
def stem(word: str) -> str:
    """A light stemmer for highlight matching (the index itself uses Porter)."""
    w = word.lower()
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ness", "ments", "ment", "ers", "ed", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w
