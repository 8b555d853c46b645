"""Query parsing (index/query.py) and highlight spans (index/highlight.py): pure unit tests.

No model and no index: a user's text must never become FTS5 syntax, acronyms of
the field must expand, long input must be cut with a flag, and a highlight must
be a sentence of the passage that contains what was searched for.
"""
from __future__ import annotations

import random
import re
import sqlite3

import pytest

from index.highlight import best_sentences, sentences
from index.query import EXPANSIONS, fts_expression, parse, stem

MAX = 1000
# One FTS5 string literal: "..." with "" as the escaped quote.
QUOTED = r'"(?:[^"]|"")*"'
ALL_QUOTED_RE = re.compile(rf"^{QUOTED}(?: OR {QUOTED})*$")

HOSTILE = [
    'supply chain', '"', '""', '"""', '*', 'secur*', 'NEAR(', 'NEAR(a b, 3)', 'a NEAR b', '-', '-security',
    ':', 'text:security', 'title : norms', '^start', 'AND OR NOT', 'norms AND NOT law', 'a OR', '(', ')',
    '((unbalanced', 'unbalanced))', '"unbalanced quote', "it's a State's duty", "'; DROP TABLE passages; --",
    '<script>alert(1)</script>', '{text title}: x', 'x + y', 'a"b"c', '“curly phrase here”', '"a" bc "d"',
    'الأمن السيبراني', 'кибербезопасность', '网络安全', '🔒 security 🛡️', 'e\u0301tat', 'Ⅱ²₃', '\x00\x1b[31m ok',
]


