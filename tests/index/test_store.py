"""The SQLite side (index/store.py, and the FTS5 backend in the same file): schema, lexical search, filters, groups.

Most tests build a tiny store from hand-made records (no model); the last ones
check the store of the small synthetic index built with the real model.
"""
from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from index import store
from index.backends.fts5 import Fts5Lexical
from index.query import fts_expression, parse
from index.backends.fts5 import Fts5Lexical
from index.records import Filters
from ingest.records import Footnote, Passage, SourceEntry

from tests.index.index_helpers import live_folder

DOCS = [
    SourceEntry(id="doc-old", title="Old resolution on beacons", body="UNGA", date="2017-10-01",
                type="resolution", symbol="A/RES/88/1"),
    SourceEntry(id="doc-new", title="New resolution on beacons", body="UNGA", date="2023-10-01",
                type="resolution", symbol="A/RES/94/2"),
    SourceEntry(id="doc-osce", title="Decision on lanterns", body="OSCE", date="2020-05-05",
                type="decision", symbol="PC.DEC/9902", language="fr"),
]
FTS5 = Fts5Lexical()  # the lexical backend over the same file
REPEATED = "Welcoming the voluntary exchange of beacon maintenance calendars among harbour authorities,"
TEXTS = {
    "doc-old": [REPEATED, "1. Encourages States to register lighthouse keepers;", "2. Decides to remain seized."],
    "doc-new": ["Noting the growth of automated foghorns,", REPEATED, "1. Urges care for the supply chain of lenses;"],
    "doc-osce": ["1. Les États participants échangeront des informations sur les phares.", REPEATED],
}


def _rows():
    rows, pid = [], 0
    for src in DOCS:
        for ordinal, text in enumerate(TEXTS[src.id]):
            label = f"PP {ordinal + 1}" if not text[0].isdigit() else f"OP {text[0]}"
            lang = "fr" if src.id == "doc-osce" and text.startswith("1.") else "en"
            p = Passage(doc_id=src.id, ordinal=ordinal, label=label, text=text, start=0, end=len(text),
                        heading="Preamble" if label.startswith("PP") else "", language=lang)
            group = -1 if text == REPEATED else pid  # all copies of REPEATED share a group
            rows.append((pid, p, src, f"hash-{pid}", group))
            pid += 1
    first_repeat = next(i for i, p, *_ in rows if p.text == REPEATED)
    return [(i, p, s, h, first_repeat if g == -1 else g) for i, p, s, h, g in rows]


@pytest.fixture()
def db(tmp_path):
    rows = _rows()
    conn = store.create(tmp_path / "passages.sqlite")
    with conn:
        store.insert_documents(conn, [(s, f"/corpus/{s.id}.txt", "0" * 64, len(TEXTS[s.id])) for s in DOCS])
        store.insert_passages(conn, rows)
        FTS5.index_passages(conn, [(i, p, s) for i, p, s, _, _ in rows])
    conn.close()
    ro = store.open_readonly(tmp_path / "passages.sqlite")
    yield ro
    ro.close()


def _ids(conn, f: Filters) -> set[int]:
    ids = store.allowed_ids(conn, f)
    return set() if ids is None else set(ids.tolist())


def _doc_of(conn, ids) -> set[str]:
    return {r["doc_id"] for r in store.passages_by_id(conn, list(ids)).values()}


def test_schema_and_counts(db):
    assert db.execute("SELECT count(*) FROM passages").fetchone()[0] == 8
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 3
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert {"documents", "passages", "passages_fts"} <= tables


def test_readonly_connection_cannot_write(db):
    with pytest.raises(sqlite3.OperationalError):
        db.execute("DELETE FROM passages")


def test_lexical_returns_best_first_with_positive_scores(db):
    hits = FTS5.match(db, fts_expression(parse("lighthouse keepers", 1000)), 10)
    assert hits and hits[0][0] == 1
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


def test_lexical_uses_porter_stemming(db):
    (top, _), *_ = FTS5.match(db, fts_expression(parse("registering keeper", 1000)), 5)
    assert top == 1


def test_lexical_empty_expression_is_no_hits(db):
    assert FTS5.match(db, "", 10) == []


def test_lexical_respects_k(db):
    assert len(FTS5.match(db, fts_expression(parse("beacon maintenance harbour", 1000)), 2)) == 2


