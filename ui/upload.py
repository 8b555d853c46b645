"""Adding a document from the browser: check it, show its passages, save it only when asked.

The checks of the file itself (safe name, type by content, readable, page limit) and the save
(never overwriting, never twice) are ingest.upload's; this module adds what needs the app's
settings and index: the size in the units the page shows, the same content anywhere in the
corpus folders, and the preview, built from a private temporary copy.
"""
from __future__ import annotations

import hashlib
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import streamlit as st

from ingest import catalog as cat
from ingest.pipeline import Document, corpus_files, file_sha256, ingest_file
from ingest.records import IngestError
from ingest.settings import Settings
from ingest.upload import check_upload, save_upload

from .escape import md_plain
from .resources import get_token_counter, run_build

UPLOAD_TYPES = ["pdf", "txt", "md", "html", "htm"]


@dataclass
class UploadCheck:
    """An uploaded file after every check, before anything is saved."""

    filename: str  # as the browser sent it: shown, never used as a path
    name: str = ""  # the safe name it will be saved under
    data: bytes = b""
    document: Optional[Document] = None
    error: str = ""


def upload_limit(cfg: Settings) -> int:
    return int(cfg.max_upload_mb * 1024 * 1024)


def same_content(data: bytes, cfg: Settings) -> Optional[Path]:
    """A corpus (or upload folder) file with exactly these bytes, if there is one."""
    digest = hashlib.sha256(data).hexdigest()
    for path in corpus_files([*cfg.corpus, cfg.upload_dir]):
        try:
            if path.stat().st_size == len(data) and file_sha256(path) == digest:
                return path
        except OSError:
            continue
    return None


def preview_document(data: bytes, name: str, cfg: Settings) -> Document:
    """The passages the file would give, from a private temporary copy (never from the corpus folder)."""
    try:
        catalog = cat.Catalog(cat.load_catalog(cfg.sources))
    except IngestError:
        catalog = cat.Catalog([])
    with tempfile.TemporaryDirectory(prefix="normbase-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return ingest_file(path, catalog, cfg, get_token_counter(cfg.model))


def check_uploaded(data: bytes, filename: str, cfg: Settings) -> UploadCheck:
    """Size, type (by content), duplicates and passages of an upload; nothing is written to the corpus."""
    limit = upload_limit(cfg)
    try:
        if len(data) > limit:  # said in the units of the page's caption ("up to 20 MB")
            raise IngestError(f"the file is {len(data) / 1048576:.1f} MB; uploads are limited to "
                              f"{cfg.max_upload_mb:g} MB")
        name = check_upload(data, filename, max_bytes=limit, max_pages=cfg.max_pages)
        twin = same_content(data, cfg)
        if twin is not None:
            raise IngestError(f"the same document is already in the corpus as {twin.name}")
        document = preview_document(data, name, cfg)
    except IngestError as exc:
        return UploadCheck(filename, error=str(exc))
    except Exception as exc:  # a parser failing on a malformed file is still the file's problem
        return UploadCheck(filename, error=f"the file could not be read ({type(exc).__name__})")
    return UploadCheck(filename, name, data, document)


def upload_folder_indexed(cfg: Settings) -> bool:
    up = cfg.upload_dir.resolve()
    return any(up == Path(d).resolve() or Path(d).resolve() in up.parents for d in cfg.corpus)


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