@pytest.fixture(scope="module")
def fts():
    """An in-memory FTS5 table with the index's tokenizer, to prove expressions are valid syntax."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, heading, tokenize='porter unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES (?, ?)",
                 ("States should protect the supply chain of their ICT products", "norms"))
    yield conn
    conn.close()


@pytest.mark.parametrize("raw", HOSTILE)
def test_fts_expression_quotes_every_part_and_is_valid_fts5(raw, fts):
    expr = fts_expression(parse(raw, MAX))
    if expr:
        assert ALL_QUOTED_RE.match(expr), expr
        fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (expr,)).fetchall()  # no OperationalError


def test_fts_operators_are_plain_words(fts):
    """`NOT` and `NEAR` are searched as words, not obeyed: `supply NOT chain` still finds the row."""
    for raw in ("supply NOT chain", "NEAR(supply chain)", "supply -chain", "heading:zzz supply"):
        expr = fts_expression(parse(raw, MAX))
        assert fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expr,)).fetchone()[0] == 1, (raw, expr)


def test_fts_expression_random_strings_never_break_fts5(fts):
    alphabet = list('"“”\'*:-^(){}[]+,.;!?_\\/%$#@&|~`<>= abcNEARANDORNOT019') + [
        "\u2028", "\x85", "\U0001F512", "\u0627", "\u200f", "\u0301", "\u00ad", "\ufeff", "\u4e2d", "\x00"]
    rnd = random.Random(20240521)
    for _ in range(3000):
        raw = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        expr = fts_expression(parse(raw, MAX))
        if expr:
            assert ALL_QUOTED_RE.match(expr), (raw, expr)
            fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (expr,)).fetchall()


def test_empty_and_wordless_queries_have_no_expression():
    for raw in ("", "   ", "\t\n", "*", '"', "-", ":", "🔒🛡️", "\x00\x01"):
        q = parse(raw, MAX)
        assert not q.terms and not q.phrases, raw
        assert fts_expression(q) == ""


def test_control_characters_are_removed_and_whitespace_collapsed():
    q = parse("\x00supply\x07  \t chain\x1b\x7f\u200b integrity\n", MAX)
    assert q.text == "supply chain integrity"
    assert all(ord(ch) >= 32 for ch in q.text)
    assert q.terms == ["supply", "chain", "integrity"]


def test_terms_are_lowercased_deduplicated_and_stopwords_dropped():
    q = parse("The Supply chain of the SUPPLY chain", MAX)
    assert q.terms == ["supply", "chain"]


def test_a_query_of_only_stopwords_keeps_its_words():
    assert parse("AND OR NOT", MAX).terms == ["and", "or", "not"]


@pytest.mark.parametrize("raw, expansion", [
    ("CERT", "computer emergency response teams"),
    ("national CERTs", "computer emergency response teams"),
    ("PoC directory", "points of contact"),
    ("pocs", "points of contact"),
    ("CBM", "confidence-building measures"),
    ("OSCE CBMs", "confidence-building measures"),
    ("IHL in cyberspace", "international humanitarian law"),
])
def test_acronyms_expand(raw, expansion):
    q = parse(raw, MAX)
    assert expansion in q.expansions
    assert expansion in q.dense_text and q.dense_text.startswith(q.text)
    assert f'"{expansion}"' in fts_expression(q)


def test_expansions_are_listed_once_and_only_for_acronyms():
    q = parse("CERT cert CERTs and certificates", MAX)
    assert q.expansions == ["computer emergency response teams"]
    plain = parse("supply chain integrity", MAX)
    assert plain.expansions == [] and plain.dense_text == plain.text
    assert set(EXPANSIONS) >= {"cert", "poc", "cbm"}


def test_truncation_sets_the_flag_and_cuts_at_a_word():
    raw = " ".join(f"word{i}" for i in range(30_000))  # about 250,000 characters
    q = parse(raw, MAX)
    assert q.truncated
    assert 0 < len(q.text) <= MAX
    assert raw.startswith(q.text)
    assert raw[len(q.text)] == " ", "cut in the middle of a word"


def test_truncation_of_one_giant_word_keeps_max_chars():
    q = parse("x" * 100_000, MAX)
    assert q.truncated and q.text == "x" * MAX


def test_short_queries_are_not_truncated():
    q = parse("a" * MAX, MAX)
    assert not q.truncated and len(q.text) == MAX


def test_too_many_terms_are_capped():
    q = parse(" ".join(f"term{i}" for i in range(150)), MAX)
    expr = fts_expression(q, max_terms=64)
    assert expr.count(" OR ") == 63


@pytest.mark.parametrize("raw, phrases", [
    ('"supply chain" integrity', ["supply chain"]),
    ('“rule of law” and "use of force"', ["rule of law", "use of force"]),
    ('"unbalanced quote', []),
    ('""', []),
    ('"a"', []),  # one character is not a phrase
])
def test_quoted_phrases_are_kept(raw, phrases):
    q = parse(raw, MAX)
    assert q.phrases == phrases
    expr = fts_expression(q)
    for p in phrases:
        assert f'"{p}"' in expr


# -- highlights -------------------------------------------------------------

TEXT = ("1. Calls upon Member States to protect the integrity of the supply chain. "
        "It notes the role of national teams; Further invites regional bodies to share data: "
        "Requests a report on implementation.")


def test_sentences_are_ordered_non_overlapping_spans_inside_the_text():
    spans = sentences(TEXT)
    assert len(spans) >= 4
    last = 0
    for a, b in spans:
        assert 0 <= last <= a < b <= len(TEXT)
        assert TEXT[a:b] == TEXT[a:b].strip()
        last = b
    assert TEXT[spans[-1][0]:spans[-1][1]] == "Requests a report on implementation."


def test_best_sentence_contains_the_query_words():
    (span,) = best_sentences(TEXT, parse("supply chain integrity", MAX))
    a, b = span
    assert (a, b) in sentences(TEXT)
    assert "supply chain" in TEXT[a:b]


def test_best_sentence_prefers_a_quoted_phrase():
    (span,) = best_sentences(TEXT, parse('"regional bodies"', MAX))
    assert "regional bodies" in TEXT[span[0]:span[1]]


def test_highlight_matches_expanded_acronyms():
    text = "States agreed on many things. They will support computer emergency response teams in every region."
    (span,) = best_sentences(text, parse("CERT", MAX))
    assert "emergency response teams" in text[span[0]:span[1]]


def test_no_match_falls_back_to_the_first_sentence_and_empty_text_to_nothing():
    assert best_sentences("Alpha beta. Gamma delta.", parse("zzz", MAX)) == [[0, 11]]
    assert best_sentences("", parse("zzz", MAX)) == []


def test_limit_returns_spans_in_text_order():
    spans = best_sentences(TEXT, parse("implementation supply", MAX), limit=2)
    assert len(spans) == 2 and spans == sorted(spans)
    assert all(isinstance(x, int) for s in spans for x in s)


def test_highlight_matches_a_plural_form_of_the_query_word():
    text = "1. Calls upon States to refrain from damaging undersea data cables or their landing stations;"
    (span,) = best_sentences(text, parse("cable", MAX))
    assert "cables" in text[span[0]:span[1]], text[span[0]:span[1]]


def test_stem_agrees_for_singular_and_plural():
    for singular in ("cable", "measure", "state", "resolution", "norm"):
        assert stem(singular) == stem(singular + "s"), singular


# -- spelling variants and multi-part questions -------------------------------------------

@pytest.mark.parametrize("word, variant", [("criminalise", "criminalize"), ("organisations", "organizations"),
                                           ("recognised", "recognized"), ("criminalisation", "criminalization"),
                                           ("analysing", "analyzing"), ("prioritises", "prioritizes")])
def test_a_british_spelling_also_searches_the_ize_spelling(word, variant):
    from index.query import spelling_variant

    assert spelling_variant(word) == variant
    q = parse(f"states {word}", MAX)
    assert word in q.terms and variant in q.terms
    assert ALL_QUOTED_RE.match(fts_expression(q))


@pytest.mark.parametrize("word", ["wise", "rise", "crisis", "basis", "security", "criminalize", "use"])
def test_words_without_an_ise_spelling_get_no_variant(word):
    from index.query import spelling_variant

    assert spelling_variant(word) == ""
    assert parse(word, MAX).terms == [word]


def test_the_variant_matches_the_ize_text_under_the_porter_stemmer():
    # Porter stems "criminalise" to criminalis and "criminalize" to crimin: without the variant, no match
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('Each State Party shall criminalize illegal access')")
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", ['"criminalise"']).fetchone()[0] == 0
    expr = fts_expression(parse("criminalise", MAX))
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", [expr]).fetchone()[0] == 1


@pytest.mark.parametrize("text, parts", [
    ("Which resolution set up the working group? When did its work begin?",
     ["Which resolution set up the working group?", "When did its work begin?"]),
    ("Where can parties sign the treaty, and when does the treaty enter into force?",
     ["Where can parties sign the treaty", "when does the treaty enter into force?"]),
    ("Seabed cables were cut in 2019. Who repaired the damaged cables?",
     ["Seabed cables were cut in 2019.", "Who repaired the damaged cables?"]),
    ("submarine cable protection; landing station security", ["submarine cable protection", "landing station security"]),
])
def test_a_multi_part_question_is_split_into_its_questions(text, parts):
    assert parse(text, MAX).parts == parts


@pytest.mark.parametrize("text", [
    "supply chain integrity", "is there agreed wording on coordinated disclosure of software flaws?",
    "cables, and landing stations",  # "and" opens no new question
    "What is this? Why?",  # a fragment of fewer than two content words joins its neighbour
    "e.g. States should protect cables", "the U.S. statement on norms",  # abbreviations end no sentence
    "One two three? Four five six? Seven eight nine? Ten eleven twelve? Thirteen fourteen fifteen?",  # a pasted text
])
def test_a_single_question_has_no_parts(text):
    assert parse(text, MAX).parts == []