@pytest.mark.parametrize("raw", ['"', "NEAR(", "AND OR NOT", "'; DROP TABLE passages; --", "a\"b", "col:x",
                                 "x*", "-y", "(z", "<script>alert(1)</script>"])
def test_lexical_with_hostile_text_never_raises_and_drops_nothing(db, raw):
    expr = fts_expression(parse(raw, 1000))
    FTS5.match(db, expr, 10)
    assert db.execute("SELECT count(*) FROM passages").fetchone()[0] == 8


def test_filter_sql_is_parameterized():
    f = Filters(bodies=("UNGA'; DROP TABLE documents; --",), documents=("A/RES/1/1",), types=("report",),
                languages=("en",), year_from=2001, year_to=2002)
    sql, params = store.filter_sql(f)
    assert "DROP" not in sql and "A/RES" not in sql and "2001" not in sql
    assert sql.count("?") == len(params)
    assert store.filter_sql(Filters(superseded=True)) is None  # no restriction at all
    assert store.filter_sql(Filters()) == ("d.superseded_by = ?", [""])  # by default, the latest versions


def test_a_revision_supersedes_its_original_unless_asked(tmp_path):
    """A Rev.1 in the index hides what it revises from default search; a filter brings it back."""
    rev = replace(DOCS[0], id="doc-old-rev", symbol="A/RES/88/1/Rev.1", supersedes="A/RES/88/1")
    docs = [replace(DOCS[0], superseded_by="A/RES/88/1/Rev.1"), rev]
    passages = [Passage(doc_id=d.id, ordinal=0, label="OP 1", text="1. Decides.", start=0, end=11) for d in docs]
    fts5 = Fts5Lexical()
    conn = store.create(tmp_path / "v.sqlite")
    with conn:
        store.insert_documents(conn, [(d, "", "0" * 64, 1) for d in docs])
        store.insert_passages(conn, [(i, p, d, f"h{i}", i) for i, (p, d) in enumerate(zip(passages, docs))])
        fts5.index_passages(conn, [(i, p, d) for i, (p, d) in enumerate(zip(passages, docs))])
    ro = store.open_readonly(tmp_path / "v.sqlite")
    assert _doc_of(ro, _ids(ro, Filters())) == {"doc-old-rev"}
    assert store.allowed_ids(ro, Filters(superseded=True)) is None
    def lexical_docs(f: Filters) -> set[str]:
        return _doc_of(ro, {i for i, _ in fts5.match(ro, '"decides"', 10, store.restriction(ro, f))})

    assert lexical_docs(Filters()) == {"doc-old-rev"}
    assert lexical_docs(Filters(superseded=True)) == {"doc-old", "doc-old-rev"}
    ro.close()


def test_no_superseded_version_keeps_the_unfiltered_path(db):
    assert store.restriction(db, Filters()) is None and store.allowed_ids(db, Filters()) is None


def test_filters_restrict_ids(db):
    assert _ids(db, Filters()) == set() and store.allowed_ids(db, Filters()) is None
    assert _doc_of(db, _ids(db, Filters(bodies=("OSCE",)))) == {"doc-osce"}
    assert _doc_of(db, _ids(db, Filters(documents=("A/RES/94/2",)))) == {"doc-new"}
    assert _doc_of(db, _ids(db, Filters(documents=("doc-old",)))) == {"doc-old"}
    assert _doc_of(db, _ids(db, Filters(types=("decision",)))) == {"doc-osce"}
    assert _doc_of(db, _ids(db, Filters(year_from=2018))) == {"doc-new", "doc-osce"}
    assert _doc_of(db, _ids(db, Filters(year_to=2020))) == {"doc-old", "doc-osce"}
    assert _doc_of(db, _ids(db, Filters(year_from=2018, year_to=2021))) == {"doc-osce"}
    fr = _ids(db, Filters(languages=("fr",)))
    assert len(fr) == 1 and store.passages_by_id(db, list(fr)).popitem()[1]["language"] == "fr"
    assert _ids(db, Filters(bodies=("UNGA",), types=("decision",))) == set()


def test_impossible_and_malicious_filters_match_nothing(db):
    for f in (Filters(bodies=("UNGA' OR '1'='1",)), Filters(documents=("x') OR 1=1 --",)),
              Filters(year_from=2030), Filters(year_from=2023, year_to=2017), Filters(languages=("zh",))):
        assert _ids(db, f) == set(), f
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 3


