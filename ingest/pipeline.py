"""One file, or a whole corpus, from bytes on disk to passages.

Errors are per file: a bad file becomes a `Skipped` with a one-line reason
and the rest of the corpus is ingested. Duplicates (the same content under
another name) are skipped too, naming the file they duplicate.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Optional

from . import catalog as cat
from . import families, masthead
from .clean import Cleaned, clean
from .loaders import SUFFIXES, check_file, file_sha256, load
from .passages import TokenCounter, approx_tokens, build_passages
from .records import Footnote, IngestError, Passage, Skipped, SourceEntry
from .settings import Settings
from .structure import segment

IGNORED_NAMES = {"readme.md", "readme.txt", "license.txt", "license.md"}


@dataclass
class Document:
    source: SourceEntry
    path: Path
    sha256: str
    cleaned: Optional[Cleaned]  # None for a document read back from an index (`from_json`): only its passages count
    passages: list[Passage]
    warnings: list[str] = field(default_factory=list)  # one line each; the document is still ingested

    def to_json(self) -> str:
        """What a later build needs to reuse this file's ingestion without reading the file again."""
        return json.dumps({"source": asdict(self.source), "passages": [asdict(p) for p in self.passages],
                           "warnings": self.warnings}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, path: Path, sha256: str) -> "Document":
        data = json.loads(text)
        source = SourceEntry(**{**data["source"], "inferred": tuple(data["source"]["inferred"])})
        passages = [Passage(**{**p, "footnotes": [Footnote(**n) for n in p["footnotes"]]}) for p in data["passages"]]
        return cls(source, path, sha256, None, passages, list(data["warnings"]))


# (path, sha256) -> that file's Document from an earlier ingestion under the same settings and code, or None
KnownDocuments = Callable[[Path, str], Optional[Document]]


@dataclass
class CorpusResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # each file's Document as ingest_file made it (or `known` gave it back), before ids are made unique and
    # revisions marked: what a later build may reuse
    ingested: list[Document] = field(default_factory=list)
    unchanged: int = 0  # files `known` gave back: hashed, not read

    @property
    def warnings(self) -> list[str]:
        return [f"{d.path}: {w}" for d in self.documents for w in d.warnings]

    def summary(self) -> str:
        return f"{len(self.documents)} ingested, {len(self.skipped)} skipped"


@dataclass
class CorpusScan:
    """What a corpus folder holds: the files to ingest, and the links refused on the way."""

    files: list[Path] = field(default_factory=list)
    refused: list[Skipped] = field(default_factory=list)


LINK_OUTSIDE = "a link to outside the corpus folder (not followed)"
LINK_BROKEN = "a broken link (not followed)"


def scan_corpus(dirs: Iterable[Path]) -> CorpusScan:
    """Supported files in the corpus folders, in a stable order; hidden files and READMEs ignored.

    One rule for every link, to a file or to a folder: a link that resolves
    inside its corpus folder is followed once (its target is scanned under its
    own name), one that resolves outside it, or nowhere, is refused with a
    reason that never names the target (a link may point at a secret path).
    """
    scan, found = CorpusScan(), {}
    for d in dirs:
        d = Path(d)
        if not d.is_dir():
            continue
        root = d.resolve()
        for folder, subdirs, names in os.walk(d, followlinks=False):
            subdirs.sort()
            here = Path(folder)
            for name in sorted(subdirs + names):
                p = here / name
                is_dir = name in subdirs
                if not is_dir and (p.suffix.lower() not in SUFFIXES or name.startswith(".")
                                   or name.lower() in IGNORED_NAMES):
                    continue
                if not p.is_symlink():
                    if not is_dir:
                        found[p.resolve()] = None
                    continue
                try:
                    target = p.resolve(strict=True)
                except (OSError, RuntimeError):  # dangling, or a loop
                    scan.refused.append(Skipped(str(p), LINK_BROKEN))
                    continue
                if not target.is_relative_to(root):
                    scan.refused.append(Skipped(str(p), LINK_OUTSIDE))
                elif target.is_file():
                    found[target] = None
                # a link to a folder inside: that folder is walked under its own name
    scan.files = sorted(found)
    return scan


def corpus_files(dirs: Iterable[Path]) -> list[Path]:
    return scan_corpus(dirs).files


