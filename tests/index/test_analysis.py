"""Lexical analysis per language (index/analysis.py) and the FTS5 index that holds it: real SQLite,
real stemmers and segmenter. Each case is one the plain `porter unicode61` tokenizer gets wrong."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from index import analysis
from index.backends.fts5 import Fts5Lexical
from index.query import parse
from ingest.records import Passage, SourceEntry

ROOT = Path(__file__).resolve().parents[2]

SOURCE = SourceEntry(id="doc", title="Compendium", body="OEWG", date="2025-07-01", type="statements")
TEXTS = [
    ("es", "Los Estados no deben atacar las infraestructuras críticas que prestan servicios al público."),
    ("fr", "Les mesures de confiance renforcent la coopération entre les États."),
    ("ru", "Государства должны защищать критически важную инфраструктуру."),
    ("ar", "تتشرف الجُمهورية العربية السورية بتقديم هذه المساهمة بشأن المساءلة."),
    ("zh", "各国应当促进信息和通信技术的安全使用。"),
    ("en", "States should not conduct ICT activity that damages critical infrastructure."),
]


@pytest.fixture
def db():
    conn = sqlite3.connect(":memory:")
    passages = [(i, Passage(doc_id="doc", ordinal=i, label=f"para. {i}", text=t, start=0, end=len(t), language=lang),
                 SOURCE) for i, (lang, t) in enumerate(TEXTS)]
    Fts5Lexical().index_passages(conn, passages)
    yield conn
    conn.close()


def found(db, query) -> list[int]:
    return [i for i, _ in Fts5Lexical().search(db, query if not isinstance(query, str) else parse(query, 500), 10)]


@pytest.mark.parametrize("query, language, expected", [
    ("¿qué dice la resolución sobre la infraestructura crítica de los Estados?", "es", 0),  # singular question, plural passage
    ("la mesure de confiance et la coopération", "fr", 1),
    ("критическая инфраструктура государства", "ru", 2),  # other case endings
    ("الجمهورية العربية", "ar", 3),  # typed without the short vowel the passage has
    ("通信技术安全", "zh", 4),  # no spaces in either
])
def test_a_query_in_its_language_finds_the_passage_in_that_language(db, query, language, expected):
    q = parse(query, 500)
    assert q.language == language
    assert found(db, query)[:1] == [expected]


def test_plain_unicode61_misses_the_same_queries():
    """The cases above are real failures of the tokenizer alone, not a test that cannot fail."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(text, tokenize='{analysis_free_tokenizer()}')")
    conn.executemany("INSERT INTO t(rowid, text) VALUES (?, ?)", [(i, t) for i, (_, t) in enumerate(TEXTS)])
    for term in ("presta", "инфраструктура", "الجمهورية", "通信"):
        assert conn.execute("SELECT rowid FROM t WHERE t MATCH ?", [f'"{term}"']).fetchall() == []


def analysis_free_tokenizer() -> str:
    from index.backends.fts5 import TOKENIZER

    return TOKENIZER


def test_english_is_left_to_porter_and_unchanged(db):
    text = "Confidence-building measures, and the Points of Contact directory."
    assert analysis.analyse(text, "en") == text
    q = parse("critical infrastructure damages", 500)
    assert analysis.analysed_query(q) is q
    assert found(db, "damaging critical infrastructures")[:1] == [5]


def test_a_rendering_is_analysed_in_the_language_it_was_rendered_in(db):
    """Thesaurus renderings are short: their language is given, not guessed."""
    q = parse("infraestructura crítica", 500, language="es")
    assert q.language == "es" and found(db, q)[:1] == [0]
    assert analysis.analysed_query(q).terms == ["infraestructur", "critic"]


def test_arabic_marks_and_tatweel_are_stripped_but_letters_kept():
    assert analysis.strip_marks("الجُمهوريـــة") == "الجمهورية"
    assert analysis.analyse("الجُمهورية", "ar") == analysis.analyse("الجمهورية", "ar")


def test_chinese_runs_are_cut_into_words_inside_other_text():
    out = analysis.analyse("OEWG 信息和通信技术 2025", "en").split()
    assert out[0] == "OEWG" and out[-1] == "2025" and "通信" in out and len(out) > 3


def test_params_name_each_language_s_analysis_and_the_library_releases():
    p = Fts5Lexical().params()["analysis"]
    assert p["snowball"] == {"es": "spanish", "fr": "french", "ru": "russian", "ar": "arabic"}
    assert p["pystemmer"] and p["pyarabic"] and p["zh"].startswith("rjieba-")


@pytest.mark.parametrize("raw", ["\u202eالمساءلة\u202c", "通信\u200b技术", "\"crítica", "NEAR(a b) OR *"])
def test_hostile_text_in_any_language_never_raises(db, raw):
    assert isinstance(found(db, raw), list)


def test_chinese_cut_ahead_is_rjiebas_cut_and_is_read_back_by_the_next_process(tmp_path):
    """segment_ahead writes rjieba's words for the phrases' Chinese runs; a fresh process reads them and
    segments those runs the same without loading rjieba."""
    phrases = ["关键基础设施", "信息和通信技术（ICT）安全", "建立信任措施"]
    expected = [analysis.segment_han(p) for p in phrases]  # rjieba's own cut (nothing cut ahead for these yet)
    analysis.segment_ahead(phrases, tmp_path)
    assert [analysis.segment_han(p) for p in phrases] == expected
    script = ("import json, sys\nsys.path.insert(0, %r)\nfrom pathlib import Path\nfrom index import analysis\n"
              "analysis.segment_ahead(%r, Path(%r))\n"
              "print(json.dumps([[analysis.segment_han(p) for p in %r], 'rjieba' in sys.modules]))"
              % (str(ROOT), phrases, str(tmp_path), phrases))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-1000:]
    assert json.loads(run.stdout) == [expected, False]
