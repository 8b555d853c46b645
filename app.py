"""normbase in the browser: cited passages of cyber-diplomacy texts.

Run with `make run`. The searcher (and its model) is loaded once per server
with st.cache_resource; the query and filters live in the URL so a search can
be bookmarked or shared. All document text is HTML-escaped before any markup
(the highlight) is added around it.
"""
from __future__ import annotations

import csv
import html
import io
from pathlib import Path

import streamlit as st

from index import Filters, IndexUnavailable, Searcher
from index.build import build, fingerprint
from index.embed import Embedder
from index.manifest import current_version
from ingest import catalog as cat
from ingest.pipeline import corpus_files, ingest_file
from ingest.passages import tokenizer_counter
from ingest.records import Hit, IngestError
from ingest.settings import Settings, resolve_model
from ingest.upload import check_upload, save_upload

SETTINGS = Settings.from_env()
BODIES = ("UN GGE", "UN OEWG", "UNGA", "OSCE", "OAS", "ASEAN/ARF", "Paris Call", "workshop", "other")

st.set_page_config(page_title="normbase: cyber norms search", page_icon="📜", layout="wide")


@st.cache_resource(show_spinner="Loading the language model…")
def get_embedder(model: str) -> Embedder:
    return Embedder(model)


@st.cache_resource(show_spinner=False)
def get_searcher(index: str, version: str) -> Searcher:
    """One Searcher per index version, shared by every session of this server."""
    return Searcher.open(Path(index), settings=SETTINGS, embedder=get_embedder(SETTINGS.model))


def run_build(force: bool = False) -> None:
    bar = st.progress(0.0, text="Preparing the index…")
    labels = {"ingest": "Reading documents", "embed": "Embedding passages", "write": "Writing the index"}

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(1, total)), text=f"{labels.get(stage, stage)}: {done}/{total}")

    report = build(SETTINGS, embedder=get_embedder(SETTINGS.model), force=force, progress=progress)
    bar.empty()
    st.toast(report.summary())
    for s in report.skipped:
        st.warning(f"Skipped {Path(s.path).name}: {s.reason}")


def searcher() -> Searcher:
    try:
        folder = current_version(SETTINGS.index)
    except IndexUnavailable as exc:
        st.error(str(exc))
        if st.button("Rebuild the index"):
            run_build(force=True)
            st.rerun()
        st.stop()
    if folder is None:
        st.info("No index yet: building it from the corpus folders. This happens once.")
        run_build()
        folder = current_version(SETTINGS.index)
    try:
        return get_searcher(str(SETTINGS.index), folder.name)
    except IndexUnavailable as exc:
        st.error(str(exc))
        st.stop()


# -- rendering ---------------------------------------------------------------

def highlighted(hit: Hit) -> str:
    """The verbatim text, escaped, with <mark> around the highlight spans."""
    out, pos = [], 0
    for start, end in sorted(hit.highlights):
        out.append(html.escape(hit.text[pos:start]))
        out.append(f"<mark>{html.escape(hit.text[start:end])}</mark>")
        pos = end
    out.append(html.escape(hit.text[pos:]))
    return "".join(out)


def quote_with_citation(hit: Hit) -> str:
    return f"“{hit.text}”\n— {hit.citation}" + (f" {hit.url}" if hit.url else "")


def export_markdown(query: str, hits: list[Hit]) -> str:
    lines = [f"# normbase: {query}", ""]
    for h in hits:
        lines += [f"> {h.text}", ">", f"> — {h.citation}" + (f" <{h.url}>" if h.url else ""), ""]
        if h.also_in:
            lines += ["Also in: " + "; ".join(a.citation for a in h.also_in), ""]
    return "\n".join(lines)


def export_csv(hits: list[Hit]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["rank", "citation", "symbol", "label", "page", "date", "body", "url", "text", "also_in"])
    for h in hits:
        w.writerow([h.rank, h.citation, h.symbol, h.label, h.page or "", h.date, h.body, h.url, h.text,
                    "; ".join(a.citation for a in h.also_in)])
    return buf.getvalue()


