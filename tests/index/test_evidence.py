"""Structure features (index/evidence.py) read from passages and queries as they appear in the index. Pure."""
from __future__ import annotations

from index.evidence import concept_coverage, names_delegation, opening_verb, passage_features, query_cues
from ingest.thesaurus import parse_thesaurus


def test_an_operative_paragraph_is_known_by_its_label_and_its_opening_verb():
    f = passage_features("OP 5", "5. Also decides to convene, beginning in 2019, an open-ended working group")
    assert f.operative and f.opening == "decides" and not f.lead_in
    assert passage_features("PP 3", "Recalling its resolutions").opening == "", "preambular: no opening verb"
    assert opening_verb("(a) Requests the Secretary-General to") == "requests"
    assert opening_verb("1. The working group shall meet") == ""


def test_a_lead_in_ends_with_a_colon_and_a_statement_carries_its_speaker():
    assert passage_features("art. 53 (3)", "Preventive measures may include:").lead_in
    speaker = "Tunisia (on behalf of the Arab Group)"
    f = passage_features(speaker + ", para. 1", "text", speaker)
    assert f.delegation == ("tunisia",), "the speaker, not the group"


def test_query_cues_come_from_the_question_and_its_thesaurus_phrases():
    c = query_cues("Which resolution set up the working group?", ("decides to convene", "establishes", "working group"))
    assert c.openings == {"decides", "establishes"} and not c.list_question and not c.position_question
    assert query_cues("What are the principles of the Paris Call?").list_question
    assert query_cues("which delegation objected to the final report").position_question


def test_a_query_names_a_delegation_by_its_words_or_the_start_of_them():
    russia = passage_features("x", "t", "Russian Federation")
    assert names_delegation(russia, query_cues("Russian Federation view on international law"))
    assert not names_delegation(russia, query_cues("Russia view on international law")), "every word of the name"
    assert names_delegation(passage_features("x", "t", "Egypt"), query_cues("Egypt's view on capacity-building"))
    assert not names_delegation(passage_features("x", "t", "Egypt"), query_cues("capacity-building funds"))


def test_a_passage_covers_the_concepts_whose_documents_wording_it_says_in_its_own_language():
    th = parse_thesaurus('''[[concept]]
id = "grooming"
kind = "legal-term"
terms = ["grooming"]
variants = ["luring"]
fr = ["pédopiégeage"]
ru = ["груминг"]

[[concept]]
id = "dual-criminality"
kind = "legal-term"
terms = ["dual criminality"]
ru = ["двойная криминальность"]
zh = ["双重犯罪"]
''')
    both = th.concepts
    grooming, dual = ([c] for c in both)
    assert concept_coverage("(b) Soliciting, Grooming, or making any arrangement", "en", both) == 0.5
    assert concept_coverage("where dual criminality is required, grooming", "en", both) == 1.0
    assert concept_coverage("le pédopiégeage en ligne", "fr", both) == 0.5, \
        "a French passage says the concepts' French wording; one with none in French counts as not said"
    assert concept_coverage("le pédopiégeage en ligne", "en", grooming) == 0.0, "in the passage's own language"
    assert concept_coverage("luring a child", "en", grooming) == 0.0, "users' variants are not the documents' wording"
    assert concept_coverage("groomings and criminality", "en", both) == 0.0, "whole words only"
    assert concept_coverage("a dual-criminality requirement", "en", dual) == 1.0, "a hyphen or a space"
    assert concept_coverage("a dual\u2011criminality requirement", "en", dual) == 1.0
    assert concept_coverage("при отсутствии двойной криминальности", "ru", dual) == 1.0, "any inflection (stems)"
    assert concept_coverage("不以双重犯罪为条件", "zh", dual) == 1.0, "Chinese without spaces"
    assert concept_coverage("grooming", "en", []) == 0.0
