"""The Documents page: the catalogue and what of it is indexed, a timeline, the index, uploads.

Streamlit runs this file as the page's script (app.py lists it).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from index import Searcher
from index.build import fingerprint
from index.export import safe_url
from ingest import catalog as cat
from ingest.pipeline import corpus_files
from ingest.records import IngestError, SourceEntry
from ingest.settings import Settings
from ui.escape import md_plain
from ui.resources import config, open_searcher, run_build
from ui.upload import upload_section


def catalogue_rows(entries: list[SourceEntry], indexed: list[dict], skipped: list[dict]) -> list[dict]:
    """One row per catalogued document (indexed, skipped or not available locally), then uncatalogued ones."""
    by_id = {d["doc_id"]: d for d in indexed}
    why = {Path(s["path"]).name: s["reason"] for s in skipped}
    rows = []
    for e in entries:
        d = by_id.get(e.id)
        status = "indexed" if d else f"skipped: {why[e.file]}" if e.file in why else "not available locally"
        rows.append({"document": e.display_symbol, "title": e.title or (d["title"] if d else ""),
                     "body": e.body, "date": e.date,
                     "type": e.type, "status": status, "passages": d["passages"] if d else 0,
                     "link": safe_url(e.url) or None})
    known = {e.id for e in entries}
    for d in indexed:
        if d["doc_id"] not in known:
            rows.append({"document": d["symbol"] or d["title"], "title": d["title"], "body": d["body"],
                         "date": d["date"], "type": d["type"],
                         "status": "indexed (uncatalogued)" if not d["catalogued"] else "indexed (another copy)",
                         "passages": d["passages"], "link": safe_url(d["url"]) or None})
    return rows


def timeline(rows: list[dict]) -> None:
    import pandas as pd

    frame = pd.DataFrame([{"year": r["date"][:4], "body": r["body"]} for r in rows if r["date"][:4].isdigit()])
    if frame.empty:
        return
    st.subheader("Timeline")
    st.caption("Documents in the catalogue and the index, by year and body.")
    st.bar_chart(frame.groupby(["year", "body"]).size().unstack(fill_value=0), x_label="year",
                 y_label="documents")


def index_state(cfg: Settings, s: Searcher) -> None:
    st.subheader("Index")
    m = s.manifest
    stale = m.fingerprint != fingerprint(cfg, corpus_files(cfg.corpus))
    st.markdown(f"Model **{md_plain(m.model)}** · {m.passages} passages from {m.documents} documents · "
                f"built {md_plain(m.built_at.replace('T', ' '))} in {m.build_seconds:.0f} s")
    last = st.session_state.pop("last_build", None)
    if last is not None:
        st.success(f"Index updated: {md_plain(last.summary())}")
    if stale:
        st.warning("Out of date: documents or the catalogue changed since this index was built.")
    else:
        st.caption("Up to date with the corpus folders and the catalogue.")
    if m.skipped:
        with st.expander(f"{len(m.skipped)} file(s) could not be indexed"):
            st.markdown("\n".join(f"- {md_plain(Path(x['path']).name)}: {md_plain(x['reason'])}" for x in m.skipped))
    label = "Rebuild the index" if stale else "Rebuild anyway"
    if st.button(label, type="primary" if stale else "secondary",
                 help="Only new or changed passages are embedded again") and run_build(cfg, force=not stale):
        st.rerun()


def render() -> None:
    cfg = config()
    s = open_searcher(cfg)
    st.title("Documents")
    st.caption("The catalogue (corpus/sources.toml) and what of it is in the index.")
    try:
        entries = cat.load_catalog(cfg.sources)
    except IngestError as exc:
        st.error(f"The catalogue cannot be read: {md_plain(exc)}")
        entries = []
    rows = catalogue_rows(entries, s.documents(), s.manifest.skipped)
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_order=["document", "status", "passages", "date", "body", "type", "link", "title"],
                 column_config={"link": st.column_config.LinkColumn("official link", display_text="open ↗"),
                                "passages": st.column_config.NumberColumn("passages", format="%d")})
    timeline(rows)
    index_state(cfg, s)
    upload_section(cfg)


if __name__ == "__main__":  # Streamlit runs a page file as __main__; importing it (tests) runs nothing
    render()
