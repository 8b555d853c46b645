"""Fixtures for the reliability tests: one small index over the synthetic fixture corpus
(tests/fixtures/index/corpus, written for the tests), built once with the session model,
and the same corpus changed in two ways (a document removed; a document added).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.settings import Settings
from tests.reliability.helpers import NEW_DOCUMENT, REMOVED, CachingEmbedder, copy_corpus, make_settings


@pytest.fixture(scope="session")
def model(embedder) -> CachingEmbedder:
    """The session `embedder` (tests/conftest.py), remembering query vectors across Searchers."""
    return CachingEmbedder(embedder)


@pytest.fixture(scope="session")
def rel_index(tmp_path_factory, model) -> Settings:
    """The synthetic corpus, indexed once; copy the folder (helpers.private_index) before changing it."""
    from index.build import build

    tmp = tmp_path_factory.mktemp("rel-index")
    settings = make_settings(tmp, copy_corpus(tmp / "corpus"))
    report = build(settings, embedder=model)
    assert report.documents == 4 and not report.skipped, report
    return settings


@pytest.fixture(scope="session")
def corpus_shrunk(rel_index) -> Path:
    """The corpus minus one document: a rebuild that needs no model call."""
    folder = Path(rel_index.corpus[0]).parent / "corpus-shrunk"
    shutil.copytree(rel_index.corpus[0], folder)
    (folder / REMOVED).unlink()
    return folder


@pytest.fixture(scope="session")
def corpus_grown(rel_index) -> Path:
    """The corpus plus one new document: a rebuild that has to embed."""
    folder = Path(rel_index.corpus[0]).parent / "corpus-grown"
    shutil.copytree(rel_index.corpus[0], folder)
    (folder / "walrus-2025.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    return folder
