"""Document families: what a kind of document is, written down once.

A family is a kind of document that people cite in one way: an UNGA resolution,
a UN report, an OSCE Permanent Council decision, a statement compendium. Its
entry says how its symbols look, which body and type a file of it gets when the
catalogue says nothing, where its official text lives, which formula opens its
decision text ("The General Assembly,"), and which structure routine cuts it
into citable units (a key of `ingest.structure.WALKERS`).

The catalogue (`corpus/sources.toml`) still has the last word on a catalogued
document: the families are what inference, URL defaults, cleaning and
structure fall back on. Adding a family is adding an entry to FAMILIES (plus a
walker in ingest/structure.py if none of the existing ones cuts it). The
opening formulas are regular expressions of a whole line, punctuation
included, so another language's formula ("L'Assemblée générale,", "大会，") is one
more string in an entry.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

STRUCTURED, COMPENDIUM = "structured", "compendium"
UNDOCS = "https://undocs.org/"


@dataclass(frozen=True)
class Family:
    name: str
    body: str  # "" in a family known by its type alone: the catalogue's body stands
    type: str
    symbol: str = ""  # regex matching a symbol from its start; "" for a family known by body and type
    url: str = ""  # the official link, "{symbol}" filled in; "" where a symbol does not give one
    opening: tuple[str, ...] = ()  # regexes of the line that opens the decision text
    structure: str = STRUCTURED
    title: str = ""  # regex found in the title of an uncatalogued document of this family

    def claims(self, symbol: str, body: str, type_: str) -> bool:
        """Does a document with these facts belong to this family?"""
        if self.symbol:
            return bool(_compiled(self.symbol).match(symbol))
        return (not self.body or body == self.body) and type_ == self.type

    def url_for(self, symbol: str) -> str:
        return self.url.format(symbol=symbol) if self.url and symbol else ""


UN_URL = UNDOCS + "{symbol}"
_UN_DOC = r"/\d{4}/[A-Z]+(?:/\d+)?(?:/Rev\.\d+)?"  # the tail of an A/AC.<committee> symbol
_VERSION = r"(?:/Rev\.\d+)?(?:/Corr\.\d+)?"  # a revision or corrigendum of the symbol before it
# The formula that opens a General Assembly text, in the six languages ("The General Assembly,").
GA_OPENING = (r"The General Assembly,", r"La Asamblea General,", r"L['’]Assemblée générale,",
              r"Генеральная Ассамблея,", r"إن الجمعية العامة[،,]", r"大会[，,]")

# Order matters: the first family that claims a document is its family. Families
# known by their type come first (a compendium is cut by delegation whatever its
# symbol), the catch-alls last.
FAMILIES: tuple[Family, ...] = (
    Family("statements", body="", type="statement", structure=COMPENDIUM,
           title=r"(?i)\bcompendium of statements|\bstatements? (?:made )?in explanation of (?:position|vote)|"
                 r"recopilación de (?:las )?declaraciones|recueil des déclarations|сборник заявлений|"
                 r"مجموعة البيانات|发言汇编"),
    Family("unga-resolution", body="UNGA", type="resolution", symbol=r"A/RES/(?:ES-)?\d+/\d+" + _VERSION,
           url=UN_URL, opening=GA_OPENING),
    Family("security-council-resolution", body="other", type="resolution", symbol=r"S/RES/\d+", url=UN_URL,
           opening=(r"The Security Council,", r"El Consejo de Seguridad,", r"Le Conseil de sécurité,",
                    r"Совет Безопасности,", r"إن مجلس الأمن[،,]", r"安全理事会[，,]")),
    Family("human-rights-council-resolution", body="other", type="resolution", symbol=r"A/HRC/RES/\d+/\d+",
           url=UN_URL, opening=(r"The Human Rights Council,",)),
    # A draft ("L." document) of any Main Committee or of the plenary: what it proposes is not agreed language.
    Family("ga-draft", body="UNGA", type="draft", symbol=r"A/(?:C\.\d/)?\d+/L\.\d+" + _VERSION,
           url=UN_URL, opening=GA_OPENING),
    Family("oewg-document", body="UN OEWG", type="outcome", symbol=r"A/AC\.(?:290|292)" + _UN_DOC, url=UN_URL),
    Family("un-committee-document", body="other", type="outcome", symbol=r"A/AC\.\d+" + _UN_DOC, url=UN_URL),
    Family("un-report", body="other", type="outcome", symbol=r"A/\d+/\d+(?:/Add\.\d+)?", url=UN_URL),
    Family("osce-decision", body="OSCE", type="decision", symbol=r"PC\.DEC/\d+",
           opening=(r"The Permanent Council,",)),
    Family("paris-call", body="Paris Call", type="outcome"),
    Family("convention", body="", type="convention",
           opening=(r"The States Parties to (?:the present|this) Convention,",)),
    # Any other UN symbol still has its undocs.org page, and "/RES/" still says resolution.
    Family("un-resolution", body="other", type="resolution", symbol=r"[AS]/(?:\S+/)?RES/", url=UN_URL),
    Family("un-document", body="other", type="outcome", symbol=r"[AS]/", url=UN_URL),
)
GENERIC = Family("generic", body="other", type="outcome")


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def family_of(symbol: str, body: str = "", type_: str = "") -> Family:
    """The family of a document with these facts; GENERIC when none claims it."""
    return next((f for f in FAMILIES if f.claims(symbol, body, type_)), GENERIC)


def family_of_symbol(symbol: str) -> Family:
    """What a symbol alone says, for a file the catalogue does not know."""
    return next((f for f in FAMILIES if f.symbol and f.claims(symbol, "", "")), GENERIC)


def family_of_title(title: str) -> Family | None:
    """The family an uncatalogued document's title names ("Compendium of statements …"), if any."""
    return next((f for f in FAMILIES if f.title and _compiled(f.title).search(title)), None)


