"""A result card's Lineage panel: where the passage's wording came from and how it evolved.

The panel is a Streamlit expander that tracks its state (`on_change="rerun"`), so the lineage is
computed only for the card a reader opens (`Searcher.lineage`, index/lineage.py), never for the whole
results page. The timeline is HTML made here from the engine's `Lineage`: every document field is
escaped (ui.escape.esc), the diffs are index.compare_render.html_diff's (escaped, <ins>/<del>), and
links are offered only for http(s) URLs (index.export.safe_url).
"""
from __future__ import annotations

import streamlit as st

from index import Hit, IndexUnavailable, Searcher
from index.compare_render import html_diff
from index.export import safe_url
from index.lineage import Lineage, Version

from .constants import FIRST_CLASS, LINEAGE_CLASS, LINEAGE_LABEL, ONLY_SENTENCE, VERSION_CLASS
from .escape import esc, md_plain

STATUS_WORDS = {"self": "this result", "same": "same wording", "changed": "edited"}


def lineage_panel(s: Searcher, hit: Hit) -> None:
    """The card's expander; its body (the lineage) runs only while it is open."""
    panel = st.expander(LINEAGE_LABEL, key=f"lineage-{hit.passage_id}", on_change="rerun",
                        icon=":material/timeline:")
    if not panel.open:
        return
    with panel:
        try:
            found = s.lineage(hit.passage_id)
        except IndexUnavailable as exc:  # e.g. an index built before fingerprints: the message says how to rebuild
            st.warning(md_plain(exc))
            return
        st.html(lineage_html(found))


def lineage_html(found: Lineage) -> str:
    n = len(found.versions)
    if n <= 1:
        return '<p class="nb-meta">No other version of this wording in the corpus.</p>'
    return (f'<p class="nb-meta">{n} versions, oldest first. Each is compared with the one before it: '
            'insertions <ins>underlined</ins>, deletions <del>struck through</del>.</p>'
            f'<ol class="{LINEAGE_CLASS}">' + "".join(version_html(v) for v in found.versions) + "</ol>")


def version_html(v: Version) -> str:
    """One version: date and citation (linked), what it is, and its edit against the version before it."""
    p = v.passage
    url = safe_url(p.url)
    cite = (f'<a href="{esc(url)}" target="_blank" title="Opens {esc(url)} in a new tab">{esc(p.citation)}</a>'
            if url else esc(p.citation))
    tags = ["first appearance"] * v.first + [STATUS_WORDS.get(v.status, v.status)] + [ONLY_SENTENCE] * v.only_sentence
    head = f'{esc(p.date)} · {cite}' + "".join(f'<span class="nb-tag">{esc(t)}</span>' for t in tags)
    body = esc(p.text) if v.first else html_diff(v.diff)
    shared = ("".join(f"<li>{esc(t)}</li>" for t in v.shared))
    shared = f'<div class="nb-meta">The sentence in common:</div><ul>{shared}</ul>' if shared else ""
    classes = VERSION_CLASS + (f" {FIRST_CLASS}" if v.first else "")
    return (f'<li class="{classes}"><div class="nb-ctx-cite">{head}</div>'
            f'<div class="nb-ctx-text">{body}</div>{shared}</li>')
