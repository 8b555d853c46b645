"""The cyber-diplomacy thesaurus (`corpus/thesaurus.toml`): loading, validation, matching.

Users ask in their own words ("who set up the OEWG", "hack back", "extradite or
prosecute"); the documents answer in UN and treaty wording ("decides to
convene", "countermeasures", "aut dedere aut judicare"). The thesaurus holds
that mapping as reviewed data, so domain knowledge can be corrected by editing
a file and re-measured, instead of living as special cases in search code.

This module only reads and matches it; how much weight a match gets in search
is decided elsewhere, by measurement.

Matching works on normalised word n-grams: NFKC, case-folded, combining marks
removed (so "medidas de fomento" matches "médidas", Arabic harakat and Russian
ё are ignored), Arabic alef maqsura folded to ya, and every Han or kana
character counted as one word (Chinese is written without spaces, so
"建立信任措施" is matched character by character inside any sentence).
"""
from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Optional

from .keyed_cache import read_keyed, write_keyed
from .records import IngestError
from .settings import ROOT

THESAURUS = ROOT / "corpus" / "thesaurus.toml"
KINDS = ("acronym", "synonym", "set-phrase", "legal-term", "everyday")
LANGUAGES = ("es", "fr", "ru", "ar", "zh")
# A language's user wording ("creó", "a créé", "создала" for "decides to convene"), matched only in questions
# in that language (index/translate.named): "red" is a Spanish network and an English colour.
LANGUAGE_VARIANTS = {lang: f"{lang}_variants" for lang in LANGUAGES}
FIELDS = ("id", "kind", "terms", "variants", "oneway") + LANGUAGES + tuple(LANGUAGE_VARIANTS.values())
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# One Han/kana character, or a run of other letters and digits (underscore excluded).
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")


class ThesaurusError(IngestError):
    """The thesaurus file cannot be read at all (missing, or not TOML)."""


@dataclass(frozen=True)
class Concept:
    """One concept: the documents' wording (`terms`) and the words users type for it (`variants`).

    `oneway` says a variant may be expanded to the terms but a term must not be
    expanded to the variants (the variants are broader or looser than the terms).
    """

    id: str
    kind: str
    terms: tuple[str, ...]
    variants: tuple[str, ...] = ()
    oneway: bool = False
    translations: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    translated_variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)

    def phrases(self) -> Iterable[tuple[str, str]]:
        """Every phrase of the concept with where it comes from: "term", "variant" or a language code.
        (`translated_variants` are not among them: they are matched in their own language only.)"""
        yield from ((p, "term") for p in self.terms)
        yield from ((p, "variant") for p in self.variants)
        for lang in LANGUAGES:
            yield from ((p, lang) for p in self.translations.get(lang, ()))


@dataclass(frozen=True)
class Match:
    """One concept found in a phrase: the tokens [start, end) matched `phrase`, which came `via` term/variant/language."""

    concept: Concept
    phrase: str
    via: str
    start: int
    end: int


def normalise(text: str) -> str:
    """The form both the thesaurus and the user's text are compared in."""
    if text.isascii():  # most terms: nothing to decompose, no format characters, and casefold is lower
        return text.lower()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFC", text.replace("\u0649", "\u064a").replace("\u0640", ""))


def tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(normalise(text)))


def expansions(match: Match, languages: Iterable[str] = ()) -> tuple[str, ...]:
    """The phrases a query that matched this way may be expanded with, honouring `oneway`.

    A variant or a translation leads to the terms; a term leads to the other terms,
    and to the variants only when the concept is two-way. Translations in
    `languages` are added (for searching documents in those languages).
    """
    c = match.concept
    out = list(c.terms)
    if match.via == "term" and not c.oneway:
        out += c.variants
    for lang in languages:
        out += c.translations.get(lang, ())
    seen: set[tuple[str, ...]] = {tokens(match.phrase)}
    result = []
    for p in out:
        key = tokens(p)
        if key not in seen:
            seen.add(key)
            result.append(p)
    return tuple(result)


