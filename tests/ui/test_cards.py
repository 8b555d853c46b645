"""ui/cards.py: a result card's HTML, with every document field escaped (fixed payloads).

tests/reliability/test_rendering.py checks the same functions with random hostile text.
"""
from __future__ import annotations

import re

from ingest.records import AlsoIn
from tests.index.index_helpers import make_hit
from ui.cards import also_in_html, card_html, context_html, highlighted
from ui.escape import esc

PAYLOAD = "<script>alert(1)</script>"
IMG_PAYLOAD = "<img src=x onerror=alert(1)>"


def test_highlight_escapes_and_survives_odd_spans():
    text = f"Intro {PAYLOAD} middle {IMG_PAYLOAD} end & more"
    for spans in ([], [[0, 5]], [[6, 20]], [[3, 30], [10, 40]], [[50, 10]], [[0, 10_000]], [[-5, 3]]):
        out = highlighted(text, spans)
        assert "<script" not in out and "<img" not in out
        assert re.sub(r"</?mark>", "", out) == esc(text), spans
        assert out.count("<mark>") == out.count("</mark>") <= len(spans)


def test_card_html_escapes_every_document_field():
    evil = f"{PAYLOAD}{IMG_PAYLOAD}\"'><b>"
    hit = make_hit(text=f"1. Text {evil}", title=f"Title {evil}", citation=f"Cite {evil}", body=f"Body {evil}",
                   delegation=f"Delegation {evil}", language=evil, highlights=[[0, 8]])
    hit.also_in = [AlsoIn("S", "L", f"Other {evil}", date="2019-01-01")]
    for out in (card_html(hit, [{"ordinal": 0, "citation": evil, "text": evil}]), also_in_html(hit),
                context_html([{"ordinal": 0, "citation": evil, "text": evil}], 0)):
        assert "<script" not in out and "<img" not in out and "<b>" not in out
        assert esc(PAYLOAD) in out


def test_also_in_html_is_oldest_first_with_this_result_marked():
    hit = make_hit(date="2021-05-01", citation="B, OP 2 (1 May 2021)",
                   also_in=[AlsoIn("C", "OP 3", "C, OP 3 (2023)", date="2023-01-01"),
                            AlsoIn("A", "OP 1", "A, OP 1 (2015)", date="2015-01-01")])
    items = re.findall(r"<li>(.*?)</li>", also_in_html(hit))
    assert items == ["A, OP 1 (2015)", "B, OP 2 (1 May 2021) <em>(this result)</em>", "C, OP 3 (2023)"]