def official_url(symbol: str) -> str:
    """The official link a symbol gives by itself ("" when it gives none)."""
    return family_of_symbol(symbol).url_for(symbol)


def undocs_url(symbol: str, language: str = "en") -> str:
    """The UN's own link for a UN document symbol, in one language version (`undocs.org/es/<symbol>`)."""
    if not symbol:
        return ""
    return UNDOCS + (f"{language}/" if language and language != "en" else "") + symbol


def language_url(url: str, language: str) -> str:
    """An undocs.org link turned to another language version; other links are left as they are."""
    if not url.startswith(UNDOCS):
        return url
    rest = re.sub(r"^(?:ar|en|es|fr|ru|zh)/", "", url[len(UNDOCS):])
    return undocs_url(rest, language)


def url_language(url: str) -> str:
    """The language version an undocs.org link names ("en" when it names none)."""
    m = re.match(re.escape(UNDOCS) + r"(ar|en|es|fr|ru|zh)/", url)
    return m.group(1) if m else "en"


_REVISION_RE = re.compile(r"^(?P<base>.+?)/(?P<kind>Rev|Corr)\.(?P<n>\d+)$")


def revision_of(symbol: str) -> tuple[str, str]:
    """(kind, what it revises) for a revision or corrigendum symbol, else ("", "").

    `A/AC.292/2025/INF/5/Rev.1` -> ("revision", "A/AC.292/2025/INF/5");
    `A/RES/78/16/Corr.1` -> ("corrigendum", "A/RES/78/16"). A Rev.2 revises the
    original (and, through it, Rev.1): both are superseded by it.
    """
    m = _REVISION_RE.match(symbol.strip())
    if not m:
        return "", ""
    base = m.group("base")
    if m.group("kind") == "Rev":
        return "revision", re.sub(r"/Rev\.\d+$", "", base)
    return "corrigendum", base


def revision_number(symbol: str) -> int:
    """N of the last `/Rev.N` in a symbol, 0 for an original."""
    m = re.search(r"/Rev\.(\d+)(?:/Corr\.\d+)?$", symbol)
    return int(m.group(1)) if m else 0


@functools.lru_cache(maxsize=1)
def symbol_re() -> re.Pattern:
    """Any family's symbol as it appears in running text (the catch-alls excepted: they match prose)."""
    patterns = [f.symbol for f in FAMILIES if f.symbol and f.name not in ("un-resolution", "un-document")]
    return re.compile(r"\b(" + "|".join(patterns) + r")\b")


@functools.lru_cache(maxsize=1)
def opening_re() -> re.Pattern:
    """A line that opens a decision text, in any family's formula.

    All families' formulas count in every document: a report may annex a draft
    resolution, a resolution may annex a convention.
    """
    formulas = dict.fromkeys(f for fam in FAMILIES for f in fam.opening)
    return re.compile(r"^(?:" + "|".join(formulas) + r")$")
