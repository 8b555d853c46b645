"""ui/lists.py: the Whole list panel, escaped, the result marked; ui/cards.py shows it only for list items."""
from __future__ import annotations

from index.lists import list_around
from tests.index.index_helpers import make_hit
from ui.cards import card_html
from ui.escape import esc
from ui.lists import whole_list_html

EVIL = "<script>alert(1)</script>"


def test_the_panel_escapes_every_text_and_marks_the_result():
    lead = f"Measures {EVIL}:"
    rows = [dict(id=1, ordinal=0, citation=f"c0 {EVIL}", text=lead, context=""),
            dict(id=2, ordinal=1, citation="c1", text=f"(a) one {EVIL}", context=lead),
            dict(id=3, ordinal=2, citation="c2", text="(b) two", context=lead)]
    out = whole_list_html(list_around(rows, 2))
    assert "<script" not in out and esc(EVIL) in out
    assert out.count("<li") == 2 and out.count("(this result)") == 1
    assert out.index("c1") < out.index("c2 <em>(this result)</em>")
    assert whole_list_html(None) == ""


def test_the_card_offers_the_whole_list_only_when_there_is_one():
    hit = make_hit(text="(b) two")
    assert "Whole list" not in card_html(hit, [])
    assert "Whole list" in card_html(hit, [], "<ol><li>x</li></ol>")
