"""Faults during a build: kill -9 at named points, a full disk, and what the next build does.

tests/index/test_build.py already kills a build at a time-chosen moment (while embedding). Here the
build runs in a subprocess with the fault planted at an exact point (tests/reliability/crash.py):
mid-embedding, mid-SQLite, mid-embeddings.npy, mid-vectors.faiss, complete but not moved, between
the folder move and the CURRENT swap, and after the swap. For every point: the index that was live
answers exactly as before (a Searcher opened before the kill, and one opened after), and the next
build completes and answers exactly as a clean build of the new corpus does.

All the subprocesses run at once (one module fixture), so the whole file costs one CLI start-up.
"""
from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index import IndexUnavailable, Searcher
from index.backends.faiss_tiers import FaissTiers
from index.build import build
from tests.reliability.helpers import (ROOT, assert_one_line_error, cli_env, live_folder, private_index, snapshot,
                                       versions)

pytestmark = pytest.mark.slow

KILL_POINTS = ("embed", "sqlite", "embeddings", "vectors", "before-swap", "swap", "after-swap")
FULL_POINTS = ("enospc-sqlite", "enospc-embeddings")  # the CLI's view; every write point is also tested in-process
BEFORE_THE_MOVE = {"embed", "sqlite", "embeddings", "vectors", "before-swap"}


@pytest.fixture(scope="module")
def before(rel_index, model) -> dict:
    """The answers of the live index before any fault."""
    return snapshot(Searcher.open(rel_index.index, settings=rel_index, embedder=model))


@pytest.fixture(scope="module")
def reference(rel_index, corpus_shrunk, corpus_grown, model, tmp_path_factory) -> dict:
    """The answers of a fault-free incremental build of each changed corpus."""
    out = {}
    for name, corpus in (("shrunk", corpus_shrunk), ("grown", corpus_grown)):
        s = private_index(rel_index, tmp_path_factory.mktemp(f"ref-{name}") / "index", corpus)
        build(s, embedder=model)
        out[corpus] = snapshot(Searcher.open(s.index, settings=s, embedder=model))
    return out


@pytest.fixture(scope="module")
def crashed(rel_index, corpus_shrunk, corpus_grown, model, tmp_path_factory) -> dict:
    """Every fault point, each on its own copy of the index, all subprocesses at once."""
    base = tmp_path_factory.mktemp("crashed")
    runs = {}
    for point in KILL_POINTS + FULL_POINTS:
        corpus = corpus_grown if point == "embed" else corpus_shrunk
        s = private_index(rel_index, base / point / "index", corpus)
        opened = Searcher.open(s.index, settings=s, embedder=model)
        state = ((s.index / "CURRENT").read_bytes(), versions(s.index))
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash", point, "--", "build", "--index", str(s.index),
             "--corpus", str(corpus), "--sources", str(s.sources), "--json"],
            cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        runs[point] = [s, proc, state, opened]
    try:
        for run in runs.values():
            out, err = run[1].communicate(timeout=300)
            run.append((out.decode(errors="replace"), err.decode(errors="replace")))
    finally:
        for run in runs.values():
            if run[1].poll() is None:
                run[1].kill()
                run[1].wait()
    return runs


@pytest.mark.parametrize("point", KILL_POINTS)
def test_kill_9_at_a_point_leaves_the_live_index_and_the_next_build_completes(
        crashed, point, before, reference, model):
    s, proc, (current_before, versions_before), opened, (out, err) = crashed[point]
    root = s.index
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, err[-2000:])

    # a reader that had the index open keeps answering exactly as before
    assert snapshot(opened) == before
    if point == "after-swap":
        # the swap completed: CURRENT names a complete new version; the old one is still there
        assert (root / "CURRENT").read_bytes() != current_before
        assert set(versions_before) < set(versions(root))
        assert snapshot(Searcher.open(root, settings=s, embedder=model)) == reference[s.corpus[0]]
    else:
        assert (root / "CURRENT").read_bytes() == current_before, "CURRENT moved"
        reopened = Searcher.open(root, settings=s, embedder=model)
        assert reopened.folder == opened.folder
        assert snapshot(reopened) == before
        dead = list(root.glob(".build-*"))
        if point in BEFORE_THE_MOVE:
            assert versions(root) == versions_before and len(dead) == 1
            assert (dead[0] / "manifest.json").exists() == (point == "before-swap")
        else:  # "swap": a complete version folder was moved in but never named in CURRENT
            assert len(versions(root)) == len(versions_before) + 1 and not dead

    # the next build takes over: it completes, clears the leftovers and answers like a clean build
    report = build(s, embedder=model)
    assert report.documents == (5 if point == "embed" else 3)
    assert not list(root.glob(".build-*")) and not list(root.glob(".CURRENT.*"))
    assert len(versions(root)) <= 2
    assert snapshot(Searcher.open(root, settings=s, embedder=model)) == reference[s.corpus[0]]


