"""Searching (index/search.py) with the real model, FAISS and SQLite.

Most tests use the session index over the shared mirror (`mirror_searcher`);
a few use the small synthetic index, where the expected answer is known by
construction. Facts about the mirror (which resolutions repeat a preambular
paragraph) are read from the mirror files at run time, never copied here.
"""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from index import Answer, Filters, Hit, Searcher
from index.group import normal_key
from index.highlight import sentences
from index.query import parse, stem
from index.search import Tuning

pytestmark = pytest.mark.slow

MODES = ("hybrid", "dense", "lexical")
GENERIC = "international cooperation on ICT security and capacity-building"


def _words(text: str) -> str:
    return " " + re.sub(r"\W+", " ", text.lower()).strip() + " "


def contains_phrase(text: str, phrase: str) -> bool:
    """Whole-word, case- and punctuation-insensitive containment."""
    return _words(phrase) in _words(text)


def check_hit_shape(h: Hit) -> None:
    assert isinstance(h.rank, int) and isinstance(h.score, float)
    assert h.doc_id and h.text and h.citation and h.label is not None
    assert h.page is None or isinstance(h.page, int)
    assert h.citation.startswith(h.symbol or h.title), (h.citation, h.symbol)
    if h.label:
        assert h.label.split(" [")[0] in h.citation
    spans = sentences(h.text)
    for span in h.highlights:
        assert len(span) == 2 and all(isinstance(x, int) for x in span)
        assert 0 <= span[0] < span[1] <= len(h.text)
        assert tuple(span) in spans, "a highlight is a whole sentence of the passage"


def check_answer(a: Answer, k: int) -> None:
    assert isinstance(a, Answer)
    assert len(a.hits) <= k
    assert [h.rank for h in a.hits] == list(range(1, len(a.hits) + 1))
    scores = [h.score for h in a.hits]
    assert scores == sorted(scores, reverse=True)
    for h in a.hits:
        check_hit_shape(h)
    keys = [normal_key(h.text) for h in a.hits if len(normal_key(h.text)) >= 40]
    assert len(keys) == len(set(keys)), "the same wording is shown once per answer"


# -- filters ---------------------------------------------------------------------

