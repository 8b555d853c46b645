"""The FTS5 backend's stored bm25() parts (index/backends/fts5.py): a search must return what FTS5's own
OR query returns, on a real SQLite file whose words are as skewed as a large corpus's.

The corpus is generated: a few words are in most passages, some in a fifth, many in a few, and short
heading-like passages repeat a common word (the rows where one phrase alone scores highest).
"""
from __future__ import annotations

import math
import random
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index import store
from index.backends.fts5 import Fts5Lexical, decode_sizes, idf, top_rows
from index.query import fts_expression, parse, quote
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
    words += ["filler"] * (rng.randint(0, 30) if i % 50 else 150)
    rng.shuffle(words)
    return " ".join(words) or "filler"


# Phrases the build prepares (passages_fts_phrases), among them every phrase of several words the tests search
PREPARED = ["international cooperation", "cooperation among states", "security security", "filler filler",
            "filler filler filler", "rare1 filler", "states information", "filler zzzunknown", "security", "rare1 rare2"]


def _build(path: Path, prepared: bool) -> Path:
    rng = random.Random(18)
    sources = [SourceEntry(id=f"doc{d}", title=f"Document {d} {rng.choice(MIDDLE)}", body=("UNGA", "OSCE")[d % 2],
                           date=f"{2000 + d % 25}-01-01", type="report") for d in range(PASSAGES // 20)]
    rows = []
    for i in range(PASSAGES):
        s = sources[i // 20]
        t = _text(rng, i)
        rows.append((i, Passage(doc_id=s.id, ordinal=i % 20, label=f"para. {i % 20 + 1}", text=t, start=0, end=len(t),
                                heading=rng.choice(["", "Security", "Cooperation among states"])), s, f"h{i}", i))
    conn = store.create(path)
    with conn:
        store.insert_documents(conn, [(s, f"/corpus/{s.id}.txt", "0" * 64, 20) for s in sources])
        store.insert_passages(conn, rows)
        Fts5Lexical().index_passages(conn, [(i, p, s) for i, p, s, _, _ in rows], PREPARED)
        if not prepared:
            conn.execute("DROP TABLE passages_fts_phrases")
    conn.close()
    return path


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("fts5") / "passages.sqlite", prepared=True)


@pytest.fixture(scope="module", params=["phrases prepared", "an index from before prepared phrases"])
def db(request, prepared, tmp_path_factory):
    """The same rows twice: built with PREPARED stored, and as an index written before phrases were stored
    (no passages_fts_phrases), whose phrases are all found at search time. Every test runs on both."""
    path = (prepared if request.param == "phrases prepared"
            else _build(tmp_path_factory.mktemp("fts5-old") / "passages.sqlite", prepared=False))
    conn = store.open_readonly(path)
    yield conn
    conn.close()


def _queries(n: int) -> list[str]:
    rng = random.Random(1)
    out = ['"international cooperation" states', "states security", "information", "rare7 states security",
           "middle3 middle9 states information international cooperation security", '"rare1 filler" states',
           '"security security" information', '"cooperation among states"', '"filler filler filler" rare5']
    for _ in range(n):
        words = rng.sample(COMMON, rng.randint(0, 4)) + rng.sample(MIDDLE, rng.randint(0, 2))
        words += rng.sample(RARE, rng.randint(0, 2))
        out.append(" ".join(words) or "filler states")
    return out


def _same_ranking(got, want):
    """The same rows with the same scores in the same order; rows whose scores tie may come in either order
    (FTS5's ORDER BY leaves ties unordered), and at the k-th place a tied row may be another."""
    assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-12, abs=1e-15)
    last = want[-1][1] if want else None
    assert {i for i, s in got if s != pytest.approx(last, rel=1e-12)} == \
           {i for i, s in want if s != pytest.approx(last, rel=1e-12)}


@pytest.mark.parametrize("k", [1, 10, 100, 1000])
def test_stored_parts_rank_what_the_one_or_query_ranks(db, k):
    lexical = Fts5Lexical()
    for raw in _queries(60):
        q = parse(raw, 1000)
        _same_ranking(lexical.search(db, q, k), lexical.match(db, fts_expression(q), k))


def test_a_fresh_backend_reads_what_the_build_stored(db):
    """The parts are remembered per backend: a second one (a new Searcher) reads the table again."""
    for raw in ["cooperating information", '"international cooperation" securities', "rare3"]:
        q = parse(raw, 1000)
        _same_ranking(Fts5Lexical().search(db, q, 10), Fts5Lexical().match(db, fts_expression(q), 10))


def test_filters_allow_only_their_rows_with_the_same_ranking(db):
    lexical = Fts5Lexical()
    for f in (Filters(bodies=("OSCE",)), Filters(year_from=2010, year_to=2012), Filters(documents=("doc3",))):
        where = store.filter_sql(f)
        allowed = {r[0] for r in db.execute(
            f"SELECT p.id FROM passages p JOIN documents d USING(doc_id) WHERE {where[0]}", where[1])}
        for raw in _queries(20):
            q = parse(raw, 1000)
            got = lexical.search(db, q, 50, where)
            _same_ranking(got, lexical.match(db, fts_expression(q), 50, where))
            assert {i for i, _ in got} <= allowed


def test_words_missing_from_the_index_match_nothing(db):
    lexical = Fts5Lexical()
    assert lexical.search(db, parse("zzzunknown", 1000), 10) == []
    assert [i for i, _ in lexical.search(db, parse("zzzunknown information", 1000), 10)] == \
           [i for i, _ in lexical.search(db, parse("information", 1000), 10)]


def test_every_word_is_stored_with_fts5s_row_sizes(db):
    """bm25() reads a row's size from passages_fts_docsize (SQLite varints, one per column): long passages
    (over 127 tokens, a two-byte varint) are in the corpus."""
    sizes = [decode_sizes(b) for _, b in db.execute("SELECT id, sz FROM passages_fts_docsize")]
    assert max(sizes) > 127
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.words USING fts5vocab(main, passages_fts, row)")
    words = dict(db.execute("SELECT term, doc FROM temp.words"))
    stored = {t: len(ids) // 4 for t, ids in db.execute("SELECT term, ids FROM passages_fts_impacts")}
    assert stored == words  # every word, with as many rows as FTS5 counts for it


def test_a_word_alone_scores_what_fts5_scores_for_it(db):
    lexical = Fts5Lexical()
    for word in COMMON + MIDDLE[:5] + RARE[:5]:
        stored = dict(lexical.search(db, parse(word, 1000), PASSAGES))
        assert stored == pytest.approx(dict(lexical.match(db, f'"{word}"')), rel=1e-12), word


def test_idf_is_clamped_as_fts5_clamps_it():
    assert idf(10, 1000) == pytest.approx(math.log(990.5 / 10.5))
    assert idf(900, 1000) == 1e-6


def test_a_phrase_alone_scores_what_fts5_scores_for_it(db):
    """Several words one after the other in one column, repeated or overlapping ("filler filler" in a run of
    fillers), and never across two columns (a title's last word and the text's first); the rarest word first,
    last or in the middle (the phrase is found from its rarest word)."""
    lexical = Fts5Lexical()
    for phrase in ['"security security"', '"filler filler"', '"filler filler filler"', '"cooperation among states"',
                   '"rare1 filler"', '"states information"', '"filler middle2"', '"zzzunknown filler"',
                   '"filler rare2 filler"', '"security middle4 filler"', '"filler zzzunknown"']:
        want = dict(lexical.match(db, phrase))
        got = dict(lexical.rank(db, [phrase], PASSAGES))
        assert got == pytest.approx(want, rel=1e-12), phrase


def test_a_text_scores_what_fts5_scores_it_as_one_more_row(prepared, tmp_path):
    """A passage's English gloss is placed in a question's list by this score (index/search.py)."""
    text = "International cooperation among states: rare1, rare1 and filler."
    q = parse("international cooperation rare1 zzzunknown", 1000)
    conn = store.open_readonly(prepared)
    got = Fts5Lexical().score_texts(conn, q, [text, "nothing of the question"])
    conn.close()
    shutil.copy(prepared, copy := tmp_path / "passages.sqlite")
    rw = sqlite3.connect(copy)
    with rw:
        rw.execute("INSERT INTO passages_fts(rowid, text, heading, title, context) VALUES (?, ?, '', '', '')",
                   (PASSAGES, text))
    want = dict(Fts5Lexical().match(rw, fts_expression(q)))
    rw.close()
    assert got[0][0] == pytest.approx(want[PASSAGES], rel=1e-3), "the average row size moves by one row's share only"
    assert got[0][0] > sorted(want.values())[-20] and got[1] == (0.0, 0)
    assert got[0][1] == 3, "international, cooperation, rare1: the query's words it holds (zzzunknown not)"


def test_the_build_stores_each_prepared_phrase_of_several_words_as_fts5_scores_it(prepared):
    """Keyed by FTS5's (Porter) words of the phrase; a phrase matching no row is stored empty, a single word
    not at all (its row in passages_fts_impacts serves)."""
    conn = store.open_readonly(prepared)
    stored = {k: (ids, scores) for k, ids, scores in conn.execute("SELECT phrase, ids, scores FROM passages_fts_phrases")}
    assert set(stored) == {"intern cooper", "cooper among state", "secur secur", "filler filler", "filler filler filler",
                           "rare1 filler", "state inform", "filler zzzunknown", "rare1 rare2"}
    assert stored["filler zzzunknown"] == (b"", b"")
    lexical = Fts5Lexical()
    for phrase, key in [("international cooperation", "intern cooper"), ("filler filler filler", "filler filler filler"),
                        ("cooperation among states", "cooper among state")]:
        ids, scores = stored[key]
        got = dict(zip(np.frombuffer(ids, "<i4").tolist(), np.frombuffer(scores, "<f8").tolist()))
        want = dict(lexical.match(conn, quote(phrase)))
        assert want and got == pytest.approx(want, rel=1e-12), phrase
    conn.close()


def test_a_stored_phrase_is_read_rather_than_found_again(prepared, tmp_path):
    """The search takes the stored parts as they are: doubled in a copy of the file, they come back doubled."""
    copy = tmp_path / "passages.sqlite"
    shutil.copy(prepared, copy)
    with sqlite3.connect(copy) as conn:
        ids, scores = conn.execute("SELECT ids, scores FROM passages_fts_phrases WHERE phrase = 'intern cooper'").fetchone()
        conn.execute("UPDATE passages_fts_phrases SET scores = ? WHERE phrase = 'intern cooper'",
                     [(np.frombuffer(scores, "<f8") * 2).astype("<f8").tobytes()])
    original, doubled = store.open_readonly(prepared), store.open_readonly(copy)
    phrase = ['"international cooperation"']
    want = [(i, 2 * x) for i, x in Fts5Lexical().rank(original, phrase, 50)]
    assert Fts5Lexical().rank(doubled, phrase, 50) == want  # doubling a float is exact
    original.close(), doubled.close()


def test_other_column_weights_than_the_builds_are_scored_by_fts5_with_them(db):
    """A benchmark may try other weights on one index: the stored parts carry the build's, so FTS5 scores."""
    title1 = Fts5Lexical((1.0, 0.3, 1.0, 0.3))
    for raw in _queries(10):
        q = parse(raw, 1000)
        assert title1.search(db, q, 20) == title1.match(db, fts_expression(q), 20)
    assert title1.search(db, parse("middle3", 1000), 5) != Fts5Lexical().search(db, parse("middle3", 1000), 5)


def _brute_force(parts, k, allowed=None):
    total: dict[int, float] = {}
    for ids, scores, _ in parts:
        for i, x in zip(ids.tolist(), scores.tolist()):
            total[i] = total.get(i, 0.0) + x
    keep = None if allowed is None else set(allowed.tolist())
    rows = sorted((i for i in total if keep is None or i in keep), key=lambda i: (-total[i], i))
    return rows[:k], [total[i] for i in rows[:k]]


@pytest.mark.parametrize("k", [1, 10, 100])
def test_top_rows_prunes_common_phrases_without_changing_the_top(k):
    """Skewed phrases as a large index has them (a few in most rows with small parts, many rare ones with
    large parts): enough rows that the rarest phrases' candidates are scored first, and the result is the
    full sum's, with and without an allowed set."""
    rng = np.random.default_rng(k)
    rows = 200_000
    parts = []
    for n, top in [(150_000, 0.01), (90_000, 0.3), (60_000, 0.8), (20_000, 1.5), (3_000, 4.0), (300, 7.0), (40, 9.0)]:
        ids = np.sort(rng.choice(rows, n, replace=False))
        scores = rng.uniform(0.1, 1.0, n) * top
        parts.append((ids, scores, float(scores.max())))
    allowed = np.sort(rng.choice(rows, rows // 2, replace=False))
    for a in (None, allowed):
        ids, scores = top_rows(parts, k, a)
        want_ids, want_scores = _brute_force(parts, k, a)
        assert ids.tolist() == want_ids
        assert scores.tolist() == pytest.approx(want_scores, rel=1e-12)
