"""Thesaurus expansion (index/expansion.py) on a hand-made thesaurus: what the lexical side ORs in
and how the dense query is reworded. Pure: milliseconds."""
from __future__ import annotations

from index.expansion import Expansion, expand, expanded_query, searched_wording, short_term
from index.query import parse
from ingest.thesaurus import load_thesaurus, parse_thesaurus

TH = parse_thesaurus('''
[[concept]]
id = "convene"
kind = "set-phrase"
terms = ["decides to convene", "decides to establish"]
variants = ["set up", "created"]
oneway = true

[[concept]]
id = "extradite"
kind = "legal-term"
terms = ["aut dedere aut judicare", "extradite or prosecute"]
''')


def test_a_users_words_bring_the_documents_wording_as_phrases_and_a_reworded_dense_query():
    e = expand("Which resolution set up the working group?", TH)
    assert e.phrases == ("decides to convene", "decides to establish")
    assert e.dense_text == "which resolution decides to convene the working group"


def test_a_query_already_in_the_documents_wording_gets_only_the_other_terms_and_no_rewording():
    e = expand("duty to extradite or prosecute", TH)
    assert e.phrases == ("aut dedere aut judicare",), "never the query's own term, never the user variants"
    assert e.dense_text == ""


def test_no_concept_means_no_expansion():
    assert not expand("human rights online", TH) and expand("human rights online", TH) == Expansion()


def test_the_expanded_query_keeps_the_users_terms_and_phrases_and_adds_the_thesaurus_phrases():
    q = parse('"working group" set up', 500)
    x = expanded_query(q, expand(q.text, TH))
    assert x.terms == q.terms and x.phrases == ["working group", "decides to convene", "decides to establish"]


def test_a_full_title_does_not_stand_in_for_a_few_words():
    assert short_term(("the " + "very " * 10 + "long title", "short name")) == "short name"
    assert short_term(("first term", "second")) == "first term"
    assert short_term(("a b c d e f g h i", "a b c d e f g h i j")) == "a b c d e f g h i"


def test_the_wording_prepared_at_build_time_is_every_phrase_expansion_adds():
    """The lexical backend stores these phrases' parts (index/build.thesaurus_wording): a question naming any
    concept of the real thesaurus, by a variant, a term or a translation, searches only prepared phrases."""
    th = load_thesaurus()
    prepared = set(searched_wording(th))
    assert searched_wording(TH) == ["decides to convene", "decides to establish", "aut dedere aut judicare",
                                    "extradite or prosecute"]
    asked = [x for c in th.concepts for x in (*c.terms, *c.variants, *(t for ts in c.translations.values() for t in ts))]
    added = {p for x in asked for p in expand(f"what do the texts say on {x}?", th).phrases}
    assert added and added <= prepared