class Thesaurus:
    """The loaded concepts, indexed by normalised token n-gram; `problems` lists entries that were skipped."""

    def __init__(self, concepts: Iterable[Concept], problems: Iterable[str] = (),
                 keys: Iterable[Iterable[tuple[str, ...]]] | None = None):
        """`keys`, when given, are each concept's `tokens` of its `phrases()`, in order (as `keys()` gives them)."""
        self.concepts: tuple[Concept, ...] = tuple(concepts)
        self.problems: tuple[str, ...] = tuple(problems)
        self._by_id = {c.id: c for c in self.concepts}
        self._index: dict[tuple[str, ...], list[tuple[Concept, str, str]]] = defaultdict(list)
        for c, concept_keys in zip(self.concepts, keys if keys is not None else self.keys(), strict=True):
            for (phrase, via), key in zip(c.phrases(), concept_keys, strict=True):
                if key and all(c is not other for other, _, _ in self._index[key]):
                    self._index[key].append((c, phrase, via))
        self._longest = max((len(k) for k in self._index), default=0)

    def keys(self) -> list[list[tuple[str, ...]]]:
        """Each concept's phrases as the index matches them (what the cached form stores, load_thesaurus)."""
        return [[tokens(phrase) for phrase, _ in c.phrases()] for c in self.concepts]

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, concept_id: str) -> Concept | None:
        return self._by_id.get(concept_id)

    def match(self, text: str) -> list[Match]:
        """Concepts named in `text`, left to right, longest n-gram first at each position, no overlaps.

        Where one phrase belongs to several concepts, all of them are returned for that span.
        """
        toks = tokens(text)
        found: list[Match] = []
        i = 0
        while i < len(toks):
            for n in range(min(self._longest, len(toks) - i), 0, -1):
                hits = self._index.get(toks[i:i + n])
                if hits:
                    found += [Match(c, phrase, via, i, i + n) for c, phrase, via in hits]
                    i += n
                    break
            else:
                i += 1
        return found


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def check_entry(raw: object, position: int, source: str) -> list[str]:
    """One-line problems of one `[[concept]]` table (empty when it is sound)."""
    if not isinstance(raw, dict):
        return [f"{source}: concept #{position}: is not a table"]
    cid = raw.get("id")
    name = cid if isinstance(cid, str) and cid else f"#{position}"
    where = f"{source}: concept {name}"
    problems = []
    if not isinstance(cid, str) or not cid:
        problems.append(f"{where}: field 'id' is missing or not a string")
    elif not ID_RE.fullmatch(cid):
        problems.append(f"{where}: field 'id' must be lower-case words joined by '-'")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)} "
                        f"(allowed: {', '.join(FIELDS)})")
    kind = raw.get("kind")
    if not isinstance(kind, str):
        problems.append(f"{where}: field 'kind' is missing or not a string")
    elif kind not in KINDS:
        problems.append(f"{where}: field 'kind' is unknown: {kind!r} (one of {', '.join(KINDS)})")
    if "oneway" in raw and not isinstance(raw["oneway"], bool):
        problems.append(f"{where}: field 'oneway' must be true or false")
    for key in ("terms", "variants") + LANGUAGES + tuple(LANGUAGE_VARIANTS.values()):
        if key not in raw:
            continue
        value = raw[key]
        if not _strings(value):
            problems.append(f"{where}: field '{key}' must be a list of strings")
        elif any(not tokens(v) for v in value):
            problems.append(f"{where}: field '{key}' holds an empty phrase")
    if "terms" not in raw or raw.get("terms") == []:
        problems.append(f"{where}: field 'terms' is empty (a concept needs the documents' wording)")
    if not problems:
        # The same phrase twice on the English side, or twice in one language, is a slip;
        # a translation spelled like an English term ("attribution") is a fact and allowed.
        for group in (("terms", "variants"),) + tuple((lang, LANGUAGE_VARIANTS[lang]) for lang in LANGUAGES):
            seen: dict[tuple[str, ...], str] = {}
            for key in group:
                for phrase in raw.get(key, []):
                    norm = tokens(phrase)
                    if norm in seen:
                        problems.append(f"{where}: field '{key}': {phrase!r} repeats a phrase of '{seen[norm]}'")
                    seen[norm] = seen.get(norm, key)
    return problems


