"""Progress bars for long work: tqdm in a terminal, a callback everywhere else."""
from __future__ import annotations

import sys

from tqdm import tqdm

STAGES = {"ingest": "reading documents", "embed": "embedding passages", "write": "writing index",
          "lexicon": "encoding the corpus's words", "glosses": "glossing the passages not in English",
          "clauses": "placing the long passages' clauses"}


class TerminalProgress:
    """A `progress(stage, done, total)` callable that draws one tqdm bar per stage on stderr."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled and sys.stderr.isatty() or enabled
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=STAGES.get(stage, stage), unit="", file=sys.stderr, leave=True)
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
