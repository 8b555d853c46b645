"""The search-side records, defined once beside the Searcher that produces them.

What the CLI, the API, the app and the exports read of an answer; the records of
ingestion (documents, passages) live in ingest/records.py.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from ingest.records import Footnote


@dataclass(frozen=True)
class AlsoIn:
    """Another place where the same (or near-identical) wording appears."""

    symbol: str
    label: str
    citation: str
    doc_id: str = ""
    date: str = ""
    passage_id: int = -1


@dataclass
class Hit:
    """One search result as the CLI, the API and the app all see it."""

    rank: int
    score: float
    doc_id: str
    symbol: str
    title: str
    body: str
    date: str
    type: str
    language: str
    label: str
    page: Optional[int]
    citation: str
    url: str
    text: str
    heading: str = ""
    delegation: str = ""
    ordinal: int = 0
    passage_id: int = 0
    highlights: list[list[int]] = field(default_factory=list)
    also_in: list[AlsoIn] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)  # the notes the passage cites (marks set apart)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Filters:
    """What a search may be restricted to; empty means no restriction."""

    bodies: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # symbols or document ids
    types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    year_from: Optional[int] = None
    year_to: Optional[int] = None
    superseded: bool = False  # include versions a revision in the corpus supersedes

    def __bool__(self) -> bool:
        return bool(self.bodies or self.documents or self.types or self.languages or self.superseded
                    or self.year_from is not None or self.year_to is not None)


@dataclass
class Answer:
    """Hits plus what the user should be told about how the query was handled."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    mode: str = "hybrid"
    # language -> the question's thesaurus concepts in that language and (English) its words glossed, as they
    # were also searched (index/translate.renderings, with_gloss): a trainer sees "¿quién creó…?" was read as
    # "decides to convene"
    also_searched: dict[str, str] = field(default_factory=dict)
