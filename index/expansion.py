"""Query expansion from the thesaurus (corpus/thesaurus.toml): pure, no model, no database.

Users ask "who set up the working group", the resolution says "Decides to convene"; they
type "extradite or prosecute", the Convention says "aut dedere aut judicare". The thesaurus
(ingest/thesaurus.py) names the concepts a query mentions; this module turns them into
what retrieval can search: the documents' wording as alternative phrases for the lexical
side, and a second query text in the documents' wording for the dense side. How much each
counts is a `Tuning` weight decided by measurement (docs/quality.md), in index/fusion.py.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ingest.thesaurus import Match, Thesaurus, tokens

from .query import ParsedQuery


@dataclass(frozen=True)
class Expansion:
    """What the thesaurus adds to one query; empty when it names no concept."""

    phrases: tuple[str, ...] = ()  # the documents' wording of the concepts named, other than the query's own
    dense_text: str = ""  # the query with each user phrase replaced by the documents' wording ("" if unchanged)

    def __bool__(self) -> bool:
        return bool(self.phrases or self.dense_text)


def document_wording(match: Match) -> tuple[str, ...]:
    """The concept's `terms` (the wording the documents use) that the query did not already say.

    Variants are what users type, not what the texts say, so they are never searched for;
    a query that already used one of the terms gets the concept's other terms.
    """
    said = tokens(match.phrase)
    return tuple(t for t in match.concept.terms if tokens(t) != said)


def short_term(terms: tuple[str, ...], max_words: int = 8) -> str:
    """The first term of at most `max_words` words, else the shortest."""
    return next((t for t in terms if len(t.split()) <= max_words), min(terms, key=lambda t: len(t.split())))


def expand(text: str, thesaurus: Thesaurus, max_phrases: int = 12) -> Expansion:
    """The thesaurus's alternatives for a query: lexical phrases, and the dense query in the documents' wording.

    One term of a concept replaces the user's words in the dense text (one rewording, not a
    bag of synonyms that would blur the vector): the first, the most specific, unless it is
    a full title too long to stand for a few words. A span the query already wrote in the
    documents' wording stays as it is.
    """
    matches = thesaurus.match(text)
    phrases = list(dict.fromkeys(p for m in matches for p in document_wording(m)))[:max_phrases]
    toks = list(tokens(text))
    replaced: dict[int, tuple[int, str]] = {}  # start -> (end, documents' first term)
    for m in matches:
        if m.via != "term" and m.start not in replaced:
            replaced[m.start] = (m.end, short_term(m.concept.terms))
    if not replaced:
        return Expansion(tuple(phrases))
    out, i = [], 0
    while i < len(toks):
        if i in replaced:
            end, term = replaced[i]
            out.append(term)
            i = end
        else:
            out.append(toks[i])
            i += 1
    return Expansion(tuple(phrases), " ".join(out))


def searched_wording(thesaurus: Thesaurus) -> list[str]:
    """Every phrase `expand` can add to a question, each concept's terms: the lexical backend prepares them when
    it builds (LexicalIndex.index_passages), since questions naming a concept search them again and again."""
    return list(dict.fromkeys(t for c in thesaurus.concepts for t in c.terms))


def expanded_query(q: ParsedQuery, e: Expansion) -> ParsedQuery:
    """The parsed query with the thesaurus phrases as extra phrases: the lexical backend ORs them in."""
    return replace(q, phrases=list(dict.fromkeys(q.phrases + list(e.phrases))))