def _concept(raw: dict) -> Concept:
    return Concept(id=raw["id"], kind=raw["kind"], terms=tuple(raw["terms"]),
                   variants=tuple(raw.get("variants", ())), oneway=raw.get("oneway", False),
                   translations={k: tuple(raw[k]) for k in LANGUAGES if k in raw},
                   translated_variants={k: tuple(raw[v]) for k, v in LANGUAGE_VARIANTS.items() if v in raw})


def parse_thesaurus(text: str, source: str = "thesaurus.toml") -> Thesaurus:
    """TOML text -> Thesaurus; unsound entries are skipped and reported in `problems`.

    Only a file that is not TOML at all raises ThesaurusError: one bad entry must
    not take the other concepts away from search.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThesaurusError(f"{source}: not valid TOML: {exc}") from None
    problems = [f"{source}: unknown top-level key {k!r} (only [[concept]] tables)"
                for k in sorted(set(data) - {"concept"})]
    entries = data.get("concept", [])
    if not isinstance(entries, list):
        return Thesaurus((), problems + [f"{source}: 'concept' must be an array of tables ([[concept]])"])
    concepts: list[Concept] = []
    seen: set[str] = set()
    previous = ""
    for position, raw in enumerate(entries, 1):
        entry_problems = check_entry(raw, position, source)
        if entry_problems:
            problems += entry_problems
            continue
        if raw["id"] in seen:
            problems.append(f"{source}: concept {raw['id']}: field 'id' is a duplicate")
            continue
        if raw["id"] < previous:
            problems.append(f"{source}: concept {raw['id']}: field 'id' is out of alphabetical order "
                            f"(after {previous})")
        seen.add(raw["id"])
        previous = max(previous, raw["id"])
        concepts.append(_concept(raw))
    return Thesaurus(concepts, problems)


def validate(text: str, source: str = "thesaurus.toml") -> list[str]:
    """Every one-line problem in a thesaurus file's text (empty when the file is clean)."""
    try:
        return list(parse_thesaurus(text, source).problems)
    except ThesaurusError as exc:
        return [str(exc)]


def load_thesaurus(path: Path = THESAURUS, cache: Optional[Path] = None) -> Thesaurus:
    """The thesaurus at `path`; with a `cache` folder, its parsed form is kept there as JSON for the next process.

    Parsing and checking the TOML costs a one-shot search about 0.15 s of CPU, reading the JSON a few ms. The
    JSON is keyed by the file's bytes and this module's source, so an edited thesaurus or a changed rule of
    normalisation or checking is parsed again."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ThesaurusError(f"{path.name}: cannot be read: {exc}") from None
    if cache is None:
        return parse_thesaurus(text, path.name)
    file = cache / f"thesaurus-{hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]}.json"
    key = hashlib.sha256(raw + Path(__file__).read_bytes()).hexdigest()
    cached = _from_json(read_keyed(file, key))
    if cached is not None:
        return cached
    thesaurus = parse_thesaurus(text, path.name)
    write_keyed(file, key, {"problems": thesaurus.problems, "keys": thesaurus.keys(), "concepts": [
        {"id": c.id, "kind": c.kind, "terms": c.terms, "variants": c.variants, "oneway": c.oneway,
         "translations": dict(c.translations), "translated_variants": dict(c.translated_variants)}
        for c in thesaurus.concepts]})
    return thesaurus


def _from_json(value: object) -> Optional[Thesaurus]:
    """A thesaurus written by load_thesaurus, None when `value` is not one."""
    try:
        return Thesaurus([Concept(id=c["id"], kind=c["kind"], terms=tuple(c["terms"]), variants=tuple(c["variants"]),
                                  oneway=c["oneway"], translations={k: tuple(v) for k, v in c["translations"].items()},
                                  translated_variants={k: tuple(v) for k, v in c["translated_variants"].items()})
                          for c in value["concepts"]], value["problems"],
                         [[tuple(k) for k in concept] for concept in value["keys"]])
    except (KeyError, TypeError, AttributeError, ValueError):  # ValueError: keys that do not fit the phrases
        return None
