"""The FTS5 backend's two-phase plan (index/backends/fts5.py): it must return exactly what the one OR
query returns, on a real SQLite file whose words are as skewed as a large corpus's.

The corpus is generated: a few words are in most passages, some in a fifth, many in a few, and short
heading-like passages repeat a common word (the rows where one phrase alone scores highest).
"""
from __future__ import annotations

import math
import random

import pytest

from index import store
from index.backends.fts5 import Fts5Lexical, first_essential, needed_essential, phrase_bound
from index.query import fts_expression, parse
from index.records import Filters
from ingest.records import Passage, SourceEntry

COMMON = ["states", "information", "security", "international", "cooperation"]
MIDDLE = [f"middle{i}" for i in range(40)]
RARE = [f"rare{i}" for i in range(400)]
PASSAGES = 3000


def _text(rng: random.Random, i: int) -> str:
    if i % 97 == 0:  # a short heading-like passage: one common word, repeated
        return " ".join([rng.choice(COMMON)] * rng.randint(2, 6))
    words = [w for w in COMMON if rng.random() < 0.6]
    words += [w for w in MIDDLE if rng.random() < 0.05]
    words += rng.sample(RARE, rng.randint(0, 3))
    words += ["filler"] * rng.randint(0, 30)
    rng.shuffle(words)
    return " ".join(words) or "filler"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    rng = random.Random(18)
    sources = [SourceEntry(id=f"doc{d}", title=f"Document {d} {rng.choice(MIDDLE)}", body=("UNGA", "OSCE")[d % 2],
                           date=f"{2000 + d % 25}-01-01", type="report") for d in range(PASSAGES // 20)]
    rows = []
    for i in range(PASSAGES):
        s = sources[i // 20]
        t = _text(rng, i)
        rows.append((i, Passage(doc_id=s.id, ordinal=i % 20, label=f"para. {i % 20 + 1}", text=t, start=0, end=len(t),
                                heading=rng.choice(["", "Security", "Cooperation among states"])), s, f"h{i}", i))
    path = tmp_path_factory.mktemp("fts5") / "passages.sqlite"
    conn = store.create(path)
    with conn:
        store.insert_documents(conn, [(s, f"/corpus/{s.id}.txt", "0" * 64, 20) for s in sources])
        store.insert_passages(conn, rows)
        Fts5Lexical().index_passages(conn, [(i, p, s) for i, p, s, _, _ in rows])
    conn.close()
    conn = store.open_readonly(path)
    yield conn
    conn.close()


def _queries(n: int) -> list[str]:
    rng = random.Random(1)
    out = ['"international cooperation" states', "states security", "information", "rare7 states security",
           "middle3 middle9 states information international cooperation security", '"rare1 filler" states']
    for _ in range(n):
        words = rng.sample(COMMON, rng.randint(0, 4)) + rng.sample(MIDDLE, rng.randint(0, 2))
        words += rng.sample(RARE, rng.randint(0, 2))
        out.append(" ".join(words) or "filler states")
    return out


@pytest.mark.parametrize("k", [1, 10, 100])
def test_two_phase_plan_returns_what_the_one_or_query_returns(db, k):
    lexical = Fts5Lexical()
    for raw in _queries(60):
        q = parse(raw, 1000)
        assert lexical.search(db, q, k) == lexical.match(db, fts_expression(q), k), raw


def test_two_phase_plan_honours_filters_exactly(db):
    lexical = Fts5Lexical()
    for f in (Filters(bodies=("OSCE",)), Filters(year_from=2010, year_to=2012), Filters(documents=("doc3",))):
        where = store.filter_sql(f)
        allowed = {r[0] for r in db.execute(
            f"SELECT p.id FROM passages p JOIN documents d USING(doc_id) WHERE {where[0]}", where[1])}
        for raw in _queries(20):
            q = parse(raw, 1000)
            got = lexical.search(db, q, 50, where)
            assert got == lexical.match(db, fts_expression(q), 50, where), (raw, f)
            assert {i for i, _ in got} <= allowed


def test_a_query_with_a_rare_word_scores_only_part_of_the_table(db):
    """The point of the plan: the last statement that scores is restricted to some rows (seen through
    SQLite's statement trace), while a query of common words alone is still answered in full."""
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    try:
        lexical = Fts5Lexical()
        for _ in range(2):  # the second time, the phrases' row counts are remembered: no counting
            statements.clear()
            lexical.search(db, parse("middle3 middle9 rare11 states information security", 1000), 10)
        scoring = [s for s in statements if "bm25" in s and "LIMIT 10" in s]
        assert scoring and all("+rowid IN (SELECT rowid FROM passages_fts" in s for s in scoring)
        assert not any("count(*)" in s for s in statements)
    finally:
        db.set_trace_callback(None)


def test_first_phase_takes_the_rarest_phrases_within_its_budget():
    # k=10: at least 30 rows, and more phrases while the rows stay within 200
    assert first_essential([0, 5, 40, 150, 900, 5000], 10) == 4
    assert first_essential([0, 2, 3, 5000], 10) == 4  # fewer than 30 rows otherwise: the common one joins
    assert first_essential([500, 900], 10) == 1


def test_needed_phrases_leave_out_only_what_cannot_reach_the_kth_score():
    assert needed_essential([2.0, 1.5, 1.0], 5.0) == 0  # 4.5 < 5: the first phase was enough
    assert needed_essential([2.0, 1.5, 1.0], 4.5) == 1  # a row of all three could tie: one more phrase
    assert needed_essential([2.0, 1.5, 1.0], 0.5) == 3


def test_phrase_bound_is_fts5s_idf_times_k1_plus_one():
    assert phrase_bound(0, 1000) == 0.0
    assert phrase_bound(10, 1000) == pytest.approx(2.2 * math.log(990.5 / 10.5))
    assert phrase_bound(900, 1000) == pytest.approx(2.2e-6)  # idf clamped as FTS5 clamps it


def test_a_phrase_alone_never_scores_above_its_bound(db):
    lexical = Fts5Lexical()
    rows = db.execute("SELECT count(*) FROM passages_fts_docsize").fetchone()[0]
    for word in COMMON + MIDDLE[:5] + RARE[:5]:
        top = lexical.match(db, f'"{word}"', 1)
        df = db.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", [f'"{word}"']).fetchone()[0]
        assert not top or top[0][1] < phrase_bound(df, rows), word
