"""Tests for the real catalogue (corpus/sources.toml) and for catalogue validation.

The catalogue is hand-edited data, so these tests are what keeps a typo in a
symbol, a date or a body from reaching the index and every citation built on it.
"""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

from ingest.catalog import CatalogError, Catalog, load_catalog, parse_catalog
from ingest.families import undocs_url
from ingest.records import SourceEntry

SOURCES = ROOT / "corpus" / "sources.toml"
MIRROR = ROOT.parent / "shared" / "corpus"

# symbol -> (body, type) for the canonical documents the catalogue must always know.
CANONICAL = {
    "A/65/201": ("UN GGE", "report"),
    "A/68/98": ("UN GGE", "report"),
    "A/70/174": ("UN GGE", "report"),
    "A/76/135": ("UN GGE", "report"),
    "A/75/816": ("UN OEWG", "report"),
    "A/77/275": ("UN OEWG", "report"),
    "A/78/265": ("UN OEWG", "report"),
    "A/79/214": ("UN OEWG", "report"),
    "A/80/257": ("UN OEWG", "report"),
    "PC.DEC/1039": ("OSCE", "decision"),
    "PC.DEC/1106": ("OSCE", "decision"),
    "PC.DEC/1202": ("OSCE", "decision"),
    "A/RES/70/237": ("UNGA", "resolution"),
}


@pytest.fixture(scope="module")
def entries() -> list[SourceEntry]:
    return load_catalog(SOURCES)


def manifest_rows() -> list[dict[str, str]]:
    if not (MIRROR / "MANIFEST.tsv").exists():
        pytest.skip("no shared mirror on this machine")
    with (MIRROR / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_real_catalogue_loads_and_validates(entries: list[SourceEntry]) -> None:
    assert len(entries) >= len(CANONICAL)
    for e in entries:
        assert e.file, f"{e.id}: every entry names the file it is (or will be) stored as"
        assert "/" not in e.file and not e.file.startswith("."), e.id
        assert e.year and 1990 <= e.year <= 2100, e.id
    assert len({e.file for e in entries}) == len(entries), "two entries share a file name"


def test_every_mirror_file_is_catalogued_with_its_facts(entries: list[SourceEntry]) -> None:
    by_file = {e.file: e for e in entries}
    for row in manifest_rows():
        e = by_file.get(row["file"])
        assert e is not None, f"{row['file']} (MANIFEST.tsv) has no catalogue entry"
        assert e.symbol == row["symbol"], e.id
        assert e.date == row["date"], e.id
        assert e.title in ("", row["title"]), e.id  # an empty title is read from the file's header
        assert e.sha256 == hashlib.sha256((MIRROR / row["file"]).read_bytes()).hexdigest(), e.id


def test_mirror_files_match_their_entry_by_name(entries: list[SourceEntry]) -> None:
    """ingest matches a file to its entry by name first, so every mirror file must hit."""
    catalog = Catalog(entries)
    for row in manifest_rows():
        assert catalog.match(MIRROR / row["file"], {}) is not None, row["file"]


def test_canonical_documents_are_present(entries: list[SourceEntry]) -> None:
    by_symbol = {e.symbol: e for e in entries if e.symbol}
    for symbol, (body, dtype) in CANONICAL.items():
        e = by_symbol.get(symbol)
        assert e is not None, f"{symbol} missing from the catalogue"
        assert (e.body, e.type) == (body, dtype), symbol
        assert not e.sha256, f"{symbol}: no local copy, so no hash to pin"


def test_un_urls_are_undocs_links(entries: list[SourceEntry]) -> None:
    for e in entries:
        if e.symbol.startswith("A/"):
            assert e.url == undocs_url(e.symbol), e.id
    for e in entries:
        if e.symbol.startswith("PC.DEC/"):
            assert e.url.startswith("https://www.osce.org/"), e.id


def test_special_cases(entries: list[SourceEntry]) -> None:
    by_id = {e.id: e for e in entries}
    paris = by_id["paris-call-2018"]
    assert (paris.body, paris.type, paris.symbol) == ("Paris Call", "outcome", "")
    assert paris.url.startswith("https://pariscall.international/")
    compendium = by_id["a-ac-292-2025-inf-5-rev-1"]
    assert (compendium.body, compendium.type) == ("UN OEWG", "statement")
    assert by_id["a-res-79-243"].type == "resolution"
    assert by_id["a-80-257"].date.startswith("2025-")


# --------------------------------------------------------------------------- validation

VALID = """
[[document]]
id = "a-res-73-27"
symbol = "A/RES/73/27"
title = "Developments in the field of information and telecommunications"
body = "UNGA"
date = "2018-12-05"
type = "resolution"
language = "en"
url = "https://undocs.org/A/RES/73/27"
file = "A_RES_73_27.pdf"
"""


def test_valid_snippet_parses() -> None:
    [e] = parse_catalog(VALID)
    assert (e.id, e.symbol, e.year) == ("a-res-73-27", "A/RES/73/27", 2018)


@pytest.mark.parametrize("text, field", [
    (VALID.replace('body = "UNGA"\n', ""), "body"),
    (VALID.replace('date = "2018-12-05"', 'date = "5 December 2018"'), "date"),
    (VALID.replace('date = "2018-12-05"', 'date = "2018-02-30"'), "date"),
    (VALID + VALID, "id"),
    (VALID.replace('body = "UNGA"', 'body = "General Assembly"'), "body"),
], ids=["missing-body", "bad-date", "impossible-date", "duplicate-id", "unknown-body"])
def test_validation_error_names_entry_and_field(text: str, field: str) -> None:
    with pytest.raises(CatalogError) as exc:
        parse_catalog(text)
    message = str(exc.value)
    assert "a-res-73-27" in message and f"'{field}'" in message


def test_an_entry_without_a_title_takes_it_from_the_file_at_run_time() -> None:
    from ingest.catalog import enrich

    [e] = parse_catalog(VALID.replace('title = "Developments in the field of information and telecommunications"\n',
                                      ""))
    assert e.title == ""
    assert enrich(e, {"title": "From the header"}, "73/27. From the text\n").title == "From the header"
    assert enrich(e, {}, "United Nations\n73/27. From the text\n").title == "From the text"
    assert enrich(e, {}, "").title == "A/RES/73/27"


def test_the_mirror_supplies_titles_the_catalogue_leaves_out(entries: list[SourceEntry]) -> None:
    from ingest.pipeline import ingest_file
    from ingest.settings import Settings

    untitled = [e for e in entries if not e.title and e.file and (MIRROR / e.file).exists()]
    if not untitled:
        pytest.skip("no mirror file for an untitled catalogue entry")
    rows = {r["file"]: r for r in manifest_rows()}
    for e in untitled:
        doc = ingest_file(MIRROR / e.file, Catalog(entries), Settings.from_env({}))
        assert doc.source.title == rows[e.file]["title"], e.id
