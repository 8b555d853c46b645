"""`python -m ingest inspect|scan`, run as a user runs them (subprocesses).

Named test_ingest_cli.py, not test_cli.py: tests/ has no __init__.py files, so pytest
imports test modules by basename and tests/index/test_cli.py would clash with it.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RES_73_27 = "unga-res-73-27-2018.txt"


def manifest_title(mirror: Path, file: str) -> str:
    with (mirror / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return next(row["title"] for row in csv.DictReader(fh, delimiter="\t") if row["file"] == file)


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORMBASE_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "ingest", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def sources(tmp_path: Path, mirror: Path) -> Path:
    """A one-entry catalogue for A/RES/73/27 (title from the mirror's MANIFEST.tsv)."""
    p = tmp_path / "sources.toml"
    p.write_text(f'''[[document]]
id = "a-res-73-27"
symbol = "A/RES/73/27"
title = {json.dumps(manifest_title(mirror, RES_73_27))}
body = "UNGA"
date = "2018-12-05"
type = "resolution"
language = "en"
url = "https://undocs.org/A/RES/73/27"
file = "{RES_73_27}"
''', encoding="utf-8")
    return p


def test_inspect_mirror_document(mirror: Path, sources: Path) -> None:
    r = run("inspect", str(mirror / RES_73_27), "--sources", str(sources))
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    title = manifest_title(mirror, RES_73_27)
    assert re.fullmatch(rf".*{re.escape(RES_73_27)}: A/RES/73/27 — {re.escape(title)} \(UNGA, 2018-12-05, "
                        r"resolution\); \d+ passages", first), first
    assert "uncatalogued" not in first
    assert "\n[A/RES/73/27, OP 1.6, p. 4 (5 December 2018)]\n1.6. A State should not conduct" in r.stdout
    assert "\n[A/RES/73/27, PP 21, p. 3 (5 December 2018)]\nStressing that, while States" in r.stdout
    assert "\n[A/RES/73/27, OP 4 (a), p. 4 (5 December 2018)]\n(a) General appreciation" in r.stdout


def test_inspect_json_shows_no_page_furniture(mirror: Path, sources: Path) -> None:
    r = run("inspect", str(mirror / RES_73_27), "--sources", str(sources), "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {"label", "text", "page", "citation", "start", "end", "source_start", "source_end", "part",
            "heading", "context", "delegation", "language"} <= set(rows[0])
    row = next(x for x in rows if x["text"].startswith("1.6. A State should not conduct"))
    assert (row["label"], row["page"], row["citation"]) == ("OP 1.6", 4, "A/RES/73/27, OP 1.6, p. 4 (5 December 2018)")
    for x in rows:
        t = x["text"].strip()
        assert t not in ("A/RES/73/27", "United Nations", "General Assembly"), t
        assert not re.fullmatch(r"\d/5|\d{2}-\d{5}.*|\*\d+\*|Distr\..*", t), t
        assert re.search(r"[.;:,]\d{0,2}$", t), f"ends like a heading: {t!r}"


def test_inspect_uncatalogued_fixture(fixtures_dir: Path, tmp_path: Path) -> None:
    r = run("inspect", str(fixtures_dir / "res-91-45-synthetic.txt"), "--sources", str(tmp_path / "none.toml"))
    assert r.returncode == 0, r.stderr
    assert "(UNGA, 2036-12-09, resolution, uncatalogued); 17 passages" in r.stdout.splitlines()[0]
    assert "\n[A/RES/91/45, OP 2 (b) (ii), p. 2 (9 December 2036)]\n(ii) Waiving fees" in r.stdout


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty file"),
    ("binary.txt", bytes(range(256)) * 4, "binary content (NUL bytes), not text"),
    ("fake.pdf", b"plain text named .pdf\n", "not a PDF (no %PDF- signature)"),
])
def test_inspect_bad_file_prints_one_line_and_fails(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    r = run("inspect", str(p), "--sources", str(tmp_path / "none.toml"))
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == f"error: {p}: {reason}\n"


def test_inspect_missing_file(tmp_path: Path) -> None:
    r = run("inspect", str(tmp_path / "nowhere.txt"), "--sources", str(tmp_path / "none.toml"))
    assert r.returncode == 1
    assert r.stderr.startswith(f"error: {tmp_path / 'nowhere.txt'}: ") and r.stderr.count("\n") == 1


def make_corpus(folder: Path, fixtures_dir: Path, *, good: bool = True) -> None:
    from fpdf import FPDF

    folder.mkdir(parents=True, exist_ok=True)
    if good:
        shutil.copy(fixtures_dir / "res-91-45-synthetic.txt", folder / "a-resolution.txt")
        shutil.copy(fixtures_dir / "res-91-45-synthetic.txt", folder / "b-copy.txt")
        shutil.copy(fixtures_dir / "workshop-notes.md", folder / "notes.md")
    (folder / "empty.txt").write_bytes(b"")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(20, 30, "Confidential draft on cable repair.")
    pdf.set_encryption(owner_password="o-secret", user_password="u-secret")
    pdf.output(str(folder / "locked.pdf"))


def test_scan_names_skipped_files_and_summarises(tmp_path: Path, fixtures_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, fixtures_dir)
    r = run("scan", "--corpus", str(corpus), "--sources", str(tmp_path / "none.toml"))
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[-1] == "2 ingested, 3 skipped"
    assert re.fullmatch(r"\s*17 passages  A/RES/91/45  \(a-resolution\.txt\)", out[0]), out[0]
    assert re.fullmatch(r"\s*\d+ passages  Regional workshop on cable repair cooperation: chair's summary  "
                        r"\(notes\.md\)", out[1]), out[1]
    assert sorted(r.stderr.splitlines()) == sorted([
        f"skipped: {corpus / 'b-copy.txt'}: duplicate of a-resolution.txt (same content)",
        f"skipped: {corpus / 'empty.txt'}: empty file",
        f"skipped: {corpus / 'locked.pdf'}: encrypted PDF (a password is needed)",
    ])


def test_scan_strict_fails_when_anything_is_skipped(tmp_path: Path, fixtures_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, fixtures_dir)
    r = run("scan", "--corpus", str(corpus), "--sources", str(tmp_path / "none.toml"), "--strict")
    assert r.returncode == 1
    assert r.stdout.splitlines()[-1] == "2 ingested, 3 skipped"


def test_scan_json(tmp_path: Path, fixtures_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, fixtures_dir)
    r = run("scan", "--corpus", str(corpus), "--sources", str(tmp_path / "none.toml"), "--json", "--max-file-mb", "0.0019")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [Path(x["file"]).name for x in data["ingested"]] == ["notes.md"]
    assert data["ingested"][0]["id"] == "notes" and data["ingested"][0]["passages"] == 7
    reasons = {Path(x["file"]).name: x["reason"] for x in data["skipped"]}
    assert reasons["a-resolution.txt"].startswith("file is ") and "MB limit" in reasons["a-resolution.txt"]
    assert reasons["empty.txt"] == "empty file"
    assert reasons["locked.pdf"] == "encrypted PDF (a password is needed)"


def test_scan_with_nothing_ingested_fails(tmp_path: Path, fixtures_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, fixtures_dir, good=False)
    r = run("scan", "--corpus", str(corpus), "--sources", str(tmp_path / "none.toml"))
    assert r.returncode == 1
    assert r.stdout.splitlines()[-1] == "0 ingested, 2 skipped"


def test_broken_catalogue_is_reported(tmp_path: Path, fixtures_dir: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[document]]\nid = "x"\n', encoding="utf-8")
    r = run("inspect", str(fixtures_dir / "workshop-notes.md"), "--sources", str(bad))
    assert r.returncode == 2
    assert r.stderr == f"error: {bad}: entry x: missing required field 'body'\n"
