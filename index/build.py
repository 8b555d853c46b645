"""Building an index: incremental, atomic, and with visible progress.

Unchanged corpus: the fingerprint (file names, sizes, mtimes, catalogue,
model, ingest code) matches the live manifest and nothing is done.
Changed corpus: only files whose bytes changed are read again (the live version
records each file's ingestion, table `ingested`, under a key of the settings and
code it depends on), and only passages whose embedding input is new are sent to
the model; the rest reuse their vectors from the live version. The result is written to a new folder and swapped in.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from ingest.passages import tokenizer_counter
from ingest.pipeline import CorpusResult, Document, KnownDocuments, ingest_corpus, scan_corpus
from ingest.records import Passage, Skipped, SourceEntry
from ingest.settings import Settings, resolve_model
from ingest.thesaurus import ThesaurusError, load_thesaurus

from . import backends, fingerprints, group, lexicon, store, windows
from .fusion import Tuning
from .backends import Embedder
from .expansion import searched_wording
from .query import normal_form
from .manifest import (Manifest, IndexError_, check_compatible, checksums, current_version, damaged, fsync_tree,
                       prune, publish, read_manifest, verify, version_name, FORMAT_VERSION)

# progress(stage, done, total): stages are "ingest", "embed", "write".
Progress = Callable[[str, int, int], None]
CODE_DIRS = (Path(__file__).resolve().parent.parent / "ingest",)


@dataclass
class BuildReport:
    index: Path
    documents: int = 0
    passages: int = 0
    embedded: int = 0
    reused: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    up_to_date: bool = False
    dimension: int = 0
    vector_index: dict = field(default_factory=dict)  # the backends' params() and names, for the manifest
    lexical: dict = field(default_factory=dict)
    backends: dict = field(default_factory=dict)
    multilingual: dict = field(default_factory=dict)  # the second vector index's manifest entry
    repaired: list[str] = field(default_factory=list)  # files of the live version found damaged, rebuilt
    unchanged: int = 0  # documents whose ingestion was reused from the live version (their files not read)

    def to_json(self) -> dict:
        """What `python -m index build --json` prints and the API's build state reports."""
        return {"index": str(self.index), "documents": self.documents, "passages": self.passages,
                "embedded": self.embedded, "reused": self.reused, "unchanged_documents": self.unchanged,
                "up_to_date": self.up_to_date,
                "multilingual_embedded": self.multilingual.get("embedded", 0),
                "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
                "repaired": list(self.repaired), "seconds": round(self.seconds, 2)}

    def summary(self) -> str:
        if self.up_to_date:
            return f"index {self.index} is up to date ({self.documents} documents, {self.passages} passages)"
        repaired = f"; rebuilt the damaged {', '.join(self.repaired)}" if self.repaired else ""
        return (f"{self.documents} documents ({self.documents - self.unchanged} read, {self.unchanged} unchanged), "
                f"{self.passages} passages ({self.embedded} embedded, "
                f"{self.reused} reused), {len(self.skipped)} skipped, {self.seconds:.1f} s{repaired}")


def fingerprint(settings: Settings, files: list[Path]) -> str:
    h = hashlib.sha256()
    h.update(f"format={FORMAT_VERSION} model={settings.model} exact={settings.exact_search_limit} "
             f"max_mb={settings.max_file_mb} pages={settings.max_pages} backends={backends.names(settings)} "
             f"multilingual={settings.multilingual} lexicon={lexicon.WORDS_FILE},{lexicon.GLOSSES_FILE} "
             f"gloss={gloss_settings(Tuning())} windows={windows.SETTINGS}\n"  # made otherwise before: rebuilt
             .encode())
    for p in files:
        st = p.stat()
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    _catalogue_and_code(h, settings)
    return h.hexdigest()


def gloss_settings(t: Tuning) -> dict:
    """What the passages' glosses depend on besides the corpus and the model, as `lexicon.gloss_passages` takes
    it: recorded in the manifest, and part of the fingerprint, so that glosses made otherwise are made again
    (reusing every vector)."""
    return {"floor": t.word_gloss_floor, "context": t.word_gloss_context, "choices": t.passage_gloss_choices}


