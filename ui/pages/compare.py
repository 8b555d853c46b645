"""The Compare page: two documents aligned paragraph by paragraph, with tracked-change diffs.

The pickers and the status filter are bound to the URL (`?a=A/RES/75/32&b=A/RES/76/19&status=changed`),
so a comparison can be bookmarked or shared. Everything the page shows is the engine's: the alignment
(`Searcher.compare`, index/compare.py) and its renderings (index/compare_render.py: the escaped HTML
fragment on the page, Markdown and Word for the downloads). Streamlit runs this file as the page's script.
"""
from __future__ import annotations

import re
from functools import partial

import streamlit as st

from index import IndexUnavailable, Searcher
from index.align import STATUSES
from index.compare import CompareResult
from index.compare_render import to_docx, to_html, to_markdown
from ui.constants import COMPARE_A_LABEL, COMPARE_B_LABEL, COMPARE_CLASS, COMPARE_STATUS_LABEL
from ui.escape import md_plain
from ui.resources import config, open_searcher

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_options(docs: list[dict]) -> dict[str, str]:
    """What a picker offers, oldest first: symbol (or id, for a document without one) -> its date and title.

    The picker shows the key itself: a picker bound to the URL writes what it shows there, and the deep
    link names documents as `?a=A/RES/75/32`; the date and title are the caption under it."""
    out: dict[str, str] = {}
    for d in sorted(docs, key=lambda d: (d["date"] or "", d["doc_id"])):
        out[d["symbol"] or d["doc_id"]] = " · ".join(x for x in (d["date"], d["title"]) if x)
    return out


def file_stem(result: CompareResult) -> str:
    names = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", d.name).strip("-") for d in (result.a, result.b))
    return f"normbase-compare-{names}"[:120]


@st.cache_resource(show_spinner="Comparing…", max_entries=16)
def compared(_s: Searcher, version: str, a: str, b: str) -> CompareResult:
    """One comparison per index version and pair, shared by the sessions: filtering does not redo it."""
    return _s.compare(a, b)


def deep_link(s: Searcher, docs: list[dict], options: dict[str, str]) -> None:
    """`?a=`/`?b=` may name a document by id or in another case, as the CLI allows: point the picker at it.
    A name no document answers to is said, with the engine's near matches, instead of being dropped."""
    for side in ("a", "b"):
        name = st.query_params.get(side, "").strip()
        if not name or name in options:
            continue
        key = next((d["symbol"] or d["doc_id"] for d in docs
                    if name.casefold() in (d["doc_id"].casefold(), (d["symbol"] or "").casefold())), None)
        if key:
            st.session_state[side] = key
            continue
        try:
            s.compare(name, name)  # fails on resolving the name, before aligning anything
        except IndexUnavailable as exc:
            st.error(md_plain(exc))


def pickers(options: dict[str, str]) -> tuple[str | None, str | None]:
    chosen = []
    for column, label, key in zip(st.columns(2), (COMPARE_A_LABEL, COMPARE_B_LABEL), ("a", "b")):
        value = column.selectbox(label, list(options), key=key, index=None, bind="query-params",
                                 placeholder="Choose a document (type to filter)")
        if value:
            column.caption(md_plain(options[value]))
        chosen.append(value)
    return chosen[0], chosen[1]


def downloads(result: CompareResult, shown: list[str]) -> None:
    md = to_markdown(result, shown)
    docx = partial(to_docx, result, shown)  # made when clicked: python-docx is not free on a long document
    st.session_state["compare_exports"] = {"markdown": md, "docx": docx}  # what the buttons offer, for tests
    stem = file_stem(result)
    row = st.container(horizontal=True, gap="small")
    row.download_button("Download Markdown", md, f"{stem}.md", "text/markdown", on_click="ignore",
                        icon=":material/download:", help="The rows shown, insertions bold, deletions struck through")
    row.download_button("Download Word (.docx)", docx, f"{stem}.docx", DOCX_MIME, on_click="ignore",
                        icon=":material/download:", help="A briefing note: insertions underlined, deletions struck "
                                                         "through")


def render() -> None:
    s = open_searcher(config())
    st.title("Compare two documents")
    st.caption("What changed from one text to the next, as tracked changes: insertions underlined, deletions "
               "struck through. Paragraphs may be edited, split, merged or moved between preamble and "
               "operative part.")
    docs = s.documents()
    options = document_options(docs)
    deep_link(s, docs, options)
    a, b = pickers(options)
    st.session_state.pop("compare_exports", None)
    if not (a and b):
        st.info("Choose two documents, the earlier one first, e.g. two successive resolutions of one series.")
        return
    try:
        result = compared(s, str(s.folder), a, b)
    except IndexUnavailable as exc:  # an unknown document (UnknownDocument) names the near matches
        st.error(md_plain(exc))
        return
    shown = st.pills(COMPARE_STATUS_LABEL, STATUSES, selection_mode="multi", default=list(STATUSES), key="status",
                     bind="query-params", format_func=lambda k: f"{k} ({result.summary[k]})")
    if not shown:  # the engine's rule, as with the CLI's --status: no status chosen, every row
        st.caption("No status chosen: every row is shown.")
    downloads(result, shown)
    st.html(f'<div class="{COMPARE_CLASS}">{to_html(result, shown)}</div>')


if __name__ == "__main__":  # Streamlit runs a page file as __main__; importing it (tests) runs nothing
    render()
