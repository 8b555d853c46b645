"""ui/lineage.py: a card's Lineage timeline as HTML, from the engine's records (fixed payloads).

tests/test_app.py opens the panel in the app; tests/reliability/test_rendering.py checks the HTML
with random hostile text.
"""
from __future__ import annotations

import re

from index.align import word_diff
from index.lineage import Lineage, PassageRef, Version, chain
from ui.constants import FIRST_CLASS, ONLY_SENTENCE, VERSION_CLASS
from ui.escape import esc
from ui.lineage import lineage_html

PAYLOAD = "<script>alert(1)</script>"


def ref(pid: int, symbol: str, date: str, text: str, url: str = "https://undocs.org/X") -> PassageRef:
    return PassageRef(pid, symbol.lower(), symbol, "PP 3", date, f"{symbol}, PP 3 ({date})", text, "en", url)


def series() -> Lineage:
    old = ref(1, "A/RES/1/1", "2018-12-05", "Stressing that it is in the interest of all States to act,")
    new = ref(2, "A/RES/2/2", "2020-12-31", f"Stressing that it is in the interest of all States {PAYLOAD} to act,",
              url="javascript:alert(1)")
    reused = ref(3, "A/RES/3/3", "2022-01-01", "Recalling the interest of all States. A sentence more here.")
    found = [Version(new, "self", ()), Version(old, "same", ()),
             Version(reused, "changed", (), only_sentence=True, shared=("Recalling the interest of all States.",))]
    return Lineage(new, chain(found))


def test_timeline_oldest_first_first_highlighted_each_linked_and_diffed():
    out = lineage_html(series())
    items = re.findall(rf'<li class="{VERSION_CLASS}( {FIRST_CLASS})?">.*?</li>', out, re.S)
    assert items == [f" {FIRST_CLASS}", "", ""], "three versions, the first highlighted"
    assert out.index("A/RES/1/1") < out.index("A/RES/2/2") < out.index("A/RES/3/3"), "oldest first"
    assert "first appearance" in out and "this result" in out and ONLY_SENTENCE in out
    assert '<a href="https://undocs.org/X" target="_blank"' in out and "javascript:" not in out, "web links only"
    assert esc(PAYLOAD) in out
    assert "<script" not in out, "a diff fragment is document text: escaped"
    assert "The sentence in common:" in out and "<li>Recalling the interest of all States.</li>" in out


def test_the_second_version_shows_its_edit_against_the_first():
    lin = series()
    out = lineage_html(lin)
    second = re.findall(rf'<li class="{VERSION_CLASS}">.*?</li>', out, re.S)[0]
    diff = word_diff(lin.versions[0].passage.text, lin.versions[1].passage.text)
    assert [d.op for d in diff if d.op != "equal"] == ["insert"]
    assert "<ins>" in second and "<del>" not in second


def test_a_passage_without_other_versions_says_so():
    alone = ref(1, "A/RES/1/1", "2018-12-05", "Only here.")
    assert "No other version" in lineage_html(Lineage(alone, chain([Version(alone, "self", ())])))
