"""`python -m index` as a user runs it: real subprocesses, real exit codes.

Only two subprocesses load the model (a hybrid search and a hybrid `--queries`
run over the session mirror index); every other call here fails before the
model is needed or searches in lexical mode, so each takes about a second.
"""
from __future__ import annotations

import csv
import fcntl
import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from index import Filters, export
from index.manifest import FORMAT_VERSION
from tests.index.index_helpers import (assert_one_line_error, cli_env, copy_index, edit_manifest, live_folder, run_cli,
                                       scribble_fts_pages)

HIT_KEYS = {"rank", "score", "doc_id", "symbol", "title", "body", "date", "label", "page", "citation", "url",
            "text", "highlights", "also_in"}


def check_json_hit(h: dict) -> None:
    assert HIT_KEYS <= set(h), HIT_KEYS - set(h)
    assert isinstance(h["rank"], int) and not isinstance(h["rank"], bool)
    assert isinstance(h["score"], float)
    for key in ("doc_id", "symbol", "title", "body", "date", "label", "citation", "url", "text"):
        assert isinstance(h[key], str), key
    assert h["doc_id"] and h["text"] and h["citation"]
    assert h["page"] is None or isinstance(h["page"], int)
    assert isinstance(h["highlights"], list) and h["highlights"]
    for span in h["highlights"]:
        assert isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)
        assert 0 <= span[0] < span[1] <= len(h["text"])
    assert isinstance(h["also_in"], list)
    for a in h["also_in"]:
        assert {"symbol", "label", "citation"} <= set(a)
        assert all(isinstance(a[k], str) for k in ("symbol", "label", "citation"))


def parse_one_json_object(stdout: str) -> dict:
    lines = [ln for ln in stdout.split("\n") if ln.strip()]
    assert len(lines) == 1, stdout[:2000]
    return json.loads(lines[0])


# -- search: the JSON contract (two model loads) ---------------------------------

@pytest.mark.slow
def test_search_json_contract(mirror_index, mirror_searcher):
    query = "supply chain integrity"
    proc = run_cli("search", query, "--json", env=cli_env(NORMBASE_INDEX=str(mirror_index.index)))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = parse_one_json_object(proc.stdout)
    assert out["query"] == query
    assert isinstance(out["hits"], list) and len(out["hits"]) == 10
    for h in out["hits"]:
        check_json_hit(h)
    assert [h["rank"] for h in out["hits"]] == list(range(1, 11))
    # the CLI and the Python API give the same answer
    api = mirror_searcher.answer(query, 10)
    assert out["hits"][0]["passage_id"] == api.hits[0].passage_id
    assert len({h["passage_id"] for h in out["hits"]} & {h.passage_id for h in api.hits}) >= 8


@pytest.mark.slow
def test_queries_file_prints_one_json_line_per_query(mirror_index, tmp_path):
    queries = ["supply chain integrity", "", "   ", "CERT cooperation", '"rule of law"', "*",
               "الأمن السيبراني", "'; DROP TABLE passages; --"]
    path = tmp_path / "queries.txt"
    path.write_text("\n".join(queries) + "\n", encoding="utf-8")
    proc = run_cli("search", "--queries", str(path), "--json", "--k", "3", "--index", str(mirror_index.index))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stdout.split("\n") if ln]  # JSON lines: only "\n" ends one
    expected = [q for q in queries if q.strip()]
    assert len(lines) == len(expected), proc.stdout[:2000]
    answers = [json.loads(ln) for ln in lines]
    assert [a["query"] for a in answers] == expected
    for a in answers:
        assert set(a) >= {"query", "hits"} and len(a["hits"]) <= 3
        for h in a["hits"]:
            check_json_hit(h)
    by_query = {a["query"]: a for a in answers}
    assert by_query["supply chain integrity"]["hits"] and by_query['"rule of law"']["hits"]
    assert by_query["*"]["hits"] == [] and by_query["*"]["notices"]


# -- search without the model (lexical mode, or failing before the model loads) ---------

