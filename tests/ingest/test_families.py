"""The document-family registry (ingest/families.py): one entry per kind of document."""
from __future__ import annotations

import re

import pytest

from ingest import families
from ingest.families import FAMILIES, GENERIC, family_of, family_of_symbol, official_url, opening_re, symbol_re
from ingest.records import BODIES, DOC_TYPES
from ingest.structure import WALKERS


def test_every_entry_is_well_formed() -> None:
    names = [f.name for f in FAMILIES]
    assert len(names) == len(set(names))
    for f in FAMILIES + (GENERIC,):
        assert f.body in BODIES or f.body == "", f.name
        assert f.type in DOC_TYPES, f.name
        assert f.structure in WALKERS, f.name
        for pattern in (f.symbol, *f.opening):
            re.compile(pattern)
        assert not f.url or "{symbol}" in f.url, f.name


@pytest.mark.parametrize("symbol,name,body,type_,url", [
    ("A/RES/73/27", "unga-resolution", "UNGA", "resolution", "https://undocs.org/A/RES/73/27"),
    ("A/RES/ES-10/1", "unga-resolution", "UNGA", "resolution", "https://undocs.org/A/RES/ES-10/1"),
    ("S/RES/2341", "security-council-resolution", "other", "resolution", "https://undocs.org/S/RES/2341"),
    ("A/C.1/76/L.13", "ga-draft", "UNGA", "draft", "https://undocs.org/A/C.1/76/L.13"),
    ("A/AC.292/2025/INF/5/Rev.1", "oewg-document", "UN OEWG", "outcome",
     "https://undocs.org/A/AC.292/2025/INF/5/Rev.1"),
    ("A/AC.999/2036/INF/9", "un-committee-document", "other", "outcome", "https://undocs.org/A/AC.999/2036/INF/9"),
    ("A/70/174", "un-report", "other", "outcome", "https://undocs.org/A/70/174"),
    ("PC.DEC/1202", "osce-decision", "OSCE", "decision", ""),
    ("E/CN.15/2020/1", "generic", "other", "outcome", ""),
    ("", "generic", "other", "outcome", ""),
])
def test_a_symbol_names_its_family(symbol, name, body, type_, url) -> None:
    f = family_of_symbol(symbol)
    assert (f.name, f.body, f.type, official_url(symbol)) == (name, body, type_, url)


def test_a_compendium_is_cut_by_delegation_whatever_its_symbol() -> None:
    assert family_of("A/AC.292/2025/INF/5/Rev.1", "UN OEWG", "statement").structure == families.COMPENDIUM
    assert family_of("A/AC.292/2025/INF/5/Rev.1", "UN OEWG", "outcome").structure == families.STRUCTURED
    assert family_of("", "Paris Call", "outcome").name == "paris-call"
    assert family_of("", "other", "outcome") is GENERIC


def test_symbols_are_found_in_running_text() -> None:
    text = "Distr.: General\nA/C.1/76/L.13 and later A/RES/76/19, also PC.DEC/1039."
    assert [m.group(1) for m in symbol_re().finditer(text)] == ["A/C.1/76/L.13", "A/RES/76/19", "PC.DEC/1039"]


@pytest.mark.parametrize("line,opens", [
    ("The General Assembly,", True),
    ("The Permanent Council,", True),
    ("The States Parties to this Convention,", True),
    ("The General Assembly decided", False),
    ("General Assembly", False),
])
def test_the_opening_formulas_of_every_family(line, opens) -> None:
    assert bool(opening_re().match(line)) is opens
