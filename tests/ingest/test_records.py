"""What the model reads of a passage: its heading path cut to short forms, its lead-in, its text."""
from __future__ import annotations

import pytest

from ingest.records import HEADING_CHARS, Passage, SourceEntry, short_heading

LONG_NAME = ("Annex. Convention on the Safety of Undersea Data Cables; Strengthening International Cooperation "
             "for the Protection, Repair and Maintenance of Submarine Telecommunications Infrastructure")
JOINT = ("Cable Island (joint statement of the Group of Friends of Cables: Atlantis, Borduria, Cable Island, "
         "Freedonia, Genovia, Latveria, Ruritania and Syldavia)")
LONG_ARTICLE = ("Article 42. International cooperation for the purpose of expedited preservation of stored "
                "undersea cable data")  # over 100 characters: a length that used to be dropped


@pytest.mark.parametrize("segment, expected", [
    ("Chapter I. General provisions", "Chapter I. General provisions"),
    (LONG_ARTICLE, LONG_ARTICLE),  # long, but within the limit: kept whole
    (LONG_NAME, "Annex. Convention on the Safety of Undersea Data Cables"),  # cut to the short title
    (JOINT, "Cable Island"),  # cut before the parenthesis
    ("x" * (HEADING_CHARS + 1), ""),  # no short form: left out rather than swamp the passage
    ("  Preamble ", "Preamble"),
])
def test_short_heading(segment: str, expected: str) -> None:
    assert short_heading(segment) == expected


def test_the_long_examples_are_long() -> None:
    assert 100 < len(LONG_ARTICLE) <= HEADING_CHARS < min(len(LONG_NAME), len(JOINT))


def test_embed_text_reads_short_heading_path_lead_in_and_text() -> None:
    source = SourceEntry(id="c", title="A very long resolution title shared by a series", body="UNGA",
                         date="2037-01-01", type="resolution")
    p = Passage(doc_id="c", ordinal=3, label="art. 2 (a)", text="(a) “Cable” means a submarine cable;",
                start=0, end=36, heading=f"{LONG_NAME} > Chapter I. General provisions > Article 2. Use of terms",
                context="For the purposes of this Convention:")
    assert p.embed_text(source) == (
        "Annex. Convention on the Safety of Undersea Data Cables > Chapter I. General provisions > "
        "Article 2. Use of terms | For the purposes of this Convention:\n(a) “Cable” means a submarine cable;")
    bare = Passage(doc_id="c", ordinal=0, label="PP 1", text="Recalling its resolutions,", start=0, end=26)
    assert bare.embed_text(source) == "Recalling its resolutions,"  # never the document title
