"""Storage: nothing read from disk is unpickled, and SQL never carries a user's value.

A scan of the product code (app.py, ui/, index/, ingest/, benchmarks/), by AST where it matters:

* no pickle, joblib, dill, shelve, marshal, torch.load, pandas.read_pickle; no `allow_pickle=True`;
  every np.load leaves allow_pickle at numpy's default (False) or sets it False;
* every f-string (or %-format / .format / + concatenation) that builds SQL interpolates only
  what is on a short whitelist: lists of `?` placeholders, the constant column list, the constant
  FTS5 tokenizer, and filter_sql()'s own clause (itself checked: constant column names, `?` only).

And at run time: filter_sql() with hostile values puts none of them into the SQL text.
"""
from __future__ import annotations

import ast
import inspect
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from index.store import filter_sql
from index.records import Filters
from tests.reliability.helpers import ROOT

SOURCES = sorted([ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "index").rglob("*.py"),
                  *(ROOT / "ingest").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")])
UNPICKLERS = {"pickle", "cPickle", "_pickle", "joblib", "dill", "cloudpickle", "shelve", "marshal"}
# The SQL here is written in upper case; case matters, so that messages ("over the limit") are not SQL.
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|MATCH|CREATE|DROP|PRAGMA|VALUES|ORDER BY|LIMIT)\b"
                       r"| IN \(")
# What an SQL f-string may interpolate (ast.unparse of the expression), and why it is safe.
ALLOWED = {
    r"'[,]\s?'\.join\('\?' \* len\(\w+\)\)": "a list of ? placeholders",
    r"cols": "built from the constant PASSAGE_COLUMNS",
    r"(allowed_sql|where)\[0\]": "filter_sql()'s clause: constant columns and ? only (checked below)",
    r"column": "filter_sql()'s any_of(): called with constant column names only (checked below)",
    r"marks": "a list of ? placeholders",
    r"TOKENIZER": "the constant FTS5 tokenizer name, also recorded in the manifest",
    r"_COLUMNS": "the constant SELECT list of index/lineage.py",
    r"""', '\.join\(COLUMNS\)""": "the constant FTS5 column list of index/backends/fts5.py",
    r"COLUMN_SHIFT": "a constant integer of index/backends/fts5.py (a place's column bits)",
}


def _trees():
    for path in SOURCES:
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_scan_covers_the_product_code():
    names = {str(p.relative_to(ROOT)) for p in SOURCES}
    assert {"app.py", "index/store.py", "index/search.py", "index/build.py", "index/backends/fts5.py",
            "ingest/loaders.py", "ingest/upload.py"} <= names


def test_nothing_is_unpickled():
    found = []
    for path, tree in _trees():
        where = lambda n: f"{path.relative_to(ROOT)}:{n.lineno}"  # noqa: E731
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [f"{where(node)} import {a.name}" for a in node.names if a.name.split(".")[0] in UNPICKLERS]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNPICKLERS:
                found.append(f"{where(node)} from {node.module} import")
            elif isinstance(node, ast.Attribute) and node.attr in ("read_pickle", "to_pickle") or \
                    isinstance(node, ast.Attribute) and node.attr == "load" and ast.unparse(node.value) == "torch":
                found.append(f"{where(node)} {ast.unparse(node)}")
            elif isinstance(node, ast.keyword) and node.arg == "allow_pickle" and not (
                    isinstance(node.value, ast.Constant) and node.value.value is False):
                found.append(f"{where(node)} allow_pickle={ast.unparse(node.value)}")
    assert not found, found
    # np.load calls without the keyword rely on numpy's default, which must stay False
    assert inspect.signature(np.load).parameters["allow_pickle"].default is False


def _sql_strings(tree):
    """(node, literal text, interpolated expressions) for every string-building node that looks like SQL."""
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            exprs = [ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]
            if SQL_WORDS.search(literal) and exprs:
                yield node, literal, exprs
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
                and isinstance(node.left.value, str) and SQL_WORDS.search(node.left.value):
            yield node, node.left.value, [ast.unparse(node.right)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
                and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str) \
                and SQL_WORDS.search(node.func.value.value):
            yield node, node.func.value.value, [ast.unparse(a) for a in node.args]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            sides = [node.left, node.right]
            if any(isinstance(s, ast.Constant) and isinstance(s.value, str) and SQL_WORDS.search(s.value)
                   for s in sides):
                others = [ast.unparse(s) for s in sides if not isinstance(s, (ast.Constant, ast.JoinedStr))]
                if others:
                    yield node, "", others


def _offences(tree) -> list[str]:
    return [e for _, _, exprs in _sql_strings(tree) for e in exprs
            if not any(re.fullmatch(pattern, e) for pattern in ALLOWED)]


def test_the_sql_scan_catches_an_interpolated_value():
    bad = ast.parse('conn.execute(f"SELECT * FROM passages WHERE doc_id = \'{doc}\'")\n'
                    'conn.execute("SELECT * FROM passages WHERE label = \'%s\'" % label)\n'
                    'conn.execute("DELETE FROM documents WHERE doc_id = " + doc_id)\n'
                    'conn.execute("SELECT {} FROM passages".format(cols))\n')
    assert _offences(bad) == ["doc", "label", "doc_id"]  # `cols` is whitelisted


def test_sql_interpolates_only_whitelisted_expressions():
    bad, seen = [], 0
    for path, tree in _trees():
        for node, literal, exprs in _sql_strings(tree):
            seen += path.name == "store.py"
            for e in exprs:
                if not any(re.fullmatch(pattern, e) for pattern in ALLOWED):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} interpolates {e!r} into {literal[:60]!r}")
    assert not bad, "\n".join(bad)
    assert seen >= 5, "the scan no longer sees index/store.py's SQL"


def test_filter_columns_are_constants():
    tree = ast.parse((ROOT / "index" / "store.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == "any_of"]
    assert calls, "filter_sql() no longer uses any_of(): update this test and ALLOWED"
    assert all(isinstance(c.args[0], ast.Constant) for c in calls), [ast.unparse(c) for c in calls]


VALUE = st.text(min_size=1, max_size=20) | st.sampled_from(
    ["'; DROP TABLE passages; --", "x') OR 1=1 --", "d.body", "?", "NULL", "\x00", "UNGA\" OR \"1\"=\"1"])


@settings(max_examples=200, deadline=None)
@given(bodies=st.lists(VALUE, max_size=3), docs=st.lists(VALUE, max_size=3), types=st.lists(VALUE, max_size=2),
       langs=st.lists(VALUE, max_size=2), y1=st.none() | st.integers(), y2=st.none() | st.integers())
def test_filter_values_never_reach_the_sql_text(bodies, docs, types, langs, y1, y2):
    f = Filters(bodies=tuple(bodies), documents=tuple(docs), types=tuple(types), languages=tuple(langs),
                year_from=y1, year_to=y2)
    out = filter_sql(f)
    if out is None:
        return
    sql, params = out
    assert sql.count("?") == len(params)
    assert re.fullmatch(r"(?:[dp]\.(?:body|type|language|symbol|doc_id|year|superseded_by)|IN|AND|OR|\?|,|\(|\)|"
                        r">=|<=|=|\s)+", sql), sql
