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
from ingest import fetch
from ingest.pipeline import corpus_files
from ingest.records import IngestError, SourceEntry
from ingest.settings import USER_CORPUS, Settings
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
        status = "indexed" if d else f"skipped: {why[e.file]}" if e.file in why else MISSING
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


MISSING = "not available locally"


def fetch_missing(cfg: Settings, entries: list[SourceEntry], rows: list[dict]) -> None:
    """Offer to fetch the catalogued documents that are not on this machine, one file at a time.

    Whether the machine is online is asked once per session (one connection to the
    UN's document server); offline, the page says so once and offers nothing.
    """
    absent = {r["document"] for r in rows if r["status"] == MISSING}
    missing = [e for e in entries if e.display_symbol in absent and e.url]
    if not missing:
        return
    st.subheader("Missing documents")
    if "online" not in st.session_state:
        st.session_state["online"] = fetch.online()
    if not st.session_state["online"]:
        st.info(f"This machine is offline: {len(missing)} catalogued document(s) can be fetched once it is "
                "online (Documents page, or `python -m ingest fetch`).")
        return
    st.caption(f"{len(missing)} catalogued document(s) are not on this machine. Fetching saves them in "
               f"{md_plain(USER_CORPUS)}; rebuild the index afterwards.")
    if not st.button(f"Fetch {len(missing)} missing document(s)"):
        return
    bar, results = st.progress(0.0, text="Fetching…"), []
    for i, e in enumerate(missing, 1):
        bar.progress((i - 1) / len(missing), text=f"Fetching {e.display_symbol} ({i}/{len(missing)})")
        try:
            report = fetch.fetch_all([e], USER_CORPUS, lock_path=cfg.sources.with_suffix(".lock"),
                                     max_bytes=cfg.max_file_bytes)
            row = report.rows[0]
            results.append({"document": e.display_symbol, "result": row.status, "note": row.reason})
        except fetch.FetchError as exc:
            results.append({"document": e.display_symbol, "result": "failed", "note": str(exc)})
    bar.progress(1.0, text="Done")
    st.dataframe(results, hide_index=True, width="stretch")


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
    fetch_missing(cfg, entries, rows)
    timeline(rows)
    index_state(cfg, s)
    upload_section(cfg)


if __name__ == "__main__":  # Streamlit runs a page file as __main__; importing it (tests) runs nothing
    render()
