"""Helpers for the index tests: the synthetic fixture corpus, index copies, CLI runs, made-up hits.

The synthetic documents in tests/fixtures/index/corpus are written for these
tests (UN-resolution style, invented topics); no text comes from the mirror.
The real model is the session `embedder` of tests/conftest.py, loaded once.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from index import Hit
from ingest.settings import Settings
from tests.conftest import small_settings  # the shared helper (tests/ is a namespace package)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "index" / "corpus"


def make_settings(tmp: Path, corpus: Path, index: Path | None = None, **kw) -> Settings:
    """tests/conftest.py's small_settings (no catalogue: every file uncatalogued), index folder selectable."""
    settings = small_settings(tmp, corpus, **kw)
    return settings if index is None else replace(settings, index=index)


def make_hit(**kw) -> Hit:
    """A search result with plausible fields, for tests of what is made of results (cards, exports)."""
    fields = dict(rank=1, score=0.5, doc_id="d", symbol="A/RES/1/1", title="A title", body="UNGA",
                  date="2020-01-02", type="resolution", language="en", label="OP 1", page=2,
                  citation="A/RES/1/1, OP 1, p. 2 (2 January 2020)", url="https://undocs.org/A/RES/1/1",
                  text="1. Calls upon States to cooperate.", highlights=[[0, 34]])
    fields.update(kw)
    return Hit(**fields)


def copy_corpus(dest: Path) -> Path:
    shutil.copytree(FIXTURE_CORPUS, dest)
    return dest


def copy_index(settings: Settings, dest: Path) -> Path:
    """A private copy of an index folder (CURRENT plus its versions) to damage or edit."""
    shutil.copytree(settings.index, dest, ignore=shutil.ignore_patterns(".lock"))
    return dest


def live_folder(root: Path) -> Path:
    return root / (root / "CURRENT").read_text(encoding="utf-8").strip()


def edit_manifest(root: Path, **changes) -> None:
    """Rewrite fields of the live manifest, to simulate an index from another model or format."""
    path = live_folder(root) / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for `python -m index`: no NORMBASE_* leaking in from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORMBASE_")}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
                "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "index", *args], cwd=ROOT, env=env or cli_env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def popen_cli(*args: str, env: dict[str, str] | None = None, stdout=subprocess.DEVNULL,
              stderr=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "index", *args], cwd=ROOT, env=env or cli_env(),
                            stdout=stdout, stderr=stderr)


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit 2, nothing on stdout, exactly one `error: ...` line on stderr, no traceback."""
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stdout == "", proc.stdout
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: "), err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


_SUBJECTS = ("harbour radar", "rail signalling", "tidal gauges", "weather buoys", "grain silos", "canal locks",
             "ferry ticketing", "mountain relays", "desert sensors", "river dams", "polar stations", "bridge monitors")
_VERBS = ("Encourages", "Invites", "Requests", "Urges", "Welcomes", "Calls upon", "Decides", "Notes")
_ADJECTIVES = ("resilient", "transparent", "voluntary", "regional", "interoperable", "secure", "shared", "timely")


def write_big_corpus(folder: Path, documents: int = 60, paragraphs: int = 8) -> Path:
    """Synthetic resolutions with distinct paragraphs: enough passages that a build takes a while."""
    folder.mkdir(parents=True)
    for d in range(documents):
        subject = _SUBJECTS[d % len(_SUBJECTS)]
        lines = ["---", f"symbol: A/RES/99/{d + 1}", f"title: Synthetic resolution {d + 1} on {subject}",
                 "body: UNGA", f"date: {2000 + d % 25}-0{1 + d % 9}-1{d % 10}", "language: en", "---", "",
                 "The General Assembly,", ""]
        for p in range(paragraphs):
            adj = _ADJECTIVES[(d + p) % len(_ADJECTIVES)]
            text = (f"the {adj} management of {subject} number {d * 100 + p}, including audits in cycle {p}, "
                    f"exercises with {_SUBJECTS[(d + 3 * p) % len(_SUBJECTS)]} operators and annual reporting")
            if p < 3:
                lines += [f"Recognizing {text},", ""]
            else:
                lines += [f"{p - 2}. {_VERBS[(d + p) % len(_VERBS)]} {text};", ""]
        (folder / f"synthetic-{d + 1:03d}.txt").write_text("\n".join(lines), encoding="utf-8")
    return folder


def scribble(path: Path, offset: int, length: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\xde\xad\xbe\xef" * (length // 4))


def _fts_pages(db: Path) -> list[int]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'passages_fts_data'")]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find the FTS pages")
    finally:
        conn.close()


def scribble_fts_pages(folder: Path) -> None:
    """Overwrite the FTS5 index pages only: the passages table itself stays readable."""
    db = folder / "passages.sqlite"
    conn = sqlite3.connect(db)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    pages = _fts_pages(db)
    assert pages
    for p in pages:
        scribble(db, (p - 1) * page, page)
