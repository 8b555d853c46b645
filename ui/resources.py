"""What the pages share across sessions: settings, the model, the searcher, and building the index.

The model and each index version's Searcher are loaded once per server (st.cache_resource) and
shared by every session; settings are read from the environment on every run (cheap, and tests
change them).
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Optional

import streamlit as st

from index import IndexUnavailable, ModelUnavailable, Searcher, backends
from index.build import BuildReport, build
from index.manifest import current_version
from index.progress import STAGES
from ingest.catalog import CatalogError
from ingest.settings import Settings

from .escape import md_plain


def config() -> Settings:
    """Settings from the environment (NORMBASE_*), read on every run: cheap, and tests can change them."""
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def get_embedder(model: str) -> backends.Embedder:
    """The model, once per server; the first build exports it (index/backends/onnx.py) under its progress bar."""
    return backends.embedder(config(), model)


@st.cache_resource(show_spinner=False)
def get_multilingual(name: str) -> backends.Embedder:
    """The multilingual model (setting `multilingual`, never `off` here), once per server."""
    return backends.multilingual_embedder(config())


class LazyEmbedder:
    """A shared model, fetched at its first use: a Searcher opens (and the page draws) without waiting for it.

    `warm_up` has usually loaded it by then; if not, the first query waits for that load instead of
    starting a second one (st.cache_resource holds one lock per key)."""

    def __init__(self, name: str, load: Callable[[str], backends.Embedder] = get_embedder):
        self.name, self._load = name, load

    @property
    def dimension(self) -> int:
        return self._load(self.name).dimension

    def encode_query(self, text: str):
        return self._load(self.name).encode_query(text)

    def encode_query_in(self, text: str, language: str):
        """The multilingual pair's vector depends on the question's language (index/backends/ensemble.py)."""
        return backends.query_vector(self._load(self.name), text, language)

    def encode_passages(self, texts, batch_size: int = 32, progress=lambda done, total: None):
        return self._load(self.name).encode_passages(texts, batch_size, progress)

    def encode_words(self, words):
        """The multilingual model's word vectors, for the lexicon's gloss (index/lexicon.py)."""
        return backends.word_vectors(self._load(self.name), words)


def multilingual_model(cfg: Settings) -> Optional[LazyEmbedder]:
    """For a Searcher, which never reads its name (a build does: it is handed the model itself)."""
    return None if cfg.multilingual == backends.OFF else LazyEmbedder(cfg.multilingual, get_multilingual)


def _load_quietly(model: LazyEmbedder) -> None:
    try:
        model.encode_query("warm-up")  # a first query: the model, its session and their first allocations
    except ModelUnavailable:
        pass  # the page's own first use shows the message


@st.cache_resource(show_spinner=False)
def warm_up(model: str, multilingual: str) -> list[threading.Thread]:
    """Load the models in background threads, once per server, while the first page is drawn; the two
    load side by side (both release the GIL), so the first query waits for neither on two cores."""
    models = [LazyEmbedder(model), multilingual_model(config())]
    threads = [threading.Thread(target=_load_quietly, args=(m,), name=f"normbase-warm-up-{m.name}", daemon=True)
               for m in models if m is not None]
    for thread in threads:
        thread.start()
    return threads


def models_loading(cfg: Settings) -> list[threading.Thread]:
    """The warm-up threads still loading a model (none once both are in memory)."""
    return [t for t in warm_up(cfg.model, cfg.multilingual) if t.is_alive()]


@st.cache_resource(show_spinner=False, max_entries=4)
def get_searcher(index: str, version: str, model: str, multilingual: str) -> Searcher:
    """One Searcher per index version, shared by every session of this server; the models are shared by all."""
    cfg = config()
    return Searcher.open(Path(index), settings=cfg, embedder=LazyEmbedder(model),
                         multilingual_embedder=multilingual_model(cfg))


def run_build(cfg: Settings, force: bool = False) -> Optional[BuildReport]:
    """Build or update the index with a progress bar; None (and an error shown) if it failed."""
    bar = st.progress(0.0, text="Preparing the language model (the first start exports it: about a minute)…")

    def progress(stage: str, done: int, total: int) -> None:  # the stages the terminal's bars name
        bar.progress(min(1.0, done / max(1, total)), text=f"{STAGES.get(stage, stage).capitalize()}: {done}/{total}")

    try:
        multilingual = None if cfg.multilingual == backends.OFF else get_multilingual(cfg.multilingual)
        report = build(cfg, embedder=get_embedder(cfg.model), force=force, progress=progress,
                       multilingual=multilingual)
    except (CatalogError, IndexUnavailable, ModelUnavailable) as exc:
        st.error(f"The index could not be built: {md_plain(exc)}")
        return None
    finally:
        bar.empty()
    st.session_state["last_build"] = report
    return report


def open_searcher(cfg: Settings) -> Searcher:
    """The live index's Searcher; builds the index on first start; stops the page if it is unusable."""
    warm_up(cfg.model, cfg.multilingual)
    try:
        folder = current_version(cfg.index)
        if folder is None:
            st.info("No index yet: building it from the corpus folders. This happens once.")
            if run_build(cfg) is None:
                st.stop()
            folder = current_version(cfg.index)
        return get_searcher(str(cfg.index), folder.name, cfg.model, cfg.multilingual)
    except (IndexUnavailable, ModelUnavailable) as exc:
        st.error(md_plain(exc))
        if st.button("Rebuild the index", type="primary") and run_build(cfg, force=True):
            st.rerun()
        st.stop()
