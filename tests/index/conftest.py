"""Fixtures for the index tests: the small synthetic corpus, built once into an index.

The synthetic documents in tests/fixtures/index/corpus are written for these
tests (UN-resolution style, invented topics); no text comes from the mirror.
The real model is the session `embedder` of tests/conftest.py, loaded once.
"""
from __future__ import annotations

import pytest

from ingest.settings import Settings
from tests.index.index_helpers import copy_corpus, make_settings


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, embedder) -> Settings:
    """An index over the four synthetic fixture documents, built once; copy it before changing it."""
    tmp = tmp_path_factory.mktemp("small-index")
    corpus = copy_corpus(tmp / "corpus")
    settings = make_settings(tmp, corpus)
    from index.build import build

    report = build(settings, embedder=embedder)
    assert report.documents == 4 and not report.skipped, report
    return settings


@pytest.fixture(scope="session")
def small_searcher(small_index, embedder):
    from index import Searcher

    return Searcher.open(small_index.index, settings=small_index, embedder=embedder)