def card(s: Searcher, hit: Hit) -> None:
    with st.container(border=True):
        where = " · ".join(x for x in (hit.body, hit.delegation, hit.language.upper()) if x)
        st.markdown(f"**{html.escape(hit.citation)}**  \n<small>{html.escape(where)} · "
                    f"{html.escape(hit.title)}</small>", unsafe_allow_html=True)
        st.markdown(f'<div class="passage">{highlighted(hit)}</div>', unsafe_allow_html=True)
        cols = st.columns([1, 1, 1, 1])
        if hit.url:
            cols[0].link_button("Official document", hit.url)
        with cols[1].popover("Copy citation"):
            st.code(quote_with_citation(hit), language=None, wrap_lines=True)
        with cols[2].popover("Context"):
            for row in s.context(hit):
                text = html.escape(row["text"])
                body = f"<b>{text}</b>" if row["ordinal"] == hit.ordinal else text
                st.markdown(f"<small>{html.escape(row['citation'])}</small><br>{body}", unsafe_allow_html=True)
        if hit.also_in:
            with cols[3].popover(f"Same language elsewhere ({len(hit.also_in)})"):
                st.caption("Oldest first: where this wording appeared and recurs.")
                for a in hit.also_in:
                    st.markdown(f"- {html.escape(a.citation)}", unsafe_allow_html=True)


# -- pages -------------------------------------------------------------------

def search_page() -> None:
    s = searcher()
    docs = s.documents()
    qp = st.query_params
    st.title("normbase")
    st.caption("Agreed language of international cyber diplomacy, quoted verbatim and cited exactly.")

    years = sorted({d["year"] for d in docs if d["year"]}) or [2000]
    with st.sidebar:
        st.header("Filters")
        bodies = st.multiselect("Body", BODIES, default=[b for b in qp.get_all("body") if b in BODIES])
        symbols = sorted({d["symbol"] or d["doc_id"] for d in docs})
        documents = st.multiselect("Document", symbols, default=[x for x in qp.get_all("doc") if x in symbols])
        types = st.multiselect("Type", sorted({d["type"] for d in docs}),
                               default=[x for x in qp.get_all("type") if x in {d["type"] for d in docs}])
        langs = st.multiselect("Language", ["en", "fr", "es", "ru", "ar", "zh"],
                               default=[x for x in qp.get_all("lang")])
        lo, hi = years[0], years[-1]
        y_from = int(qp.get("from", lo)) if str(qp.get("from", lo)).isdigit() else lo
        y_to = int(qp.get("to", hi)) if str(qp.get("to", hi)).isdigit() else hi
        year_range = st.slider("Years", lo, max(hi, lo + 1), (max(lo, y_from), min(max(hi, lo + 1), y_to)))
        k = st.number_input("Results", 1, 50, int(qp.get("k", 10)) if str(qp.get("k", 10)).isdigit() else 10)

    with st.form("search", border=False):
        query = st.text_input("Search norms, CBMs and agreed language", value=qp.get("q", ""),
                              placeholder="e.g. protection of critical infrastructure",
                              max_chars=SETTINGS.max_query_chars * 2)
        st.form_submit_button("Search", type="primary")
    if not query.strip():
        st.info("Type a question or keywords. Quote a phrase to match it exactly.")
        return

    filters = Filters(bodies=tuple(bodies), documents=tuple(documents), types=tuple(types), languages=tuple(langs),
                      year_from=year_range[0] if year_range[0] > lo else None,
                      year_to=year_range[1] if year_range[1] < hi else None)
    qp.from_dict({k_: v for k_, v in {
        "q": query, "body": list(bodies), "doc": list(documents), "type": list(types), "lang": list(langs),
        "from": str(filters.year_from) if filters.year_from else None,
        "to": str(filters.year_to) if filters.year_to else None,
        "k": str(k) if k != 10 else None}.items() if v})

    answer = s.answer(query, int(k), filters)
    for notice in answer.notices:
        st.warning(notice)
    if not answer.hits:
        st.subheader("No relevant passage found")
        st.write("Try removing filters, using other words, or quoting a shorter phrase.")
        return
    c1, c2, c3 = st.columns([3, 1, 1])
    c1.write(f"{len(answer.hits)} passages")
    c2.download_button("Export Markdown", export_markdown(answer.query, answer.hits), "normbase.md", "text/markdown")
    c3.download_button("Export CSV", export_csv(answer.hits), "normbase.csv", "text/csv")
    for hit in answer.hits:
        card(s, hit)