@pytest.mark.slow
def test_plain_text_output(small_index):
    proc = run_cli("search", "undersea data cables", "--mode", "lexical", "--k", "2",
                   "--index", str(small_index.index))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.lstrip().startswith("1. ") and "\n2. " in proc.stdout
    assert "A/RES/9" in proc.stdout and "https://" in proc.stdout


@pytest.mark.slow
def test_lexical_json_with_filters(small_index):
    proc = run_cli("search", "cables", "--mode", "lexical", "--json", "--doc", "A/RES/91/11",
                   "--year-from", "2019", "--year-to", "2019", "--body", "UNGA", "--type", "resolution",
                   "--language", "en", "--index", str(small_index.index))
    assert proc.returncode == 0, proc.stderr
    out = parse_one_json_object(proc.stdout)
    assert out["hits"] and all(h["symbol"] == "A/RES/91/11" for h in out["hits"])
    proc = run_cli("search", "cables", "--mode", "lexical", "--json", "--body", "OAS",
                   "--index", str(small_index.index))
    out = parse_one_json_object(proc.stdout)
    assert out["hits"] == [] and any("filter" in n for n in out["notices"])


@pytest.mark.slow
def test_queries_file_splits_only_at_newlines(small_index, tmp_path):
    path = tmp_path / "queries.txt"
    path.write_text("undersea cables\nseabed\x0cfaults\nanchors\u2028dragged\nvessel\x85beacon\n", encoding="utf-8")
    proc = run_cli("search", "--queries", str(path), "--mode", "lexical", "--index", str(small_index.index))
    assert proc.returncode == 0, proc.stderr
    assert len([ln for ln in proc.stdout.split("\n") if ln]) == 4, proc.stdout


@pytest.mark.slow
def test_markdown_note_is_the_apps_export(small_index, small_searcher):
    proc = run_cli("search", "undersea data cables", "--mode", "lexical", "--k", "3", "--format", "md",
                   "--body", "UNGA", "--index", str(small_index.index))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# normbase: undersea data cables\n\nFilters: body: UNGA\n\n> "), proc.stdout
    cited = [ln for ln in proc.stdout.splitlines() if ln.startswith("> — ")]
    assert len(cited) == 3 and all("A/RES/9" in ln and "<https://" in ln for ln in cited), cited
    answer = small_searcher.answer("undersea data cables", 3, Filters(bodies=("UNGA",)), "lexical")
    assert proc.stdout == export.to_markdown(answer, Filters(bodies=("UNGA",))) + "\n", "the app's note, verbatim"


@pytest.mark.slow
def test_csv_sheet_has_one_row_per_hit_of_the_json(small_index):
    args = ("search", "cables", "--mode", "lexical", "--k", "4", "--index", str(small_index.index))
    proc = run_cli(*args, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout, newline="")))
    assert rows and list(rows[0]) == export.CSV_COLUMNS
    hits = parse_one_json_object(run_cli(*args, "--json").stdout)["hits"]
    assert [(r["rank"], r["citation"], r["text"]) for r in rows] == [(str(h["rank"]), h["citation"], h["text"])
                                                                    for h in hits]


@pytest.mark.slow
def test_export_formats_keep_notices_off_stdout(small_index):
    proc = run_cli("search", "cables", "--mode", "lexical", "--format", "csv", "--body", "OAS",
                   "--index", str(small_index.index))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [",".join(export.CSV_COLUMNS)], "the sheet alone: its header, no rows"
    assert proc.stderr.startswith("note: ") and "filter" in proc.stderr


def test_export_format_conflicts_are_one_error_line(tmp_path):
    assert_one_line_error(run_cli("search", "cables", "--json", "--format", "md", "--index", str(tmp_path)),
                          "--json", "--format md")
    queries = tmp_path / "queries.txt"
    queries.write_text("cables\n", encoding="utf-8")
    assert_one_line_error(run_cli("search", "--queries", str(queries), "--format", "csv", "--index", str(tmp_path)),
                          "--queries", "JSON")


def test_search_needs_a_query(tmp_path):
    assert_one_line_error(run_cli("search", "--index", str(tmp_path)), "QUERY")


def test_search_without_an_index(tmp_path):
    assert_one_line_error(run_cli("search", "cables", "--index", str(tmp_path / "nothing")), "no index", "build")


