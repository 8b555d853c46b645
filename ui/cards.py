"""A search result as an HTML card: citation line, the verbatim passage highlighted, its actions.

Every document field is escaped (ui.escape.esc) before it is put in the HTML; links are offered
only for http(s) URLs (index.export.safe_url). The actions are native <details> panels, so they
open without a script and without a Streamlit rerun; only the Copy button uses the page's one
script (ui/static/copy.js), which reads the panel's text when clicked.
"""
from __future__ import annotations

import streamlit as st

from index import Hit, Searcher
from index.export import quote_with_citation, safe_url
from ingest import language

from .constants import CARD_CLASS, CARDS_CLASS, CITE_CLASS, PASSAGE_CLASS
from .escape import esc
from .languages import parallels_html, text_attrs
from .lineage import lineage_panel
from .lists import whole_list_html


def highlighted(text: str, spans) -> str:
    """The verbatim text, escaped, with <mark> around the highlight spans (clamped, never overlapping)."""
    out, pos = [], 0
    for start, end in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if end <= start:
            continue
        out += [esc(text[pos:start]), "<mark>", esc(text[start:end]), "</mark>"]
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def show_cards(s: Searcher, hits: list[Hit]) -> None:
    """Each card as one HTML element, then its Lineage panel (ui/lineage.py). A widget per action (link button,
    three popovers) made a results page about 110 Streamlit messages; a card is two, its HTML panels open in
    the browser without a rerun, and only the Lineage panel, computed when opened, needs the server
    (docs/performance.md, "Warm query render")."""
    with st.container(key=CARDS_CLASS):
        for hit in hits:
            st.html(card_html(hit, s.context(hit), whole_list_html(s.whole_list(hit)), s.parallels(hit)))
            lineage_panel(s, hit)


def card_html(hit: Hit, context: list[dict], whole_list: str = "", parallels: list[dict] = ()) -> str:
    """Citation line (symbol, label, page, date · body), title, the passage, then its actions."""
    title = hit.title if hit.symbol else ""  # without a symbol, the citation already starts with the title
    meta = " · ".join(esc(x) for x in (title, hit.delegation, language.name(hit.language)) if x)
    return (f'<article class="{CARD_CLASS}"><h3 class="{CITE_CLASS}">{esc(hit.citation)}'
            f'<span class="nb-body"> · {esc(hit.body)}</span></h3>'
            f'<p class="nb-meta">{meta}</p>'
            f'<blockquote class="{PASSAGE_CLASS}" {text_attrs(hit.language)}>'
            f'{highlighted(hit.text, hit.highlights)}</blockquote>'
            f'{notes_html(hit)}'
            f'<div class="nb-actions">{actions_html(hit, context, whole_list, parallels)}</div></article>')


def notes_html(hit: Hit) -> str:
    """The footnotes the passage cites, under it: their marks are kept out of the quoted words."""
    if not hit.footnotes:
        return ""
    items = "".join(f'<li><sup>{esc(n.marker)}</sup> {esc(n.text)}</li>' for n in hit.footnotes)
    return f'<ol class="nb-notes" aria-label="Footnotes">{items}</ol>'


def icon(name: str) -> str:
    return f'<span class="nb-icon" aria-hidden="true">{name}</span>'


def panel(label: str, icon_name: str, hint: str, body: str) -> str:
    """A disclosure button (native <details>: keyboard and screen-reader friendly, no script) and its panel."""
    return (f'<details><summary title="{esc(hint)}">{icon(icon_name)}{esc(label)}</summary>'
            f'<div class="nb-panel">{body}</div></details>')


def actions_html(hit: Hit, context: list[dict], whole_list: str = "", parallels: list[dict] = ()) -> str:
    """Official document, Copy citation, Context, (for a list item) Whole list, (for repeated wording)
    Same language elsewhere and (for a document in several languages) the parallel passages.
    `whole_list` is the escaped panel body of ui/lists.py, "" for none."""
    out = []
    url = safe_url(hit.url)
    if url:
        out.append(f'<a class="nb-btn" href="{esc(url)}" target="_blank" title="Opens {esc(url)} in a new tab">'
                   f'{icon("open_in_new")}Official document</a>')
    copy = (f'<pre class="nb-quote">{esc(quote_with_citation(hit))}</pre>'
            f'<button type="button" class="nb-copy-btn">{icon("content_copy")}Copy to clipboard</button>'
            '<span class="nb-copy-status" role="status"></span>')
    out.append(panel("Copy citation", "content_copy", "The quote and its citation, ready to paste", copy))
    out.append(panel("Context", "segment", "The paragraphs before and after this one",
                     context_html(context, hit.ordinal)))
    if whole_list:
        out.append(panel("Whole list", "format_list_numbered", "The list this passage belongs to, in order",
                         whole_list))
    if hit.also_in:
        out.append(panel(f"Same language elsewhere ({len(hit.also_in)})", "history",
                         "Other documents with the same or nearly the same wording", also_in_html(hit)))
    if parallels:
        names = ", ".join(dict.fromkeys(language.name(r["language"]) for r in parallels))
        out.append(panel(f"In {names}", "translate", "The same paragraph in the document's other language versions",
                         parallels_html(parallels)))
    return "".join(out)


def context_html(rows: list[dict], ordinal: int) -> str:
    """The paragraphs around a hit, the hit itself in bold."""
    parts = []
    for r in rows:
        here = r["ordinal"] == ordinal
        parts.append(f'<div class="nb-ctx{" nb-current" if here else ""}">'
                     f'<div class="nb-ctx-cite">{esc(r["citation"])}{" (this result)" if here else ""}</div>'
                     f'<div class="nb-ctx-text" dir="auto">{esc(r["text"])}</div></div>')
    return "".join(parts) or "<p>No surrounding paragraphs.</p>"


def also_in_html(hit: Hit) -> str:
    """Every place with this wording, oldest first, this result marked."""
    places = [(hit.date, hit.citation, True)] + [(a.date, a.citation, False) for a in hit.also_in]
    places.sort(key=lambda p: p[0] or "9999")
    items = "".join(f"<li>{esc(c)}{' <em>(this result)</em>' if here else ''}</li>" for _, c, here in places)
    return ('<p class="nb-meta">Oldest first: where this wording first appeared, and where it recurs.</p>'
            f'<ol class="nb-also">{items}</ol>')
