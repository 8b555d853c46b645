"""Rendering: document text and metadata reach the page only escaped (ui/cards.py's HTML helpers).

app.py and each page file (ui/pages/) keep their page code behind `if __name__ == "__main__"`, so
importing them runs no Streamlit page; that is checked first, from the source, so that a change
which makes an import run page code fails here with a clear message instead of starting the app
inside the test run.
The browser test (tests/test_app_browser.py) and tests/test_app.py cover fixed payloads; these
are properties over random text, spans and fields.
"""
from __future__ import annotations

import ast
import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.records import AlsoIn, Hit
from tests.reliability.helpers import ROOT

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg/onload=alert(1)>",
            "javascript:alert(1)", "</mark><script>", "&lt;script&gt;", "<!--", "]]>", "'", '"', "&", "<", ">"]
HOSTILE_TEXT = st.lists(st.sampled_from(PAYLOADS) | st.text(max_size=8), max_size=12).map("".join)
SAFE_TAGS = {"mark", "h3", "span", "p", "blockquote", "div", "ol", "ul", "li", "em", "strong", "b", "i", "small",
             "br", "code", "article", "details", "summary", "pre", "button", "a", "ins", "del", "h1", "h2", "section"}
# Attributes the cards may carry; none can run code, and an href must be a web link (checked below).
SAFE_ATTRS = {"class", "title", "href", "target", "type", "role", "aria-hidden", "aria-label", "dir", "lang"}
TAG_RE = re.compile(r"<(/?)([a-zA-Z0-9]+)((?:\s+[a-z-]+=\"[^\"<>]*\")*)\s*/?>")
ATTR_RE = re.compile(r"([a-z-]+)=\"([^\"<>]*)\"")


def assert_import_runs_no_page_code(path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If):
            assert "__name__" in ast.unparse(node.test), f"top-level `if` at line {node.lineno} runs on import"
        elif isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
            pytest.fail(f"{path.name} line {node.lineno} runs `{ast.unparse(node)[:60]}` on import")


def test_importing_app_runs_no_page_code():
    assert_import_runs_no_page_code(ROOT / "app.py")


def test_importing_a_page_runs_no_page_code():
    """Streamlit runs ui/pages/*.py as scripts; tests import them for their helpers, which must run nothing."""
    pages = sorted((ROOT / "ui" / "pages").glob("*.py"))
    assert {"search.py", "documents.py", "compare.py"} <= {p.name for p in pages}
    for path in pages:
        assert_import_runs_no_page_code(path)


@pytest.fixture(scope="module")
def app():
    """The card helpers (they lived in app.py before the pages moved to ui/)."""
    import ui.cards as module

    return module


def only_safe_tags(out: str) -> None:
    """Every `<` in the output opens one of a few plain tags with inert attributes; no attribute can run code."""
    rest = TAG_RE.sub("", out)
    assert "<" not in rest and ">" not in rest, rest[:200]
    for closing, name, attrs in TAG_RE.findall(out):
        assert name.lower() in SAFE_TAGS, name
        for attr, value in ATTR_RE.findall(attrs):
            assert attr in SAFE_ATTRS, attr
            assert attr != "href" or re.match(r"https?://", value), value


@settings(max_examples=300, deadline=None)
@given(text=HOSTILE_TEXT, spans=st.lists(st.tuples(st.integers(-5, 200), st.integers(-5, 200)), max_size=6))
def test_highlighted_escapes_everything_but_its_marks(app, text, spans):
    out = app.highlighted(text, [list(s) for s in spans])
    only_safe_tags(out)
    assert {name for _, name, _ in TAG_RE.findall(out)} <= {"mark"}
    assert html.unescape(re.sub(r"</?mark>", "", out)) == text, "the verbatim text, nothing added or lost"
    assert re.sub(r"</?mark>", "", out) == html.escape(text, quote=True)
    depth = 0
    for closing, _, _ in TAG_RE.findall(out):
        depth += -1 if closing else 1
        assert depth in (0, 1), "marks are never nested"
    assert depth == 0


def test_highlighted_script_and_onerror_payloads(app):
    text = "1. Notes <script>alert(document.cookie)</script> and <img src=x onerror=alert(1)> in full."
    for spans in ([[0, 30], [35, 70]], [[9, 49]], [[54, 84]], []):
        out = app.highlighted(text, spans)
        assert "<script" not in out and "<img" not in out, out
        plain = re.sub(r"</?mark>", "", out)
        assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in plain
        assert "&lt;img src=x onerror=alert(1)&gt;" in plain  # the attribute survives only as inert text


FIELD = HOSTILE_TEXT.filter(lambda s: s.strip() != "")


@settings(max_examples=150, deadline=None)
@given(text=FIELD, title=FIELD, citation=FIELD, body=FIELD, delegation=HOSTILE_TEXT, language=HOSTILE_TEXT,
       symbol=HOSTILE_TEXT, other=FIELD)
def test_cards_context_and_also_in_escape_every_field(app, text, title, citation, body, delegation, language,
                                                       symbol, other):
    context = [{"ordinal": 0, "citation": citation, "text": text}, {"ordinal": 1, "citation": other, "text": title}]
    for url in ("javascript:alert(1)", f"https://example.org/{other}"):  # no link, then a link with hostile text
        hit = Hit(rank=1, score=0.5, doc_id="d", symbol=symbol, title=title, body=body, date="2020-01-02",
                  type="resolution", language=language, label="OP 1", page=2, citation=citation, url=url, text=text,
                  delegation=delegation, highlights=[[0, max(1, len(text) // 2)]],
                  also_in=[AlsoIn("S", "OP 2", other, date="2019-01-01")])
        for out in (app.card_html(hit, context), app.also_in_html(hit), app.context_html(context, 0)):
            only_safe_tags(out)  # an href, if any, is a web link
        assert ("<a " in app.card_html(hit, context)) == url.startswith("https:"), "a javascript: URL is no link"
    assert html.escape(citation, quote=True) in app.card_html(hit, context)


@settings(max_examples=150, deadline=None)
@given(old=HOSTILE_TEXT, new=HOSTILE_TEXT, third=HOSTILE_TEXT, citation=FIELD, date=HOSTILE_TEXT, other=FIELD)
def test_lineage_timeline_and_compare_rows_escape_every_diff_fragment(old, new, third, citation, date, other):
    """The Lineage panel (ui/lineage.py) and the Compare page (index.compare_render.to_html, shown as is):
    every diff fragment is document text, and shows only as text."""
    from index.compare import DocumentRef, Paragraph, compare_paragraphs
    from index.compare_render import to_html
    from index.lineage import Lineage, PassageRef, Version, chain
    from ui.lineage import lineage_html

    refs = [PassageRef(i, f"d{i}", other, "PP 1", f"{2000 + i}{date}", citation, text, "en",
                       f"https://example.org/{other}" if i else "javascript:alert(1)")
            for i, text in enumerate((old, new, third))]
    versions = [Version(refs[0], "self", ()), Version(refs[1], "changed", ()),
                Version(refs[2], "changed", (), only_sentence=True, shared=(third,))]
    out = lineage_html(Lineage(refs[0], chain(versions)))
    only_safe_tags(out)
    assert "<script" not in out
    doc = DocumentRef("d", other, citation, date, "en")
    rows = to_html(compare_paragraphs(doc, doc, [Paragraph("PP 1", old or "x", (1,)), Paragraph(other, third, (2,))],
                                      [Paragraph("PP 1", new or "y", (3,))]))
    only_safe_tags(rows)
    assert "<script" not in rows
