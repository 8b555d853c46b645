"""The source catalogue (`corpus/sources.toml`): loading, validation, matching.

The catalogue holds facts only (symbol, title, body, date, type, language,
official URL, file name). A document found on disk is matched to its entry by
file name, then by symbol; a file with no entry is still ingested with
metadata inferred from its header block or its text, marked uncatalogued.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from datetime import date as _date
from pathlib import Path
from typing import Iterable, Optional

from . import families
from .records import BODIES, DOC_TYPES, IngestError, SourceEntry

REQUIRED = ("id", "body", "date", "type", "language")
# A title may be left to the document's own header block, read at run time: the catalogue then
# holds no document text, however long the official title is.
OPTIONAL = ("title", "symbol", "url", "file", "sha256")
# Header-block bodies (as the mirror writes them) mapped to catalogue bodies.
BODY_ALIASES = {"other": "other", "paris call": "Paris Call", "gge": "UN GGE", "oewg": "UN OEWG",
                "un gge": "UN GGE", "un oewg": "UN OEWG", "unga": "UNGA", "osce": "OSCE",
                "oas": "OAS", "asean": "ASEAN/ARF", "arf": "ASEAN/ARF", "asean/arf": "ASEAN/ARF",
                "workshop": "workshop"}



class CatalogError(IngestError):
    """The catalogue itself is wrong; the message names the entry and the field."""


def validate_entry(raw: dict, position: int) -> SourceEntry:
    """One `[[document]]` table -> SourceEntry, or CatalogError naming entry and field."""
    name = raw.get("id") or f"#{position}"
    for key in REQUIRED:
        if not str(raw.get(key, "")).strip():
            raise CatalogError(f"sources.toml: entry {name}: missing required field '{key}'")
    unknown = set(raw) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise CatalogError(f"sources.toml: entry {name}: unknown field(s) {', '.join(sorted(unknown))}")
    d = str(raw["date"])
    try:
        _date.fromisoformat(d)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", d):
            raise ValueError
    except ValueError:
        raise CatalogError(f"sources.toml: entry {name}: field 'date' is not YYYY-MM-DD: {d!r}") from None
    if raw["body"] not in BODIES:
        raise CatalogError(f"sources.toml: entry {name}: field 'body' is unknown: {raw['body']!r} "
                           f"(one of {', '.join(BODIES)})")
    if raw["type"] not in DOC_TYPES:
        raise CatalogError(f"sources.toml: entry {name}: field 'type' is unknown: {raw['type']!r} "
                           f"(one of {', '.join(DOC_TYPES)})")
    sha = str(raw.get("sha256", ""))
    if sha and not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise CatalogError(f"sources.toml: entry {name}: field 'sha256' is not 64 hex digits")
    fields = {k: str(raw[k]) for k in REQUIRED + OPTIONAL if k in raw}
    return SourceEntry(**{"title": "", **fields})


def parse_catalog(text: str) -> list[SourceEntry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"sources.toml: not valid TOML: {exc}") from None
    docs = data.get("document", [])
    if not isinstance(docs, list):
        raise CatalogError("sources.toml: 'document' must be an array of tables ([[document]])")
    entries, seen = [], set()
    for i, raw in enumerate(docs, 1):
        entry = validate_entry(raw, i)
        if entry.id in seen:
            raise CatalogError(f"sources.toml: entry {entry.id}: field 'id' is a duplicate")
        seen.add(entry.id)
        entries.append(entry)
    return entries


def load_catalog(path: Path) -> list[SourceEntry]:
    """An absent catalogue is an empty one: every file is then uncatalogued."""
    if not path.exists():
        return []
    return parse_catalog(path.read_text(encoding="utf-8"))


class Catalog:
    """Lookup of entries by file name and by symbol."""

    def __init__(self, entries: Iterable[SourceEntry]):
        self.entries = list(entries)
        self._by_file = {e.file: e for e in self.entries if e.file}
        self._by_symbol = {e.symbol.upper(): e for e in self.entries if e.symbol}

    def match(self, path: Path, header: dict[str, str]) -> Optional[SourceEntry]:
        entry = self._by_file.get(path.name)
        if entry is None and header.get("symbol"):
            entry = self._by_symbol.get(header["symbol"].strip().upper())
        return entry

    def by_symbol(self, symbol: str) -> Optional[SourceEntry]:
        return self._by_symbol.get(symbol.upper())


def infer_entry(path: Path, header: dict[str, str], text: str) -> SourceEntry:
    """Metadata for a file with no catalogue entry: header block first, then the text."""
    symbol = header.get("symbol", "").strip()
    if not symbol:
        m = families.symbol_re().search(text[:3000])
        symbol = m.group(1) if m else ""
    family = families.family_of_symbol(symbol)
    body = BODY_ALIASES.get(header.get("body", "").strip().lower(), "") or family.body
    date = header.get("date", "").strip() or _infer_date(text)
    return SourceEntry(
        id=path.stem, symbol=symbol, title=file_title(header, text, symbol, path.stem), body=body, date=date,
        type=family.type, language=header.get("language", "en"),
        url=header.get("official_url", "") or family.url_for(symbol), file=path.name, catalogued=False,
    )


def enrich(entry: SourceEntry, header: dict[str, str], text: str) -> SourceEntry:
    """Fill gaps in a catalogued entry (URL, title) from the file's header block or its text."""
    if not entry.url:
        entry = replace(entry, url=header.get("official_url", "") or families.official_url(entry.symbol))
    if not entry.title:
        entry = replace(entry, title=file_title(header, text, entry.symbol, entry.symbol))
    return entry


_MASTHEAD = {"united nations", "general assembly", "security council", "distr.: general", "english"}
_RES_TITLE_RE = re.compile(r"^\s*\d+/\d+\.\s+(\S.*)$", re.M)


def file_title(header: dict[str, str], text: str, symbol: str, fallback: str) -> str:
    """A document's title from its header block, else from its text, else `fallback` (at most 300 characters)."""
    return (header.get("title", "").strip() or _infer_title(text, symbol) or fallback)[:300]


def _infer_title(text: str, symbol: str) -> str:
    """A resolution's own title line ("73/27. Developments in ..."), else the first real line."""
    m = _RES_TITLE_RE.search(text[:8000])
    if m:
        return m.group(1).strip()
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        low = line.lower()
        if len(line) > 3 and low not in _MASTHEAD and line != symbol and not low.startswith(("distr", "united nations ")):
            return line
    return ""


_MONTH_NAMES = ("january february march april may june july august september "
                "october november december").split()
_DATE_RE = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTH_NAMES) + r") ((?:19|20)\d\d)\b", re.I)


_ADOPTED_RE = re.compile(r"adopted by the [A-Z][\w ]+?\s+on\s+(\d{1,2} \w+ (?:19|20)\d\d)", re.I)


def _infer_date(text: str) -> str:
    """The adoption date where the text states one (the distribution date comes first, and is not it)."""
    adopted = _ADOPTED_RE.search(" ".join(text[:8000].split()))
    m = _DATE_RE.search(adopted.group(1) if adopted else text[:5000])
    if m:
        return f"{m.group(3)}-{_MONTH_NAMES.index(m.group(2).lower()) + 1:02d}-{int(m.group(1)):02d}"
    m = re.search(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b", text[:5000])
    return m.group(0) if m else ""
