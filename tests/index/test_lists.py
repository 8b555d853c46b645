"""index/lists.py rebuilds a list from a document's rows as the index stores them. Pure."""
from __future__ import annotations

from index.lists import list_around

LEAD = "Preventive measures may include:"


def rows():
    texts = [("art. 53 (2)", "2. Each State Party shall take measures.", ""),
             ("art. 53 (3)", "3. " + LEAD, ""),
             ("art. 53 (3) (a)", "(a) Strengthening cooperation;", LEAD),
             ("art. 53 (3) (b)", "(b) Promoting public awareness;", LEAD),
             ("art. 53 (3) (c)", "(c) Building capacity.", LEAD),
             ("art. 54 (1)", "1. States Parties shall cooperate.", "")]
    return [dict(id=100 + n, ordinal=n, citation=c, text=t, context=x) for n, (c, t, x) in enumerate(texts)]


def test_an_item_brings_its_lead_in_and_every_item_in_order_with_itself_marked():
    w = list_around(rows(), 3)
    assert w.lead_in.citation == "art. 53 (3)" and not w.lead_in.current, "the numbered lead-in is found"
    assert [r.citation for r in w.items] == ["art. 53 (3) (a)", "art. 53 (3) (b)", "art. 53 (3) (c)"]
    assert [r.current for r in w.items] == [False, True, False] and w.items[1].passage_id == 103


def test_the_lead_in_itself_brings_its_items():
    w = list_around(rows(), 1)
    assert w.lead_in.current and len(w) == 3


def test_a_paragraph_in_no_list_and_a_lone_item_have_no_list():
    assert list_around(rows(), 0) is None and list_around(rows(), 5) is None
    lone = rows()[:3] + rows()[5:]
    assert list_around(lone, 2) is None, "one item is not a list"
    assert list_around(rows(), 99) is None


def test_without_a_lead_in_passage_the_items_still_form_the_list():
    w = list_around(rows()[2:], 2)
    assert w.lead_in is None and len(w) == 3
