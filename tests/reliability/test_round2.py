"""Round 2 of the adversarial pass (issue #20): each defect found, as a test that failed before its fix.

Fixtures are built in each test (tmp folders, links, hostile names and bytes); the CLI items
run the real `python -m ingest` / `python -m index` in a subprocess. docs/reliability.md
("Round 2") lists each attack with its behaviour before and after.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.index.index_helpers import ROOT, FIXTURE_CORPUS, cli_env

SECRET = "Quartermaster walrus ledger: the vault code is nine-four-seven."
DOC = (FIXTURE_CORPUS / "cables-2019.txt").read_text(encoding="utf-8")


def run_ingest(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingest", *args], cwd=ROOT, env=cli_env(),
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout)


def scan_json(corpus: Path, tmp: Path, *extra: str) -> tuple[dict, subprocess.CompletedProcess]:
    r = run_ingest("scan", "--json", "--corpus", str(corpus), "--sources", str(tmp / "none.toml"), *extra)
    return json.loads(r.stdout), r


# -- 1. links out of the corpus folder ---------------------------------------------------------

def test_links_out_of_the_corpus_are_refused_alike_without_naming_the_target(tmp_path: Path) -> None:
    outside = tmp_path / "private-area"
    (outside / "sub").mkdir(parents=True)
    (outside / "secret.txt").write_text(f"{SECRET}\n\n{SECRET}\n", encoding="utf-8")
    (outside / "sub" / "inner.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(DOC, encoding="utf-8")
    (corpus / "file-link.txt").symlink_to(outside / "secret.txt")
    (corpus / "dir-link").symlink_to(outside / "sub")
    (corpus / "dangling.txt").symlink_to(outside / "gone.txt")
    (corpus / "inside-link.txt").symlink_to(corpus / "good.txt")  # inside: the same file, once
    data, r = scan_json(corpus, tmp_path)
    assert r.returncode == 0, r.stderr
    assert [Path(d["file"]).name for d in data["ingested"]] == ["good.txt"]
    reasons = {Path(s["file"]).name: s["reason"] for s in data["skipped"]}
    assert reasons == {"file-link.txt": "a link to outside the corpus folder (not followed)",
                       "dir-link": "a link to outside the corpus folder (not followed)",
                       "dangling.txt": "a broken link (not followed)"}
    assert "private-area" not in r.stdout + r.stderr and "walrus" not in r.stdout + r.stderr