def ingest_key(settings: Settings) -> str:
    """What a file's passages depend on besides its bytes: the model's tokenizer (passage sizes), the size
    limits, the catalogue and the ingest code. A file whose key and hash are unchanged is not read again."""
    h = hashlib.sha256(f"model={settings.model} max_mb={settings.max_file_mb} pages={settings.max_pages}\n"
                       .encode())
    _catalogue_and_code(h, settings)
    return h.hexdigest()


def _catalogue_and_code(h, settings: Settings) -> None:
    for path in [settings.sources] + sorted(f for d in CODE_DIRS for f in d.glob("*.py")):
        with contextlib.suppress(FileNotFoundError):
            h.update(path.read_bytes())


@contextlib.contextmanager
def _build_lock(root: Path):
    """One build at a time per index folder; a second one fails fast with a clear message."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexError_(f"another build of {root} is running; wait for it to finish") from None
        yield


def build(settings: Settings, *, embedder: Optional[Embedder] = None, force: bool = False,
          progress: Progress = lambda stage, done, total: None,
          multilingual: Optional[Embedder] = None) -> BuildReport:
    """Backends come from settings (index/backends); `embedder` and the `multilingual` one (used unless
    the setting is off) may be injected, already loaded."""
    started = time.monotonic()
    root = settings.index
    report = BuildReport(root)
    with _build_lock(root):
        scan = scan_corpus(settings.corpus)
        files = scan.files
        fp = fingerprint(settings, files)
        old = _live(root, settings)
        report.repaired = damaged(*old) if old is not None else []
        if old is not None and not force and old[1].fingerprint == fp and not report.repaired:
            m = old[1]
            report.documents, report.passages, report.up_to_date = m.documents, m.passages, True
            report.skipped = [Skipped(**s) for s in m.skipped]
            prune(root)  # leftovers of a build that died are cleared even when nothing changed
            report.seconds = time.monotonic() - started
            return report
        if not files:
            raise IndexError_("no documents found in the corpus folders: "
                              + ", ".join(str(d) for d in settings.corpus))

        counter = tokenizer_counter(resolve_model(settings.model))
        done = [0]

        def ingest_progress(path: Path) -> None:
            done[0] += 1
            progress("ingest", done[0], len(files))

        key = ingest_key(settings)
        corpus = ingest_corpus(settings, counter, files=files, progress=ingest_progress, refused=scan.refused,
                               known=_known_documents(None if force or STORE in report.repaired else old, key))
        report.unchanged = corpus.unchanged
        report.skipped = corpus.skipped
        if not corpus.documents:
            raise IndexError_("no document could be ingested: "
                              + "; ".join(str(s) for s in corpus.skipped[:5]))
        _publish_new_version(root, corpus, settings, fp, old, embedder, report, progress, started,
                             multilingual=multilingual, ingest_key=key)
        prune(root)
    return report


STORE = "passages.sqlite"


def _known_documents(old, key: str) -> KnownDocuments:
    """The live version's record of each file's ingestion under `key`; nothing when it cannot be read.
    Its passages.sqlite was checked against the manifest by the build's `damaged` (not hashed again here)."""
    records = {}
    if old is not None:
        try:
            conn = store.open_readonly(old[0] / STORE)
            try:
                records = store.ingested(conn, key)
            finally:
                conn.close()
        except Exception:  # a damaged old version only costs us the reuse
            records = {}

    def known(path: Path, sha: str) -> Optional[Document]:
        text = records.get((str(path), sha))
        if text is None:
            return None
        try:
            return Document.from_json(text, path, sha)
        except (ValueError, TypeError, KeyError):  # a record this code cannot read: the file is read again
            return None
    return known


def _live(root: Path, settings: Settings) -> Optional[tuple[Path, Manifest]]:
    """The live version if it is readable and built by the same model and backends; otherwise build from scratch."""
    try:
        folder = current_version(root)
        if folder is None:
            return None
        m = read_manifest(folder)
        check_compatible(m, folder, settings.model, backends.names(settings))
        return folder, m
    except IndexError_:
        return None


