"""index/translate.py (the query's concepts in other languages, through the shipped thesaurus) and the
query-side language checks of index/multilingual.py: pure, milliseconds."""
from __future__ import annotations

from index.multilingual import query_language, uncovered_script
from index.translate import renderings, shipped


def test_a_spanish_question_gets_its_concepts_in_english_and_an_english_one_in_the_other_five():
    th = shipped()
    es = renderings(th, "doble incriminación y cooperación internacional", "es")
    assert list(es) == ["en"] and "dual criminality" in es["en"]
    en = renderings(th, "dual criminality", "en")
    assert set(en) <= {"es", "fr", "ru", "ar", "zh"} and "doble incriminación" in en["es"]
    assert renderings(th, "banana smoothie", "en") == {} and renderings(th, "batido de plátano", "es") == {}


def test_the_query_language_and_the_scripts_no_model_reads():
    assert query_language("¿Qué resolución de la Asamblea General creó el grupo de trabajo?") == "es"
    assert query_language("CBM") == "en", "too short to tell: English"
    assert uncovered_script("साइबर सुरक्षा पर संयुक्त राष्ट्र का प्रस्ताव") == "DEVANAGARI"
    assert uncovered_script("Κυβερνοασφάλεια και διεθνές δίκαιο") == "GREEK"
    for covered in ("critical infrastructure", "关键基础设施", "البنية التحتية الحيوية", "критическая инфраструктура",
                    "CBM קיברנטי and more English words here"):
        assert uncovered_script(covered) == "", covered
