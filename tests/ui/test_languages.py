"""ui/languages.py and the language parts of a card: the passage's language and direction, the parallel
passages, the "my language only" scope; direction overrides and zero-width characters in document text."""
from __future__ import annotations

import re

from index import Filters
from tests.index.index_helpers import make_hit
from ui.cards import card_html, highlighted
from ui.escape import esc, md_plain
from ui.languages import ANY_LANGUAGE, MY_LANGUAGE, also_searched_line, parallels_html, scoped

ARABIC = "١- تقرر أن تنشئ فريقاً عاملاً مفتوح العضوية"
RLO, PDF, ZWJ, ZWSP = "\u202e", "\u202c", "\u200d", "\u200b"


def test_a_card_names_the_passages_language_and_lets_arabic_run_right_to_left():
    html = card_html(make_hit(text=ARABIC, language="ar", highlights=[[3, 8]]), [])
    assert "Arabic" in html
    assert re.search(r'<blockquote class="[^"]*" lang="ar" dir="auto">', html), html


def test_direction_overrides_never_reach_the_page_and_highlights_stay_on_their_words():
    text = f"Decides {RLO}to convene{PDF} a group{ZWSP} of experts"
    out = highlighted(text, [[text.index("group"), text.index("group") + 5]])
    assert RLO not in out and PDF not in out
    assert "<mark>group</mark>" in out and ZWSP in out, "zero-width characters stay where they were"
    html = card_html(make_hit(text=text, citation=f"A/RES/1/1{RLO}, OP 1", title=f"T{RLO}"), [])
    assert RLO not in html and "A/RES/1/1, OP 1" in html
    assert RLO not in md_plain(f"query {RLO}x") and ZWJ in esc(f"ب{ZWJ}ت")


def test_parallel_passages_are_linked_with_their_language_and_escaped():
    rows = [{"language": "fr", "citation": "A/RES/1/1, OP 1", "text": "Décide <b>de</b> convoquer"},
            {"language": "ar", "citation": "A/RES/1/1, OP 1", "text": ARABIC}]
    html = card_html(make_hit(), [], parallels=rows)
    assert "In French, Arabic" in html
    assert "&lt;b&gt;de&lt;/b&gt;" in html and "<b>de</b>" not in html
    assert '<div class="nb-ctx-text" lang="ar" dir="auto">' in parallels_html(rows)
    assert "In French" not in card_html(make_hit(), []), "no panel when the document is in one language"


def test_my_language_only_keeps_the_questions_language():
    f = Filters(bodies=("UNGA",))
    assert scoped(f, MY_LANGUAGE, "¿Qué resolución creó el grupo de trabajo de composición abierta?") == \
        Filters(bodies=("UNGA",), languages=("es",))
    assert scoped(f, MY_LANGUAGE, "какая резолюция учредила рабочую группу открытого состава").languages == ("ru",)
    assert scoped(f, ANY_LANGUAGE, "¿Qué resolución creó el grupo?") == f


def test_what_the_question_was_also_searched_as_is_named_by_language_and_escaped():
    line = also_searched_line({"en": "decides to convene", "fr": "Décide de *convoquer*"})
    assert "English “decides to convene”" in line and "French “Décide de \\*convoquer\\*”" in line, line
    assert also_searched_line({}) == ""
    assert RLO not in also_searched_line({"en": f"a{RLO}b"})
