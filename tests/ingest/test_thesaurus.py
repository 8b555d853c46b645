"""Tests for the real thesaurus (corpus/thesaurus.toml), its validation and phrase matching.

The thesaurus is hand-edited data: these tests keep a slip (a duplicate id, a
misspelt kind, a number where a phrase belongs) from silently dropping a concept,
and check that matching finds phrases the way users type them in six languages.
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from ingest.thesaurus import (KINDS, LANGUAGES, THESAURUS, Concept, Thesaurus, ThesaurusError,
                              expansions, load_thesaurus, normalise, parse_thesaurus, tokens, validate)


@pytest.fixture(scope="module")
def real() -> Thesaurus:
    return load_thesaurus()


def concept_toml(cid: str = "a-concept", kind: str = "synonym", terms: str = '["alpha term"]',
                 extra: str = "") -> str:
    return f'[[concept]]\nid = "{cid}"\nkind = "{kind}"\nterms = {terms}\n{extra}\n'


# --- the real file ---------------------------------------------------------------------------

def test_real_file_is_clean_and_large(real):
    assert real.problems == ()
    assert len(real) >= 250


def test_real_file_is_alphabetised_by_id():
    raw = tomllib.loads(THESAURUS.read_text(encoding="utf-8"))["concept"]
    ids = [c["id"] for c in raw]
    assert ids == sorted(ids)


def test_real_file_uses_every_kind_and_language(real):
    assert {c.kind for c in real.concepts} == set(KINDS)
    for lang in LANGUAGES:
        assert sum(lang in c.translations for c in real.concepts) >= 40, lang
    assert any(c.oneway for c in real.concepts) and any(not c.oneway for c in real.concepts)


def test_real_file_header_states_the_rule():
    head = THESAURUS.read_text(encoding="utf-8").split("[[concept]]")[0]
    assert "fact of the field" in head and "evaluation set" in head


@pytest.mark.parametrize("phrase, concept_id", [
    ("aut dedere aut judicare", "aut-dedere-aut-judicare"),
    ("extradite or prosecute", "aut-dedere-aut-judicare"),
    ("dual criminality", "dual-criminality"),
    ("MLA", "mutual-legal-assistance"),
    ("CBMs", "cbms"),
    ("CSIRT", "cert-csirt"),
    ("internationally wrongful act", "internationally-wrongful-act"),
    ("建立信任措施", "cbms"),
    ("меры укрепления доверия", "cbms"),
    ("تدابير بناء الثقة", "cbms"),
    ("mesures de confiance", "cbms"),
    ("medidas de fomento de la confianza", "cbms"),
])
def test_real_file_knows_the_field(real, phrase, concept_id):
    assert concept_id in {m.concept.id for m in real.match(phrase)}


def test_real_oneway_entry_expands_only_from_its_variants(real):
    by_variant = real.match("they decided to hack back")
    hack = next(m for m in by_variant if m.concept.id == "hack-back")
    assert hack.via == "variant" and "countermeasures" in expansions(hack)
    convene = next(m for m in real.match("decides to convene") if m.concept.id == "decides-to-convene")
    assert convene.concept.oneway and convene.via == "term"
    assert not set(expansions(convene)) & set(convene.concept.variants)


# --- validation: each error class, one line naming entry and field ----------------------------

BAD = [
    ("duplicate id", concept_toml("same") + concept_toml("same"), "concept same: field 'id' is a duplicate"),
    ("empty terms", concept_toml(terms="[]"), "concept a-concept: field 'terms' is empty"),
    ("missing terms", '[[concept]]\nid = "a-concept"\nkind = "synonym"\n', "concept a-concept: field 'terms' is empty"),
    ("unknown kind", concept_toml(kind="slang"), "concept a-concept: field 'kind' is unknown: 'slang'"),
    ("missing kind", '[[concept]]\nid = "a-concept"\nterms = ["x y"]\n', "concept a-concept: field 'kind' is missing"),
    ("number in terms", concept_toml(terms='["alpha", 3]'), "concept a-concept: field 'terms' must be a list of strings"),
    ("string not list", concept_toml(extra='variants = "alpha"'), "concept a-concept: field 'variants' must be a list of strings"),
    ("table in translation", concept_toml(extra='fr = [{x = 1}]'), "concept a-concept: field 'fr' must be a list of strings"),
    ("non-string id", '[[concept]]\nid = 7\nkind = "synonym"\nterms = ["x"]\n', "concept #1: field 'id' is missing or not a string"),
    ("id format", concept_toml("Bad_Id"), "concept Bad_Id: field 'id' must be lower-case words"),
    ("oneway not bool", concept_toml(extra='oneway = "yes"'), "concept a-concept: field 'oneway' must be true or false"),
    ("unknown field", concept_toml(extra='de = ["Vertrauensbildende Maßnahmen"]'), "concept a-concept: unknown field(s) de"),
    ("empty phrase", concept_toml(terms='["alpha", " - "]'), "concept a-concept: field 'terms' holds an empty phrase"),
    ("repeated phrase", concept_toml(extra='variants = ["Alpha-Term"]'), "concept a-concept: field 'variants': 'Alpha-Term' repeats"),
    ("users' wording not a list", concept_toml(extra='es_variants = "creó"'), "concept a-concept: field 'es_variants' must be a list of strings"),
    ("users' wording repeats the official", concept_toml(extra='es = ["Decide convocar"]\nes_variants = ["decide convocar"]'),
     "concept a-concept: field 'es_variants': 'decide convocar' repeats a phrase of 'es'"),
    ("users' wording of an unknown language", concept_toml(extra='de_variants = ["gegründet"]'), "unknown field(s) de_variants"),
    ("out of order", concept_toml("zulu") + concept_toml("alpha"), "concept alpha: field 'id' is out of alphabetical order"),
    ("not a table", "concept = [1]\n", "concept #1: is not a table"),
    ("not an array", "concept = 1\n", "'concept' must be an array of tables"),
    ("unknown top-level key", 'version = 1\n' + concept_toml(), "unknown top-level key 'version'"),
]


@pytest.mark.parametrize("name, text, expected", BAD, ids=[b[0] for b in BAD])
def test_validation_reports_each_error_in_one_line(name, text, expected):
    problems = validate(text, "t.toml")
    assert problems, name
    assert any(expected in p for p in problems), problems
    assert all("\n" not in p and p.startswith("t.toml: ") for p in problems)


def test_bad_entries_are_skipped_and_the_rest_goes_on():
    text = concept_toml("alpha", kind="slang") + concept_toml("beta", terms='["beta phrase"]')
    t = parse_thesaurus(text, "t.toml")
    assert [c.id for c in t.concepts] == ["beta"]
    assert len(t.problems) == 1 and "alpha" in t.problems[0]
    assert t.match("a beta phrase")[0].concept.id == "beta"


def test_invalid_toml_raises_typed_error_naming_the_file():
    with pytest.raises(ThesaurusError, match=r"^t\.toml: not valid TOML"):
        parse_thesaurus('[[concept]]\nid = "x\n', "t.toml")
    assert validate("terms = [", "t.toml")[0].startswith("t.toml: not valid TOML")


def test_unreadable_file_raises_typed_error(tmp_path: Path):
    with pytest.raises(ThesaurusError, match="missing.toml: cannot be read"):
        load_thesaurus(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("# caf\xe9\n".encode("latin-1"))
    with pytest.raises(ThesaurusError, match="latin1.toml: cannot be read"):
        load_thesaurus(bad)


def test_users_wording_in_another_language_is_kept_apart_from_the_phrases_matched_in_any_language():
    """"creó" must lead a Spanish question to "decides to convene" (index/translate.named), but it is not an
    official translation: it is never searched for, and an English text is never matched against it."""
    t = parse_thesaurus(concept_toml("convene", "set-phrase", '["decides to convene"]',
                                     'oneway = true\nes = ["Decide convocar"]\nes_variants = ["creó", "estableció"]'))
    assert t.problems == ()
    convene = t.get("convene")
    assert convene.translated_variants == {"es": ("creó", "estableció")} and convene.translations == {"es": ("Decide convocar",)}
    assert "creó" not in [p for p, _ in convene.phrases()] and t.match("la resolución creó el grupo") == []


def test_a_translation_spelled_like_an_english_term_is_allowed():
    assert validate(concept_toml(terms='["attribution"]', extra='fr = ["attribution"]\nes = ["attribution"]')) == []
    assert validate(concept_toml(terms='["attribution"]', extra='fr = ["attribution", "Attribution"]'))


# --- matching ------------------------------------------------------------------------------

SMALL = "\n".join([
    concept_toml("ci", "set-phrase", '["critical infrastructure"]', 'zh = ["关键基础设施"]'),
    concept_toml("cii", "acronym", '["critical information infrastructure"]', 'variants = ["cii"]'),
    concept_toml("convene", "set-phrase", '["decides to convene"]', 'oneway = true\nvariants = ["set up"]\nes_variants = ["creó"]'),
    concept_toml("establish", "set-phrase", '["decides to establish"]', 'oneway = true\nvariants = ["set up"]'),
    concept_toml("iwa", "legal-term", '["internationally wrongful act"]',
                 'variants = ["illegal act"]\nar = ["الفعل غير المشروع دوليا"]\nru = ["международно-противоправное деяние"]'),
    concept_toml("sovereignty", "legal-term", '["sovereignty"]', 'es = ["soberanía"]'),
])


@pytest.fixture(scope="module")
def small() -> Thesaurus:
    t = parse_thesaurus(SMALL, "small.toml")
    assert t.problems == ()
    return t


def test_longest_match_wins_and_spans_do_not_overlap(small):
    ms = small.match("protection of critical information infrastructure and critical infrastructure")
    assert [(m.concept.id, m.start, m.end) for m in ms] == [("cii", 2, 5), ("ci", 6, 8)]


def test_one_phrase_of_several_concepts_returns_each(small):
    ms = small.match("which resolution set up the group")
    assert {m.concept.id for m in ms} == {"convene", "establish"}
    assert {(m.start, m.end, m.via) for m in ms} == {(2, 4, "variant")}


def test_matching_ignores_case_accents_hyphens_and_marks(small):
    assert small.match("SOBERANIA del Estado")[0].via == "es"
    assert small.match("an Internationally-Wrongful ACT")[0].concept.id == "iwa"
    assert small.match("الفِعْل غير المشروع دولياً")[0].concept.id == "iwa"
    assert small.match("международно-противоправное деяние")[0].via == "ru"


def test_chinese_is_matched_inside_a_sentence_without_spaces(small):
    ms = small.match("什么是关键基础设施的保护")
    assert [(m.concept.id, m.start, m.end) for m in ms] == [("ci", 3, 9)]


def test_zero_width_and_fullwidth_characters_do_not_break_matching(small):
    assert small.match("cri\u200btical infra\u200dstructure")[0].concept.id == "ci"
    assert small.match("ＣＩＩ")[0].concept.id == "cii"


def test_nothing_matched_gives_an_empty_list(small):
    assert small.match("") == [] and small.match("weather tomorrow") == []


def test_expansions_honour_direction_and_languages(small):
    assert {expansions(m) for m in small.match("set up")} == {("decides to convene",), ("decides to establish",)}
    term = small.match("decides to convene")[0]
    assert expansions(term) == ()
    two_way = small.match("internationally wrongful act")[0]
    assert expansions(two_way) == ("illegal act",)
    assert expansions(two_way, ["ru"]) == ("illegal act", "международно-противоправное деяние")
    from_variant = small.match("illegal act")[0]
    assert expansions(from_variant) == ("internationally wrongful act",)


def test_tokens_and_normalise():
    assert tokens("A/RES/73/27") == ("a", "res", "73", "27")
    assert tokens("Confidence-building measures") == ("confidence", "building", "measures")
    assert tokens("ICT安全") == ("ict", "安", "全")
    assert normalise("Ёлка") == "елка"
    assert normalise("مستوى") == "مستوي"


def test_concept_is_hashable_and_lists_phrases():
    c = Concept("x", "synonym", ("a b",), ("c",), translations={"fr": ("d",)})
    assert hash(c) == hash(Concept("x", "synonym", ("a b",), ("c",), translations={"fr": ("e",)}))
    assert list(c.phrases()) == [("a b", "term"), ("c", "variant"), ("d", "fr")]


# --- the parsed form kept for the next process -----------------------------------------------

def test_a_cached_thesaurus_is_read_back_and_an_edited_file_is_parsed_again(tmp_path: Path):
    toml, cache = tmp_path / "t.toml", tmp_path / "cache"
    toml.write_text(SMALL, encoding="utf-8")
    first = load_thesaurus(toml, cache)
    [file] = cache.glob("thesaurus-*.json")
    assert [c.id for c in first.concepts] == [c.id for c in parse_thesaurus(SMALL).concepts]

    # what the next process reads is the file, not the TOML: a concept written into it shows
    stored = json.loads(file.read_text(encoding="utf-8"))
    value = stored["value"]
    value["concepts"].append(dict(value["concepts"][0], id="only-in-the-cache"))
    file.write_text(json.dumps(stored), encoding="utf-8")
    assert load_thesaurus(toml, cache).get("only-in-the-cache") is None, "keys that do not fit: parsed again"
    value["keys"].append(value["keys"][0])
    file.write_text(json.dumps(stored), encoding="utf-8")
    again = load_thesaurus(toml, cache)
    assert again.get("only-in-the-cache") is not None
    assert again.match("critical infrastructure")[0].concept.translations["zh"] == ("关键基础设施",)
    assert again.match("an illegal act")[0].via == "variant" and again.problems == ()
    assert again.get("convene").translated_variants == {"es": ("creó",)}

    toml.write_text(SMALL + concept_toml("zeta", terms='["zeta phrase"]') + concept_toml("alpha"), encoding="utf-8")
    edited = load_thesaurus(toml, cache)  # a stale cache: the TOML is parsed again, problems and all
    assert edited.get("only-in-the-cache") is None and edited.get("zeta") is not None
    assert len(edited.problems) == 1 and "out of alphabetical order" in edited.problems[0]
    assert load_thesaurus(toml, cache).problems == edited.problems, "the problems are cached too"

    file.write_text("{not json", encoding="utf-8")  # damaged: parsed again and rewritten
    assert [c.id for c in load_thesaurus(toml, cache).concepts] == [c.id for c in edited.concepts]
    assert json.loads(file.read_text(encoding="utf-8"))["key"]
