"""The index a server answers from, and the rebuilds it runs.

A build (this server's, another process's, another machine's publishing into a shared folder)
swaps a new version in by replacing CURRENT. `LiveIndex.get()` notices (`Searcher.is_stale`) and
opens the new version once, sharing the loaded model; requests already running finish on the
Searcher they started with, whose version folder the build keeps. A version that cannot be opened
is not retried until CURRENT changes again, and the previous one keeps answering meanwhile.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Optional

from index import IndexUnavailable, Searcher
from ingest.settings import Settings

from ..manifest import current_version
from .models import BuildStatus

log = logging.getLogger("normbase.api")


class LiveIndex:
    def __init__(self, settings: Settings, searcher: Optional[Searcher] = None):
        self.settings = settings
        self._searcher = searcher
        self._refused: Optional[tuple[str, str]] = None  # (version folder, why it could not be opened)
        self._lock = threading.Lock()

    def get(self) -> Searcher:
        """The Searcher of the live version; IndexUnavailable when there is none that can answer."""
        current = self._searcher
        if current is not None and not current.is_stale():
            return current
        with self._lock:
            current = self._searcher
            if current is not None and not current.is_stale():
                return current
            return self._reopen(current)

    def loaded(self) -> Optional[Searcher]:
        """The Searcher opened last, if any, without looking for a newer version."""
        return self._searcher

    def _reopen(self, old: Optional[Searcher]) -> Searcher:
        root = self.settings.index
        try:
            folder = current_version(root)
        except IndexUnavailable:
            if old is not None:
                return old
            raise
        if folder is None:
            raise IndexUnavailable(f"no index at {root} yet; build it with `python -m index build` "
                                   "(or POST /build on a server with a token)")
        if self._refused and self._refused[0] == folder.name:
            if old is not None:
                return old
            raise IndexUnavailable(self._refused[1])
        try:
            new = self._open(old)
        except IndexUnavailable as exc:
            self._refused = (folder.name, str(exc))
            log.error("the new index version %s cannot be opened: %s", folder.name, exc)
            if old is not None:
                return old
            raise
        self._searcher, self._refused = new, None
        return new

    def _open(self, old: Optional[Searcher]) -> Searcher:
        if old is not None:
            try:  # the same model, already loaded: no second copy in memory
                return Searcher.open(self.settings.index, settings=self.settings, embedder=old.embedder)
            except IndexUnavailable:
                pass  # built with another model, say: open it with its own
        return Searcher.open(self.settings.index, settings=self.settings)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class BuildRunner:
    """Runs `index.build.build` in a background thread, one at a time; asks made meanwhile are merged.

    The build's own lock keeps this server from building at the same time as another process;
    that case ends as a failed state with the build's message.
    """

    def __init__(self, live: LiveIndex):
        self.live = live
        self._status = BuildStatus()
        self._force = False
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None

    def status(self) -> BuildStatus:
        with self._lock:
            return self._status.model_copy()

    def request(self, force: bool = False) -> BuildStatus:
        with self._lock:
            if self._status.state == "running":
                self._status.pending, self._force = True, self._force or force
            else:
                self._status = BuildStatus(state="running", started_at=_now())
                self._force = force
                self._thread = threading.Thread(target=self._run, name="normbase-build", daemon=True)
                self._thread.start()
            return self._status.model_copy()

    def wait(self, timeout: Optional[float] = None) -> BuildStatus:
        """Until the running builds are done (for tests and the command line)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status()

    def _run(self) -> None:
        from ..build import build

        while True:
            with self._lock:
                force, self._force = self._force, False
            loaded, settings = self.live.loaded(), self.live.settings
            same_model = loaded is not None and loaded.manifest.model == settings.model
            try:
                report = build(settings, force=force, embedder=loaded.embedder if same_model else None)
                outcome = {"state": "done", "report": report.to_json(), "error": None}
            except (IndexUnavailable, OSError) as exc:
                outcome = {"state": "failed", "report": None, "error": str(exc)}
            except Exception as exc:  # a bug in a build must not kill the server's build thread silently
                log.exception("the build failed")
                outcome = {"state": "failed", "report": None, "error": f"the build failed ({type(exc).__name__})"}
            with self._lock:
                if self._status.pending:
                    self._status = BuildStatus(state="running", started_at=_now())
                    continue
                self._status = BuildStatus(started_at=self._status.started_at, finished_at=_now(), **outcome)
                return
