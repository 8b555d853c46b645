"""Building (index/build.py): incremental, atomic, crash-safe, one build at a time.

Model calls are counted with the session embedder's `encoded` counter, so the
tests prove what was embedded rather than trusting the build report.
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index import Filters, IndexUnavailable, Searcher
from index.build import build
from index.manifest import checksums
from ingest.thesaurus import load_thesaurus
from tests.index.index_helpers import (copy_corpus, copy_index, live_folder, make_settings, popen_cli,
                                       write_big_corpus)


def _hashes_by_doc(folder: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(folder / "passages.sqlite")
    try:
        out: dict[str, set[str]] = {}
        for doc, h in conn.execute("SELECT doc_id, embed_hash FROM passages"):
            out.setdefault(doc, set()).add(h)
        return out
    finally:
        conn.close()


def _versions(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("v*-*"))


@pytest.mark.slow
def test_incremental_rebuild_embeds_only_what_changed(tmp_path, embedder):
    corpus = copy_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path, corpus)

    # 1. first build: every passage goes through the model once
    before = embedder.encoded
    first = build(settings, embedder=embedder)
    assert not first.up_to_date and first.documents == 4
    assert first.embedded == first.passages == embedder.encoded - before > 0 and first.reused == 0
    assert first.unchanged == 0
    v1 = live_folder(settings.index)
    old_hashes = _hashes_by_doc(v1)
    reader = Searcher.open(settings.index, settings=settings, embedder=embedder)
    assert not reader.is_stale()

    # 2. nothing changed: up to date, no model call, same version
    before = embedder.encoded
    again = build(settings, embedder=embedder)
    assert again.up_to_date and embedder.encoded == before and again.embedded == 0
    assert (again.documents, again.passages) == (first.documents, first.passages)
    assert live_folder(settings.index) == v1

    # 3. one paragraph of one document reworded, and one paragraph added to it
    path = corpus / "cables-2021.txt"
    text = path.read_text(encoding="utf-8")
    assert "across the seabed" in text
    text = text.replace("across the seabed", "across the continental shelf")
    text = text.rstrip("\n") + "\n\n4. Decides to review the protection of zircon relay stations at its next session.\n"
    path.write_text(text, encoding="utf-8")
    before = embedder.encoded
    changed = build(settings, embedder=embedder)
    assert embedder.encoded - before == changed.embedded == 2
    assert changed.passages == first.passages + 1 and changed.reused == changed.passages - 2
    assert changed.unchanged == 3, "only the changed file is read again"
    new_hashes = _hashes_by_doc(live_folder(settings.index))
    assert {d for d, hs in new_hashes.items() if hs - old_hashes.get(d, set())} == {"cables-2021"}
    assert {d: hs for d, hs in new_hashes.items() if d != "cables-2021"} == {
        d: hs for d, hs in old_hashes.items() if d != "cables-2021"}

    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    top = searcher.answer("zircon relay stations", 3, mode="lexical").hits[0]
    assert (top.doc_id, top.label) == ("cables-2021", "OP 4")
    for mode in ("lexical", "hybrid"):
        texts = [h.text for h in searcher.answer("anchors dragged seabed shelf", 10, mode=mode).hits]
        assert any("continental shelf" in t for t in texts) and not any("across the seabed" in t for t in texts)
    # a reader opened before the swap keeps its version and knows it is stale
    assert reader.is_stale()
    assert any("across the seabed" in h.text for h in reader.answer("anchors dragged seabed", 5, mode="lexical").hits)

    # 4. a document removed: nothing to embed, and it is gone from every result
    (corpus / "lantern-2024.txt").unlink()
    before = embedder.encoded
    removed = build(settings, embedder=embedder)
    assert embedder.encoded == before and removed.embedded == 0
    assert removed.documents == 3 and removed.reused == removed.passages == changed.passages - 3
    assert removed.unchanged == 3
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    assert "lantern-2024" not in {d["doc_id"] for d in searcher.documents()}
    for mode in ("lexical", "dense", "hybrid"):
        answer = searcher.answer("quokkaline ports sécurité des réseaux portuaires", 20, mode=mode)
        assert all(h.doc_id != "lantern-2024" for h in answer.hits), mode
    assert not searcher.answer("quokkaline", mode="lexical").hits
    assert not searcher.answer("ports", filters=Filters(documents=("lantern-2024",))).hits

    # 5. old versions are pruned (the live one and one before it are kept), no build folders left
    assert len(_versions(settings.index)) == 2 and live_folder(settings.index).name in _versions(settings.index)
    assert not list(settings.index.glob(".build-*")) and not list(settings.index.glob(".CURRENT.*"))


def _passage_rows(folder: Path) -> list[tuple]:
    conn = sqlite3.connect(folder / "passages.sqlite")
    try:
        return conn.execute("SELECT * FROM passages ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.mark.slow
def test_unchanged_files_are_not_read_again_and_give_what_reading_them_gives(tmp_path, embedder):
    corpus = copy_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path, corpus)
    build(settings, embedder=embedder)
    path = corpus / "cables-2021.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("across the seabed", "along the seabed"),
                    encoding="utf-8")
    incremental = build(settings, embedder=embedder)
    assert incremental.unchanged == 3 and "(1 read, 3 unchanged)" in incremental.summary()
    reused_rows = _passage_rows(live_folder(settings.index))
    forced = build(settings, embedder=embedder, force=True)
    assert forced.unchanged == 0, "--force reads every file"
    assert _passage_rows(live_folder(settings.index)) == reused_rows, "a reused ingestion is the same as a fresh one"

    # the catalogue is part of every file's ingestion: a change to it reads them all again
    settings.sources.write_text("# a catalogue without entries, but a changed file\n", encoding="utf-8")
    assert build(settings, embedder=embedder).unchanged == 0

    # a record this code cannot read is not trusted: that file is read again, the others are reused
    folder = live_folder(settings.index)
    conn = sqlite3.connect(folder / "passages.sqlite")
    with conn:
        conn.execute("UPDATE ingested SET document = '{\"source\": 1}' WHERE path LIKE '%lantern-2024.txt'")
    conn.close()
    manifest = folder / "manifest.json"
    data = json.loads(manifest.read_text())
    data["checksums"] = checksums(folder)
    manifest.write_text(json.dumps(data))
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build(settings, embedder=embedder).unchanged == 2


@pytest.mark.slow
def test_killed_build_leaves_the_old_index_live(small_index, embedder, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    settings = replace(small_index, index=root)
    big = write_big_corpus(tmp_path / "big", documents=60)
    old = Searcher.open(root, settings=settings, embedder=embedder)
    queries = [("undersea data cables", "hybrid"), ("navigation beacons", "lexical"),
               ('"cable repair vessel"', "lexical"), ("harbour radar", "dense")]
    before = {q: [h.passage_id for h in old.answer(q[0], 5, mode=q[1]).hits] for q in queries}
    current_before = (root / "CURRENT").read_bytes()
    versions_before = _versions(root)

    log = tmp_path / "build.err"

    def stderr_tail() -> str:
        return log.read_text(encoding="utf-8", errors="replace")[-2000:]

    with open(log, "wb") as err:
        proc = popen_cli("build", "--index", str(root), "--corpus", str(big), "--sources",
                         str(tmp_path / "no-sources.toml"), "--force", "--json", stderr=err)
        try:
            deadline = time.monotonic() + 120
            while not list(root.glob(".build-*")):
                assert proc.poll() is None, f"the build ended before it could be killed: {stderr_tail()}"
                assert time.monotonic() < deadline, "no .build-* folder appeared"
                time.sleep(0.02)
            time.sleep(1.0)  # into the embedding stage (the model loads, then 480 passages)
            assert proc.poll() is None, f"the build finished too fast to be killed mid-way: {stderr_tail()}"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == -signal.SIGKILL

    dead = list(root.glob(".build-*"))
    assert len(dead) == 1 and not (dead[0] / "manifest.json").exists(), "the dead build is half-written"
    assert (root / "CURRENT").read_bytes() == current_before, "CURRENT moved"
    assert _versions(root) == versions_before, "a version folder was published"
    reopened = Searcher.open(root, settings=settings, embedder=embedder)
    assert reopened.folder == old.folder
    assert {q: [h.passage_id for h in reopened.answer(q[0], 5, mode=q[1]).hits] for q in queries} == before

    # the next build takes the lock the dead one held, completes, and prunes the dead folder
    before_calls = embedder.encoded
    report = build(settings, embedder=embedder, force=True)
    assert not report.up_to_date and report.embedded == 0 and embedder.encoded == before_calls
    assert not list(root.glob(".build-*"))
    assert live_folder(root) != old.folder
    fresh = Searcher.open(root, settings=settings, embedder=embedder)
    assert {q: [h.passage_id for h in fresh.answer(q[0], 5, mode=q[1]).hits] for q in queries} == before


@pytest.mark.slow
def test_an_up_to_date_build_removes_dead_build_folders(small_index, embedder, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    settings = replace(small_index, index=root)
    build(settings, embedder=embedder)  # catch up, should ingest/*.py have changed since the session build
    dead = root / ".build-20200101000000000000-99999"
    dead.mkdir()
    (dead / "embeddings.npy").write_bytes(b"\0" * 4096)
    report = build(settings, embedder=embedder)
    assert report.up_to_date
    assert not dead.exists()


def test_a_second_concurrent_build_fails_fast(tmp_path):
    settings = make_settings(tmp_path, copy_corpus(tmp_path / "corpus"))
    settings.index.mkdir()
    with open(settings.index / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(IndexUnavailable, match="another build"):
            build(settings)
    assert not (settings.index / "CURRENT").exists()


def test_empty_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "corpus").mkdir()
    with pytest.raises(IndexUnavailable, match="no documents found"):
        build(make_settings(tmp_path, tmp_path / "corpus"))
    assert not list((tmp_path / "index").glob("v*")) and not list((tmp_path / "index").glob(".build-*"))


def test_corpus_of_only_unusable_files_is_a_clear_error(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\0\1\2" * 100)
    with pytest.raises(IndexUnavailable, match="no document could be ingested"):
        build(make_settings(tmp_path, corpus))
    assert not list((tmp_path / "index").glob(".build-*"))


@pytest.mark.slow
def test_skipped_files_are_reported_and_the_rest_indexed(tmp_path, small_index, embedder):
    corpus = copy_corpus(tmp_path / "corpus")
    (corpus / "empty.txt").write_text("")
    settings = make_settings(tmp_path, corpus)
    # start from a copy of the session index: its vectors are reused, so nothing needs embedding
    copy_index(small_index, settings.index)
    before = embedder.encoded
    report = build(settings, embedder=embedder)
    assert embedder.encoded == before and report.embedded == 0
    assert report.documents == 4 and [Path(s.path).name for s in report.skipped] == ["empty.txt"]
    again = build(settings, embedder=embedder)
    assert again.up_to_date and [Path(s.path).name for s in again.skipped] == ["empty.txt"]


@pytest.mark.slow
def test_rebuild_recovers_from_a_garbage_current(small_index, embedder, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    (root / "CURRENT").write_text("this is not a version\n", encoding="utf-8")
    with pytest.raises(IndexUnavailable):
        Searcher.open(root, settings=small_index, embedder=embedder)
    report = build(replace(small_index, index=root), embedder=embedder)
    assert not report.up_to_date and report.documents == 4
    s = Searcher.open(root, settings=small_index, embedder=embedder)
    assert s.answer("undersea data cables", mode="lexical").hits


@pytest.mark.slow
def test_rebuild_recovers_from_a_binary_current(small_index, embedder, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    (root / "CURRENT").write_bytes(b"\xff\xfe\x00\x9c")
    report = build(replace(small_index, index=root), embedder=embedder)
    assert report.documents == 4
    assert Searcher.open(root, settings=small_index, embedder=embedder).answer("cables", mode="lexical").hits


def test_the_build_prepares_the_thesaurus_wording_for_the_lexical_side(small_index):
    """Each multi-word term of corpus/thesaurus.toml is stored with its parts (index/backends/fts5.py,
    write_phrases), under FTS5's Porter words: what a question naming the concept will search."""
    conn = sqlite3.connect(live_folder(small_index.index) / "passages.sqlite")
    try:
        stored = {k: ids for k, ids in conn.execute("SELECT phrase, ids FROM passages_fts_phrases")}
        rows = conn.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH '\"confidence-building measures\"'"
                            " ORDER BY rowid").fetchall()
    finally:
        conn.close()
    terms = {t for c in load_thesaurus().concepts for t in c.terms if " " in t}
    assert len(stored) >= len(terms) * 0.9, "about one row per multi-word term (a few share their words)"
    assert rows and stored["confid build measur"] == np.array([r[0] for r in rows], dtype="<i4").tobytes()