@pytest.mark.slow
def test_index_built_with_another_model(small_index, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    edit_manifest(root, model="someone/other-model")
    assert_one_line_error(run_cli("search", "cables", "--json", "--index", str(root)), "other-model", "rebuild")


@pytest.mark.slow
def test_configured_model_differs_from_the_index(small_index):
    env = cli_env(NORMBASE_MODEL="someone/other-model")
    assert_one_line_error(run_cli("search", "cables", "--index", str(small_index.index), env=env),
                          "someone/other-model", "rebuild")
    assert_one_line_error(run_cli("search", "cables", "--model", "another/model", "--index", str(small_index.index)),
                          "another/model", "rebuild")


@pytest.mark.slow
def test_index_of_another_format(small_index, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    edit_manifest(root, format_version=FORMAT_VERSION + 1)
    assert_one_line_error(run_cli("search", "cables", "--index", str(root)), "format", "rebuild")


def _truncate(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 3)


def _scribble_header(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.write(b"\x00garbage" * 16)


DAMAGE = {
    "truncated vectors.faiss": ("vectors.faiss", lambda v: _truncate(v / "vectors.faiss")),
    "corrupted passages.sqlite": ("passages.sqlite", lambda v: _scribble_header(v / "passages.sqlite")),
    "deleted manifest.json": ("manifest.json", lambda v: (v / "manifest.json").unlink()),
    "garbage CURRENT": ("CURRENT", lambda v: (v.parent / "CURRENT").write_text("rm -rf /\n")),
    "CURRENT names a deleted version": ("CURRENT", lambda v: shutil.rmtree(v)),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_index_is_one_error_line(small_index, tmp_path, case):
    name, damage = DAMAGE[case]
    root = copy_index(small_index, tmp_path / "index")
    damage(live_folder(root))
    assert_one_line_error(run_cli("search", "cables", "--json", "--index", str(root)), name, "rebuild")


@pytest.mark.slow
def test_binary_current_is_one_error_line(small_index, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    (root / "CURRENT").write_bytes(b"\xff\xfe\x00\x9c")
    assert_one_line_error(run_cli("search", "cables", "--index", str(root)), "CURRENT", "rebuild")


@pytest.mark.slow
def test_damaged_fts_pages_are_one_error_line(small_index, tmp_path):
    root = copy_index(small_index, tmp_path / "index")
    scribble_fts_pages(live_folder(root))
    assert_one_line_error(run_cli("search", "cables", "--mode", "lexical", "--index", str(root)),
                          "passages.sqlite", "rebuild")


# -- build ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_build_json_summary_when_up_to_date(small_index, embedder, tmp_path):
    """Same corpus, catalogue and model as the session index: nothing to do, and no model load."""
    from index.build import build

    root = copy_index(small_index, tmp_path / "index")
    # catch up first: the fingerprint covers ingest/*.py, which may have been edited since the session build
    build(replace(small_index, index=root), embedder=embedder)
    proc = run_cli("build", "--json", "--index", str(root), "--corpus", str(small_index.corpus[0]),
                   "--sources", str(small_index.sources))
    assert proc.returncode == 0, proc.stderr
    out = parse_one_json_object(proc.stdout)
    assert out["up_to_date"] is True and out["embedded"] == 0
    assert out["documents"] == 4 and out["skipped"] == [] and out["passages"] > 0
    assert set(out) >= {"index", "documents", "passages", "embedded", "reused", "up_to_date", "skipped", "seconds"}


def test_build_of_an_empty_corpus_is_one_error_line(tmp_path):
    (tmp_path / "corpus").mkdir()
    proc = run_cli("build", "--index", str(tmp_path / "index"), "--corpus", str(tmp_path / "corpus"),
                   "--sources", str(tmp_path / "none.toml"))
    assert_one_line_error(proc, "no documents found")


def test_concurrent_build_is_one_error_line(tmp_path):
    (tmp_path / "index").mkdir()
    (tmp_path / "corpus").mkdir()
    with open(tmp_path / "index" / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_cli("build", "--index", str(tmp_path / "index"), "--corpus", str(tmp_path / "corpus"))
    assert_one_line_error(proc, "another build")