def build_documents(settings: Settings, documents: list, *, embedder: Optional[Embedder] = None,
                    progress: Progress = lambda stage, done, total: None,
                    vector_cls: Optional[type] = None, multilingual: Optional[Embedder] = None) -> BuildReport:
    """Index records that did not come from corpus files (a BEIR corpus, synthetic passages).

    `vector_cls`, a VectorIndex class, replaces the configured vector backend: the bench
    hands in its ANN variants so instead of patching the build. `multilingual` is the second
    index's embedder, as for `build` (the bench's synthetic sizes hand in precomputed vectors)."""
    started = time.monotonic()
    report = BuildReport(settings.index)
    with _build_lock(settings.index):
        corpus = CorpusResult(documents=documents)
        _publish_new_version(settings.index, corpus, settings, "", _live(settings.index, settings),
                             embedder, report, progress, started, vector_cls, multilingual=multilingual)
        prune(settings.index)
    return report


def _publish_new_version(root: Path, corpus: CorpusResult, settings: Settings, fp: str, old,
                         embedder: Optional[Embedder], report: BuildReport, progress: Progress,
                         started: float, vector_cls: Optional[type] = None,
                         multilingual: Optional[Embedder] = None, ingest_key: str = "") -> None:
    """Write a complete version in a hidden folder, then swap it in; a failure leaves nothing behind.
    With an `ingest_key`, each file's ingestion is recorded for the next build to reuse."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
    tmp = root / f".build-{stamp}-{os.getpid()}"
    tmp.mkdir()
    try:
        _write(tmp, corpus, settings, old, embedder, report, progress, vector_cls, multilingual, ingest_key)
        report.seconds = time.monotonic() - started
        manifest = Manifest(
            format_version=FORMAT_VERSION, model=settings.model, dimension=report.dimension,
            fingerprint=fp, built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            documents=report.documents, passages=report.passages,
            vector_index=report.vector_index, lexical=report.lexical, backends=report.backends,
            files={str(d.path): d.sha256 for d in corpus.documents},
            checksums=checksums(tmp),
            skipped=[{"path": s.path, "reason": s.reason} for s in corpus.skipped],
            build_seconds=round(report.seconds, 2), embedded=report.embedded,
            settings={"corpus": [str(c) for c in settings.corpus], "sources": str(settings.sources)},
            multilingual=report.multilingual,
        )
        (tmp / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
        fsync_tree(tmp)
        publish(root, tmp, version_name(settings.model, stamp))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def embed_hash(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()


def _write(tmp: Path, corpus: CorpusResult, settings: Settings, old, embedder: Optional[Embedder],
           report: BuildReport, progress: Progress, vector_cls: Optional[type] = None,
           multilingual: Optional[Embedder] = None, ingest_key: str = "") -> None:
    """The version's files in `tmp`. `vector_cls` (a VectorIndex class) replaces the configured one:
    the bench builds its ANN variants so."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="normbase-multilingual-load") as beside:
        # The multilingual model loads (numpy and zlib, outside the GIL) while MiniLM loads and embeds.
        second = (beside.submit(lambda: multilingual or backends.multilingual_embedder(settings))
                  if settings.multilingual != backends.OFF else None)
        _write_files(tmp, corpus, settings, old, embedder, report, progress, vector_cls, second, ingest_key)


