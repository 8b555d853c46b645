"""Structure as evidence: what a passage's place in its document and a query's form say. Pure.

A mandate question ("which resolution set up the group") is answered by an operative
paragraph that opens "Decides to convene"; a list question ("what are the principles")
by the lead-in that introduces the list; "what did Egypt say" by Egypt's statement. The
index already holds these facts (label, verbatim opening, lead-in, delegation); this module
reads them into `PassageFeatures` and the query's form into `QueryCues`. How much each
agreement counts is decided by measurement: `structure_bonus` in index/fusion.py.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from ingest.thesaurus import Concept, tokens

from .analysis import analyse
from .translate import stemmed

# The verbs that open operative paragraphs of UN resolutions and decisions (UN editorial practice).
OPERATIVE_VERBS = frozenset("""
decides requests establishes calls invites encourages urges welcomes recommends authorizes endorses
adopts approves convenes affirms reaffirms stresses emphasizes notes takes underlines acknowledges
""".split())
# Words that say a question wants a list (its lead-in and items) rather than one sentence.
LIST_WORDS = frozenset("list lists elements principles components items include includes consist consists "
                       "contain contains contents".split())
# Words that ask who said something: the answer is a delegation's statement.
POSITION_WORDS = frozenset("delegation delegations who country countries".split())
_ADVERBS = frozenset("also further again furthermore moreover".split())
_MARKS = re.compile("[\u0300-\u036f\u064b-\u065f\u0670\u0640]")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")
_NUMBERING = re.compile(r"^\s*(?:\(?[0-9ivxlc]+[.)]|\([a-z]\)|[-–•])\s*", re.I)


@dataclass(frozen=True)
class PassageFeatures:
    """What the index records about a passage's role in its document."""

    operative: bool = False  # an operative paragraph of a resolution or decision ("OP 3")
    opening: str = ""  # its opening verb, lower-cased ("decides", "requests"), "" when not operative
    lead_in: bool = False  # it introduces a list (ends with ":")
    delegation: tuple[str, ...] = ()  # the speaking delegation's name, as normalised tokens


@dataclass(frozen=True)
class QueryCues:
    """What the query's form asks for."""

    openings: frozenset[str] = frozenset()  # operative verbs of the documents' wording of the concepts named
    words: frozenset[str] = frozenset()  # the query's normalised tokens
    list_question: bool = False
    position_question: bool = False


def opening_verb(text: str) -> str:
    """ "5. Also decides to convene ..." -> "decides"; "" when the first word is not an operative verb."""
    words = tokens(_NUMBERING.sub("", text, count=1)[:80])
    words = [w for w in words[:3] if w not in _ADVERBS]
    return words[0] if words and words[0] in OPERATIVE_VERBS else ""


def delegation_name(delegation: str) -> tuple[str, ...]:
    """ "Tunisia (on behalf of the Arab Group)" -> ("tunisia",): the speaker, not the group it speaks for."""
    return tokens(delegation.split("(")[0])


def passage_features(label: str, text: str, delegation: str = "") -> PassageFeatures:
    operative = label.startswith("OP ")
    return PassageFeatures(operative, opening_verb(text) if operative else "", text.rstrip().endswith(":"),
                           delegation_name(delegation) if delegation else ())


def query_cues(text: str, phrases: tuple[str, ...] = ()) -> QueryCues:
    """The cues of a query; `phrases` are its thesaurus expansions (index/expansion.py), whose operative
    verbs ("decides to convene" -> "decides") are what a mandate question's answer opens with."""
    words = tokens(text)
    openings = frozenset(t[0] for p in phrases if (t := tokens(p)) and t[0] in OPERATIVE_VERBS)
    lowered = " ".join(words)
    return QueryCues(openings, frozenset(words), bool(LIST_WORDS & set(words)) or lowered.startswith("what are the "),
                     bool(POSITION_WORDS & set(words)))


def names_delegation(f: PassageFeatures, cues: QueryCues) -> bool:
    """Does the query name the passage's delegation? "Russia's view" names the Russian Federation."""
    if not f.delegation:
        return False
    return all(w in cues.words or any(len(q) >= 5 and w.startswith(q) for q in cues.words) for w in f.delegation)


def concept_coverage(text: str, language: str, concepts: Sequence[Concept]) -> float:
    """The share of `concepts` whose documents' wording in the passage's `language` the passage says (English:
    the terms; another language: the translations there, compared as the stems `translate.named` compares a
    question's words, Chinese as its words; never the users' variants). "Each State Party shall … soliciting,
    grooming …" says the *grooming* concept a question named in Arabic, where the article before it, on abuse
    material, shares more of the question's other words. A concept with no wording in that language counts as
    not said: the share stays a share of all the concepts named."""
    if not concepts:
        return 0.0
    if language == "en":  # most candidates: a pattern on the case-folded text, no word-by-word analysis
        said = text.casefold()
        return sum(1 for c in concepts if _english(c).search(said)) / len(concepts)
    # Most candidates say none of them: a stem's longest word, looked for in the text as it is, rules them out
    # before the word-by-word analysis (a stem is a part of the word it comes from).
    folded = _fold(text)
    maybe = [c for c in concepts if any(k in folded for k in _keys(c, language))]
    if not maybe:
        return 0.0
    stems = " " + " ".join(stemmed(text, language)) + " "
    return sum(any(f" {p} " in stems for p in _stemmed(c, language)) for c in maybe) / len(concepts)


@functools.lru_cache(maxsize=4096)
def _english(concept: Concept) -> re.Pattern:
    """The concept's terms as whole words in any case, any run of spaces or hyphens between their words."""
    words = [[re.escape(w) for w in _SEPARATORS.split(t.casefold()) if w] for t in concept.terms]
    alternatives = [r"[\s\-\u2010-\u2015]+".join(w) for w in words if w]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)" if alternatives else r"(?!)")


@functools.lru_cache(maxsize=4096)
def _keys(concept: Concept, language: str) -> tuple[str, ...]:
    """Per translation in `language`, its longest stem as analysed, folded as `_fold` folds a passage."""
    return tuple(_fold(max(words, key=len)) for p in concept.translations.get(language, ())
                 if (words := analyse(p, language).split()))


def _fold(text: str) -> str:
    """Case-folded, without accents, Arabic vowel marks and tatweel (Snowball's Spanish stems drop accents): close
    to `ingest.thesaurus.normalise`, which walks the text character by character, and enough for a filter."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))


@functools.lru_cache(maxsize=4096)
def _stemmed(concept: Concept, language: str) -> tuple[str, ...]:
    """The concept's translations in `language` as space-joined stems, as `translate.stemmed` reads text."""
    return tuple(" ".join(key) for p in concept.translations.get(language, ()) if (key := stemmed(p, language)))
