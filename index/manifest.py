"""The on-disk layout of an index folder, and its manifest.

    <index>/CURRENT              name of the live version folder (replaced atomically)
    <index>/v3-<time>-<model>/   one complete, never-modified build:
        manifest.json            format, model, backends, dimension, fingerprint, counts, parameters
        passages.sqlite          documents, passages, the lexical index (FTS5)
        vectors.faiss            the vector index
        embeddings.npy           the raw vectors, reused by the next incremental build
        vectors-multi.faiss      the second, multilingual vector index (when the setting `multilingual` is on)
        embeddings-multi.npy     its raw vectors
        lexicon-en.npy, .json    the English words of the passages and their multilingual vectors (index/lexicon.py)
        glosses-en.json          the passages not in English glossed in those words (index/lexicon.py)
        windows-multi.npy, windows-multi-offsets.npy
                                 the long passages' clauses, placed by the same model (index/windows.py)
    <index>/.build-*/            a build in progress (removed if a build dies)

A build writes a new version folder, fsyncs it, then replaces CURRENT. A
reader resolves CURRENT once and then reads only that folder, so it never
sees a mix; the previous version is kept so that open readers keep working.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Optional

from ingest.loaders import file_sha256

FORMAT_VERSION = 8  # 4: checksums of the index files; 5: sentence fingerprints (lineage); 6: versions
# (superseded_by) and footnotes; 7: the lexical index holds other languages' words analysed (index/analysis.py);
# 8: its bm25() parts per word and row (passages_fts_impacts, index/backends/fts5.py)
FILES = ("manifest.json", "passages.sqlite", "vectors.faiss", "embeddings.npy")
# checksummed where a build wrote them (all but the first two: index/lexicon.py and index/windows.py, where the
# model places words)
MULTILINGUAL_FILES = ("vectors-multi.faiss", "embeddings-multi.npy", "lexicon-en.npy", "lexicon-en.json",
                      "glosses-en.json", "windows-multi.npy", "windows-multi-offsets.npy")
DATA_FILES = FILES[1:]  # what the manifest's checksums cover
SPARE_FILES = ("embeddings.npy",)  # read only by the next build: damage there costs reuse, not answers
# What every index recorded before its backends were: manifests without `backends` were built by these.
DEFAULT_BACKENDS = {"embedder": "sentence-transformers", "vector_index": "faiss", "lexical": "sqlite-fts5"}


class IndexError_(Exception):
    """The index cannot be used; the message says which file and how to rebuild."""


@dataclass
class Manifest:
    format_version: int
    model: str
    dimension: int
    fingerprint: str
    built_at: str
    documents: int
    passages: int
    vector_index: dict  # the vector backend's params()
    lexical: dict = field(default_factory=dict)  # the lexical backend's params()
    backends: dict = field(default_factory=lambda: dict(DEFAULT_BACKENDS))  # role -> backend name
    files: dict = field(default_factory=dict)  # corpus file path -> sha256
    checksums: dict = field(default_factory=dict)  # index file name -> sha256, checked before use
    skipped: list = field(default_factory=list)  # [{"path", "reason"}]
    build_seconds: float = 0.0
    embedded: int = 0  # passages embedded by this build (the rest were reused)
    settings: dict = field(default_factory=dict)
    # The second vector index: {"embedder", "model", "dimension", "vector_index", "embedded"}; empty when the
    # build had it off (or predates it): such an index is searched without it.
    multilingual: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)


REBUILD_HINT = "rebuild it with `python -m index build` (or the app's Rebuild button)"


_TYPES = {"int": (int,), "float": (int, float), "str": (str,), "dict": (dict,), "list": (list,)}


def _checked(data: object) -> Manifest:
    """A Manifest only from JSON whose every field has its declared type (never `"dimension": "abc"`)."""
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    m = Manifest(**data)
    for f in fields(Manifest):
        value = getattr(m, f.name)
        if not isinstance(value, _TYPES[f.type]) or isinstance(value, bool):
            raise TypeError(f"field {f.name!r} is {type(value).__name__}, not {f.type}")
    return m


def read_manifest(folder: Path) -> Manifest:
    path = folder / "manifest.json"
    try:
        return _checked(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise IndexError_(f"{path} is missing; {REBUILD_HINT}") from None
    except (ValueError, TypeError) as exc:
        raise IndexError_(f"{path} is damaged ({str(exc)[:80]}); {REBUILD_HINT}") from None
    except OSError as exc:  # a folder in its place, no permission, an I/O error
        raise IndexError_(f"{path} cannot be read ({exc.strerror or type(exc).__name__}); {REBUILD_HINT}") from None


def checksums(folder: Path) -> dict[str, str]:
    return {name: file_sha256(folder / name)
            for name in [*DATA_FILES, *(n for n in MULTILINGUAL_FILES if (folder / n).exists())]}


def verify(folder: Path, m: Manifest, names: tuple[str, ...]) -> None:
    """Refuse files changed since the build: a damaged index must never answer, even plausibly."""
    for name in names:
        path = folder / name
        try:
            actual = file_sha256(path)
        except OSError as exc:
            raise IndexError_(f"{path} is missing or unreadable ({exc.strerror or type(exc).__name__}); "
                              f"{REBUILD_HINT}") from None
        if actual != m.checksums.get(name):
            raise IndexError_(f"{path} does not match the checksum in its manifest (changed or damaged "
                              f"since the build); {REBUILD_HINT}")


def damaged(folder: Path, m: Manifest, names: Optional[tuple[str, ...]] = None) -> list[str]:
    """The files among `names` (by default every file the manifest has a checksum of, the multilingual ones
    included) that are missing or differ from the manifest's checksums."""
    out = []
    for name in (names if names is not None else tuple(m.checksums)):
        try:
            intact = file_sha256(folder / name) == m.checksums.get(name)
        except OSError:
            intact = False
        if not intact:
            out.append(name)
    return out


