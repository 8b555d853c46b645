"""Helpers for the reliability tests: answers as comparable snapshots, index copies, subprocess runs."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from ingest.settings import Settings
from tests.index.index_helpers import (ROOT, assert_one_line_error, cli_env, copy_corpus, live_folder,  # noqa: F401
                                       make_settings)

REMOVED = "lantern-2024.txt"
NEW_DOCUMENT = """---
symbol: A/RES/99/77
title: Telemetry relays for walrus migration research
body: UNGA
date: 2025-03-14
language: en
---

The General Assembly,

Recognizing that telemetry relays on polar ice shelves carry data on walrus migration,

1. Encourages Member States to protect telemetry relays from interference;

2. Invites research stations to publish relay calendars every winter season.
"""

# (query, mode): answers that touch every document and every retrieval path of the synthetic corpus.
QUERIES = (("undersea data cables", "hybrid"), ("navigation beacons", "lexical"),
           ('"cable repair vessel"', "lexical"), ("harbour radar", "dense"),
           ("sécurité des réseaux portuaires", "hybrid"), ("landing stations register", "dense"),
           ("telemetry relays walrus", "hybrid"))


def snapshot(searcher, queries=QUERIES) -> dict:
    """Everything a user sees of each answer, rounded so that equal means equal."""
    out = {}
    for q, mode in queries:
        a = searcher.answer(q, 5, mode=mode)
        out[(q, mode)] = [(h.passage_id, h.doc_id, h.label, h.citation, h.text, round(h.score, 5)) for h in a.hits]
    return out


def private_index(settings: Settings, dest: Path, corpus: Path | None = None) -> Settings:
    """A copy of an index folder (CURRENT plus versions), optionally pointed at another corpus."""
    shutil.copytree(settings.index, dest, ignore=shutil.ignore_patterns(".lock"))
    changed = replace(settings, index=dest)
    return replace(changed, corpus=(corpus,)) if corpus is not None else changed


def versions(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("v*-*") if p.is_dir())


def passage_pairs(folder: Path) -> dict[int, tuple[str, str]]:
    """passage id -> (text, citation) as stored in one version folder."""
    conn = sqlite3.connect(f"file:{folder / 'passages.sqlite'}?mode=ro", uri=True)
    try:
        return {i: (t, c) for i, t, c in conn.execute("SELECT id, text, citation FROM passages")}
    finally:
        conn.close()


def run_py(*args: str, timeout: float = 240, env: dict | None = None, stdin: bytes | None = None
           ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env or cli_env(), input=stdin,
                          capture_output=True, timeout=timeout)


class CachingEmbedder:
    """An Embedder (index/backends/base.py): the session model, with query vectors remembered across Searchers.

    The fault tests ask the same few queries of many copies of one index; each new Searcher would
    encode them again (hundreds of milliseconds each on a busy 2-CPU machine). The vectors are the
    model's own, so answers are exactly those of the plain model.
    """

    def __init__(self, inner):
        self._inner = inner
        self.name, self.dimension = inner.name, inner.dimension
        self._queries: dict[str, object] = {}

    def encode_passages(self, texts, batch_size: int = 32, progress=lambda done, total: None):
        return self._inner.encode_passages(texts, batch_size, progress)

    def encode_query(self, text: str):
        vec = self._queries.get(text)
        if vec is None:
            vec = self._queries[text] = self._inner.encode_query(text)
        return vec
