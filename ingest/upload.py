"""Accepting a document from the app: checked, safely named, never overwriting.

The file name a browser sends is only a hint. The saved name is rebuilt from
its letters and digits, the type is checked against the content, and a name
already taken gets a numbered suffix instead of replacing the existing file.
`check_uploaded` runs every check and previews the passages without writing
into the corpus; `save_upload` then saves what passed. Reading and cutting the
file (the preview) runs in the capped worker the PDF parser uses
(`loaders.sandboxed`): a hostile upload costs the server neither its memory nor its time.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from . import catalog as cat
from . import loaders
from .loaders import SUFFIXES, file_sha256, load_bytes, over_limit
from .passages import approx_tokens, tokenizer_counter
from .pipeline import corpus_files, ingest_file
from .records import Footnote, IngestError, Passage, SourceEntry
from .settings import Settings

RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_name(filename: str) -> str:
    """`../../etc/passwd.txt` -> `passwd.txt`; never a path, never hidden, never reserved."""
    base = filename.replace("\\", "/").split("/")[-1].replace("\x00", "")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_.")[:80] or "document"
    if stem.lower() in RESERVED:
        stem = f"{stem}-file"
    suffix = suffix.lower()
    if f".{suffix}" not in SUFFIXES:
        raise IngestError(f"unsupported file type .{suffix or '(none)'} (supported: {', '.join(SUFFIXES)})")
    return f"{stem}.{suffix}"


def sniff(data: bytes, suffix: str) -> None:
    """Refuse content that does not match the extension (a PDF renamed .txt, HTML renamed .pdf...)."""
    head = data[:1024].lstrip().lower()
    if suffix == ".pdf" and not data.startswith(b"%PDF-"):
        raise IngestError("the file is named .pdf but is not a PDF")
    if suffix != ".pdf" and data.startswith(b"%PDF-"):
        raise IngestError(f"the file is a PDF but is named {suffix}")
    if suffix in (".txt", ".md") and (head.startswith((b"<!doctype html", b"<html"))):
        raise IngestError(f"the file is HTML but is named {suffix}")
    if data[:4] in (b"PK\x03\x04", b"\x7fELF") or (data[:2] == b"MZ" and b"\x00" in data[:512]):
        raise IngestError("the file is an archive or a program, not a document")


def check_upload(data: bytes, filename: str, *, max_bytes: int, max_pages: int) -> str:
    """Validate an upload completely before anything touches the disk; returns the safe name."""
    name = admit(data, filename, max_bytes)
    load_bytes(data, Path(name).suffix, max_pages=max_pages)  # raises on unreadable content
    return name


def admit(data: bytes, filename: str, max_bytes: int) -> str:
    """The checks that need no parsing (name, size, type by content); the safe name."""
    name = safe_name(filename)
    if len(data) > max_bytes:
        raise IngestError(over_limit("the file", len(data), max_bytes, "upload "))
    sniff(data, Path(name).suffix)
    return name


@dataclass
class Preview:
    """What an upload would add to the index, as the preview worker read it."""

    source: SourceEntry
    passages: list[Passage]
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_answer(cls, answer: dict) -> "Preview":
        """From the worker's JSON (`preview_answer`)."""
        source = SourceEntry(**{**answer["source"], "inferred": tuple(answer["source"]["inferred"])})
        passages = [Passage(**{**p, "footnotes": [Footnote(**f) for f in p["footnotes"]]})
                    for p in answer["passages"]]
        return cls(source, passages, list(answer["warnings"]))


@dataclass
class UploadCheck:
    """An uploaded file after every check, before anything is saved; `error` says why it was refused."""

    filename: str  # as the browser sent it: shown, never used as a path
    name: str = ""  # the safe name it will be saved under
    data: bytes = b""
    document: Optional[Preview] = None
    error: str = ""


def check_uploaded(data: bytes, filename: str, settings: Settings, model_dir: str = "") -> UploadCheck:
    """Size, type (by content), duplicates and passages of an upload; nothing is written to the corpus.

    The passages are cut with the tokenizer in `model_dir` (the model's, as the build cuts),
    else with the word estimate.
    """
    try:
        if len(data) > settings.max_upload_bytes:
            raise IngestError(f"the file is {len(data) / 1048576:.1f} MB; uploads are limited to "
                              f"{settings.max_upload_mb:g} MB")
        name = admit(data, filename, settings.max_upload_bytes)
        twin = same_content(data, [*settings.corpus, settings.upload_dir])
        if twin is not None:
            raise IngestError(f"the same document is already in the corpus as {twin.name}")
        document = preview_document(data, name, settings, model_dir)
    except IngestError as exc:
        return UploadCheck(filename, error=str(exc))
    return UploadCheck(filename, name, data, document)


