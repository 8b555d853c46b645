"""A damaged index: the gaps left by tests/index/test_manifest.py and test_cli.py.

Those cover truncated, emptied and deleted vectors.faiss / passages.sqlite / manifest.json,
scribbled SQLite headers and FTS pages, garbage CURRENT, a deleted version folder and a manifest
whose counts are wrong. Here: embeddings.npy (read only by the next build), files replaced by
folders, files damaged in place without changing size (silently wrong answers), a version deleted
under an open Searcher, and index folders whose path contains URI characters.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from index import IndexUnavailable, Searcher
from index.build import build
from tests.reliability.helpers import live_folder, private_index, snapshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def before(rel_index, model) -> dict:
    return snapshot(Searcher.open(rel_index.index, settings=rel_index, embedder=model))


def _rows(folder: Path) -> int:
    return int(np.load(folder / "embeddings.npy", allow_pickle=False).shape[0])


# -- embeddings.npy: only the next build reads it ----------------------------------------

def _pickled_objects(v: Path) -> None:
    np.save(v / "embeddings.npy", np.array([{"x": 1}] * _rows(v), dtype=object), allow_pickle=True)


EMBEDDINGS_DAMAGE = {
    "deleted": lambda v: (v / "embeddings.npy").unlink(),
    "truncated": lambda v: os.truncate(v / "embeddings.npy", 200),
    "empty": lambda v: os.truncate(v / "embeddings.npy", 0),
    "header garbage": lambda v: (v / "embeddings.npy").write_bytes(b"\x93NUMPY garbage" + b"\0" * 4000),
    "fewer rows": lambda v: np.save(v / "embeddings.npy", np.zeros((3, 384), np.float32)),
    "a pickled object array": _pickled_objects,
    "a folder": lambda v: ((v / "embeddings.npy").unlink(), (v / "embeddings.npy").mkdir()),
}


@pytest.mark.parametrize("case", sorted(EMBEDDINGS_DAMAGE))
def test_damaged_embeddings_cost_only_the_reuse(rel_index, model, before, tmp_path, case):
    s = private_index(rel_index, tmp_path / "index")
    EMBEDDINGS_DAMAGE[case](live_folder(s.index))
    assert snapshot(Searcher.open(s.index, settings=s, embedder=model)) == before, "search never reads it"
    report = build(s, embedder=model, force=True)
    assert report.embedded == report.passages and report.reused == 0, "nothing is reused from a damaged file"
    assert snapshot(Searcher.open(s.index, settings=s, embedder=model)) == before


def test_embeddings_of_the_wrong_width_are_not_reused(rel_index, model, before, tmp_path):
    s = private_index(rel_index, tmp_path / "index")
    v = live_folder(s.index)
    np.save(v / "embeddings.npy", np.zeros((_rows(v), 8), np.float32))
    build(s, embedder=model, force=True)
    assert snapshot(Searcher.open(s.index, settings=s, embedder=model)) == before


def test_embeddings_overwritten_in_place_are_not_reused(rel_index, model, before, tmp_path):
    s = private_index(rel_index, tmp_path / "index")
    v = live_folder(s.index)
    np.save(v / "embeddings.npy", np.full((_rows(v), 384), np.nan, np.float32))
    build(s, embedder=model, force=True)
    assert snapshot(Searcher.open(s.index, settings=s, embedder=model)) == before


# -- files replaced by folders ------------------------------------------------------

@pytest.mark.parametrize("name", ["vectors.faiss", "passages.sqlite"])
def test_a_file_replaced_by_a_folder_names_the_file(rel_index, model, tmp_path, name):
    s = private_index(rel_index, tmp_path / "index")
    v = live_folder(s.index)
    (v / name).unlink()
    (v / name).mkdir()
    with pytest.raises(IndexUnavailable) as exc:
        Searcher.open(s.index, settings=s, embedder=model).answer("undersea cables", mode="lexical")
    assert name in str(exc.value) and "rebuild" in str(exc.value)


def test_a_manifest_replaced_by_a_folder_names_the_file(rel_index, model, tmp_path):
    s = private_index(rel_index, tmp_path / "index")
    v = live_folder(s.index)
    (v / "manifest.json").unlink()
    (v / "manifest.json").mkdir()
    with pytest.raises(IndexUnavailable, match=r"manifest\.json.*rebuild"):
        Searcher.open(s.index, settings=s, embedder=model)


# -- damage in place, same size: answers must not be silently wrong ---------------------

def _overwrite_middle(path: Path) -> None:
    size = path.stat().st_size
    rng = np.random.default_rng(7)
    with open(path, "r+b") as fh:
        fh.seek(size // 4)
        fh.write(rng.integers(0, 256, size // 2, dtype=np.uint8).tobytes())


def _assert_refused_or_unchanged(s, model, before, damaged: str) -> None:
    """Opening the damaged index is refused naming the file, or it answers exactly as before."""
    try:
        got = snapshot(Searcher.open(s.index, settings=s, embedder=model))
    except IndexUnavailable as exc:
        assert damaged in str(exc)
        return
    assert got == before, "answers changed silently"


def test_vectors_overwritten_in_place_are_detected(rel_index, model, before, tmp_path):
    s = private_index(rel_index, tmp_path / "index")
    _overwrite_middle(live_folder(s.index) / "vectors.faiss")
    _assert_refused_or_unchanged(s, model, before, "vectors.faiss")


def test_passage_text_changed_in_place_is_detected(rel_index, model, before, tmp_path):
    s = private_index(rel_index, tmp_path / "index")
    db = live_folder(s.index) / "passages.sqlite"
    data = db.read_bytes()
    assert data.count(b"undersea") > 0
    db.write_bytes(data.replace(b"undersea", b"OVERSEAS"))
    _assert_refused_or_unchanged(s, model, before, "passages.sqlite")


# -- damage after opening ----------------------------------------------------------

def test_version_deleted_under_an_open_searcher(rel_index, model, before, tmp_path):
    """The open Searcher keeps answering from any thread (its pooled connection holds the deleted files open);
    a new Searcher is told clearly that the index is gone."""
    s = private_index(rel_index, tmp_path / "index")
    searcher = Searcher.open(s.index, settings=s, embedder=model)
    assert snapshot(searcher) == before
    shutil.rmtree(searcher.folder)
    assert snapshot(searcher) == before  # the open file handles keep the deleted version readable

    outcome: list = []

    def other_thread():
        try:
            outcome.append(searcher.answer("undersea data cables", 3, mode="hybrid"))
        except Exception as exc:
            outcome.append(exc)

    t = threading.Thread(target=other_thread)
    t.start()
    t.join(60)
    assert not isinstance(outcome[0], Exception), repr(outcome[0])
    assert [h.passage_id for h in outcome[0].hits] == \
        [h.passage_id for h in searcher.answer("undersea data cables", 3, mode="hybrid").hits]
    with pytest.raises(IndexUnavailable, match=r"CURRENT.*rebuild"):
        Searcher.open(s.index, settings=s, embedder=model)


# -- where the index lives ----------------------------------------------------------

@pytest.mark.parametrize("folder", ["what?", "100%25 sure", "notes#1"])
def test_an_index_under_a_path_with_uri_characters(rel_index, model, before, tmp_path, folder):
    parent = tmp_path / folder
    s = private_index(rel_index, parent / "index")
    listing = sorted(p.name for p in tmp_path.iterdir())
    try:
        assert snapshot(Searcher.open(s.index, settings=s, embedder=model)) == before
    finally:
        assert sorted(p.name for p in tmp_path.iterdir()) == listing, "a stray file was created"


def test_a_read_only_index_opens_nothing_for_writing(rel_index, model, before, tmp_path):
    """A deployed index may sit on read-only storage: searching never writes to it."""
    s = private_index(rel_index, tmp_path / "index")
    for p in sorted(s.index.rglob("*"), reverse=True):
        p.chmod(0o555 if p.is_dir() else 0o444)
    s.index.chmod(0o555)
    try:
        mtimes = {p: p.stat().st_mtime_ns for p in s.index.rglob("*")}
        assert snapshot(Searcher.open(s.index, settings=s, embedder=model)) == before
        assert {p: p.stat().st_mtime_ns for p in s.index.rglob("*")} == mtimes
        assert not [p for p in s.index.rglob("*") if p.name.endswith(("-journal", "-wal", "-shm"))]
    finally:
        s.index.chmod(0o755)
        for p in s.index.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)
