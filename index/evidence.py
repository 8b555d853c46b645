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
from dataclasses import dataclass
from typing import Sequence

from ingest.thesaurus import Concept, tokens

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


def concept_patterns(concepts: Sequence[Concept], language: str) -> list[re.Pattern]:
    """Per concept, one pattern of its documents' wording in `language` (English: its terms; another: its
    translations there; never the users' variants), as whole words in any case, a space standing for any run of
    spaces or hyphens ("dual-criminality"). A concept with no wording in that language gets a pattern that
    matches nothing, so the share stays a share of all the concepts named."""
    return [_pattern(c, language) for c in concepts]


@functools.lru_cache(maxsize=4096)
def _pattern(concept: Concept, language: str) -> re.Pattern:
    def phrase(p: str) -> str:
        return r"[\s\-‐-―]+".join(re.escape(w) for w in p.casefold().split())

    wording = concept.terms if language == "en" else concept.translations.get(language, ())
    return re.compile(r"(?<!\w)(?:" + "|".join(phrase(p) for p in wording if p.split()) + r")(?!\w)"
                      if any(p.split() for p in wording) else r"(?!)")


def concept_coverage(text: str, patterns: Sequence[re.Pattern]) -> float:
    """The share of the concepts (`concept_patterns` in the passage's language) whose documents' wording the
    passage says: "Each State Party shall … soliciting, grooming …" says the *grooming* concept a question named
    in Arabic, where the article before it, on abuse material, shares more of the question's other words.
    (Matched as patterns on the case-folded text, not as thesaurus tokens: a question weighs many candidates.)"""
    if not patterns:
        return 0.0
    said = text.casefold()
    return sum(1 for p in patterns if p.search(said)) / len(patterns)