def same_content(data: bytes, folders: list[Path]) -> Optional[Path]:
    """A corpus file in `folders` with exactly these bytes, if there is one."""
    digest = hashlib.sha256(data).hexdigest()
    for path in corpus_files(folders):
        try:
            if path.stat().st_size == len(data) and file_sha256(path) == digest:
                return path
        except OSError:
            continue
    return None


PREVIEW_SECONDS_FACTOR = 2  # the preview may take twice a PDF's extraction time: extraction, then cutting


def preview_document(data: bytes, name: str, settings: Settings, model_dir: str = "") -> Preview:
    """The passages the file would give, read in the capped worker; IngestError says why not."""
    job = {"name": name, "sources": str(settings.sources), "max_file_mb": settings.max_file_mb,
           "max_pages": settings.max_pages, "model_dir": model_dir}
    answer = loaders.sandboxed("preview", data, settings.max_pages, job,
                               seconds=loaders.PDF_SECONDS * PREVIEW_SECONDS_FACTOR)
    return Preview.from_answer(answer)


def preview_answer(data: bytes, job: dict) -> dict:
    """In the worker: ingest the file from a private temporary copy (never from the corpus folder),
    as JSON for `Preview.from_answer`."""
    settings = Settings.from_env(sources=Path(job["sources"]), max_file_mb=job["max_file_mb"],
                                 max_pages=job["max_pages"])
    try:
        catalog = cat.Catalog(cat.load_catalog(settings.sources))
    except IngestError:
        catalog = cat.Catalog([])
    count = tokenizer_counter(job["model_dir"]) if job["model_dir"] else approx_tokens
    with tempfile.TemporaryDirectory(prefix="normbase-upload-") as tmp:
        path = Path(tmp) / job["name"]
        path.write_bytes(data)
        try:
            doc = ingest_file(path, catalog, settings, count)
        except (IngestError, MemoryError, RecursionError):
            raise
        except Exception as exc:  # a parser failing on a malformed file is still the file's problem
            raise IngestError(f"the file could not be read ({type(exc).__name__})") from None
    return {"source": asdict(doc.source), "passages": [asdict(p) for p in doc.passages], "warnings": doc.warnings}


def inside_corpus(folder: Path, corpus: tuple[Path, ...] | list[Path]) -> bool:
    """Is `folder` one of the corpus folders or below one? Uploads saved elsewhere would never be indexed."""
    up = folder.resolve()
    return any(up == Path(d).resolve() or Path(d).resolve() in up.parents for d in corpus)


def save_upload(data: bytes, name: str, dest: Path) -> Path:
    """Write under a free name in `dest`; refuse content that is already there under any name.

    The hidden `.upload-<digest>` file is created exclusively before the duplicate check, so two
    sessions uploading one document at the same moment cannot both pass it.
    """
    dest.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    tmp = dest / f".upload-{digest[:16]}"
    _claim(tmp)
    try:
        for existing in dest.iterdir():
            if not existing.name.startswith(".") and existing.is_file() and \
                    existing.stat().st_size == len(data) and \
                    file_sha256(existing) == digest:
                raise IngestError(f"the same document is already in the corpus as {existing.name}")
        stem, suffix = os.path.splitext(name)
        tmp.write_bytes(data)
        for n in range(1, 1000):
            target = dest / (name if n == 1 else f"{stem}-{n}{suffix}")
            if os.path.lexists(target):  # taken, or a link of any kind (even a loop): never followed
                continue
            if target.parent.resolve() != dest.resolve():
                raise IngestError("refused: the saved name escaped the corpus folder")
            try:
                os.link(tmp, target)  # fails if the name is taken meanwhile: nothing is ever overwritten
                return target
            except FileExistsError:
                continue
        raise IngestError(f"too many files named {name}")
    finally:
        tmp.unlink(missing_ok=True)


CLAIM_STALE_S = 600  # a claim this old was left by a process that died while saving


def _claim(tmp: Path) -> None:
    """Create the claim file exclusively; one stale claim (from a process that died) is removed and retried."""
    for _ in range(2):
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            return
        except FileExistsError:
            try:
                if time.time() - tmp.stat().st_mtime < CLAIM_STALE_S:
                    break
                tmp.unlink()
            except FileNotFoundError:
                pass
    raise IngestError("the same document is already in the corpus (another upload is saving it now)")