def test_lexical_honours_filters(db):
    expr = fts_expression(parse("beacon maintenance calendars", 1000))
    everywhere = FTS5.match(db, expr, 10)
    assert len(_doc_of(db, [i for i, _ in everywhere])) == 3
    only_osce = FTS5.match(db, expr, 10, store.filter_sql(Filters(bodies=("OSCE",))))
    assert only_osce and _doc_of(db, [i for i, _ in only_osce]) == {"doc-osce"}


def test_passages_by_id_joins_document_fields(db):
    rows = store.passages_by_id(db, [1, 999])
    assert set(rows) == {1}
    r = rows[1]
    assert (r["doc_id"], r["symbol"], r["body"], r["date"], r["type"]) == (
        "doc-old", "A/RES/88/1", "UNGA", "2017-10-01", "resolution")
    assert store.passages_by_id(db, []) == {}


def test_group_members_are_ordered_oldest_first(db):
    gid = db.execute("SELECT group_id FROM passages WHERE text = ?", (REPEATED,)).fetchone()[0]
    members = store.group_members(db, [gid])[gid]
    assert [m["doc_id"] for m in members] == ["doc-old", "doc-osce", "doc-new"]
    dates = [m["date"] for m in members]
    assert dates == sorted(dates)
    assert store.group_members(db, []) == {}


def test_language_groups_give_each_passages_language_and_group(db):
    repeated = [r[0] for r in db.execute("SELECT id FROM passages WHERE text = ? ORDER BY id", (REPEATED,))]
    french = db.execute("SELECT id FROM passages WHERE language = 'fr'").fetchone()[0]
    every = store.language_groups(db)
    got = every.of([*repeated, french, 999, -1])
    assert set(got) == {*repeated, french}, "an unknown id is left out"
    assert {got[i][1] for i in repeated} == {repeated[0]}, "the copies of one wording share its group"
    assert got[french][0] == "fr" and got[repeated[0]][0] == "en"
    assert every.of([]) == {}
    assert every.of(list(range(len(every.language)))) == {
        r[0]: (r[1], r[2]) for r in db.execute("SELECT id, language, group_id FROM passages")}


def test_neighbours_and_documents(db):
    around = store.neighbours(db, "doc-new", 1, 1, 1)
    assert [r["ordinal"] for r in around] == [0, 1, 2]
    assert [r["doc_id"] for r in store.documents(db)] == ["doc-old", "doc-osce", "doc-new"]


def test_embed_hashes_map_hash_to_row(db):
    hashes = store.embed_hashes(db)
    assert len(hashes) == 8 and hashes["hash-3"] == 3


@pytest.mark.slow
def test_store_of_a_built_index_is_consistent(small_index):
    conn = store.open_readonly(live_folder(small_index.index) / "passages.sqlite")
    try:
        n = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        ids = [r[0] for r in conn.execute("SELECT id FROM passages ORDER BY id")]
        assert ids == list(range(n)), "passage ids must be FAISS row numbers 0..n-1"
        assert conn.execute("SELECT count(*) FROM passages_fts").fetchone()[0] == n
        # every passage row's text is findable through FTS by its own rowid
        for pid, text in conn.execute("SELECT id, text FROM passages"):
            expr = fts_expression(parse(text[:200], 1000))
            assert pid in [i for i, _ in FTS5.match(conn, expr, n)], text
        # the repeated preamble of the two cable resolutions shares one group
        groups = conn.execute("SELECT group_id, count(DISTINCT doc_id) FROM passages "
                              "GROUP BY group_id HAVING count(*) > 1").fetchall()
        assert [g[1] for g in groups] == [2]
        docs = {r["doc_id"]: r["passages"] for r in store.documents(conn)}
        assert sum(docs.values()) == n
    finally:
        conn.close()


def test_footnotes_are_stored_with_their_passage(tmp_path):
    note = Footnote("4", "A/78/76.", 12)
    p = Passage(doc_id="doc-new", ordinal=0, label="PP 1", text="resolution 77/37, including", start=0, end=27,
                footnotes=[note])
    conn = store.create(tmp_path / "f.sqlite")
    with conn:
        store.insert_documents(conn, [(DOCS[1], "", "0" * 64, 1)])
        store.insert_passages(conn, [(0, p, DOCS[1], "h", 0)])
    ro = store.open_readonly(tmp_path / "f.sqlite")
    assert store.footnotes_of(store.passages_by_id(ro, [0])[0]) == [note]
    ro.close()
