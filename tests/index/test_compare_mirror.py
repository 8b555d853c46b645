"""Compare and lineage on the shared mirror (real texts, real model): the cases issue 17 names."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # the session's mirror index is built with the real model


def test_the_convention_compared_with_itself_is_all_same(mirror_searcher):
    result = mirror_searcher.compare("A/RES/79/243", "A/RES/79/243")
    assert len(result.rows) > 500 and result.summary["same"] == len(result.rows)


def test_successive_resolutions_keep_most_paragraphs(mirror_searcher):
    result = mirror_searcher.compare("A/RES/73/266", "A/RES/74/28")
    assert result.summary["same"] >= 20 and result.summary["added"] == 2 and result.summary["removed"] == 3
    first = result.rows[0]
    assert first.status == "changed" and first.a == ("PP 1",) == first.b
    assert any(d.op == "insert" and "73/266" in d.text for d in first.diff)


def test_attribution_sentence_of_a_2018_norm_recurs_in_a_2023_preamble(mirror_searcher):
    result = mirror_searcher.lineage("A/RES/78/237, PP 8")
    first = result.versions[0]
    assert (first.passage.symbol, first.passage.label) == ("A/RES/73/27", "OP 1.2")
    assert first.first and first.only_sentence and first.status == "changed"
    assert result.versions[-1].status == "self"


def test_a_paragraph_of_one_series_is_traced_through_the_years(mirror_searcher):
    result = mirror_searcher.lineage("A/RES/77/36, PP 2")
    symbols = [v.passage.symbol for v in result.versions]
    assert symbols[0] == "A/RES/73/27" and "A/RES/75/240" in symbols and "A/RES/78/237" in symbols
    dates = [v.passage.date for v in result.versions]
    assert dates == sorted(dates)
