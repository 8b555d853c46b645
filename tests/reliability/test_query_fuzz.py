"""Any text as a query, in every mode, with any filters: an Answer with well-formed hits, never an exception.

tests/index/test_search.py covers a fixed list of hostile queries (empty, 100k chars, control
characters, RTL, emoji, FTS5 and SQL syntax, HTML). This is the property over random input, on the
session index of the shared mirror (`mirror_searcher`).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import Answer, Filters, IndexUnavailable
from index.query import parse
from index.search import MODES

pytestmark = pytest.mark.slow

WORDS = ["supply", "chain", "integrity", "critical", "infrastructure", "CERT", "norms", "state", "behaviour",
         "sécurité", "الأمن", "安全", "🔒", "OEWG", "confidence-building", "measures"]
SYNTAX = ['"', "*", "NEAR(", ")", "(", "-", ":", "^", "AND", "OR", "NOT", "'", ";", "--", "DROP TABLE passages",
          "text:", "{", "}", "+", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\x00", "\u202e",
          "\u200f", "\ufeff", "\r\n", "\t", "%", "_", "\\", "/*", "*/", "1=1", "x\" OR \"1\"=\"1"]

ANY_CHAR = st.characters(codec=None, categories=None)  # every code point, surrogates and controls included
QUERIES = st.one_of(
    st.text(alphabet=ANY_CHAR, max_size=120),
    st.lists(st.sampled_from(WORDS + SYNTAX), max_size=25).map(" ".join),
    st.lists(st.sampled_from(WORDS + SYNTAX), max_size=25).map("".join),
    st.text(alphabet=ANY_CHAR, min_size=1001, max_size=2500),
    st.lists(st.sampled_from(WORDS), min_size=200, max_size=400).map(" ".join),  # long, and all real words
)
SHORT = st.text(alphabet=ANY_CHAR, max_size=12)
FILTERS = st.builds(
    Filters,
    bodies=st.lists(st.sampled_from(["UNGA", "UN OEWG", "OSCE"]) | SHORT, max_size=3).map(tuple),
    documents=st.lists(st.sampled_from(["A/RES/73/27", "a-res-76-19"]) | SHORT, max_size=3).map(tuple),
    types=st.lists(st.sampled_from(["resolution", "report"]) | SHORT, max_size=2).map(tuple),
    languages=st.lists(st.sampled_from(["en", "fr"]) | SHORT, max_size=2).map(tuple),
    year_from=st.none() | st.integers(-10_000, 10_000),
    year_to=st.none() | st.integers(-10_000, 10_000),
)


def check(answer: Answer, raw: str, k: int, mode: str, max_chars: int) -> None:
    assert isinstance(answer, Answer) and answer.mode == mode
    assert len(answer.query) <= max_chars
    assert not any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in answer.query), repr(answer.query)
    limit = max(1, min(k, 100))
    assert len(answer.hits) <= limit
    assert [h.rank for h in answer.hits] == list(range(1, len(answer.hits) + 1))
    scores = [h.score for h in answer.hits]
    assert scores == sorted(scores, reverse=True)
    assert len({h.passage_id for h in answer.hits}) == len(answer.hits)
    for h in answer.hits:
        assert isinstance(h.passage_id, int) and h.doc_id and h.text.strip() and h.citation
        assert h.page is None or isinstance(h.page, int)
        for start, end in h.highlights:
            assert 0 <= start < end <= len(h.text)
    parsed = parse(raw, max_chars)
    if parsed.truncated:
        assert any("cut" in n for n in answer.notices), answer.notices
    if not (parsed.terms or parsed.phrases):
        assert not answer.hits and answer.notices


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=QUERIES, k=st.integers(-5, 150))
def test_any_query_in_any_mode(mirror_searcher, mirror_index, raw, k):
    for mode in MODES:
        check(mirror_searcher.answer(raw, k, mode=mode), raw, k, mode, mirror_index.max_query_chars)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.lists(st.sampled_from(WORDS + SYNTAX), min_size=1, max_size=8).map(" ".join), filters=FILTERS)
def test_any_filters(mirror_searcher, mirror_index, raw, filters):
    for mode in ("lexical", "hybrid"):
        answer = mirror_searcher.answer(raw, 5, filters, mode)
        check(answer, raw, 5, mode, mirror_index.max_query_chars)
        for h in answer.hits:
            if filters.bodies:
                assert h.body in filters.bodies
            if filters.year_from is not None:
                assert int(h.date[:4]) >= filters.year_from
    # the index is intact afterwards: no filter value was ever SQL
    assert mirror_searcher.passage_count() == \
        mirror_searcher.manifest.passages


@pytest.mark.parametrize("year", [10 ** 19, -(10 ** 19)])
def test_a_year_beyond_64_bits_is_no_crash(mirror_searcher, year):
    """`--year-from 99999999999999999999` on the command line reaches SQLite as a Python int."""
    try:
        answer = mirror_searcher.answer("supply chain", 5, Filters(year_from=year), "lexical")
    except (ValueError, IndexUnavailable) as exc:  # a clear refusal would do
        assert "year" in str(exc).lower()
        return
    assert answer.hits == [] or year < 0
