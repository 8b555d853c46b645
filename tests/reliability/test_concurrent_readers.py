"""Searches keep answering while another process rebuilds and swaps the index, and no answer mixes versions.

Three kinds of reader run in threads while `python -m index build` runs twice in a subprocess with a
changed corpus (a document removed, then another; passage ids shift, so a mixed answer would pair an
id with the wrong text):

* keep:   one Searcher opened at the start and never reopened (its version is pruned under it);
* follow: reopens when `is_stale()` says a newer version is live (what the app does);
* reopen: a fresh `Searcher.open` for every query, so opens race with the swap.

Every hit must be a (passage id, text, citation) triple of the very version its Searcher opened.
"""
from __future__ import annotations

import shutil
import threading
import time
from collections import Counter

import pytest

from index import Searcher
from tests.reliability.helpers import QUERIES, live_folder, passage_pairs, private_index, run_py, snapshot, versions

pytestmark = pytest.mark.slow


def test_readers_never_see_a_mix_while_another_process_rebuilds(rel_index, model, tmp_path):
    s = private_index(rel_index, tmp_path / "index")
    root = s.index
    corpora = []
    for drop in (("lantern-2024.txt",), ("lantern-2024.txt", "osce-beacons-2022.txt")):
        folder = tmp_path / f"corpus-{len(drop)}"
        shutil.copytree(rel_index.corpus[0], folder)
        for name in drop:
            (folder / name).unlink()
        corpora.append(folder)

    known: dict[str, dict] = {}
    known_lock = threading.Lock()

    def pairs_of(searcher: Searcher) -> dict:
        with known_lock:
            if searcher.folder.name not in known:
                known[searcher.folder.name] = passage_pairs(searcher.folder)
            return known[searcher.folder.name]

    first = Searcher.open(root, settings=s, embedder=model)
    pairs_of(first)
    first_answers = snapshot(first)
    stop = threading.Event()
    problems: list[str] = []
    seen: dict[str, Counter] = {kind: Counter() for kind in ("keep", "follow", "reopen")}

    def reader(kind: str) -> None:
        searcher = first if kind == "keep" else Searcher.open(root, settings=s, embedder=model)
        i = 0
        try:
            while not stop.is_set():
                if kind == "reopen" or (kind == "follow" and searcher.is_stale()):
                    searcher = Searcher.open(root, settings=s, embedder=model)
                expected = pairs_of(searcher)
                q, mode = QUERIES[i % len(QUERIES)]
                i += 1
                answer = searcher.answer(q, 5, mode=mode)
                for h in answer.hits:
                    if expected.get(h.passage_id) != (h.text, h.citation):
                        problems.append(f"{kind}: hit {h.passage_id} of {searcher.folder.name} is not in that version")
                if kind == "keep" and [(h.passage_id, h.text) for h in answer.hits] != [
                        (pid, text) for pid, _, _, _, text, _ in first_answers[(q, mode)]]:
                    problems.append(f"keep: the answer to {q!r} changed")
                seen[kind][searcher.folder.name] += 1
        except Exception as exc:  # any error at all is a failure of the test
            problems.append(f"{kind}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=reader, args=(kind,), daemon=True) for kind in seen]
    for t in threads:
        t.start()
    try:
        while sum(sum(c.values()) for c in seen.values()) < 30 and not problems:
            time.sleep(0.05)
        for corpus in corpora:
            proc = run_py("-m", "index", "build", "--index", str(root), "--corpus", str(corpus),
                          "--sources", str(s.sources), "--json")
            assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
            settle = sum(sum(c.values()) for c in seen.values()) + 30
            while sum(sum(c.values()) for c in seen.values()) < settle and not problems:
                time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)

    assert not problems, problems[:10]
    final = live_folder(root).name
    assert len(versions(root)) == 2 and first.folder.name not in versions(root), "the first version was pruned"
    assert set(seen["keep"]) == {first.folder.name}, "a Searcher never changes version"
    assert final in seen["follow"] and final in seen["reopen"], seen
    assert len(seen["reopen"]) >= 2, seen
    # after the swaps, the pruned version's reader still answers as it always did
    assert snapshot(first) == first_answers


def test_short_lived_threads_do_not_each_open_a_connection(rel_index, model, monkeypatch):
    import index.store as store

    searcher = Searcher.open(rel_index.index, settings=rel_index, embedder=model)
    opened = []
    real = store.open_readonly
    monkeypatch.setattr(store, "open_readonly", lambda path: opened.append(path) or real(path))
    for i in range(40):  # one request per thread, as a threading server serves them
        t = threading.Thread(target=searcher.answer, args=(f"undersea cables {i}", 3, None, "lexical"))
        t.start()
        t.join()
    assert len(opened) <= 8, f"{len(opened)} SQLite connections opened for 40 requests"
