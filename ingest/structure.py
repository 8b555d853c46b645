"""Finding the units people cite, and their labels in the document's own style.

A resolution is cited by preambular (PP) and operative (OP) paragraph, a
report by paragraph and sub-item ("para. 13 (f)"), a convention by article and
paragraph ("art. 14 (2)"), an OSCE decision by CBM, a statement compendium by
delegation. The walk below reads cleaned paragraphs in order, tracks headings
and the current numbering, and emits one `Unit` per citable paragraph.
Headings are never units: they become the heading path of what follows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from . import language
from .clean import Cleaned, Paragraph, normal_key
from .families import COMPENDIUM, STRUCTURED, family_of, opening_re
from .masthead import ascii_digits
from .records import SourceEntry

# "3." may stand alone before "(a)"; Arabic statements number "1-" (digits are read as ASCII, see `_digits`).
NUM_RE = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)(?:\.|\s*-(?=\s))(?:\s+(?=\S)|$)")
ENUM_ALONE_RE = re.compile(r"^\(?(?:[a-z]{1,2}|[ivxl]{1,6})\)$")
# "(a)" in English, "a)" in Spanish, French and Russian (with a Cyrillic letter), "(i)" or "i)".
LETTER_RE = re.compile(r"^\(?([a-zа-я]{1,2})\)\s+(?=\S)")
ROMAN_ITEM_RE = re.compile(r"^\(?([ivxl]{1,6})\)\s+(?=\S)")
ROMAN_HEADING_RE = re.compile(r"^([IVXL]{1,6})\.\s+(\S.*)$")
LETTER_HEADING_RE = re.compile(r"^([A-H])\.\s+(\S.*)$")
ARTICLE_RE = re.compile(r"^Article\s+(\d{1,3})\.?(?:\s+([A-Z][^.;:]{0,150}))?$")
CHAPTER_RE = re.compile(r"^Chapter\s+([IVXL]+|\d+)\.?$", re.I)
NOTES_ARTICLES_RE = re.compile(r"^Articles?\s+(\d{1,3}(?:(?:,\s*|\s+and\s+)\d{1,3})*)\b.{0,80}$")
ANNEX_RE = re.compile(r"^Annex(?:\s+[IVX]+)?\.?$", re.I)
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
NOISE_RE = re.compile(r"^\d+(?:st|nd|rd|th)\s+(?:\(resumed\)\s+)?plenary meeting\b|^\[on the report of|"
                      r"^Resolution adopted by the|^Note by the Secretariat$|^\d+\s+/\s*\d+$", re.I)
LEAD_WORDS = 45  # how much of a parent paragraph a sub-item carries as context


@dataclass
class Unit:
    label: str
    start: int
    end: int
    heading: str = ""
    context: str = ""
    delegation: str = ""
    language: str = "en"


def is_heading(text: str) -> bool:
    """Short, no sentence punctuation at the end, not a numbered item."""
    if MD_HEADING_RE.match(text) or ARTICLE_RE.match(text) or CHAPTER_RE.match(text) or ANNEX_RE.match(text):
        return True
    if (NUM_RE.match(ascii_digits(text[:12])) or LETTER_RE.match(text) or text.startswith(("- ", "* ", "["))
            or ENUM_ALONE_RE.match(text)):
        return False
    words = text.split()
    return 0 < len(words) <= 14 and len(text) <= 160 and not text.rstrip().endswith(
        (".", ",", ";", ":", "!", "?", "”", '"', "،", "؛", "。", "，", "；", "：")) or bool(
        ROMAN_HEADING_RE.match(text) and len(words) <= 16 and not text.endswith((";", ",")))


@dataclass
class _Numbering:
    """The current position in a numbered hierarchy: 13 -> (f) -> (ii)."""

    num: str = ""
    letter: str = ""
    roman: str = ""
    lead: dict[str, str] = field(default_factory=dict)  # level -> lead-in text of the parent
    numbered: dict[str, str] = field(default_factory=dict)  # "1" -> lead-in of OP 1, for "1.6"

    def read(self, text: str) -> tuple[Optional[str], str]:
        """Advance on the enumerator that opens `text`; returns (level, body) or (None, text).

        Numbers are read with their digits as ASCII ("１-" is 1): labels are
        normalised, the quoted text is not (the translation keeps every length).
        """
        m = NUM_RE.match(ascii_digits(text[:12]))
        if m:
            self.num, self.letter, self.roman = m.group(1), "", ""
            self.lead = {"num": _lead(text[m.end():])}
            self.numbered[self.num] = self.lead["num"]
            return "num", text[m.end():]
        m = ROMAN_ITEM_RE.match(text)
        if m and self.letter and not _next_letter(self.letter, m.group(1)):
            self.roman = m.group(1)
            return "roman", text[m.end():]
        m = LETTER_RE.match(text)
        if m and (text.startswith("(") or self.num or self.letter):  # a bare "a)" only inside numbering
            self.letter, self.roman = m.group(1), ""
            rest = text[m.end():]
            self.lead["letter"] = _lead(rest)
            r = ROMAN_ITEM_RE.match(rest)  # "(a) (i) The conversion ..."
            if r:
                self.roman = r.group(1)
                return "roman", rest[r.end():]
            return "letter", rest
        return None, text

    def lead_in(self, text: str) -> None:
        """An unnumbered paragraph ending in a colon introduces the items that follow."""
        self.letter = self.roman = ""
        self.lead = {"num": _lead(text)} if text.rstrip().endswith(":") else {}

    def suffix(self) -> str:
        return "".join(f" ({x})" for x in (self.letter, self.roman) if x)

    def context(self, level: Optional[str]) -> str:
        parts = []
        if level == "num" and "." in self.num:
            parts.append(self.numbered.get(self.num.rsplit(".", 1)[0], ""))
        if level in ("letter", "roman") and self.lead.get("num"):
            parts.append(self.lead["num"])
        if level == "roman" and self.lead.get("letter"):
            parts.append(self.lead["letter"])
        return " … ".join(p for p in parts if p)


def _next_letter(prev: str, cand: str) -> bool:
    """`(i)` after `(h)` is a letter, not a roman numeral."""
    return len(prev) == 1 and len(cand) == 1 and ord(cand) == ord(prev) + 1


def _lead(text: str) -> str:
    words = text.split()
    return " ".join(words[:LEAD_WORDS]) + (" …" if len(words) > LEAD_WORDS else "")


@dataclass
class _Headings:
    stack: list[tuple[int, str]] = field(default_factory=list)

    def push(self, level: int, title: str) -> None:
        self.stack = [h for h in self.stack if h[0] < level] + [(level, title)]

    def append_to_top(self, text: str) -> None:
        level, title = self.stack[-1]
        self.stack[-1] = (level, f"{title}. {text}" if not title.endswith((".", ";")) else f"{title} {text}")

    def path(self) -> str:
        return " > ".join(t for _, t in self.stack)


def segment(cleaned: Cleaned, source: SourceEntry) -> list[Unit]:
    """All citable units of one document, in order."""
    paras = [p for p in cleaned.paragraphs if cleaned.para_text(p).strip()]
    walker = WALKERS[family_of(source.symbol, source.body, source.type).structure]
    return walker(cleaned, source).walk(paras)


class _Walker:
    def __init__(self, cleaned: Cleaned, source: SourceEntry):
        self.c, self.source = cleaned, source
        self.units: list[Unit] = []
        self.heads = _Headings()

    def emit(self, p: Paragraph, label: str, context: str = "", **kw) -> None:
        self.units.append(Unit(label, p.start, p.end, self.heads.path(), context, **kw))

    def footnote(self, p: Paragraph, text: str) -> None:
        m = re.match(r"^(\d{1,3}|\*{1,3})\s", text)
        self.emit(p, f"fn. {m.group(1)}" if m else "fn.", language=language.detect(text, self.source.language))


class _Structured(_Walker):
    """Resolutions, reports, conventions, decisions and free text."""

    def walk(self, paras: list[Paragraph]) -> list[Unit]:
        texts = [self.c.para_text(p) for p in paras]
        self.mode = "front" if any(opening_re().match(t) for t in texts) else "body"
        self.pp = self.free = 0
        self.num = _Numbering()
        self.article = ""
        self.in_notes = self.annex = False
        self.last_label = ""
        self.title_slots = 0
        self.after_article = False
        self.lead_in = ""
        for p, text in zip(paras, texts):
            if p.kind == "footnote":
                self.footnote(p, text)
            elif NOISE_RE.match(text):
                continue
            elif self.mode == "front":
                if opening_re().match(text):
                    self.mode = "preamble"
            elif not self._heading(text):
                self._paragraph(p, text)
        return self.units

    def _heading(self, text: str) -> bool:
        if opening_re().match(text):
            self.mode, self.pp, self.title_slots = "preamble", 0, 0
            return True
        if text.strip().lower() == "preamble":
            self.heads.push(2, "Preamble")
            self.title_slots = 0
            return True
        if ANNEX_RE.match(text):
            self.heads.push(1, text.rstrip("."))
            self.annex, self.mode, self.title_slots = True, "annex", 3
            self.article, self.num = "", _Numbering()
            return True
        if (self.title_slots and self.mode == "annex" and len(text.split()) < 45 and not text.endswith(".")
                and not ARTICLE_RE.match(text) and not CHAPTER_RE.match(text)):
            self.heads.append_to_top(text) if len(self.heads.stack) > 0 else self.heads.push(1, text)
            self.in_notes = self.in_notes or "interpretative note" in text.lower()
            self.title_slots -= 1
            return True
        self.title_slots = 0
        if self.after_article and is_heading(text) and not ARTICLE_RE.match(text):
            self.heads.append_to_top(text)
            self.after_article = False
            return True
        self.after_article = False
        m = ARTICLE_RE.match(text) or (self.in_notes and NOTES_ARTICLES_RE.match(text))
        if m:
            self.article, self.mode = m.group(1), "article"
            if not self.in_notes:  # interpretative notes are numbered straight through
                self.num = _Numbering()
            self.heads.stack = [h for h in self.heads.stack if h[1] != "Preamble"]
            title = m.group(2) if not self.in_notes and m.lastindex and m.group(2) else ""
            self.heads.push(3, text if self.in_notes else f"Article {m.group(1)}" + (f". {title}" if title else ""))
            self.after_article = not self.in_notes and not title
            return True
        if CHAPTER_RE.match(text):
            self.heads.push(2, text.rstrip("."))
            self.after_article = True  # the chapter title follows on the next line
            return True
        m = MD_HEADING_RE.match(text)
        if m:
            self.heads.push(len(m.group(1)), m.group(2).strip())
            return True
        if ROMAN_HEADING_RE.match(text) and is_heading(text):
            self.heads.push(2 if self.annex else 1, text)
            return True
        if LETTER_HEADING_RE.match(text) and is_heading(text):
            self.heads.push(3 if self.annex else 2, text)
            return True
        if is_heading(text):
            self.heads.push(4, text)
            return True
        return False

    def _paragraph(self, p: Paragraph, text: str) -> None:
        lang = language.detect(text, self.source.language)
        level, body = self.num.read(text)
        if level is not None and not body.strip():
            if self.mode == "preamble":
                self.mode = "operative"
            return  # a bare "3." before its "(a)": it only sets the numbering
        if level is None:
            self.num.lead_in(text)
            if self.mode == "article":
                label = self._label() if self.in_notes else f"art. {self.article}"
            elif self.mode == "preamble":
                self.pp += 1
                label = f"PP {self.pp}" if not self.annex else f"annex, PP {self.pp}"
            elif self.last_label and self.mode != "body":
                label = self.last_label
            else:
                self.free += 1
                label = f"para. {self.free}"
            bullet = text.startswith(("- ", "* "))
            self.emit(p, label, _lead(self.lead_in) if bullet else "", language=lang)
            if not bullet:
                self.lead_in = text if text.endswith(":") else ""
            self.last_label = label
            return
        if self.mode == "preamble":
            self.mode = "operative"
        label = self._label()
        self.emit(p, label, self.num.context(level), language=lang)
        self.last_label = label

    def _label(self) -> str:
        n = self.num
        if self.in_notes:
            arts = f"art{'s' if ' ' in self.article else ''}. {self.article}" if self.article else "annex"
            return f"note {n.num}{n.suffix()} ({arts})".replace("note  ", "note ")
        if self.mode == "article":
            inner = f" ({n.num})" if n.num else ""
            return f"art. {self.article}{inner}{n.suffix()}"
        if self.mode == "operative" and not self.annex:
            return f"OP {n.num}{n.suffix()}" if n.num else f"OP{n.suffix()}"
        prefix = {"decision": "CBM", "resolution": "annex, para."}.get(self.source.type, "para.")
        if self.source.type == "decision" and not self.annex:
            prefix = "para."
        return f"{prefix} {n.num}{n.suffix()}".replace("  ", " ").strip()


class _Compendium(_Walker):
    """Statements grouped by delegation, each in its own language.

    Where the compendium has a table of contents, only headings it lists open
    a new delegation; other headings ("Courtesy translation") stay inside the
    statement, so a translation is found under the delegation it belongs to.
    """

    def _is_delegation(self, heading: str) -> bool:
        names = [normal_key(e) for e in self.c.contents]
        h = normal_key(heading)
        return not names or any(n == h or (len(h) > 25 and n.startswith(h)) for n in names if n)

    def walk(self, paras: list[Paragraph]) -> list[Unit]:
        delegation, num, lang = "", _Numbering(), self.source.language
        for p in paras:
            text = self.c.para_text(p)
            if p.kind == "footnote":
                self.footnote(p, text)
                continue
            if NOISE_RE.match(text) and not delegation:
                continue
            m = ROMAN_HEADING_RE.match(text)
            if m and len(text.split()) < 20:  # "I. Member States", "II. European Union"
                self.heads.push(1, text)
                delegation = self._statement(m.group(2).strip())
                continue
            if self.c.contents and self.heads.stack and len(text.split()) < 60 and self._is_delegation(text):
                self.heads.push(2, text)
                delegation = self._statement(text.strip())
                continue
            if is_heading(text):
                if self.heads.stack and self._is_delegation(text):
                    self.heads.push(2, text)
                    delegation = self._statement(text.strip())
                elif self.heads.stack:
                    self.heads.push(3, text)  # a sub-heading inside one statement
                continue
            if not delegation and text.startswith("* "):
                self.footnote(p, text)  # "* Circulated in the languages of submission only"
                continue
            if not delegation:
                level, _ = num.read(text)
                if level:  # the Secretariat's numbered note; the masthead and title are not citable
                    self.emit(p, f"para. {num.num}", language=language.detect(text, self.source.language))
                continue
            page = self.c.page_at(p.start)
            self.on_page[page] = self.on_page.get(page, 0) + 1
            if len(text.split()) < 4 or (len(text.split()) <= 8 and text.rstrip().endswith((",", "،"))):
                continue  # salutations ("Mr. Chair,", "Thank you.", "السيد الرئيس …،") are not citable content
            lang = language.detect(text, lang)  # short lines keep the statement's language
            self.emit(p, self._label(delegation, text, page), delegation=delegation, language=lang)
        return self.units

    def _statement(self, delegation: str) -> str:
        """A new statement: its own numbering and our paragraph count start afresh."""
        self.num, self.numbered, self.on_page, self.last = _Numbering(), False, {}, ""
        return delegation

    def _label(self, delegation: str, text: str, page: Optional[int]) -> str:
        """The statement's own number where it has one ("Niger, para. 4"), else ours, marked as ours.

        An unnumbered paragraph after a numbered one belongs to it (a list, a
        quotation, the rest of a paragraph cut by a page break). Before any
        number, or in a statement with none, the label names the page and counts
        the statement's paragraphs on it: "El Salvador, p. 10, ¶ 3".
        """
        level, _ = self.num.read(text)
        if level == "num" or (level is not None and self.numbered):
            self.numbered = True
            self.last = f"{delegation}, para. {self.num.num}{self.num.suffix()}".replace("para.  (", "para. (")
        elif not self.numbered:
            n = self.on_page.get(page, 0)
            self.last = f"{delegation}, p. {page}, ¶ {n}" if page is not None else f"{delegation}, ¶ {n}"
        return self.last


# The structure modes of ingest/families.py: a family names the walker that cuts it.
WALKERS: dict[str, type[_Walker]] = {STRUCTURED: _Structured, COMPENDIUM: _Compendium}