def _write_files(tmp: Path, corpus: CorpusResult, settings: Settings, old, embedder: Optional[Embedder],
                 report: BuildReport, progress: Progress, vector_cls: Optional[type],
                 multilingual: Optional[Future], ingest_key: str) -> None:
    rows = [(p, d.source) for d in corpus.documents for p in d.passages]
    texts = [p.embed_text(s) for p, s in rows]
    hashes = [embed_hash(settings.model, t) for t in texts]
    vecs, todo, reused = _vectors(texts, hashes, _reusable(old, hashes),
                                  lambda: embedder or backends.embedder(settings), settings, progress)
    dim = vecs.shape[1]
    report.embedded, report.reused = todo, reused

    progress("write", 0, 3)
    groups = group.group_ids([p.text for p, _ in rows], [p.doc_id for p, _ in rows], vecs)
    lexical = backends.lexical_index(settings)
    conn = store.create(tmp / "passages.sqlite")
    with conn:
        store.insert_documents(conn, [(d.source, str(d.path), d.sha256, len(d.passages)) for d in corpus.documents])
        store.insert_passages(conn, [(i, p, s, hashes[i], groups[i]) for i, (p, s) in enumerate(rows)])
        lexical.index_passages(conn, lexical_rows(rows), thesaurus_wording(settings))
        fingerprints.write(conn, ((i, p.text) for i, (p, _) in enumerate(rows)))  # for lineages (index/lineage.py)
        if ingest_key:
            store.insert_ingested(conn, ((str(d.path), d.sha256, ingest_key, d.to_json()) for d in corpus.ingested))
    conn.close()
    progress("write", 1, 3)
    np.save(tmp / "embeddings.npy", vecs, allow_pickle=False)
    vector_cls = vector_cls or backends.vector_index(settings)
    index = vector_cls.build(vecs, settings)
    index.save(tmp / "vectors.faiss")
    report.multilingual = (_multilingual(tmp, texts, hashes, settings, old, multilingual.result(), vector_cls,
                                         progress, [(p.text, p.language) for p, _ in rows])
                           if multilingual is not None else {})
    progress("write", 3, 3)
    report.documents, report.passages = len(corpus.documents), len(rows)
    report.dimension, report.vector_index, report.lexical = dim, index.params(), lexical.params()
    report.backends = backends.names(settings, vector_cls, lexical)


def _vectors(texts: list[str], hashes: list[str], reuse, load: Callable[[], Embedder], settings: Settings,
             progress: Progress) -> tuple[np.ndarray, int, int]:
    """One row per text: reused by embedding-input hash where `reuse` has it, the rest embedded by the
    embedder `load` gives (loaded only if something is left); also how many were embedded and reused."""
    reuse_vectors, reuse_ids = reuse
    todo = [i for i, h in enumerate(hashes) if h not in reuse_ids]
    if todo:
        fresh = load().encode_passages([texts[i] for i in todo], settings.batch_size,
                                       progress=lambda done, total: progress("embed", done, total))
        dim = fresh.shape[1]
    else:
        fresh, dim = None, reuse_vectors.shape[1]
    vecs = np.empty((len(texts), dim), dtype=np.float32)
    if fresh is not None:
        vecs[todo] = fresh
    reused = [i for i, h in enumerate(hashes) if h in reuse_ids]
    if reused:
        vecs[reused] = reuse_vectors[[reuse_ids[hashes[i]] for i in reused]]
    return vecs, len(todo), len(reused)


def _multilingual(tmp: Path, texts: list[str], hashes: list[str], settings: Settings, old,
                  embedder: Embedder, vector_cls: type, progress: Progress, passages: list[tuple[str, str]]) -> dict:
    """The second vector index (settings `multilingual`), built like the first, and, where the model places
    words, the lexicon of the English `passages`' words (text, language) with the others glossed in them
    (index/lexicon.py); its manifest entry.

    Its vectors are reused by the same embedding-input hashes as the first index's (the texts are
    the same), from a live version whose multilingual model is this one."""
    same = old is not None and old[1].multilingual.get("model") == embedder.name
    reuse = _reusable(old, hashes, "embeddings-multi.npy", old[1].multilingual.get("dimension", 0)) if same \
        else (None, {})
    vecs, todo, _ = _vectors(texts, hashes, reuse, lambda: embedder, settings, progress)
    np.save(tmp / "embeddings-multi.npy", vecs, allow_pickle=False)
    index = vector_cls.build(vecs, settings)
    index.save(tmp / "vectors-multi.faiss")
    entry = {"embedder": settings.multilingual, "model": embedder.name, "dimension": int(vecs.shape[1]),
             "vector_index": index.params(), "embedded": todo}
    places_words = backends.word_vectors(embedder, ["law"]) is not None

    def encode(batch: list[str]):
        return backends.word_vectors(embedder, batch)

    if places_words:  # the long passages' clauses (index/windows.py), reused by the same hashes
        found_windows = windows.build([(embedded, text) for embedded, (text, _) in zip(texts, passages)], encode,
                                      _reusable_windows(old, hashes) if same else {},
                                      lambda done, total: progress("clauses", done, total))
        windows.save(found_windows, tmp)
        entry["windows"] = dict(windows.SETTINGS, rows=int(len(found_windows.vectors)),
                                dimension=int(found_windows.vectors.shape[1]))
    passages = [(normal_form(text), language) for text, language in passages]  # as the word index reads them
    words = lexicon.vocabulary(t for t, language in passages if language == "en")
    if words and places_words:
        found = lexicon.build(words, encode, lambda done, total: progress("lexicon", done, total))
        gloss = gloss_settings(Tuning())  # as the fingerprint reads them, and recorded in the manifest
        glosses = lexicon.gloss_passages(found, {i: text for i, (text, language) in enumerate(passages)
                                                 if language != "en"}, encode, **gloss,
                                         batch_size=settings.batch_size,
                                         progress=lambda done, total: progress("glosses", done, total))
        lexicon.save(replace(found, glosses=glosses), tmp)
        entry["lexicon"], entry["glosses"], entry["gloss"] = len(words), len(glosses), gloss
    return entry