def damage_notice(folder: Path, name: str) -> str:
    return (f"{folder / name} is damaged (it differs from its checksum); answers come from the intact files, "
            "and the next `python -m index build` repairs it.")


def check_compatible(m: Manifest, folder: Path, model: Optional[str],
                     backends: Optional[dict[str, str]] = None) -> None:
    """Refuse an index of another format, model or (for each role given in `backends`) backend."""
    if m.format_version != FORMAT_VERSION:
        raise IndexError_(f"{folder} was built by index format {m.format_version}, this is format "
                          f"{FORMAT_VERSION}; {REBUILD_HINT}")
    for role, name in (backends or {}).items():
        built = m.backends.get(role, DEFAULT_BACKENDS.get(role))
        if built != name:
            raise IndexError_(f"{folder} was built with the {role} backend {built!r}, but {name!r} is "
                              f"configured; {REBUILD_HINT}")
    if model is not None and m.model != model:
        raise IndexError_(f"{folder} was built with model {m.model!r}, but {model!r} is configured; "
                          f"rebuild it with `python -m index build --model {model}`, "
                          f"or set NORMBASE_MODEL={m.model} to use it as it is")


def current_version(root: Path) -> Optional[Path]:
    """The live version folder, or None when no index has been built yet."""
    pointer = root / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, OSError) as exc:
        raise IndexError_(f"{pointer} is damaged or unreadable ({type(exc).__name__}); {REBUILD_HINT}") from None
    if not re.fullmatch(r"v\d+-[\w.-]+", name):
        raise IndexError_(f"{pointer} is damaged; {REBUILD_HINT}")
    folder = root / name
    if not folder.is_dir():
        raise IndexError_(f"{pointer} names {name}, which is missing; {REBUILD_HINT}")
    return folder


def version_name(model: str, stamp: str) -> str:
    """Time first, so names sort by age; the model tag tells versions of different models apart."""
    tag = hashlib.sha1(model.encode()).hexdigest()[:8]
    return f"v{FORMAT_VERSION}-{stamp}-{tag}"


def fsync_tree(folder: Path) -> None:
    for p in folder.iterdir():
        with open(p, "rb") as fh:
            os.fsync(fh.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(root: Path, built: Path, name: str) -> Path:
    """Move a finished build into place and point CURRENT at it, atomically."""
    final = root / name
    os.replace(built, final)
    tmp = root / f".CURRENT.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / "CURRENT")
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return final


def prune(root: Path, keep: int = 2) -> None:
    """Remove dead builds and all but the newest `keep` versions (the live one always stays)."""
    live = current_version(root)
    versions = sorted((p for p in root.glob("v*-*") if p.is_dir()), key=lambda p: p.name)
    for old in versions[:-keep]:
        if old != live:
            shutil.rmtree(old, ignore_errors=True)
    for dead in root.glob(".build-*"):
        shutil.rmtree(dead, ignore_errors=True)
    for stale in root.glob(".CURRENT.*"):
        stale.unlink(missing_ok=True)