FILTERS = {
    "body": (Filters(bodies=("UN OEWG",)), lambda h: h.body == "UN OEWG"),
    "two bodies": (Filters(bodies=("UNGA", "Paris Call")), lambda h: h.body in ("UNGA", "Paris Call")),
    "document by symbol": (Filters(documents=("A/RES/73/27",)), lambda h: h.symbol == "A/RES/73/27"),
    "documents by id and symbol": (Filters(documents=("a-res-76-19", "A/RES/79/243")),
                                   lambda h: h.symbol in ("A/RES/76/19", "A/RES/79/243")),
    "type statement": (Filters(types=("statement",)), lambda h: h.type == "statement"),
    "type outcome": (Filters(types=("outcome",)), lambda h: h.type == "outcome"),
    "language fr": (Filters(languages=("fr",)), lambda h: h.language == "fr"),
    "languages es+ar": (Filters(languages=("es", "ar")), lambda h: h.language in ("es", "ar")),
    "years 2021-2022": (Filters(year_from=2021, year_to=2022), lambda h: 2021 <= int(h.date[:4]) <= 2022),
    "from 2024": (Filters(year_from=2024), lambda h: int(h.date[:4]) >= 2024),
    "up to 2018": (Filters(year_to=2018), lambda h: int(h.date[:4]) <= 2018),
    "combined": (Filters(bodies=("UNGA",), types=("resolution",), year_from=2023),
                 lambda h: h.body == "UNGA" and h.type == "resolution" and int(h.date[:4]) >= 2023),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_filters_restrict_hits(mirror_searcher, name):
    f, ok = FILTERS[name]
    modes_with_hits = 0
    for mode in MODES:
        a = mirror_searcher.answer(GENERIC, 10, f, mode)
        check_answer(a, 10)
        bad = [(h.doc_id, h.body, h.type, h.language, h.date) for h in a.hits if not ok(h)]
        assert not bad, (mode, bad)
        modes_with_hits += bool(a.hits)
    assert modes_with_hits >= 2, "the filter test is vacuous"


def test_unfiltered_hits_come_from_many_sources(mirror_searcher):
    """So that the filter tests above are not passing by accident."""
    hits = mirror_searcher.answer(GENERIC, 30).hits
    assert len({h.doc_id for h in hits}) >= 3 and len({h.date[:4] for h in hits}) >= 3


def test_language_filter_with_a_query_in_that_language(mirror_searcher):
    for lang, query in (("ru", "международной информационной безопасности"), ("es", "seguridad internacional")):
        a = mirror_searcher.answer(query, 10, Filters(languages=(lang,)))
        assert a.hits and all(h.language == lang for h in a.hits), (lang, [(h.doc_id, h.language) for h in a.hits])


IMPOSSIBLE = [
    Filters(bodies=("OSCE",)),  # no OSCE document in the mirror
    Filters(documents=("A/RES/1/1",)),
    Filters(types=("convention", "report"), bodies=("Paris Call",)),
    Filters(languages=("zh",)),
    Filters(year_from=2030),
    Filters(year_from=2024, year_to=2019),
    Filters(bodies=("UNGA' OR '1'='1",)),
]


@pytest.mark.parametrize("f", IMPOSSIBLE, ids=[str(i) for i in range(len(IMPOSSIBLE))])
def test_impossible_filter_gives_no_hits_and_a_notice(mirror_searcher, f):
    for mode in MODES:
        a = mirror_searcher.answer(GENERIC, 10, f, mode)
        assert a.hits == [], mode
        assert any("filter" in n.lower() for n in a.notices), a.notices


# -- grouping ------------------------------------------------------------------------

# Fragments (not a whole line) of the preambular paragraph the ICT-security
# resolutions repeat year after year.
PP_FRAGMENTS = ("considerable progress", "developing and applying", "latest information technologies")


def _header(text: str, key: str) -> str:
    m = re.search(rf"^{key}:\s*(.+)$", text, re.M)
    return m.group(1).strip() if m else ""


@pytest.fixture(scope="module")
def repeated_pp_symbols(mirror) -> dict[str, str]:
    """symbol -> date of every mirror document whose paragraphs include the repeated PP."""
    found = {}
    for path in sorted(Path(mirror).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for para in re.split(r"\n\s*\n", text):
            flat = " ".join(para.split())
            if all(f in flat for f in PP_FRAGMENTS):
                found[_header(text, "symbol")] = _header(text, "date")
    if len(found) < 3:
        pytest.skip("the mirror no longer repeats this paragraph in several resolutions")
    return found


@pytest.mark.parametrize("mode", MODES)
def test_repeated_passage_is_shown_once_with_also_in(mirror_searcher, repeated_pp_symbols, mode):
    a = mirror_searcher.answer(" ".join(PP_FRAGMENTS), 10, mode=mode)
    check_answer(a, 10)
    matching = [h for h in a.hits if all(f in " ".join(h.text.split()) for f in PP_FRAGMENTS)]
    assert len(matching) == 1, [(h.doc_id, h.label) for h in matching]
    hit = matching[0]
    assert hit.rank == 1
    also = hit.also_in
    assert {hit.symbol} | {x.symbol for x in also} == set(repeated_pp_symbols)
    assert len(also) == len(repeated_pp_symbols) - 1, "each other document once"
    assert (hit.doc_id, hit.label) not in {(x.doc_id, x.label) for x in also}, "the hit is not its own also_in"
    dates = [x.date for x in also]
    assert dates == sorted(dates), "also_in is oldest first"
    for x in also:
        assert x.date == repeated_pp_symbols[x.symbol]
        assert x.citation.startswith(x.symbol) and x.label in x.citation


def test_also_in_in_the_synthetic_corpus(small_searcher):
    for mode in MODES:
        a = small_searcher.answer("voluntary exchange of repair calendars", 5, mode=mode)
        top = a.hits[0]
        assert (top.symbol, top.label) in {("A/RES/93/24", "PP 1"), ("A/RES/91/11", "PP 2")}, mode
        other = {("A/RES/93/24", "PP 1"), ("A/RES/91/11", "PP 2")} - {(top.symbol, top.label)}
        assert [(x.symbol, x.label) for x in top.also_in] == list(other)
        assert not any("repair calendars" in h.text for h in a.hits[1:])


# -- hostile queries ---------------------------------------------------------------------

HOSTILE = {
    "empty": "",
    "whitespace": " \t\n\r\u3000 ",
    "100k chars": ("norms of responsible State behaviour " * 3000)[:100_000],
    "100k one word": "x" * 100_000,
    "control chars": "\x00\x01\x02supply\x07\x1b[31m chain\x7f\x9b",
    "arabic rtl": "\u202bالأمن السيبراني والتعاون الدولي\u202c",
    "mixed rtl": "\u200fsecurity \u202eytiruces\u202c",
    "emoji only": "🔒🛡️💻",
    "emoji and words": "🔒 supply chain 🛡️",
    "quote": '"',
    "star": "*",
    "star suffix": "secur*",
    "near": "NEAR(",
    "near full": "NEAR(supply chain, 2)",
    "minus": "-",
    "minus word": "-security",
    "colon": ":",
    "column filter": "text:security",
    "boolean words": "AND OR NOT",
    "script": "<script>alert(1)</script>",
    "unbalanced quote": '"supply chain',
    "unbalanced quotes": 'a "b "c',
    "unbalanced parens": "((supply chain",
    "closing parens": "supply)) chain)",
    "sql": "'; DROP TABLE passages; --",
    "sql fts": "x\" OR 1=1 OR \"",
    "caret brace": "^{text}: +security",
    "nul only": "\x00\x00",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_queries_return_an_answer(mirror_searcher, mirror_index, name):
    raw = HOSTILE[name]
    for mode in MODES:
        a = mirror_searcher.answer(raw, 5, mode=mode)
        check_answer(a, 5)
        assert a.mode == mode
        assert len(a.query) <= mirror_index.max_query_chars
        assert all(ord(ch) >= 32 for ch in a.query), repr(a.query)
        q = parse(raw, mirror_index.max_query_chars)
        if not (q.terms or q.phrases):
            assert a.hits == [] and a.notices, (mode, a.notices)
        if len(raw) > mirror_index.max_query_chars:
            assert any("cut" in n for n in a.notices), a.notices
    assert mirror_searcher.passage_count() == \
        mirror_searcher.manifest.passages


def test_invalid_mode_and_k_bounds(mirror_searcher):
    with pytest.raises(ValueError):
        mirror_searcher.answer("supply chain", mode="fuzzy")
    assert len(mirror_searcher.answer("supply chain", 0, mode="lexical").hits) == 1
    assert len(mirror_searcher.answer("supply chain", -3, mode="lexical").hits) == 1
    assert len(mirror_searcher.answer("information", 10_000, mode="lexical").hits) == 100
    assert mirror_searcher.search("supply chain", 3) == mirror_searcher.answer("supply chain", 3).hits


# -- phrases and highlights ---------------------------------------------------------------

@pytest.mark.parametrize("phrase", ["rule of law", "use of force", "human rights", "international law applies"])
def test_quoted_phrase_ranks_an_exact_match_first(mirror_searcher, phrase):
    hits = mirror_searcher.answer(f'"{phrase}"', 10, mode="lexical").hits
    assert hits and contains_phrase(hits[0].text, phrase), [h.text[:80] for h in hits[:3]]
    # every passage holding the phrase ranks above every passage that does not
    flags = [contains_phrase(h.text, phrase) for h in hits]
    assert flags == sorted(flags, reverse=True), flags


def test_quoted_phrase_beats_a_passage_with_the_words_scattered(small_searcher):
    # the decoy (all three words, scattered) is a strong lexical match for the unquoted words ...
    loose = small_searcher.answer("cable repair vessel", 5, mode="lexical").hits
    assert any(h.symbol == "PC.DEC/9901" and not contains_phrase(h.text, "cable repair vessel") for h in loose)
    # ... but a quoted phrase must put the passage with the exact phrase first
    for mode in ("lexical", "hybrid"):
        top = small_searcher.answer('"cable repair vessel"', 5, mode=mode).hits[0]
        assert (top.symbol, top.label) == ("A/RES/93/24", "OP 2") and contains_phrase(top.text, "cable repair vessel")


def _covers_query_word(span_text: str, terms: list[str]) -> bool:
    return any(re.search(rf"\b{re.escape(stem(t))}", span_text, re.I) for t in terms)


@pytest.mark.parametrize("query", ["supply chain integrity", "critical infrastructure attacks",
                                   "confidence-building measures", "CERT"])
def test_highlights_cover_a_sentence_with_query_words(mirror_searcher, query):
    q = parse(query, 1000)
    terms = q.terms + [w.lower() for e in q.expansions for w in re.findall(r"\w+", e)]
    for mode in ("lexical", "hybrid"):
        hits = mirror_searcher.answer(query, 10, mode=mode).hits
        assert hits
        for h in hits:
            check_hit_shape(h)
            assert len(h.highlights) >= 1
            if any(re.search(rf"\b{re.escape(t)}\b", h.text, re.I) for t in terms):
                text = " ".join(h.text[a:b] for a, b in h.highlights)
                assert _covers_query_word(text, terms), (mode, h.citation, text, h.text)


def test_highlight_of_a_plural_match(small_searcher):
    hits = small_searcher.answer("cable", 10, mode="lexical").hits
    assert hits
    for h in hits:
        text = " ".join(h.text[a:b] for a, b in h.highlights)
        assert re.search(r"\bcable", text, re.I), (h.citation, text)


def test_context_and_documents(mirror_searcher):
    hit = mirror_searcher.answer("supply chain integrity", 1, mode="lexical").hits[0]
    around = mirror_searcher.context(hit, 1, 1)
    assert hit.passage_id in [r["id"] for r in around]
    assert [r["ordinal"] for r in around] == sorted(r["ordinal"] for r in around)
    docs = mirror_searcher.documents()
    assert len(docs) == mirror_searcher.manifest.documents
    assert [d["date"] for d in docs] == sorted(d["date"] for d in docs)


def test_one_searcher_serves_many_threads(small_searcher):
    """The app shares one Searcher between sessions: answers from threads equal the serial ones."""
    queries = [(q, m) for q in ("undersea data cables", "navigation beacons", '"cable repair vessel"',
                                "sécurité des réseaux portuaires", "seabed survey data")
               for m in MODES]
    serial = {qm: [h.passage_id for h in small_searcher.answer(qm[0], 5, mode=qm[1]).hits] for qm in queries}
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda qm: (qm, [h.passage_id for h in small_searcher.answer(
            qm[0], 5, mode=qm[1]).hits]), queries * 4))
    for qm, ids in results:
        assert ids == serial[qm], qm



def test_the_lexical_lists_are_made_while_minilm_encodes(small_index, embedder):
    """A query's wall time is about its MiniLM encode plus fusion (index/search.py) because the lexical
    lists are made on another thread meanwhile. Here the encode waits for a lexical search to begin,
    which a query path that encodes first and searches the words after never lets happen."""
    from index import backends

    began = threading.Event()

    class Recording:  # the real lexical index, saying when a search begins
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def search(self, *args, **kwargs):
            began.set()
            return self.inner.search(*args, **kwargs)

    class Waiting:  # the real embedder, encoding only once a lexical search has begun
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def encode_query(self, text):
            assert began.wait(10), "no lexical search began while the question was being encoded"
            return self.inner.encode_query(text)

    searcher = Searcher.open(small_index.index, settings=small_index, embedder=Waiting(embedder),
                             lexical=Recording(backends.lexical_index(small_index)))
    hits = searcher.answer("undersea data cables", 5).hits
    assert [h.passage_id for h in hits] == [h.passage_id for h in Searcher.open(
        small_index.index, settings=small_index, embedder=embedder).answer("undersea data cables", 5).hits]

# -- query-side handling: spelling variants, multi-part questions ------------------------------

def test_a_british_spelling_finds_the_ize_wording(mirror_searcher):
    # the UN texts write -ize; Porter stems "criminalise" to criminalis, which no passage holds,
    # and "criminalize" to crimin (as "criminal"), so only the variant finds anything
    hits = mirror_searcher.answer("criminalise", 10, mode="lexical").hits
    assert hits and all(re.search(r"\bcrimin", h.text, re.I) for h in hits), [h.citation for h in hits]


@pytest.mark.parametrize("query", [
    "Which resolution set up the open-ended working group? "
    "What do States say about the protection of humanitarian organizations?",
    "What does the Paris Call say about protecting electoral processes from interference? "
    "Which OSCE measure asks participating States to nominate contact points?",
])
def test_each_question_of_a_multi_part_query_is_answered(mirror_searcher, query):
    parts = parse(query, 1000).parts
    assert len(parts) == 2
    best = {part: mirror_searcher.answer(part, 1).hits[0] for part in parts}
    answer = mirror_searcher.answer(query, 5)
    check_answer(answer, 5)
    top = answer.hits
    shown = {h.passage_id for h in top} | {a.passage_id for h in top for a in h.also_in}
    for part, hit in best.items():
        assert hit.passage_id in shown, (part, hit.citation, [h.citation for h in top])


def test_multi_part_search_can_be_turned_off(mirror_index, mirror_searcher, embedder):
    from index import Searcher

    query = ("Which resolution set up the open-ended working group? "
             "What do States say about the protection of humanitarian organizations?")
    whole = Searcher.open(mirror_index.index, settings=mirror_index, embedder=embedder,
                          tuning=Tuning(part_weight=0))
    single = [h.passage_id for h in whole.answer(query, 10).hits]
    assert single != [h.passage_id for h in mirror_searcher.answer(query, 10).hits]
    # a one-question query is ranked the same either way
    one = "protection of humanitarian organizations"
    assert [h.passage_id for h in whole.answer(one, 10).hits] == \
        [h.passage_id for h in mirror_searcher.answer(one, 10).hits]


# -- fusion: the cosine bonus that settles near-ties ------------------------------------------

@pytest.mark.parametrize("query", ["voluntary exchange of repair calendars", "liaison office for cable incidents",
                                   "annual tabletop exercise"])
def test_fused_score_carries_a_small_cosine_bonus(small_index, small_searcher, embedder, query):
    from index import Searcher

    weight = Tuning().cosine_weight
    assert 0 < weight < 0.01, "a bonus that settles near-ties, not a second ranking"
    plain = Searcher.open(small_index.index, settings=small_index, embedder=embedder, tuning=Tuning(cosine_weight=0))
    without = {h.passage_id: h.score for h in plain.answer(query, 10).hits}
    # dense mode scores are the cosines (no floor applied to the comparison: take all dense hits)
    cosine = {h.passage_id: h.score for h in small_searcher.answer(query, 10, mode="dense").hits}
    hits = small_searcher.answer(query, 10).hits
    compared = [h for h in hits if h.passage_id in without and h.passage_id in cosine]
    assert compared
    for h in compared:
        assert h.score == pytest.approx(without[h.passage_id] + weight * cosine[h.passage_id], abs=2e-6)


def test_a_strong_cosine_bonus_turns_hybrid_into_dense_order(small_index, embedder):
    # the mechanism at full strength: among passages both rankings hold, the order becomes the dense one
    from index import Searcher

    strong = Searcher.open(small_index.index, settings=small_index, embedder=embedder, tuning=Tuning(cosine_weight=1000))
    plain = Searcher.open(small_index.index, settings=small_index, embedder=embedder, tuning=Tuning(cosine_weight=0))
    differs = False
    for query in ("cable repair vessel", "national liaison office", "register of landing stations",
                  "confidence-building beacons", "exercise on restoring damaged cables"):
        dense = [h.passage_id for h in strong.answer(query, 10, mode="dense").hits]
        for searcher in (strong, plain):
            order = [h.passage_id for h in searcher.answer(query, 10).hits if h.passage_id in dense]
            expected = [i for i in dense if i in order]
            if searcher is strong:
                assert order == expected, query
            elif order != expected:
                differs = True
    assert differs, "with no bonus, RRF disagrees with the dense order on at least one query"


def test_an_item_of_a_list_brings_the_whole_list(mirror_searcher):
    # the Convention's "Preventive measures may include:" is a lead-in with lettered items
    hit = next(h for h in mirror_searcher.search("preventive measures may include", 10, mode="lexical")
               if h.label.startswith("art. 53 (3) ("))
    whole = mirror_searcher.whole_list(hit)
    assert whole is not None and whole.lead_in is not None and whole.lead_in.text.endswith("may include:")
    assert len(whole) >= 5 and sum(r.current for r in whole.items) == 1
    assert [r.passage_id for r in whole.items if r.current] == [hit.passage_id]
    labels = [mirror_searcher.passage(r.passage_id).label for r in whole.items]
    assert labels[:3] == ["art. 53 (3) (a)", "art. 53 (3) (b)", "art. 53 (3) (c)"]
    assert all(x.startswith("art. 53 (3) (") for x in labels)
    preamble = next(h for h in mirror_searcher.search("recalling its resolutions", 10, mode="lexical")
                    if h.label.startswith("PP "))
    assert mirror_searcher.whole_list(preamble) is None, "a preambular paragraph is in no list"