def thesaurus_wording(settings: Settings) -> list[str]:
    """The phrases the lexical backend prepares (`searched_wording`); none when the thesaurus cannot be read,
    as the search then expands nothing either (Searcher.thesaurus)."""
    try:
        return searched_wording(load_thesaurus(cache=settings.model_cache))
    except ThesaurusError:
        return []


def lexical_rows(rows: list) -> list[tuple[int, Passage, SourceEntry]]:
    """What the lexical backend indexes: each passage and its source in `query.normal_form`, as queries are.

    Copies: the passages table keeps the verbatim text (and the highlights' offsets into it)."""
    sources: dict[int, SourceEntry] = {}
    out = []
    for i, (p, s) in enumerate(rows):
        if id(s) not in sources:
            sources[id(s)] = replace(s, title=normal_form(s.title))
        out.append((i, replace(p, text=normal_form(p.text), heading=normal_form(p.heading),
                               context=normal_form(p.context)), sources[id(s)]))
    return out


def _reusable_windows(old, hashes: list[str]) -> dict[int, np.ndarray]:
    """The live version's clause windows by embedding-input hash, when it made them as this build does."""
    folder, manifest = old
    made = manifest.multilingual.get("windows", {})
    if {k: made.get(k) for k in windows.SETTINGS} != windows.SETTINGS:
        return {}
    try:
        known = _old_hashes(folder, manifest, windows.FILES)
        return windows.reusable(windows.load(folder, manifest.passages), known, hashes)
    except Exception:  # a damaged old version only costs us the reuse
        return {}


def _reusable(old, hashes: list[str], name: str = "embeddings.npy", dimension: Optional[int] = None):
    """Vectors of the live version's `name` by embedding-input hash, or nothing if it cannot be read."""
    if old is None:
        return None, {}
    folder, manifest = old
    dimension = manifest.dimension if dimension is None else dimension
    try:
        wanted = set(hashes)
        known = {h: i for h, i in _old_hashes(folder, manifest, (name,)).items() if h in wanted}
        vecs = np.load(folder / name, mmap_mode="r", allow_pickle=False)
        if vecs.ndim != 2 or vecs.shape[1] != dimension or (known and max(known.values()) >= len(vecs)):
            return None, {}
        return vecs, known
    except Exception:  # a damaged old version only costs us the reuse
        return None, {}


def _old_hashes(folder: Path, manifest: Manifest, names: tuple[str, ...]) -> dict[str, int]:
    """The live version's passage id for each embedding-input hash, once its passages and `names` are verified."""
    verify(folder, manifest, ("passages.sqlite", *names))
    conn = store.open_readonly(folder / "passages.sqlite")
    try:
        return store.embed_hashes(conn)
    finally:
        conn.close()
