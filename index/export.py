"""Search results as text that leaves normbase: a Markdown note, a CSV sheet, a quote to paste.

The app's export buttons and `python -m index search --format md|csv` call these same pure
functions, so a note saved from the browser and one printed by the CLI are the same text.
Passages are quoted verbatim; what could turn into something active elsewhere is neutralised:
a link is kept only if it is http(s) (a document header cannot smuggle `javascript:`), and a
CSV cell that a spreadsheet would run as a formula gets a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
from urllib.parse import urlparse

from ingest import language

from . import Answer, Filters, Hit

CSV_COLUMNS = ["rank", "citation", "symbol", "label", "page", "date", "body", "url", "text", "also_in", "footnotes"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_url(url: str) -> str:
    """The URL if it is an http(s) link, else "": only web links are ever offered, in a card or an export."""
    url = (url or "").strip()
    try:
        parsed = urlparse(url)
    except ValueError:
        return ""
    return url if parsed.scheme in ("http", "https") and parsed.netloc else ""


def describe_filters(f: Filters) -> str:
    """The filters in words ("body: UNGA; years 2019–…"), for a note's header and the app's result line."""
    bits = [f"{name}: {', '.join(values)}" for name, values in
            (("body", f.bodies), ("document", f.documents), ("type", f.types),
             ("language", [language.name(x) for x in f.languages])) if values]
    if f.year_from is not None or f.year_to is not None:
        bits.append(f"years {f.year_from or '…'}–{f.year_to or '…'}")
    return "; ".join(bits)


def describe_also_searched(also: dict[str, str]) -> str:
    """The question as also searched in other languages ("English “decides to convene”; ..."), for a
    note, the app and the command line: how the question reached passages in other languages."""
    return "; ".join(f"{language.name(code)} “{text}”" for code, text in also.items())


def quote_with_citation(hit: Hit) -> str:
    """The passage in quotation marks, then its citation and link: what a diplomat pastes into a draft."""
    url = safe_url(hit.url)
    return f"“{hit.text}”\n— {hit.citation}" + (f" {url}" if url else "")


def to_markdown(answer: Answer, filters: Filters = Filters()) -> str:
    """The results as a Markdown note: each passage quoted verbatim, then its citation and link."""
    lines = [f"# normbase: {answer.query}", ""]
    if filters:
        lines += [f"Filters: {describe_filters(filters)}", ""]
    if answer.also_searched:
        lines += [f"Also searched as: {describe_also_searched(answer.also_searched)}", ""]
    for h in answer.hits:
        lines += [f"> {line}" if line.strip() else ">" for line in h.text.splitlines()]
        url = safe_url(h.url)
        lines += [">", f"> — {h.citation}" + (f" <{url}>" if url else ""), ""]
        if h.footnotes:
            lines += [f"[^{n.marker}]: {n.text}" for n in h.footnotes] + [""]
        if h.also_in:
            lines += ["Also in: " + "; ".join(a.citation for a in h.also_in), ""]
    return "\n".join(lines)


def footnotes_line(hit: Hit) -> str:
    """`1 See A/77/275. | 2 See A/78/265.`: the notes a passage cites, kept apart from its quoted words."""
    return " | ".join(f"{n.marker} {n.text}" for n in hit.footnotes)


def _csv_cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula: such cells get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def to_csv(hits: list[Hit]) -> str:
    """One row per passage (columns CSV_COLUMNS), the text verbatim but never a formula."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for h in hits:
        w.writerow([_csv_cell(v) for v in (h.rank, h.citation, h.symbol, h.label, h.page, h.date, h.body,
                                           safe_url(h.url), h.text, "; ".join(a.citation for a in h.also_in),
                                           footnotes_line(h))])
    return buf.getvalue()
