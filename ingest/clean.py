"""Turning raw extracted text into clean paragraphs without touching a sentence.

What goes: UN job numbers, barcodes, page-number lines, running page headers
(the symbol and the repeated title, everything above a PDF page's page-number
line), masthead lines (as `ingest.masthead` read them), tables of contents.
What is mended: line wrapping (lines of one paragraph are joined with a
space), words hyphenated at a line end (only when the document itself spells
them unbroken elsewhere), and paragraphs cut by a page break. Footnotes are
kept as paragraphs of their own, after the paragraph they interrupted; the
reference marks that cite them ("the 2010,1 20132 and 20153 reports") are set
apart from the words (`Cleaned.refs`), so a quotation never glues a footnote
number to a year.

Every paragraph keeps a map back to the raw text and to its page, so each
passage can be checked verbatim against its source: the raw text, less the
set-apart reference marks and the dropped lines, is the cleaned text.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from .families import opening_re
from .loaders import PAGE_BREAK
from .masthead import Masthead, ascii_digits

JOB_RE = re.compile(r"^\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})?$")
BARCODE_RE = re.compile(r"^\*\d{6,}\*$")
PAGE_RE = re.compile(r"^(?:\d{2}-\d{5}\s+)?(\d{1,4})/(\d{1,4})(?:\s+\d{2}-\d{5})?$")
BARE_PAGE_RE = re.compile(r"^(?:-\s*)?(?:page\s+)?\d{1,4}(?:\s*-)?$", re.I)
FOOTNOTE_RULE_RE = re.compile(r"^_{5,}$")
FOOTNOTE_START_RE = re.compile(r"^(\d{1,3}|\*{1,3})\s+(?=\S)")
LEADER_RE = re.compile(r"\.{5,}\s*\d*$")
ENUM_ONLY_RE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.|\((?:[a-z]{1,2}|[ivxl]{1,6}|\d{1,3})\))"
                          r"(?:\s+\((?:[a-z]{1,2}|[ivxl]{1,6})\))*$")
MASTHEAD_RE = re.compile(
    r"^(?:United Nations(?:\s+[A-Z]\S*/\S+)?|General Assembly|Security Council|Economic and Social Council|"
    r"Distr\.?:\s*\w+|English|Original:.*|\w+(?:-\w+)? session|Eleventh substantive session|"
    r".*\bsubstantive session|Agenda items? [\d, and]+|(?:Arabic|Chinese|English|French|Russian|Spanish)"
    r"(?:/(?:Arabic|Chinese|English|French|Russian|Spanish)?)*/?)$"
)
# Preambular paragraphs open with a participle or adjective: "Recalling", "Noting", "Mindful".
PP_OPENER_RE = re.compile(r"^(?:[A-Z][a-z]+(?:ing|ed)|Mindful|Aware|Conscious|Cognizant|Deeply|Gravely)\b")
# "3.", "(a)", "(ii)"; "1-" (Arabic statements, digits read as ASCII); "a)" (Spanish, French, Russian)
ITEM_START_RE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.|\d{1,3}\s*-|\(?(?:[a-zа-я]|[ivxl]{1,6})\))\s+\S")
WORD_RE = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
DATE_LINE_RE = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}$")
TERMINAL = tuple(".;:!?؛。；：！？")
MASTHEAD_LINES = 40


@dataclass
class Paragraph:
    start: int  # offsets into Cleaned.text
    end: int
    kind: str = "body"  # "body" or "footnote"
    indented: bool = False  # first line began with white space (a new-paragraph cue)


@dataclass(frozen=True)
class NoteRef:
    """A footnote reference mark set apart from the text: where it stood, what it was, its note."""

    pos: int  # offset into Cleaned.text where the mark stood
    marker: str
    raw_start: int  # the mark's span in the raw text
    raw_end: int
    note: int  # index into Cleaned.paragraphs of the footnote it cites


@dataclass
class Cleaned:
    text: str
    paragraphs: list[Paragraph]
    has_pages: bool
    contents: list[str] = field(default_factory=list)  # table-of-contents entries, if any
    refs: list[NoteRef] = field(default_factory=list)  # footnote marks set apart, in text order
    _clean_pos: list[int] = field(default_factory=list)
    _raw_pos: list[int] = field(default_factory=list)
    _page_pos: list[int] = field(default_factory=list)
    _page_no: list[int] = field(default_factory=list)

    def raw_offset(self, pos: int) -> int:
        i = bisect.bisect_right(self._clean_pos, pos) - 1
        if i < 0:
            return 0
        return self._raw_pos[i] + (pos - self._clean_pos[i])

    def page_at(self, pos: int) -> Optional[int]:
        if not self.has_pages:
            return None
        i = bisect.bisect_right(self._page_pos, pos) - 1
        return self._page_no[i] if i >= 0 else 1

    def para_text(self, p: Paragraph) -> str:
        return self.text[p.start:p.end]

    def note_text(self, ref: NoteRef) -> str:
        """The text of the footnote a mark cites, without its own number."""
        text = self.para_text(self.paragraphs[ref.note])
        return FOOTNOTE_START_RE.sub("", text, count=1).lstrip() if FOOTNOTE_START_RE.match(text) else text


@dataclass
class _Line:
    raw_start: int
    text: str  # stripped
    indented: bool
    page: int
    kind: str = "content"  # content | blank | drop | rule | footnote


def _split_lines(raw: str) -> list[_Line]:
    lines, pos, page = [], 0, 1
    for chunk in raw.split("\n"):
        if PAGE_BREAK in chunk:  # PDF page boundaries: count them, then treat as blank
            parts = chunk.split(PAGE_BREAK)
            for j, part in enumerate(parts):
                if j:
                    page += 1
                    lines.append(_Line(pos, "", False, page, "blank"))
                lines.append(_line(pos, part, page))
                pos += len(part) + 1
            continue
        lines.append(_line(pos, chunk, page))
        pos += len(chunk) + 1
    return lines


def _line(pos: int, chunk: str, page: int) -> _Line:
    stripped = chunk.strip()
    lead = len(chunk) - len(chunk.lstrip())
    return _Line(pos + lead, stripped, chunk[:1] in (" ", "\t"), page, "content" if stripped else "blank")


def clean(raw: str, *, symbol: str = "", title: str = "", has_pages: bool = False,
          masthead: Optional[Masthead] = None) -> Cleaned:
    lines = _split_lines(raw)
    txt_pages = _mark_artefacts(lines, symbol, printed_pages=not has_pages)
    if has_pages:
        _mark_page_tops(lines, symbol)
    has_pages = has_pages or txt_pages
    _mark_running_headers(lines, symbol, title)
    if masthead is not None:
        starts = {a for a, _ in masthead.spans}
        for ln in lines:
            if ln.kind == "content" and ln.raw_start in starts:
                ln.kind = "drop"
    else:
        _mark_masthead(lines)
    contents = _mark_contents(lines)
    _mark_footnotes(lines)
    # Only a line ending in a hyphenated word is ever mended: without one, the vocabulary
    # (every word of the file) is not needed, which for a 50 MB file was seconds and gigabytes.
    hyphenated = any(ln.text.endswith("-") for ln in lines if ln.kind != "blank")
    cleaned = _assemble(lines, has_pages, _unbroken_words(raw) if hyphenated else set())
    cleaned.contents = contents
    return cleaned


def _mark_artefacts(lines: list[_Line], symbol: str, printed_pages: bool = True) -> bool:
    """Drop print artefacts; where a text file carries `N/M` page lines, use them as pages.

    A PDF's pages are its own (`printed_pages=False`): the printed numbers may
    start after a cover, and the page a reader opens is the PDF's.
    """
    saw_page, page = False, 1
    sym = symbol.strip()
    for ln in lines:
        t = ln.text
        if ln.kind == "blank":
            ln.page = max(ln.page, page)
            continue
        m = PAGE_RE.match(t)
        if m and int(m.group(1)) <= int(m.group(2)):
            saw_page = True
            page = max(page, int(m.group(1))) if printed_pages else page
            ln.kind = "drop"
        elif JOB_RE.match(t) or BARCODE_RE.match(t) or (sym and t == sym) or BARE_PAGE_RE.match(t):
            ln.kind = "drop"
        ln.page = max(ln.page, page)
    return saw_page and printed_pages


PAGE_TOP_LINES = 7  # a UN page header: the symbol, up to four title lines, the page line


def _mark_page_tops(lines: list[_Line], symbol: str) -> None:
    """A PDF page's running header: everything above its page-number line ("2/4 23-24434").

    UN pages after the first open with the symbol and the short title (the
    symbol sometimes on the same line as the title's end), then the page
    number beside the job number. Found at the top of a page, that line closes
    the header, however the title lines read.
    """
    i = 0
    while i < len(lines):
        page = lines[i].page
        j, block = i, []
        while j < len(lines) and lines[j].page == page:
            j += 1
        if page > 1:
            block = [k for k in range(i, j) if lines[k].kind != "blank"][:PAGE_TOP_LINES]
        for n, k in enumerate(block):
            if PAGE_RE.match(lines[k].text) and _is_marker(lines[k], symbol):
                if all(len(lines[b].text) < 120 and not lines[b].text.endswith((".", ";", ","))
                       for b in block[:n]):
                    for b in block[:n]:
                        lines[b].kind = "drop"
                break
        i = j


def normal_key(text: str) -> str:
    """Only the letters and digits, lower-cased: two copies of one wording compare equal
    whatever their line breaks, spacing, punctuation or case."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _mark_running_headers(lines: list[_Line], symbol: str, title: str = "") -> None:
    """The title lines printed beside the symbol and page number at the top of each page.

    A header block is anchored on a page-number line. Title-like lines (no
    sentence punctuation at the end) that touch one of its marker lines are
    header lines if the block is closed by a blank line and its lines recur
    elsewhere in the document or are part of the document's title. Body text
    never counts as an anchor, so one dropped line cannot pull its neighbours
    along, and a body line that happens to touch a header is kept.
    """
    counts = Counter(ln.text for ln in lines if ln.kind == "content")
    title_key = normal_key(title)
    for a in (i for i, ln in enumerate(lines) if ln.kind == "drop" and PAGE_RE.match(ln.text)):
        window = [a]
        for step in (-1, 1):  # the page line's neighbourhood: blanks, markers, title-like lines
            j = a + step
            while 0 <= j < len(lines) and abs(j - a) <= 8 and (
                    lines[j].kind == "blank" or _is_marker(lines[j], symbol)
                    or (lines[j].kind == "content" and _title_like(lines[j].text))):
                window.append(j)
                j += step
        for m in (i for i in window if _is_marker(lines[i], symbol)):
            for step in (-1, 1):  # title lines that touch a marker line, closed by a blank or marker
                block, j = [], m + step
                while 0 <= j < len(lines) and len(block) < 5 and lines[j].kind == "content" \
                        and _title_like(lines[j].text):
                    block.append(j)
                    j += step
                closed = not 0 <= j < len(lines) or lines[j].kind in ("blank", "drop")
                joined = normal_key(" ".join(lines[b].text for b in sorted(block)))
                if block and closed and (all(counts[lines[b].text] >= 2 for b in block)
                                         or (len(joined) >= 10 and joined in title_key)):
                    for b in block:
                        lines[b].kind = "drop"


def _is_marker(ln: _Line, symbol: str) -> bool:
    t = ln.text
    return ln.kind == "drop" and bool(PAGE_RE.match(t) or JOB_RE.match(t) or (symbol and t == symbol))


def _title_like(text: str) -> bool:
    return (len(text) < 120 and not text.endswith(TERMINAL + (",",)) and not FOOTNOTE_RULE_RE.match(text)
            and not ENUM_ONLY_RE.match(text))


def _mark_masthead(lines: list[_Line]) -> None:
    prev_distr = in_agenda = False
    for ln in lines[:MASTHEAD_LINES]:
        if ln.kind == "blank":
            in_agenda = False
            continue
        if ln.kind != "content":
            continue
        t = ln.text
        if MASTHEAD_RE.match(t) or (prev_distr and DATE_LINE_RE.match(t)) or in_agenda:
            ln.kind = "drop"
            in_agenda = in_agenda or t.startswith("Agenda item")
        prev_distr = t.startswith("Distr")


def _mark_contents(lines: list[_Line]) -> list[str]:
    """A table of contents: from a `Contents` line to its last dot-leader line.

    Returns its entries (wrapped entries joined), which name the sections
    that follow: the delegations of a statement compendium, for instance.
    """
    entries: list[str] = []
    for i, ln in enumerate(lines):
        if ln.kind == "content" and ln.text.lower() in ("contents", "table of contents"):
            last = max((j for j in range(i, min(len(lines), i + 120)) if LEADER_RE.search(lines[j].text)),
                       default=None)
            if last is None:
                continue
            pending = ""
            for j in range(i + 1, last + 1):
                if lines[j].kind != "content":
                    continue
                lines[j].kind = "drop"
                text = f"{pending} {lines[j].text}".strip()
                if LEADER_RE.search(text):
                    entries.append(LEADER_RE.sub("", text).strip(" .\t"))
                    pending = ""
                elif text.lower() != "page":
                    pending = text
    return entries


def _mark_footnotes(lines: list[_Line]) -> None:
    """Lines after a `_____` rule, up to the next page's header, are footnotes."""
    in_notes, page = False, None
    for ln in lines:
        if ln.kind == "content" and FOOTNOTE_RULE_RE.match(ln.text):
            ln.kind, in_notes, page = "rule", True, ln.page
            continue
        if in_notes:
            if ln.kind == "drop" or ln.page != page:
                in_notes = False
            elif ln.kind == "content":
                ln.kind = "footnote"


def _unbroken_words(raw: str) -> set[str]:
    """Words as the document spells them on one line, hyphenated compounds included."""
    return {m.group().lower() for m in WORD_RE.finditer(raw) if m.end() - m.start() > 3}


@dataclass
class _Builder:
    """Appends pieces of text while recording where each came from."""

    text: list[str] = field(default_factory=list)
    length: int = 0
    clean_pos: list[int] = field(default_factory=list)
    raw_pos: list[int] = field(default_factory=list)
    page_pos: list[int] = field(default_factory=list)
    page_no: list[int] = field(default_factory=list)

    def add(self, piece: str, raw_start: int = -1, page: int | None = None) -> None:
        if raw_start >= 0:
            self.clean_pos.append(self.length)
            self.raw_pos.append(raw_start)
        if page is not None and (not self.page_no or self.page_no[-1] != page):
            self.page_pos.append(self.length)
            self.page_no.append(page)
        self.text.append(piece)
        self.length += len(piece)


def _group(lines: list[_Line]) -> list[tuple[str, list[_Line], bool]]:
    """Consecutive lines -> raw paragraphs, each flagged when it starts on a new page."""
    groups: list[tuple[str, list[_Line], bool]] = []
    current: list[_Line] = []
    kind, last_body_page = "body", None
    widths = sorted(len(ln.text) for ln in lines if ln.kind == "content")
    short = 0.8 * widths[int(len(widths) * 0.9)] if widths else 0

    def flush():
        nonlocal current, last_body_page
        if current:
            broke = kind == "body" and last_body_page is not None and current[0].page != last_body_page
            groups.append((kind, current, broke))
            if kind == "body":
                last_body_page = current[-1].page
        current = []

    for ln in lines:
        if ln.kind in ("drop", "rule"):
            continue
        if ln.kind == "blank":
            flush()
            continue
        this_kind = "footnote" if ln.kind == "footnote" else "body"
        if (not current or this_kind != kind or current[-1].page != ln.page
                or (this_kind == "footnote" and FOOTNOTE_START_RE.match(ln.text))
                or (this_kind == "body" and _starts_paragraph(ln, current[-1], short, len(current) == 1))):
            flush()
            kind = this_kind
        current.append(ln)
    flush()
    return groups


def _starts_paragraph(ln: _Line, prev: _Line, short: float, prev_is_first: bool = False) -> bool:
    """Cues for a new paragraph inside a block: indent, bullet, enumerator, or a
    sentence that ended on a short line (ragged-right text without blank lines).
    A short first line ending in a colon is a heading or lead-in that wraps on."""
    p = prev.text
    return (ln.indented or ln.text.startswith(("- ", "* ", "• ", "#")) or p.startswith("#")
            or bool(ENUM_ONLY_RE.match(ln.text)) or bool(opening_re().match(p))
            or (bool(ITEM_START_RE.match(ascii_digits(ln.text[:12]))) and p.endswith((".", ";", ":", ",", "; or", "; and")))
            or (len(p) < short and not ENUM_ONLY_RE.match(p) and (
                (p.endswith((".", "!", "?", ":", ";", ".”", '."')) and not (prev_is_first and p.endswith(":"))
                 and (_capital(ln.text[:1]) or ITEM_START_RE.match(ascii_digits(ln.text[:12]))))
                or (p.endswith(",") and PP_OPENER_RE.match(ln.text)))))


def _capital(ch: str) -> bool:
    """A capital letter, or a letter of a script without case (Arabic, Chinese): a sentence may start here."""
    return ch.isupper() or (ch.isalpha() and not ch.islower())


def _continues(prev: list[_Line], nxt: list[_Line]) -> bool:
    """Is `nxt` the rest of `prev`, cut by a page break?"""
    last, first = prev[-1].text, nxt[0].text
    if ENUM_ONLY_RE.match(last):
        return True
    if ENUM_ONLY_RE.match(first) or first.startswith(("- ", "* ", "#")) or nxt[0].indented and not first[:1].islower():
        return False
    if first[:1].islower():
        return True
    return not last.endswith(TERMINAL + (",", ")", "”", '"', "،", "，"))


def _assemble(lines: list[_Line], has_pages: bool, vocab: set[str]) -> Cleaned:
    groups = _group(lines)
    merged: list[tuple[str, list[_Line], bool]] = []
    held_notes: list[tuple[str, list[_Line], bool]] = []
    last_body = -1  # index in `merged` of the latest body paragraph: keeps this pass linear
    for kind, group, broke in groups:
        if kind == "footnote":
            held_notes.append((kind, group, broke))
            continue
        if broke and last_body >= 0 and _continues(merged[last_body][1], group):
            # Join across the break; footnotes seen meanwhile follow the joined paragraph.
            merged[last_body][1].extend(group)
            continue
        merged.extend(held_notes)
        held_notes = []
        merged.append((kind, list(group), broke))
        if kind == "body":
            last_body = len(merged) - 1
    merged.extend(held_notes)
    marks = _find_refs(merged)

    out = _Builder()
    paragraphs: list[Paragraph] = []
    refs: list[NoteRef] = []
    for gi, (kind, group, _) in enumerate(merged):
        if paragraphs:
            out.add("\n\n")
        start = out.length
        for j, ln in enumerate(group):
            piece = ln.text
            if j:
                prev = group[j - 1].text
                if _dehyphenate(prev, piece, vocab):
                    # Drop the line-end hyphen: remove it from what was already written.
                    out.text[-1] = out.text[-1][:-1]
                    out.length -= 1
                elif SPACED_HYPHEN_RE.search(prev) and piece[:1].islower() and out.text[-1].endswith(" -"):
                    # "consensus -" + "driven": the PDF's justified line put a space before the hyphen.
                    out.text[-1] = out.text[-1][:-2]
                    out.length -= 2
                    out.add("-", group[j - 1].raw_start + len(prev) - 1)
                elif not re.search(r"[^\W\d_]-$", prev):  # "capacity-" + "building": no space
                    out.add(" ")
            page = ln.page if has_pages else None
            cut = 0
            for a, b, marker, note in marks.get(id(ln), []):
                out.add(piece[cut:a], ln.raw_start + cut, page)
                refs.append(NoteRef(out.length, marker, ln.raw_start + a, ln.raw_start + b, note))
                cut = b
            out.add(piece[cut:], ln.raw_start + cut, page)
        paragraphs.append(Paragraph(start, out.length, kind, group[0].indented))
    cleaned = Cleaned("".join(out.text), paragraphs, has_pages, refs=refs)
    cleaned._clean_pos, cleaned._raw_pos = out.clean_pos, out.raw_pos
    cleaned._page_pos, cleaned._page_no = out.page_pos, out.page_no
    return cleaned


SPACED_HYPHEN_RE = re.compile(r"[^\W\d_] -$")


def _strong_patterns(m: str) -> list[re.Pattern]:
    """The surest places of a mark: after a year, glued ("20132": 2013 and mark 2), alone after it
    ("2013 3 and", "2015 3 reports", "2010, 1 2013"), or glued to a word's comma ("Security,1 to")."""
    return [re.compile(rf"(?<![\w/.])(?:19|20)\d\d(?P<m>{m})(?![\w/])"),
            re.compile(rf"(?<![\w/.])(?:19|20)\d\d(?P<m> {m})(?=$|  | [a-z]|,|;)"),
            re.compile(rf"(?<![\w/.])(?:19|20)\d\d,(?P<m> ?{m})(?=\s)"),  # "2010,1 2013", "2010, 1 2013"
            re.compile(rf"[^\W\d_][,;:](?P<m>{m})(?=\s|$)")]


def _ref_patterns(marker: str) -> list[re.Pattern]:
    """Where a footnote mark (group "m") sits in extracted text: glued to a word, to a year,
    after punctuation, or (a PDF's superscript) alone between a word and a double space."""
    m = re.escape(marker)
    if marker.startswith("*"):
        return [re.compile(rf"[^\s*](?P<m>{m})(?![*\w])")]
    return _strong_patterns(m) + [
        re.compile(rf"[^\W\d_](?P<m>{m})(?![\w/])"),  # "second2", "Group3"
        re.compile(rf"(?:[^\s][,;:)\]”’\"]|[^\W\d_]\.)(?P<m>{m})(?=\s|$)"),  # "77/37,4 ", "security.5 "
        re.compile(rf"[^\W\d_](?P<m> {m})(?=  )"),  # "the first 1  and"
        re.compile(rf"[^\W\d_][,;](?P<m> {m})(?= [a-z])"),  # "Security, 1 and the first"
    ]


LOOKAHEAD_NOTES = 2  # marks may come out of order ("of 2013 3 and 20152"): the next two are looked for


def _find_refs(merged: list[tuple[str, list[_Line], bool]]) -> dict[int, list[tuple[int, int, str, int]]]:
    """Footnote marks in the body lines: id(line) -> [(start, end, marker, note paragraph index)].

    UN footnotes are numbered through the document, and a mark comes before the
    note it cites: so only the next expected numbers are looked for, from where
    the previous mark was found, until their note has gone by. A number that
    merely looks like a mark ("resolution 20/8") is never an expected one at the
    expected place. A note cited again later (the UN reuses "2013 3 and 20152"
    for the same reports) is recognised only in its surest places (`_strong_patterns`).
    """
    notes = []  # (paragraph index, marker), in order
    for gi, (kind, group, _) in enumerate(merged):
        m = FOOTNOTE_START_RE.match(group[0].text) if kind == "footnote" else None
        if m:
            notes.append((gi, m.group(1)))
    found: dict[int, list[tuple[int, int, str, int]]] = {}
    pending, cited = list(notes), {}  # cited: marker -> note paragraph, for notes already cited
    for gi, (kind, group, _) in enumerate(merged):
        if kind == "footnote":
            pending = [n for n in pending if n[0] > gi]  # a note that has gone by is no longer awaited
            continue
        for ln in group:
            pos = 0
            while True:
                options = [(p, n) for n in pending[:LOOKAHEAD_NOTES] for p in _ref_patterns(n[1])]
                options += [(p, (note, mk)) for mk, note in cited.items() if not mk.startswith("*")
                            for p in _strong_patterns(re.escape(mk))]
                hits = [(m, n) for p, n in options if (m := p.search(ln.text, pos))]
                if not hits:
                    break
                hit, (note, marker) = min(hits, key=lambda h: h[0].start("m"))
                a, b = hit.start("m"), hit.end("m")
                if ln.text[a] == " " and ln.text[b:b + 2] == "  ":  # "first 1  and": set apart with a space
                    b += 1
                found.setdefault(id(ln), []).append((a, b, marker, note))
                pending = [n for n in pending if n != (note, marker)]
                cited[marker] = note
                pos = b
    return found


def _dehyphenate(prev: str, nxt: str, vocab: set[str]) -> bool:
    """`informa-` + `tion` -> `information`, only if the document spells it so elsewhere."""
    m1 = re.search(r"([A-Za-z]+)-$", prev)
    m2 = re.match(r"([a-z]+)", nxt)
    if not (m1 and m2) or len(prev) > 1 and prev[-2] == "-":
        return False
    joined = (m1.group(1) + m2.group(1)).lower()
    return joined in vocab and f"{m1.group(1)}-{m2.group(1)}".lower() not in vocab
