"""ui/pages/compare.py's helpers, on their own (the page itself: tests/test_app.py)."""
from __future__ import annotations

from index.compare import DocumentRef, Paragraph, compare_paragraphs
from ui.pages.compare import document_options, file_stem


def test_document_options_oldest_first_keyed_by_symbol_or_id():
    docs = [{"doc_id": "b", "symbol": "A/RES/76/19", "title": "Developments", "date": "2021-12-06"},
            {"doc_id": "own-note", "symbol": "", "title": "Own note", "date": "2024-01-01"},
            {"doc_id": "a", "symbol": "A/RES/75/32", "title": "Developments", "date": "2020-12-07"}]
    assert document_options(docs) == {"A/RES/75/32": "2020-12-07 · Developments",
                                      "A/RES/76/19": "2021-12-06 · Developments",
                                      "own-note": "2024-01-01 · Own note"}


def test_file_stem_is_safe_for_a_file_name():
    a = DocumentRef("a", "A/RES/75/32", "T", "2020", "en")
    b = DocumentRef("b", "", "../../etc <x>", "2021", "en")
    stem = file_stem(compare_paragraphs(a, b, [Paragraph("PP 1", "x", (1,))], [Paragraph("PP 1", "x", (2,))]))
    assert stem == "normbase-compare-A-RES-75-32-etc-x"
