"""index/translate.py (the query's concepts in other languages, through the project's thesaurus) and the
query-side language checks of index/multilingual.py: pure, milliseconds."""
from __future__ import annotations

from index.multilingual import query_language, uncovered_script
from index.translate import renderings, with_gloss
from ingest.thesaurus import load_thesaurus, parse_thesaurus
from tests.ingest.test_thesaurus import concept_toml


def test_a_spanish_question_gets_its_concepts_in_english_and_an_english_one_in_the_other_five():
    th = load_thesaurus()
    es = renderings(th, "doble incriminación y cooperación internacional", "es")
    assert list(es) == ["en"] and "dual criminality" in es["en"]
    en = renderings(th, "dual criminality", "en")
    assert set(en) <= {"es", "fr", "ru", "ar", "zh"} and "doble incriminación" in en["es"]
    assert renderings(th, "banana smoothie", "en") == {} and renderings(th, "batido de plátano", "es") == {}



def test_a_question_says_a_concept_in_another_inflection_than_the_thesaurus():
    """The thesaurus lists "взаимная правовая помощь" (nominative); a Russian sentence needs the genitive.
    Snowball's stems of both sides meet (index/translate.named); exact matching finds nothing."""
    th = load_thesaurus()
    question = "обязательства по оказанию взаимной правовой помощи"
    assert th.match(question) == []
    assert renderings(th, question, "ru") == {"en": "mutual legal assistance"}
    assert renderings(th, "de la", "es") == {} and renderings(th, "et des", "fr") == {}, "function words never match"


def test_a_question_in_the_users_words_of_its_language_reaches_the_documents_wording():
    """A Spanish trainer asks which resolution "creó" a group; the resolution "Decides to convene". The
    concept's `es_variants` lead there from a Spanish question only: the same word in a question detected
    as French or English names nothing."""
    th = parse_thesaurus(concept_toml("convene", "set-phrase", '["decides to convene"]',
                                      'oneway = true\nes = ["Decide convocar"]\nes_variants = ["crear"]\n'
                                      'zh_variants = ["设立了"]'))
    assert renderings(th, "¿Qué resolución creó el grupo?", "es") == {"en": "decides to convene"}, "another inflection"
    assert renderings(th, "哪项决议设立了工作组？", "zh") == {"en": "decides to convene"}
    assert renderings(th, "crear", "fr") == {} and renderings(th, "crear", "en") == {}
    assert renderings(th, "decides to convene", "en") == {"es": "Decide convocar"}, "users' wording is never searched"


def test_an_acronym_is_matched_whole_never_as_the_stem_of_a_word():
    """Spanish Snowball stems "UNIDIR" and "Unidas" alike ("unid"): stemmed, every question naming the United
    Nations would name the institute."""
    th = parse_thesaurus(concept_toml("unidir", "acronym", '["UNIDIR"]', 'es_variants = ["UNIDIR"]'))
    assert renderings(th, "¿Qué publicó el UNIDIR?", "es") == {"en": "UNIDIR"}
    assert renderings(th, "la Carta de las Naciones Unidas", "es") == {}


def test_the_query_language_and_the_scripts_no_model_reads():
    assert query_language("¿Qué resolución de la Asamblea General creó el grupo de trabajo?") == "es"
    assert query_language("CBM") == "en", "too short to tell: English"
    assert uncovered_script("साइबर सुरक्षा पर संयुक्त राष्ट्र का प्रस्ताव") == "DEVANAGARI"
    assert uncovered_script("Κυβερνοασφάλεια και διεθνές δίκαιο") == "GREEK"
    for covered in ("critical infrastructure", "关键基础设施", "البنية التحتية الحيوية", "критическая инфраструктура",
                    "CBM קיברנטי and more English words here"):
        assert uncovered_script(covered) == "", covered


def test_a_paragraph_in_two_language_versions_shows_once_in_the_querys_language():
    from index.multilingual import in_query_language

    rows = {1: dict(symbol="A/RES/1/1", label="OP 1", language="fr", doc_id="a-fr"),
            2: dict(symbol="A/RES/1/1", label="OP 2", language="fr", doc_id="a-fr"),
            3: dict(symbol="A/RES/1/1", label="OP 1", language="en", doc_id="a"),
            4: dict(symbol="", label="para. 1", language="en", doc_id="b"),
            5: dict(symbol="A/AC/1", label="para. 1", language="en", doc_id="c"),
            6: dict(symbol="A/AC/1", label="para. 1", language="en", doc_id="c")}  # one document, split passage
    ranked = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6), (5, 0.5), (6, 0.4), (7, 0.3)]
    assert in_query_language(ranked, rows, "en") == [(3, 0.9), (2, 0.8), (4, 0.6), (5, 0.5), (6, 0.4), (7, 0.3)]
    assert in_query_language(ranked, rows, "fr") == [(1, 0.9), (2, 0.8), (4, 0.6), (5, 0.5), (6, 0.4), (7, 0.3)]


def test_the_gloss_follows_the_concepts_english_wording_in_one_english_rendering():
    assert with_gloss({"en": "dual criminality", "fr": "x"}, ["bank", "secrecy"]) == \
        {"en": "dual criminality bank secrecy", "fr": "x"}
    assert with_gloss({}, ["bank"]) == {"en": "bank"}, "a question the thesaurus names nothing of"
    assert with_gloss({"fr": "x"}, []) == {"fr": "x"}
