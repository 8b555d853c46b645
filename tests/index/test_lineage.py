"""Searcher.lineage and the build-time fingerprints, over a real index of an invented resolution series."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from index import fingerprints
from index.lineage import UnknownPassage, lineage
from index.manifest import IndexError_
from tests.index.index_helpers import assert_one_line_error, live_folder, run_cli
from tests.index.lineage_corpus import NORM, series  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow  # builds an index with the real model


def brief(result):
    return [(v.passage.symbol, v.passage.label, v.status) for v in result.versions]


def test_versions_oldest_first_with_the_first_marked(series):
    _, s = series
    result = s.lineage("A/RES/93/40, PP 2")
    assert brief(result) == [("A/RES/91/40", "PP 2", "changed"), ("A/RES/93/40", "PP 2", "self")]
    first, asked = result.versions
    assert first.first and not asked.first
    assert [d.op for d in first.diff] == ["insert"] and first.diff[0].text == first.passage.text
    assert [(d.op, d.text) for d in asked.diff if d.op != "equal"] == [("insert", "regular and ")]


def test_same_wording_across_the_series(series):
    _, s = series
    result = s.lineage("A/RES/95/40, PP 1")
    assert brief(result) == [("A/RES/91/40", "PP 1", "same"), ("A/RES/93/40", "PP 1", "same"),
                             ("A/RES/95/40", "PP 1", "self")]
    assert all(v.passage.citation.startswith(v.passage.symbol) for v in result.versions)


def test_a_sentence_of_a_norm_reused_in_a_preamble_is_flagged(series):
    _, s = series
    result = s.lineage("A/RES/95/40, PP 2")
    assert brief(result) == [("A/RES/91/40", "OP 1", "changed"), ("A/RES/95/40", "PP 2", "self")]
    norm = result.versions[0]
    assert norm.only_sentence and norm.first
    assert [x[:19] for x in norm.shared] == ["However, the indica"]
    assert norm.passage.text == NORM
    # the other way round: the later preamble is listed from the norm's lineage, flagged too
    back = s.lineage("A/RES/91/40, OP 1")
    assert brief(back) == [("A/RES/91/40", "OP 1", "self"), ("A/RES/95/40", "PP 2", "changed")]
    assert back.versions[1].only_sentence


def test_json_contract(series):
    _, s = series
    data = s.lineage("A/RES/93/40, OP 4").to_json()
    assert set(data) == {"passage", "versions"} and data["passage"]["label"] == "OP 4"
    for v in data["versions"]:
        assert {"symbol", "label", "date", "citation", "status", "diff", "first", "only_sentence"} <= set(v)
    assert [v["date"] for v in data["versions"]] == sorted(v["date"] for v in data["versions"])
    prev = ""
    for v in data["versions"]:  # each diff runs from the version before it to this one
        assert "".join(d["text"] for d in v["diff"] if d["op"] != "insert") == prev
        assert "".join(d["text"] for d in v["diff"] if d["op"] != "delete") == v["text"]
        prev = v["text"]
    assert json.loads(json.dumps(data)) == data


def test_passage_by_id_and_unknown_passages(series):
    _, s = series
    by_name = s.lineage("A/RES/93/40, OP 4")
    assert s.lineage(by_name.passage.passage_id).passage == by_name.passage
    with pytest.raises(UnknownPassage, match=r"has no paragraph 'OP 9'; did you mean OP 4"):
        s.lineage("A/RES/93/40, OP 9")
    with pytest.raises(UnknownPassage, match="SYMBOL, LABEL"):
        s.lineage("A/RES/93/40")
    with pytest.raises(IndexError_, match="did you mean A/RES/93/40"):
        s.lineage("A/RES/93/41, OP 1")


def test_fingerprints_are_written_by_the_build(series):
    settings, _ = series
    conn = sqlite3.connect(live_folder(settings.index) / "passages.sqlite")
    n, passages = conn.execute("SELECT count(*), count(DISTINCT passage_id) FROM fingerprints").fetchone()
    total = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    assert n > total and passages == total
    text, pid = conn.execute("SELECT text, id FROM passages LIMIT 1").fetchone()
    stored = {h for h, in conn.execute("SELECT hash FROM fingerprints WHERE passage_id = ?", (pid,))}
    assert stored == fingerprints.fingerprints(text)


def test_an_index_without_fingerprints_asks_for_a_rebuild(series, tmp_path):
    settings, s = series
    db = tmp_path / "passages.sqlite"
    shutil.copy(live_folder(settings.index) / "passages.sqlite", db)
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE fingerprints")
    with pytest.raises(IndexError_, match="rebuild"):
        lineage(conn, s.vectors, "A/RES/93/40, OP 4")


def test_cli_lineage(series):
    settings, _ = series
    index = ["--index", str(settings.index)]
    proc = run_cli("lineage", "A/RES/95/40, PP 2", "--json", *index)
    assert proc.returncode == 0, proc.stderr
    assert [v["status"] for v in json.loads(proc.stdout)["versions"]] == ["changed", "self"]
    proc = run_cli("lineage", "A/RES/95/40, PP 2", *index)
    assert "first appearance" in proc.stdout and "only a sentence recurs" in proc.stdout
    assert_one_line_error(run_cli("lineage", "A/RES/95/40, OP 7", *index), "OP 7")