def ingest_file(path: Path, catalog: cat.Catalog, settings: Settings,
                count_tokens: TokenCounter = approx_tokens, sha256: str = "") -> Document:
    """Raises IngestError with a reason (without the file name) when the file cannot be used."""
    loaded = load(path, max_bytes=settings.max_file_bytes, max_pages=settings.max_pages)
    cat.check_header(loaded.header)
    mh = masthead.read(loaded.text)
    entry = catalog.match(path, loaded.header, mh)
    warnings = cat.contradictions(entry, mh) if entry else []
    if entry:
        source = cat.enrich(entry, loaded.header, loaded.text, mh)
    else:
        source = cat.infer_entry(path, loaded.header, loaded.text, mh)
    cleaned = clean(loaded.text, symbol=source.symbol, title=source.title, has_pages=loaded.has_pages,
                    masthead=mh)
    passages = build_passages(cleaned, segment(cleaned, source), source, count_tokens)
    if not passages:
        raise IngestError("no citable text found")
    return Document(source, path, sha256 or file_sha256(path), cleaned, passages, warnings)


def ingest_corpus(settings: Settings, count_tokens: TokenCounter = approx_tokens,
                  files: Optional[list[Path]] = None,
                  progress: Callable[[Path], None] = lambda p: None,
                  refused: Iterable[Skipped] = (), known: KnownDocuments = lambda path, sha: None) -> CorpusResult:
    """`files` (default: the corpus folders' scan) are ingested; `refused` (the scan's links) are reported.
    A file `known` gives back (the build's record of an unchanged file) is not read again, only hashed."""
    catalog = cat.Catalog(cat.load_catalog(settings.sources))
    result, seen_hash, seen_ids = CorpusResult(skipped=list(refused)), {}, {}
    if files is None:
        scan = scan_corpus(settings.corpus)
        files, result.skipped = scan.files, result.skipped + scan.refused
    for path in files:
        progress(path)
        try:
            check_file(path, settings.max_file_bytes)  # before hashing: an oversized file is never read
            sha = file_sha256(path)
            if sha in seen_hash:
                raise IngestError(f"duplicate of {seen_hash[sha].name} (same content)")
            doc = known(path, sha)
            if doc is None:
                doc = ingest_file(path, catalog, settings, count_tokens, sha)
            else:
                result.unchanged += 1
        except IngestError as exc:
            result.skipped.append(Skipped(str(path), str(exc)))
            continue
        except OSError as exc:
            result.skipped.append(Skipped(str(path), f"cannot read ({exc.strerror or exc})"))
            continue
        seen_hash[sha] = path
        result.ingested.append(doc)
        doc = _unique_id(doc, seen_ids)
        result.documents.append(doc)
    result.documents = mark_superseded(result.documents)
    return result


def mark_superseded(documents: list[Document]) -> list[Document]:
    """Record, on each version a revision in the corpus replaces, which revision replaces it.

    A Rev.N supersedes its original and every earlier revision in the same
    language; the latest revision present wins. Corrigenda supersede nothing.
    Default search leaves superseded versions out; a filter brings them back.
    """
    latest: dict[tuple[str, str], str] = {}
    for d in documents:
        s = d.source
        if s.supersedes:
            key = (s.supersedes.upper(), s.language)
            if families.revision_number(s.symbol) > families.revision_number(latest.get(key, "")):
                latest[key] = s.symbol
    out = []
    for d in documents:
        s = d.source
        base = (s.supersedes or s.symbol).upper()
        newer = latest.get((base, s.language), "")
        if s.symbol and newer and families.revision_number(newer) > families.revision_number(s.symbol):
            d = replace(d, source=replace(s, superseded_by=newer))
        out.append(d)
    return out


def _unique_id(doc: Document, seen: dict[str, Path]) -> Document:
    """Two files claiming one catalogue id (e.g. a TXT and a PDF of it): the second gets a suffix."""
    base, n = doc.source.id, 2
    new_id = base
    while new_id in seen:
        new_id, n = f"{base}-{n}", n + 1
    seen[new_id] = doc.path
    if new_id != base:
        source = replace(doc.source, id=new_id)
        doc = replace(doc, source=source, passages=[replace(p, doc_id=new_id) for p in doc.passages])
    return doc
