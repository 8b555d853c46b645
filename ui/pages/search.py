"""The Search page: a query and filters give one cited card per passage, and exports of them.

The query and every filter are bound to the URL (`?q=...&body=UNGA`), so a search can be
bookmarked or shared. Streamlit runs this file as the page's script (app.py lists it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import streamlit as st

from index import Answer, Filters, IndexUnavailable, Searcher
from index import export
from ingest import language
from ingest.records import BODIES
from ingest.settings import Settings
from ui.cards import show_cards
from ui.constants import NOTHING_FOUND, SEARCH_LABEL, WORDS_FIRST
from ui.escape import md_plain
from ui.languages import ANY_LANGUAGE, SCOPES, also_searched_line, scoped
from ui.resources import config, models_loading, open_searcher

EXAMPLES = ("protection of critical infrastructure", "emergency response teams", "supply chain integrity")
DEFAULT_K = 10


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "results"


@dataclass
class FilterOptions:
    """What the filter widgets offer, from the documents in the index."""

    bodies: list[str]
    documents: dict[str, str]  # symbol (or id) -> label shown
    types: list[str]
    languages: list[str]
    years: tuple[int, int]

    @classmethod
    def of(cls, docs: list[dict]) -> "FilterOptions":
        present = {d["body"] for d in docs}
        labels: dict[str, str] = {}
        for d in docs:
            key = d["symbol"] or d["doc_id"]
            label = d["symbol"] or d["title"] or d["doc_id"]
            labels[key] = label if label not in labels.values() else f"{label} ({d['doc_id']})"
        years = sorted({d["year"] for d in docs if d["year"]}) or [2000]
        found = sorted({d["language"] for d in docs if d["language"]})
        return cls(bodies=[b for b in BODIES if b in present] + sorted(present - set(BODIES)),
                   documents=dict(sorted(labels.items(), key=lambda kv: kv[1])),
                   types=sorted({d["type"] for d in docs if d["type"]}),
                   languages=list(dict.fromkeys([*language.NAMES, *found])),
                   years=(years[0], max(years[-1], years[0] + 1)))


def clear_filters(years: tuple[int, int]) -> None:
    for key in ("body", "doc", "type", "lang"):
        st.session_state[key] = []
    st.session_state["years"] = years


def set_query(text: str) -> None:
    st.session_state["q"] = text


def filter_widgets(opts: FilterOptions) -> tuple[Filters, int]:
    """The sidebar; every widget is bound to a URL parameter named by its key."""
    lo, hi = opts.years
    with st.sidebar:
        st.header("Filters")
        body = st.multiselect("Body", opts.bodies, key="body", bind="query-params", placeholder="All bodies")
        doc = st.multiselect("Document", list(opts.documents), key="doc", bind="query-params",
                             format_func=lambda k: opts.documents.get(k, k), placeholder="All documents")
        types = st.multiselect("Type", opts.types, key="type", bind="query-params", placeholder="All types")
        lang = st.multiselect("Language", opts.languages, key="lang", bind="query-params",
                              format_func=language.name, placeholder="All languages")
        st.radio("Answers in", SCOPES, key="scope", bind="query-params", horizontal=True,
                 help="Only passages in the language of your question, or in any of the six")
        years = st.slider("Years", lo, hi, (lo, hi), key="years", bind="query-params")
        k = st.number_input("Number of results", 1, 50, DEFAULT_K, key="k", bind="query-params")
        filters = Filters(bodies=tuple(body), documents=tuple(doc), types=tuple(types), languages=tuple(lang),
                          year_from=years[0] if years[0] > lo else None,
                          year_to=years[1] if years[1] < hi else None)
        if filters:
            st.button("Clear filters", on_click=clear_filters, args=((lo, hi),))
    return filters, int(k)


def search_box(cfg: Settings) -> str:
    with st.form("search", border=False, enter_to_submit=True):
        c1, c2 = st.columns([6, 1], vertical_alignment="bottom")
        c1.text_input(SEARCH_LABEL, key="q", bind="query-params",
                      placeholder="e.g. protection of critical infrastructure", max_chars=cfg.max_query_chars,
                      help="Words or a question. Put a phrase in quotes to match it exactly. Press Enter to search.")
        c2.form_submit_button("Search", type="primary", width="stretch")
    return st.session_state.get("q", "").strip()


def intro() -> None:
    st.info("Type words or a question and press Enter. Put a phrase in “quotes” to match it exactly. "
            "Filters are in the sidebar.")
    cols = st.columns(len(EXAMPLES) + 1)
    cols[0].caption("Try:")
    for col, example in zip(cols[1:], EXAMPLES):
        col.button(example, key=f"example-{slug(example)}", on_click=set_query, args=(example,), type="tertiary")


def empty_state(query: str, filters: Filters, years: tuple[int, int]) -> None:
    """Say plainly that nothing relevant was found; weaker matches are never shown."""
    st.subheader(NOTHING_FOUND)
    where = f" with these filters ({md_plain(export.describe_filters(filters))})" if filters else ""
    st.markdown(f"No passage is close enough to **{md_plain(query)}**{where}. "
                "Weaker matches are not shown: they would only be noise.")
    tips = (["remove some filters"] if filters else []) + [
        "use the words a resolution or report would use (*critical infrastructure* rather than *power grid hacks*)",
        "shorten a quoted phrase, or drop the quotes"]
    st.markdown("You could:\n" + "\n".join(f"- {t}" for t in tips))
    if filters:
        st.button("Search again without filters", on_click=clear_filters, args=(years,), type="primary")


def results_header(answer: Answer, filters: Filters) -> None:
    md, table = export.to_markdown(answer, filters), export.to_csv(answer.hits)
    st.session_state["exports"] = {"markdown": md, "csv": table}  # what the buttons offer, for tests too
    c1, c2 = st.columns([3, 2], vertical_alignment="center")
    n = len(answer.hits)
    c1.markdown(f"**{n} passage{'s' if n != 1 else ''}** for “{md_plain(answer.query)}”"
                + (f" · {md_plain(export.describe_filters(filters))}" if filters else ""))
    name = f"normbase-{slug(answer.query)}"
    buttons = c2.container(horizontal=True, horizontal_alignment="right", gap="small")
    buttons.download_button("Export Markdown", md, f"{name}.md", "text/markdown", on_click="ignore",
                            icon=":material/download:",
                            help="These results as a Markdown note: quotes, citations, links")
    buttons.download_button("Export CSV", table, f"{name}.csv", "text/csv", on_click="ignore",
                            icon=":material/download:", help="These results as a spreadsheet, one row per passage")


def render() -> None:
    cfg = config()
    s = open_searcher(cfg)
    opts = FilterOptions.of(s.documents())
    st.title("normbase")
    st.caption("Agreed language of international cyber diplomacy, quoted verbatim and cited exactly.")
    filters, k = filter_widgets(opts)
    query = search_box(cfg)
    st.session_state.pop("exports", None)
    if not query:
        intro()
        return
    filters = scoped(filters, st.session_state.get("scope", ANY_LANGUAGE), query, cfg.model_cache)
    # At a cold start the models are still loading: the word matches come first (milliseconds), and the
    # page runs again with the full results as soon as the models are in memory.
    loading = models_loading(cfg)
    try:
        answer = s.answer(query, k, filters, mode="lexical" if loading else "hybrid")
    except IndexUnavailable as exc:
        st.error(md_plain(exc))
        return
    if loading:
        st.info(WORDS_FIRST, icon=":material/hourglass_top:")
    show_answer(s, answer, query, filters, opts)
    if loading:
        for thread in loading:
            thread.join()
        st.rerun()


def show_answer(s: Searcher, answer: Answer, query: str, filters: Filters, opts: FilterOptions) -> None:
    nothing = [n for n in answer.notices if n.startswith("Nothing relevant")]  # the engine's notice
    for notice in answer.notices:
        if notice not in nothing:
            st.warning(md_plain(notice))
    if not answer.hits:
        if nothing:  # otherwise the query itself was unusable, and the notice above says why
            empty_state(query, filters, opts.years)
        return
    results_header(answer, filters)
    if answer.also_searched:
        st.caption(also_searched_line(answer.also_searched))
    show_cards(s, answer.hits)


if __name__ == "__main__":  # Streamlit runs a page file as __main__; importing it (tests) runs nothing
    render()
