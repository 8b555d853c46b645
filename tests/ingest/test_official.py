"""Official UN PDFs exactly as the UN publishes them (../shared/official/, read in place).

Each is ingested twice: uncatalogued (its facts from its masthead) and catalogued
(the mirror's catalogue facts). The text versions of two of them are in the mirror:
both paths must give the same labels and texts. Skipped where shared/ is absent.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ingest import catalog as cat
from ingest.masthead import ascii_digits
from ingest.pipeline import Document, ingest_file
from ingest.records import SourceEntry
from ingest.settings import MIRROR

OFFICIAL = MIRROR.parent / "official"
pytestmark = pytest.mark.skipif(not (OFFICIAL / "MANIFEST.tsv").is_file(), reason=f"no {OFFICIAL}")

COMPENDIUM, RES_16, RES_237, DRAFT = ("a-ac-292-2025-inf-5-rev-1.pdf", "a-res-78-16.pdf", "a-res-78-237.pdf",
                                      "a-c-1-80-l-20.pdf")
# What each masthead says (MANIFEST.tsv: symbol; its notes: dates, distribution, kind). Titles are read
# from the mirror's catalogue at run time (`printed_title`): the documents' words are not ours to commit.
FACTS = {
    COMPENDIUM: ("A/AC.292/2025/INF/5/Rev.1", "2025-08-12", "statement", "en"),
    RES_16: ("A/RES/78/16", "2023-12-04", "resolution", "en"),
    RES_237: ("A/RES/78/237", "2023-12-22", "resolution", "en"),
    DRAFT: ("A/C.1/80/L.20", "2025-10-13", "draft", "en"),
}
TWINS = {RES_16: "unga-res-78-16-2023.txt", RES_237: "unga-res-78-237-2023.txt",
         COMPENDIUM: "un-oewg-2025-a-ac-292-2025-inf-5-rev-1.txt"}
ADOPTED = {DRAFT: "unga-res-80-16-2025.txt"}  # the draft's title is the adopted resolution's


def printed_title(name: str) -> str:
    """The title the PDF prints: the mirror's catalogue title of the same text, numbered for a resolution
    ("78/16. ..."), without the catalogue's "(Note by the Secretariat)"."""
    rows = {r["file"]: r for r in csv.DictReader((MIRROR / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")}
    title = rows[{**TWINS, **ADOPTED}[name]]["title"].removesuffix(" (Note by the Secretariat)")
    symbol = FACTS[name][0]
    return f"{symbol.removeprefix('A/RES/')}. {title}" if symbol.startswith("A/RES/") else title


def official_catalog() -> cat.Catalog:
    """The PDFs catalogued under their own file names, with the facts a catalogue holds."""
    rows = list(csv.DictReader((OFFICIAL / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    entries = []
    for r in rows:
        symbol, date, type_, lang = FACTS[r["file"]]
        body = {"statement": "UN OEWG"}.get(type_, "UNGA")
        entries.append(cat.versioned(SourceEntry(id=Path(r["file"]).stem, title=f"Catalogued {symbol}", body=body,
                                                 date=date, type=type_, language=lang, symbol=symbol,
                                                 file=r["file"])))
    return cat.Catalog(entries)


@pytest.fixture(scope="module")
def docs(tmp_path_factory, counter) -> dict[tuple[str, bool], Document]:
    from ingest.settings import Settings

    tmp = tmp_path_factory.mktemp("official")
    settings = Settings.from_env({}, corpus=[OFFICIAL], index=tmp / "index", sources=tmp / "absent.toml")
    out = {}
    for name in FACTS:
        for catalogued, catalog in ((False, cat.Catalog([])), (True, official_catalog())):
            out[name, catalogued] = ingest_file(OFFICIAL / name, catalog, settings, counter)
    return out


ALL = [(name, c) for name in FACTS for c in (False, True)]


@pytest.mark.parametrize("name,catalogued", ALL)
def test_symbol_date_type_language_and_title(docs, name, catalogued) -> None:
    s = docs[name, catalogued].source
    symbol, date, type_, lang = FACTS[name]
    assert (s.symbol, s.date, s.type, s.language, s.catalogued) == (symbol, date, type_, lang, catalogued)
    assert s.title == (f"Catalogued {symbol}" if catalogued else printed_title(name))
    assert s.inferred == () and docs[name, catalogued].warnings == []
    if name == COMPENDIUM:
        assert (s.revises, s.supersedes) == ("A/AC.292/2025/INF/5", "A/AC.292/2025/INF/5")


@pytest.mark.parametrize("name,catalogued", ALL)
def test_every_passage_is_verbatim_against_the_pdf_text(docs, name, catalogued) -> None:
    """Through the offset map, each character of a passage is the PDF's character at that place;
    the set-apart footnote marks are the PDF's characters where the map says they stood."""
    d = docs[name, catalogued]
    from ingest.loaders import load

    raw = load(OFFICIAL / name, max_bytes=10 ** 8, max_pages=100).text
    for p in d.passages:
        assert p.text == d.cleaned.text[p.start:p.end]
        for i, ch in enumerate(p.text):
            if not ch.isspace():
                assert raw[d.cleaned.raw_offset(p.start + i)] == ch, (p.label, i, p.text[max(0, i - 20):i + 5])
    for r in d.cleaned.refs:
        assert raw[r.raw_start:r.raw_end].strip() == r.marker


FURNITURE = re.compile(r"\b\d{2}-\d{5}\b|\*\d{7}\*|Distr\.|\.{5,}|^Contents$|"
                       r"United Nations\s+A/|General Assembly$|Original:")


@pytest.mark.parametrize("name,catalogued", ALL)
def test_no_masthead_running_header_or_contents_line_in_a_passage_or_heading(docs, name, catalogued) -> None:
    d = docs[name, catalogued]
    symbol = d.source.symbol
    for p in d.passages:
        for where in (p.text, *p.heading.split(" > ")):
            assert not FURNITURE.search(where), (p.label, where[:120])
            assert not where.rstrip().endswith(symbol), (p.label, where[-120:])
            assert not where.startswith(symbol), (p.label, where[:120])
    if name == COMPENDIUM:  # the table of contents names the delegations and is no passage
        assert {p.delegation for p in d.passages if p.delegation} >= {"Argentina", "Niger", "European Union"}


@pytest.mark.parametrize("name", [RES_16, RES_237, DRAFT])
def test_page_spanning_paragraphs_are_one_passage_with_their_pages(docs, name) -> None:
    d = docs[name, False]
    labels = [p.label for p in d.passages if not p.label.startswith("fn.") and not p.part]
    assert len(labels) == len(set(labels)), "a paragraph cut by a page break became two passages"
    for p in d.passages:
        first, last = d.cleaned.page_at(p.start), d.cleaned.page_at(p.end - 1)
        assert (p.page, p.page_end) == (first, last if last != first else None)
        if p.page_end:
            assert f"pp. {p.page}–{p.page_end}" in p.citation(d.source)


def test_the_operative_paragraph_across_the_page_break(docs) -> None:
    d = docs[RES_16, False]
    p = next(p for p in d.passages if p.text.startswith("Highlighting the conclusions"))
    assert (p.page, p.page_end) == (3, 4) and p.text.endswith("to ensure that all positions are heard,")
    assert p.citation(d.source) == "A/RES/78/16, PP 21, pp. 3–4 (4 December 2023)"


@pytest.mark.parametrize("name,catalogued", ALL)
def test_labels_agree_with_the_numbers_printed_on_the_page(docs, name, catalogued) -> None:
    for p in docs[name, catalogued].passages:
        m = re.match(r"^(\d{1,3})\s*[.\-]\s", ascii_digits(p.text))
        if m and not p.label.startswith("fn."):
            assert re.search(rf"(?:OP|para\.) {m.group(1)}\b", p.label), (p.label, p.text[:40])


def test_footnote_marks_are_set_apart_and_their_notes_attached(docs) -> None:
    d = docs[RES_16, False]
    calling = next(p for p in d.passages if p.text.startswith("Calling upon Member States"))
    assert "the first and second annual progress reports" in calling.text
    assert [(n.marker, n.text) for n in calling.footnotes] == [("1", "See A/77/275."), ("2", "See A/78/265.")]
    assert calling.text[calling.footnotes[1].offset - len("second"):calling.footnotes[1].offset] == "second"
    high = next(p for p in d.passages if p.text.startswith("Highlighting the conclusions"))
    assert "resolution 77/37, including" in high.text and [n.text for n in high.footnotes] == ["A/78/76."]


@pytest.mark.parametrize("name", [RES_16, RES_237, COMPENDIUM])
def test_the_pdf_and_the_text_version_give_the_same_labels_and_texts(docs, mirror_docs, name) -> None:
    """The mirror's text was extracted from the same PDF with another tool: the two may space
    words differently ("2021 –2025"), never differ in a label or a word."""
    pdf, txt = docs[name, True].passages, mirror_docs[TWINS[name]].passages

    def key(ps):
        return [(p.label, re.sub(r"\s", "", p.text)) for p in ps]

    assert key(pdf) == key(txt)


@pytest.mark.parametrize("name,expected", [
    ("unga-res-73-266-2018.txt", "by the 2010, 2013 and 2015 reports of the Group"),
    ("unga-res-74-28-2019.txt", "by the 2010, 2013 and 2015 reports of the Group"),
    ("unga-res-73-27-2018.txt", "resolutions 20/8 of 5 July 2012 and 26/13 of 26 June 2014 on the"),
    ("unga-res-78-16-2023.txt", "resolution 77/37, including on the normative"),
])
def test_no_footnote_digit_is_glued_in_the_mirror(mirror_docs, name, expected) -> None:
    d = mirror_docs[name]
    cited = [p for p in d.passages if expected in p.text]
    assert len(cited) == 1 and cited[0].footnotes
    for p in d.passages:
        assert not re.search(r"\b(?:19|20)\d\d\d\b|[a-z]\d\b|,\d\b", p.text), (p.label, p.text[:80])
