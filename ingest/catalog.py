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

from . import families, language
from .masthead import Masthead
from .records import BODIES, DOC_TYPES, IngestError, SourceEntry
from .terminal import visible

REQUIRED = ("id", "body", "date", "type", "language")
# A title may be left to the document's own header block, read at run time: the catalogue then
# holds no document text, however long the official title is.
OPTIONAL = ("title", "symbol", "url", "file", "sha256", "revises")
# Header-block bodies (as the mirror writes them) mapped to catalogue bodies.
BODY_ALIASES = {"other": "other", "paris call": "Paris Call", "gge": "UN GGE", "oewg": "UN OEWG",
                "un gge": "UN GGE", "un oewg": "UN OEWG", "unga": "UNGA", "osce": "OSCE",
                "oas": "OAS", "asean": "ASEAN/ARF", "arf": "ASEAN/ARF", "asean/arf": "ASEAN/ARF",
                "workshop": "workshop"}



class CatalogError(IngestError):
    """The catalogue itself is wrong; the message names the entry and the field."""


def validate_entry(raw: object, position: int, file: str = "sources.toml") -> SourceEntry:
    """One `[[document]]` table -> SourceEntry, or CatalogError naming the file, the entry and the field."""
    if not isinstance(raw, dict):
        raise CatalogError(f"{file}: entry #{position}: is {_toml_kind(raw)}, not a table ([[document]])")
    # an id is shown with its control characters escaped: a message stays one line
    name = visible(raw["id"]) if isinstance(raw.get("id"), str) and raw["id"].strip() else f"#{position}"
    where = f"{file}: entry {name}"
    for key in REQUIRED:
        if not str(raw.get(key, "")).strip():
            raise CatalogError(f"{where}: missing required field '{key}'")
    unknown = set(raw) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for key in REQUIRED + OPTIONAL:  # a TOML date (date = 2018-12-05, unquoted) is a date, not text
        if key in raw and not isinstance(raw[key], str) and not (key == "date" and isinstance(raw[key], _date)):
            raise CatalogError(f"{where}: field '{key}' is {_toml_kind(raw[key])}, not a string")
    problem = field_problem("date", str(raw["date"]))
    if problem:
        raise CatalogError(f"{where}: field 'date' {problem}")
    if raw["body"] not in BODIES:
        raise CatalogError(f"{where}: field 'body' is unknown: {raw['body']!r} "
                           f"(one of {', '.join(BODIES)})")
    if raw["type"] not in DOC_TYPES:
        raise CatalogError(f"{where}: field 'type' is unknown: {raw['type']!r} "
                           f"(one of {', '.join(DOC_TYPES)})")
    for key in ("language", "url", "sha256"):
        problem = field_problem(key, str(raw.get(key, "")))
        if problem:
            raise CatalogError(f"{where}: field '{key}' {problem}")
    fields = {k: str(raw[k]) for k in REQUIRED + OPTIONAL if k in raw}
    return versioned(SourceEntry(**{"title": "", **fields}))


def _toml_kind(value: object) -> str:
    return {dict: "a table", list: "an array", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), f"a {type(value).__name__}")


_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_URL = re.compile(r"https?://[^\s\"'<>`]+")


def field_problem(key: str, value: str) -> str:
    """What is wrong with one fact (date, language, URL, sha256), or "": the catalogue's rules,
    which a file's `---` header block is held to as well."""
    if not value:
        return ""
    if key == "date":
        try:
            _date.fromisoformat(value)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
        except ValueError:
            return f"is not a YYYY-MM-DD date: {value!r}"
    elif key == "language" and not _LANGUAGE.fullmatch(value):
        return f"is not a language code such as en or fr: {value!r}"
    elif key in ("url", "official_url") and not _URL.fullmatch(value):
        return f"is not an http(s) URL without spaces, quotes or angle brackets: {value!r}"
    elif key == "sha256" and not re.fullmatch(r"[0-9a-f]{64}", value):
        return "is not 64 hex digits"
    return ""


def versioned(entry: SourceEntry) -> SourceEntry:
    """What a version's symbol says it revises: a Rev.N supersedes its original, a Corr.N only corrects it."""
    kind, base = families.revision_of(entry.symbol)
    revises = entry.revises or base
    return replace(entry, revises=revises, supersedes=revises if kind == "revision" else "")