@pytest.mark.parametrize("point", FULL_POINTS)
def test_a_full_disk_keeps_the_live_index(crashed, point, before, reference, model):
    s, proc, (current_before, versions_before), opened, (out, err) = crashed[point]
    root = s.index
    assert proc.returncode != 0 and proc.returncode != -signal.SIGKILL, (proc.returncode, err[-2000:])
    assert "No space left on device" in err or "disk is full" in err, err[-2000:]
    assert (root / "CURRENT").read_bytes() == current_before
    assert snapshot(opened) == before
    assert snapshot(Searcher.open(root, settings=s, embedder=model)) == before
    assert not list(root.glob(".build-*")), "the failed build left its folder"
    # space is back: the next build completes and answers like a clean build
    build(s, embedder=model)
    assert not list(root.glob(".build-*")) and not list(root.glob(".CURRENT.*"))
    assert snapshot(Searcher.open(root, settings=s, embedder=model)) == reference[s.corpus[0]]


@pytest.mark.parametrize("point", FULL_POINTS)
def test_a_full_disk_is_one_error_line_on_the_command_line(crashed, point):
    s, proc, _, _, (out, err) = crashed[point]
    proc.stderr = err
    proc.stdout = out
    assert_one_line_error(proc, str(s.index))


# -- in-process: the exception a caller (the app's Rebuild button) gets ---------------------

def _enospc(*a, **kw):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _full_sqlite(*a, **kw):
    raise sqlite3.OperationalError("database or disk is full")


def _manifest_write_fails(mp):
    real = Path.write_text

    def write_text(self, *a, **kw):
        if self.name == "manifest.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *a, **kw)

    mp.setattr(Path, "write_text", write_text)


def _current_write_fails(mp):
    """The version folder is already moved in when CURRENT's temporary file cannot be written."""
    def open_current(path, mode="r", *a, **kw):
        fh = open(path, mode, *a, **kw)
        if Path(path).name.startswith(".CURRENT"):
            fh.close()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return fh

    mp.setattr("index.manifest.open", open_current, raising=False)


IN_PROCESS_FAULTS = {
    "sqlite insert": lambda mp: mp.setattr("index.store.insert_passages", _full_sqlite),
    "numpy.save": lambda mp: mp.setattr(np, "save", _enospc),
    "faiss write": lambda mp: mp.setattr(FaissTiers, "save", _enospc),
    "manifest write": _manifest_write_fails,
    "fsync": lambda mp: mp.setattr("index.build.fsync_tree", _enospc),
    "CURRENT write": _current_write_fails,
}


@pytest.mark.parametrize("fault", sorted(IN_PROCESS_FAULTS))
def test_write_failure_in_process_raises_and_leaves_nothing(rel_index, corpus_shrunk, model, before, tmp_path,
                                                           monkeypatch, fault):
    s = private_index(rel_index, tmp_path / "index", corpus_shrunk)
    current = (s.index / "CURRENT").read_bytes()
    with monkeypatch.context() as mp:
        IN_PROCESS_FAULTS[fault](mp)
        with pytest.raises((OSError, sqlite3.Error, IndexUnavailable)) as exc:
            build(s, embedder=model)
    assert "No space left on device" in str(exc.value) or "disk is full" in str(exc.value)
    assert (s.index / "CURRENT").read_bytes() == current
    assert not list(s.index.glob(".build-*")), "the failed build left its folder"
    assert snapshot(Searcher.open(s.index, settings=s, embedder=model)) == before
    # the next build completes and clears what a failed swap may have left (.CURRENT.<pid>, an unnamed version)
    assert not build(s, embedder=model).up_to_date
    assert not list(s.index.glob(".build-*")) and not list(s.index.glob(".CURRENT.*"))
    assert len(versions(s.index)) <= 2


# -- a real full disk: a size-limited tmpfs (root only), sized by the test ----------------------

@pytest.fixture
def small_tmpfs(tmp_path):
    mnt = tmp_path / "tmpfs"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_really_full_disk_keeps_the_live_index(rel_index, corpus_grown, model, before, small_tmpfs):
    """The disk holds the live version and a quarter more: a second version does not fit."""
    import shutil

    live = live_folder(rel_index.index)
    size = sum(f.stat().st_size for f in live.rglob("*") if f.is_file())
    subprocess.run(["mount", "-o", f"remount,size={size * 5 // 4 // 1024 + 16}k", str(small_tmpfs)], check=True)
    root = small_tmpfs / "index"
    root.mkdir()
    shutil.copytree(live, root / live.name)
    shutil.copy(rel_index.index / "CURRENT", root / "CURRENT")
    s = replace(rel_index, index=root, corpus=(corpus_grown,))
    current = (root / "CURRENT").read_bytes()
    with pytest.raises(Exception) as exc:
        build(s, embedder=model)
    assert "disk is full" in str(exc.value) or "No space left" in str(exc.value), repr(exc.value)
    assert (root / "CURRENT").read_bytes() == current
    assert not list(root.glob(".build-*")) and not list(root.glob(".CURRENT.*"))
    assert snapshot(Searcher.open(root, settings=s, embedder=model)) == before
    # more space: the same build now completes
    subprocess.run(["mount", "-o", "remount,size=4m", str(small_tmpfs)], check=True)
    report = build(s, embedder=model)
    assert report.documents == 5 and not list(root.glob(".build-*"))
    hits = Searcher.open(root, settings=s, embedder=model).answer("walrus telemetry relays", 3, mode="lexical").hits
    assert hits and hits[0].doc_id.startswith("walrus")
