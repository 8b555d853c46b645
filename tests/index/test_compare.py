"""Searcher.compare and its renderers, over a real index of an invented resolution series."""
from __future__ import annotations

import io
import json

import pytest

from index.compare import UnknownDocument
from index.compare_render import render, to_docx, to_html, to_markdown
from tests.index.index_helpers import assert_one_line_error, cli_env, run_cli
from tests.index.lineage_corpus import series  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow  # builds an index with the real model


def rows_of(result):
    return [(list(r.a), list(r.b), r.status) for r in result.rows]


def test_a_document_compared_with_itself_is_all_same(series):
    _, s = series
    result = s.compare("A/RES/93/40", "harbour-2021")  # by symbol and by document id
    assert {r.status for r in result.rows} == {"same"} and len(result.rows) == 6
    assert result.summary["same"] == 6 and result.summary["changed"] == 0


def test_successive_versions_align_with_edits_splits_and_additions(series):
    _, s = series
    result = s.compare("A/RES/91/40", "A/RES/93/40")
    assert rows_of(result) == [
        (["PP 1"], ["PP 1"], "same"),
        (["PP 2"], ["PP 2"], "changed"),
        (["OP 1"], [], "removed"),
        (["OP 2"], ["OP 1", "OP 2"], "changed"),  # split in two
        ([], ["OP 3"], "added"),
        (["OP 3"], ["OP 4"], "changed"),
    ]
    edit = result.rows[1]
    assert [(d.op, d.text) for d in edit.diff if d.op != "equal"] == [("insert", "regular and ")]


def test_json_contract_and_rebuild_invariant(series):
    _, s = series
    data = s.compare("A/RES/93/40", "A/RES/95/40").to_json()
    assert set(data) == {"a", "b", "rows", "summary"}
    assert data["a"]["symbol"] == "A/RES/93/40" and data["b"]["date"] == "2023-11-05"
    for row in data["rows"]:
        assert set(row) == {"status", "a", "b", "a_text", "b_text", "diff"}
        assert row["status"] in ("same", "changed", "added", "removed")
        assert {d["op"] for d in row["diff"]} <= {"equal", "insert", "delete"}
        assert "".join(d["text"] for d in row["diff"] if d["op"] != "insert") == row["a_text"]
        assert "".join(d["text"] for d in row["diff"] if d["op"] != "delete") == row["b_text"]
    counts = {k: sum(r["status"] == k for r in data["rows"]) for k in ("same", "changed", "added", "removed")}
    assert {k: data["summary"][k] for k in counts} == counts
    assert json.loads(json.dumps(data)) == data


def test_unknown_symbol_lists_near_matches(series):
    _, s = series
    with pytest.raises(UnknownDocument) as err:
        s.compare("A/RES/93/41", "A/RES/95/40")
    message = str(err.value)
    assert "\n" not in message and "'A/RES/93/41'" in message and "A/RES/93/40" in message


def test_documents_in_different_languages_are_paired_by_label(series):
    _, s = series
    result = s.compare("A/RES/93/40", "A/RES/93/40/FR")
    assert result.compared_by == "labels" and "en" in result.notice and "fr" in result.notice
    assert [r.status for r in result.rows] == ["changed"] * 6
    for r in result.rows:  # no word diff: the whole text replaced
        assert [d.op for d in r.diff] == ["delete", "insert"]


def test_markdown_and_html_mark_changes_and_escape_text(series):
    _, s = series
    result = s.compare("A/RES/91/40", "A/RES/93/40")
    md = to_markdown(result)
    assert "**regular and**" in md and "~~" in md and "removed" in md
    assert "\\<safety\\> & resilience" in md
    page = to_html(result, statuses=["changed"])
    assert "<ins>regular and </ins>" in page and "&lt;safety&gt; &amp; resilience" in page
    assert "<safety>" not in page and "compare-same" not in page and "compare-changed" in page


def test_docx_underlines_insertions_and_strikes_deletions(series):
    from docx import Document

    _, s = series
    result = s.compare("A/RES/91/40", "A/RES/93/40")
    doc = Document(io.BytesIO(to_docx(result)))
    runs = [r for p in doc.paragraphs for r in p.runs]
    assert any(r.underline and r.text == "regular and " for r in runs)
    struck = "".join(r.text for r in runs if r.font.strike)
    assert "Recognizes that States must meet" in struck and "second" in struck  # ninety-second -> ninety-fourth
    with pytest.raises(ValueError, match="format must be one of"):
        render(result, "pdf")


def test_cli_compare_json_docx_and_errors(series, tmp_path):
    settings, _ = series
    index = ["--index", str(settings.index)]
    proc = run_cli("compare", "A/RES/91/40", "A/RES/93/40", "--json", *index)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["added"] == 1
    out = tmp_path / "brief.docx"
    proc = run_cli("compare", "A/RES/91/40", "A/RES/93/40", "--format", "docx", "--output", str(out), *index)
    assert proc.returncode == 0 and out.read_bytes()[:2] == b"PK", proc.stderr
    proc = run_cli("compare", "A/RES/91/40", "A/RES/93/40", "--status", "added", *index)
    assert "OP 3 · added" in proc.stdout and "· same" not in proc.stdout
    assert_one_line_error(run_cli("compare", "A/RES/91/40", "A/RES/39/40", *index), "A/RES/39/40", "did you mean")
    assert_one_line_error(run_cli("compare", "A/RES/91/40", "A/RES/93/40", "--format", "docx", *index),
                          "--output")
    proc = run_cli("compare", "--list", *index)
    assert "A/RES/95/40" in proc.stdout and "harbour-2021-fr" in proc.stdout


def test_cli_help_teaches():
    proc = run_cli("compare", "--help", env=cli_env())
    assert proc.returncode == 0 and "examples:" in proc.stdout and "--format" in proc.stdout
    proc = run_cli("lineage", "--help", env=cli_env())
    assert proc.returncode == 0 and '"SYMBOL, LABEL"' in proc.stdout
