"""The records that cross module boundaries, defined once.

Everything that travels from `ingest` to `index` is one of these dataclasses
(search results are in index/records.py), so that a newcomer can read the data
model of ingestion here and a field renamed in one place is renamed everywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .language import name as language_name

BODIES = ("UN GGE", "UN OEWG", "UNGA", "OSCE", "OAS", "ASEAN/ARF", "Paris Call", "workshop", "other")
DOC_TYPES = ("report", "resolution", "decision", "convention", "statement", "outcome", "draft")


@dataclass(frozen=True)
class SourceEntry:
    """One document as the catalogue (or inference, for uncatalogued files) knows it."""

    id: str
    title: str
    body: str
    date: str  # YYYY-MM-DD
    type: str
    language: str = "en"
    symbol: str = ""
    url: str = ""
    file: str = ""
    sha256: str = ""
    catalogued: bool = True
    revises: str = ""  # the symbol a revision (Rev.N) or corrigendum (Corr.N) revises
    supersedes: str = ""  # the symbol this version replaces in default search (a Rev.N's original)
    superseded_by: str = ""  # the symbol of a version in the corpus that replaces this one
    inferred: tuple[str, ...] = ()  # facts guessed from the text, not read from a catalogue or masthead

    @property
    def year(self) -> Optional[int]:
        return int(self.date[:4]) if self.date[:4].isdigit() else None

    @property
    def display_symbol(self) -> str:
        """What a citation names the document by: its symbol and version, else its title.

        The version quoted is named (`A/RES/78/16 (Spanish)`): a paragraph's wording
        differs between language versions. A symbol guessed from the text is marked
        "(symbol inferred)", so that no guess is ever presented as certain.
        """
        name = self.symbol or self.title
        if self.symbol and self.language != "en":
            name += f" ({language_name(self.language)})"
        if self.symbol and "symbol" in self.inferred:
            name += " (symbol inferred)"
        return name


@dataclass(frozen=True)
class Footnote:
    """A footnote cited by a passage: its marker (kept out of the quoted text) and its text.

    `offset` is where the marker stood in the passage's text, so a card or an
    export can show it in place without it ever being part of the quotation.
    """

    marker: str
    text: str
    offset: int


@dataclass
class Passage:
    """One citable unit: verbatim text plus everything needed to cite it.

    `text` is exactly the cleaned source between `start` and `end` (offsets
    into the cleaned text of the document), so every passage can be checked
    against its source. `context` is what the embedding sees in addition
    (heading path, lead-in sentence); it is never shown as quoted text.
    """

    doc_id: str
    ordinal: int  # position in the document, for context and stable order
    label: str  # e.g. "OP 1.6", "para. 13 (f)", "art. 14 (2)"
    text: str
    start: int
    end: int
    heading: str = ""  # heading path, " > " separated
    context: str = ""
    page: Optional[int] = None  # the PDF page (or printed page) where the passage starts
    part: str = ""  # "part 2/3" for a unit split to fit the model window
    delegation: str = ""
    language: str = "en"
    source_start: int = -1  # offsets into the raw file text (before cleaning)
    source_end: int = -1
    page_end: Optional[int] = None  # the page where it ends, when it runs onto a later page
    footnotes: list[Footnote] = field(default_factory=list)

    def citation(self, source: SourceEntry) -> str:
        return format_citation(source, self.label, self.page, self.part, self.page_end)

    def embed_text(self, source: SourceEntry) -> str:
        """What the model encodes: the heading path and lead-in, then the verbatim text.

        The document title is left out on purpose: resolutions of one series share
        a long title, which pulled their vectors together (docs/quality.md).
        """
        heading = " > ".join(s for s in map(short_heading, self.heading.split(" > ")) if s)
        lead = " | ".join(x for x in (heading, self.context) if x)
        return f"{lead}\n{self.text}" if lead else self.text


HEADING_CHARS = 120  # a heading segment longer than this is cut to its short form for the model


def short_heading(segment: str) -> str:
    """A heading segment as the model should see it: whole, or cut to its short title.

    A convention's full name ("Annex. United Nations Convention against Cybercrime;
    Strengthening International Cooperation for ...", 50 words) would swamp a short
    article in the vector, but its short title before the ";" is what a query names
    ("the UN cybercrime convention"): without it, the articles lost to the resolution
    paragraphs that mention the convention by name (docs/quality.md). The same cut
    before "(" turns "Nicaragua (joint statement of the Group of ...)" into "Nicaragua".
    A segment with no short form that is still too long is left out.
    """
    segment = segment.strip()
    if len(segment) <= HEADING_CHARS:
        return segment
    cut = re.split(r"\s*[;(]", segment, maxsplit=1)[0].strip()
    return cut if len(cut) <= HEADING_CHARS else ""


def format_citation(source: SourceEntry, label: str, page: Optional[int], part: str = "",
                    page_end: Optional[int] = None) -> str:
    """`A/RES/73/27, OP 1.6, p. 4 (5 December 2018)`: the form a briefing note quotes.

    A passage that runs onto the next page is cited "pp. 3–4"; a label that already
    names its page ("El Salvador, p. 10, ¶ 3") is not given it twice.
    """
    bits = [source.display_symbol]
    if label:
        bits.append(label + (f" [{part}]" if part else ""))
    if page is not None and page_end is not None and page_end != page:
        bits.append(f"pp. {page}–{page_end}")
    elif page is not None and not re.search(rf"\bp\. {page}\b", label):
        bits.append(f"p. {page}")
    return ", ".join(bits) + (f" ({human_date(source.date)})" if source.date else "")


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def human_date(iso: str) -> str:
    """`2018-12-05` -> `5 December 2018`, the UN's own style; other strings pass through."""
    try:
        y, m, d = iso.split("-")
        return f"{int(d)} {_MONTHS[int(m) - 1]} {y}"
    except (ValueError, IndexError):
        return iso


@dataclass(frozen=True)
class Skipped:
    """A file that could not be ingested, and the one-line reason why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class IngestError(Exception):
    """A problem with one input file; the message is shown to the user as is."""