def parse_catalog(text: str, file: str = "sources.toml") -> list[SourceEntry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{file}: not valid TOML: {exc}") from None
    docs = data.get("document", [])
    if not isinstance(docs, list):
        raise CatalogError(f"{file}: 'document' must be an array of tables ([[document]])")
    entries, seen = [], set()
    for i, raw in enumerate(docs, 1):
        entry = validate_entry(raw, i, file)
        if entry.id in seen:
            raise CatalogError(f"{file}: entry {visible(entry.id)}: field 'id' is a duplicate")
        seen.add(entry.id)
        entries.append(entry)
    return entries


def load_catalog(path: Path) -> list[SourceEntry]:
    """An absent catalogue is an empty one: every file is then uncatalogued."""
    if not path.exists():
        return []
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_catalog(text, str(path))


class Catalog:
    """Lookup of entries by file name and by symbol (and language version)."""

    def __init__(self, entries: Iterable[SourceEntry]):
        self.entries = list(entries)
        self._by_file = {e.file: e for e in self.entries if e.file}
        self._by_symbol: dict[str, SourceEntry] = {}
        self._by_version: dict[tuple[str, str], SourceEntry] = {}
        for e in self.entries:
            if e.symbol:
                self._by_symbol.setdefault(e.symbol.upper(), e)
                self._by_version.setdefault((e.symbol.upper(), e.language), e)

    def match(self, path: Path, header: dict[str, str], masthead: Optional[Masthead] = None
              ) -> Optional[SourceEntry]:
        """The entry for a file: by file name, else by the symbol and language it states.

        A file of a catalogued symbol in a language the catalogue does not list is
        that document's language version: it gets the entry's facts under its own
        id, language and link, so a citation names the version quoted.
        """
        entry = self._by_file.get(path.name)
        if entry is not None:
            return entry
        symbol = header.get("symbol", "").strip() or (masthead.symbol if masthead else "")
        lang = header.get("language", "").strip() or (masthead.language if masthead else "")
        if not symbol:
            return None
        entry = self._by_version.get((symbol.upper(), lang)) if lang else None
        entry = entry or self._by_symbol.get(symbol.upper())
        if entry is None or not lang or lang == entry.language:
            return entry
        return replace(entry, id=f"{entry.id}-{lang}", language=lang, file=path.name, sha256="",
                       url=families.language_url(entry.url, lang) if entry.url else "")

    def by_symbol(self, symbol: str) -> Optional[SourceEntry]:
        return self._by_symbol.get(symbol.upper())


HEADER_CHECKED = ("date", "language", "official_url")


def check_header(header: dict[str, str]) -> None:
    """A file's `---` header block is held to the catalogue's rules: a bad fact refuses the file."""
    for key in HEADER_CHECKED:
        problem = field_problem(key, header.get(key, "").strip())
        if problem:
            raise IngestError(f"header field '{key}' {problem}")


def infer_entry(path: Path, header: dict[str, str], text: str, masthead: Optional[Masthead] = None
                ) -> SourceEntry:
    """Metadata for a file with no catalogue entry: header block, then masthead, then the text.

    Facts found only by guessing from the text (the first symbol it mentions, the
    first date, the first line as title, the language of its words) are listed in
    `inferred`, so that a citation never presents a guess as certain.
    """
    mh = masthead or Masthead(symbol="")
    inferred: list[str] = []
    symbol = header.get("symbol", "").strip() or mh.symbol
    if not symbol:
        m = families.symbol_re().search(text[:3000])
        symbol = m.group(1) if m else ""
        if symbol:
            inferred.append("symbol")
    family = families.family_of_symbol(symbol)
    body = BODY_ALIASES.get(header.get("body", "").strip().lower(), "") or family.body
    date = header.get("date", "").strip() or mh.doc_date
    if not date:
        date = _infer_date(text)
        inferred += ["date"] if date else []
    title = header.get("title", "").strip() or mh.title
    if not title:
        title = file_title(header, text, symbol, path.stem)
        inferred.append("title")
    lang = header.get("language", "").strip() or mh.language
    if not lang:
        lang = language.detect(text[:20000], "en")
        inferred.append("language")
    named = families.family_of_title(title)
    type_ = "draft" if mh.draft else named.type if named else family.type
    if not masthead and not header:
        inferred += ["body", "type"]
    url = header.get("official_url", "") or family.url_for(symbol)
    return versioned(SourceEntry(
        id=path.stem, symbol=symbol, title=title[:300], body=body, date=date, type=type_, language=lang,
        url=families.language_url(url, lang) if url else "", file=path.name, catalogued=False,
        inferred=tuple(inferred),
    ))


def enrich(entry: SourceEntry, header: dict[str, str], text: str, masthead: Optional[Masthead] = None
           ) -> SourceEntry:
    """Fill gaps in a catalogued entry (URL, title) from the file's header block, masthead or text."""
    if not entry.url:
        url = header.get("official_url", "") or families.official_url(entry.symbol)
        entry = replace(entry, url=families.language_url(url, entry.language) if url else "")
    if not entry.title:
        title = header.get("title", "").strip() or (masthead.title if masthead else "")
        entry = replace(entry, title=title[:300] or file_title(header, text, entry.symbol, entry.symbol))
    return entry


def contradictions(entry: SourceEntry, masthead: Optional[Masthead]) -> list[str]:
    """One line per fact the masthead states otherwise than the catalogue (the catalogue wins)."""
    if masthead is None:
        return []
    out = []
    if masthead.symbol and entry.symbol and masthead.symbol.upper() != entry.symbol.upper():
        out.append(f"the masthead says {masthead.symbol}, the catalogue entry {entry.id} says {entry.symbol}; "
                   "the catalogue's symbol is used")
    if masthead.language and masthead.language != entry.language:
        out.append(f"the masthead says {language.name(masthead.language)}, "
                   f"the catalogue entry {entry.id} says "
                   f"{language.name(entry.language)}; the catalogue's language is used")
    return out


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