def documents_page() -> None:
    s = searcher()
    st.title("Documents")
    m = s.manifest
    indexed = {d["doc_id"]: d for d in s.documents()}
    entries = cat.load_catalog(SETTINGS.sources)
    rows = []
    for e in entries:
        d = indexed.get(e.id)
        rows.append({"symbol": e.symbol or e.title, "title": e.title, "body": e.body, "date": e.date,
                     "type": e.type, "status": "indexed" if d else "not available locally",
                     "passages": d["passages"] if d else 0, "link": e.url})
    known = {e.id for e in entries}
    for d in indexed.values():
        if d["doc_id"] not in known:
            rows.append({"symbol": d["symbol"] or d["title"], "title": d["title"], "body": d["body"],
                         "date": d["date"], "type": d["type"], "status": "indexed (uncatalogued)",
                         "passages": d["passages"], "link": d["url"]})
    st.dataframe(rows, hide_index=True, use_container_width=True,
                 column_config={"link": st.column_config.LinkColumn("Official link")})

    st.subheader("Timeline")
    import pandas as pd

    frame = pd.DataFrame([{"year": int(r["date"][:4]), "body": r["body"]} for r in rows if r["date"][:4].isdigit()])
    if not frame.empty:
        st.bar_chart(frame.groupby(["year", "body"]).size().unstack(fill_value=0))

    st.subheader("Index")
    stale = m.fingerprint != fingerprint(SETTINGS, corpus_files(SETTINGS.corpus))
    st.write(f"Model **{html.escape(m.model)}**, {m.passages} passages from {m.documents} documents, "
             f"built {m.built_at}. " + ("**Out of date with the corpus.**" if stale else "Up to date."))
    if st.button("Rebuild the index" if stale else "Rebuild anyway", type="primary" if stale else "secondary"):
        run_build(force=not stale)
        st.rerun()

    st.subheader("Add a document")
    st.caption(f"PDF, TXT, MD or HTML, up to {SETTINGS.max_upload_mb:g} MB. It is saved into "
               f"{SETTINGS.upload_dir} and indexed by the next rebuild.")
    up = st.file_uploader("Document", type=["pdf", "txt", "md", "html", "htm"])
    if up is not None:
        data = up.getvalue()
        try:
            name = check_upload(data, up.name, max_bytes=int(SETTINGS.max_upload_mb * 1024 * 1024),
                                max_pages=SETTINGS.max_pages)
        except IngestError as exc:
            st.error(f"{up.name} was rejected: {exc}")
            return
        preview_dir = SETTINGS.index / ".preview"
        preview_dir.mkdir(parents=True, exist_ok=True)
        preview = preview_dir / name
        preview.write_bytes(data)
        try:
            doc = ingest_file(preview, cat.Catalog(entries), SETTINGS, tokenizer_counter(resolve_model(SETTINGS.model)))
        except IngestError as exc:
            st.error(f"{up.name} was rejected: {exc}")
            return
        finally:
            preview.unlink(missing_ok=True)
        st.write(f"**{len(doc.passages)} passages** as they will be indexed:")
        st.dataframe([{"citation": p.citation(doc.source), "page": p.page, "text": p.text} for p in doc.passages],
                     hide_index=True, use_container_width=True)
        if st.button("Add to the corpus and rebuild", type="primary"):
            try:
                saved = save_upload(data, name, SETTINGS.upload_dir)
            except IngestError as exc:
                st.error(str(exc))
                return
            st.success(f"Saved as {saved.name}.")
            run_build()


page = st.navigation([st.Page(search_page, title="Search", icon="🔎", default=True),
                      st.Page(documents_page, title="Documents", icon="📚", url_path="documents")])
st.markdown("<style>.passage{font-size:1.05rem;line-height:1.55} mark{background:#fde68a;padding:0 .1em}</style>",
            unsafe_allow_html=True)
page.run()
