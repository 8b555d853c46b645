"""A comparison as negotiators read tracked changes: Markdown, HTML and Word.

Insertions are bold (Markdown), <ins> (HTML) or underlined (Word); deletions
are struck through. Every fragment is document text, so it is escaped for the
format it goes into. `statuses` filters the rows (the app's status filter).
"""
from __future__ import annotations

import html
import io
import re
from typing import Iterable, Optional

from .align import STATUSES, DiffOp
from .compare import CompareResult, CompareRow

FORMATS = ("md", "html", "docx")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")


def _rows(result: CompareResult, statuses: Optional[Iterable[str]]) -> list[CompareRow]:
    keep = set(statuses or STATUSES)
    return [r for r in result.rows if r.status in keep]


def _heading(row: CompareRow) -> str:
    a, b = ", ".join(row.a) or "—", ", ".join(row.b) or "—"
    return f"{a} → {b} · {row.status}"


def _title(result: CompareResult) -> str:
    return f"{result.a.name} ({result.a.date}) → {result.b.name} ({result.b.date})"


def _summary_line(result: CompareResult) -> str:
    s = result.summary
    return ", ".join(f"{s[k]} {k}" for k in STATUSES)


def plain_diff(diff: Iterable[DiffOp]) -> str:
    """For a terminal: [-deleted-] and {+inserted+}, as wdiff prints them."""
    marks = {"equal": "{}", "insert": "{{+{}+}}", "delete": "[-{}-]"}
    return "".join(marks[d.op].format(d.text) for d in diff)


# -- Markdown --------------------------------------------------------------
def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_mark(text: str, mark: str) -> str:
    """Wrap in a mark, keeping the surrounding spaces outside it (`** x**` is not bold)."""
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return f"{lead}{mark}{_md_escape(core)}{mark}{trail}"


def md_diff(diff: Iterable[DiffOp]) -> str:
    marks = {"insert": "**", "delete": "~~"}
    return "".join(_md_escape(d.text) if d.op == "equal" else _md_mark(d.text, marks[d.op]) for d in diff)


def to_markdown(result: CompareResult, statuses: Optional[Iterable[str]] = None) -> str:
    lines = [f"# {_md_escape(_title(result))}", "", _summary_line(result) + ".", ""]
    if result.notice:
        lines += [f"> {_md_escape(result.notice)}", ""]
    lines += ["Insertions are **bold**, deletions ~~struck through~~.", ""]
    for row in _rows(result, statuses):
        body = md_diff(row.diff) if row.status != "same" else _md_escape(row.b_text)
        lines += [f"## {_md_escape(_heading(row))}", "", body.replace("\n", "  \n"), ""]
    return "\n".join(lines)


# -- HTML ------------------------------------------------------------------
def html_diff(diff: Iterable[DiffOp]) -> str:
    tags = {"insert": "ins", "delete": "del"}
    return "".join(html.escape(d.text) if d.op == "equal" else f"<{tags[d.op]}>{html.escape(d.text)}</{tags[d.op]}>"
                   for d in diff).replace("\n", "<br>")


def to_html(result: CompareResult, statuses: Optional[Iterable[str]] = None) -> str:
    """An HTML fragment (no <html> shell): one <section> per row, classed by status for styling."""
    parts = [f"<h1>{html.escape(_title(result))}</h1>",
             f'<p class="compare-summary">{html.escape(_summary_line(result))}</p>']
    if result.notice:
        parts.append(f'<p class="compare-notice">{html.escape(result.notice)}</p>')
    for row in _rows(result, statuses):
        parts.append(f'<section class="compare-row compare-{row.status}"><h2>{html.escape(_heading(row))}</h2>'
                     f"<p>{html_diff(row.diff)}</p></section>")
    return "\n".join(parts)


# -- Word ------------------------------------------------------------------
def to_docx(result: CompareResult, statuses: Optional[Iterable[str]] = None) -> bytes:
    """A .docx briefing note: insertions underlined, deletions struck through (python-docx)."""
    from docx import Document

    doc = Document()
    doc.add_heading(_title(result), level=1)
    doc.add_paragraph(_summary_line(result) + ".")
    if result.notice:
        doc.add_paragraph().add_run(_xml_safe(result.notice)).italic = True
    legend = doc.add_paragraph("Insertions are ")
    legend.add_run("underlined").underline = True
    legend.add_run(", deletions ")
    legend.add_run("struck through").font.strike = True
    legend.add_run(".")
    for row in _rows(result, statuses):
        doc.add_heading(_heading(row), level=2)
        para = doc.add_paragraph()
        for d in row.diff:
            run = para.add_run(_xml_safe(d.text))
            if d.op == "insert":
                run.underline = True
            elif d.op == "delete":
                run.font.strike = True
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Word's XML cannot hold control characters; a stray one in extracted text must not sink the export."""
    return _XML_ILLEGAL.sub("", text)


def render(result: CompareResult, fmt: str, statuses: Optional[Iterable[str]] = None) -> str | bytes:
    if fmt == "md":
        return to_markdown(result, statuses)
    if fmt == "html":
        return to_html(result, statuses)
    if fmt == "docx":
        return to_docx(result, statuses)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
