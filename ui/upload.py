"""Adding a document from the browser: check it, show its passages, save it only when asked.

Every check (size, safe name, type by content, same content anywhere in the corpus, the
passages it would give) and the save (never overwriting, never twice) are ingest.upload's;
this module is the page around them: the uploader, the verdict, the preview and the Add button.
"""
from __future__ import annotations

import math
from pathlib import Path

import streamlit as st

from ingest import upload
from ingest.records import IngestError
from ingest.settings import Settings, resolve_model
from ingest.upload import UploadCheck, save_upload

from .escape import md_plain
from .resources import run_build

UPLOAD_TYPES = ["pdf", "txt", "md", "html", "htm"]


def check_uploaded(data: bytes, filename: str, cfg: Settings) -> UploadCheck:
    """ingest.upload's whole check, its preview cut with the model's own tokenizer (as the build cuts),
    in the capped worker (ingest.loaders.sandboxed), not in the server."""
    return upload.check_uploaded(data, filename, cfg, resolve_model(cfg.model))


def upload_folder_indexed(cfg: Settings) -> bool:
    return upload.inside_corpus(cfg.upload_dir, cfg.corpus)


def add_upload(check: UploadCheck, cfg: Settings) -> None:
    """Save under the safe name, rebuild, and report on the next run (the uploader is reset)."""
    try:
        saved = save_upload(check.data, check.name, cfg.upload_dir)
    except IngestError as exc:
        st.error(f"Not saved: {md_plain(exc)}")
        return
    report = run_build(cfg)
    st.session_state.pop("last_build", None)  # reported below, with the upload
    skipped = [s.reason for s in (report.skipped if report else []) if Path(s.path).name == saved.name]
    if report is None or skipped:
        msg = ("warning", f"Saved as {saved.name}, but it is not in the index"
               + (f": {skipped[0]}" if skipped else "") + ".")
    else:
        msg = ("success", f"Saved as {saved.name} and indexed: {len(check.document.passages)} passages.")
    st.session_state["upload_message"] = msg
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.rerun()


def show_upload_preview(check: UploadCheck) -> None:
    doc = check.document
    src = doc.source
    facts = [src.display_symbol, src.body, src.date or "no date found", "catalogued" if src.catalogued else
             "not in the catalogue (details inferred from the file)"]
    st.markdown(f"**{md_plain(check.name)}**: {len(doc.passages)} passages as they will be indexed · "
                + " · ".join(md_plain(f) for f in facts))
    st.dataframe([{"citation": p.citation(src), "page": p.page, "text": p.text} for p in doc.passages],
                 hide_index=True, width="stretch", height=min(400, 40 + 35 * len(doc.passages)))


def upload_section(cfg: Settings) -> None:
    """The "Add a document" part of the Documents page: uploader, verdict, preview, Add button."""
    st.subheader("Add a document")
    st.caption(f"PDF, TXT, MD or HTML, up to {cfg.max_upload_mb:g} MB. You see its passages first; "
               f"“Add” saves it into {md_plain(cfg.upload_dir)} and updates the index.")
    message = st.session_state.pop("upload_message", None)
    if message:
        (st.success if message[0] == "success" else st.warning)(md_plain(message[1]))
    if not upload_folder_indexed(cfg):
        st.warning(f"Uploads are off: the upload folder {md_plain(cfg.upload_dir)} is not one of the corpus "
                   "folders, so an uploaded file would never be indexed. Set NORMBASE_UPLOAD_DIR to a corpus folder.")
        return
    up = st.file_uploader("Document file", type=UPLOAD_TYPES, key=f"upload-{st.session_state.get('upload_round', 0)}",
                          max_upload_size=max(1, math.ceil(cfg.max_upload_mb)),
                          help="The file is checked and previewed; nothing is saved until you press Add.")
    if up is None:
        return
    check = check_uploaded(up.getvalue(), up.name, cfg)
    if check.error:
        st.error(f"**{md_plain(up.name)}** was rejected: {md_plain(check.error)}. "
                 "Nothing was saved and the index is unchanged.")
        return
    show_upload_preview(check)
    if st.button("Add to the corpus and update the index", type="primary"):
        add_upload(check, cfg)
