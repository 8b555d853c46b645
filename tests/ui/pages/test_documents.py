"""ui/pages/documents.py's catalogue table, on its own (the page itself: tests/test_app.py)."""
from __future__ import annotations

from ui.pages.documents import catalogue_rows


def test_catalogue_rows_status():
    from ingest.records import SourceEntry

    entries = [SourceEntry("a", "Doc A", "UNGA", "2018-01-01", "resolution", symbol="A/1", url="https://x.org/a",
                           file="a.txt"),
               SourceEntry("b", "Doc B", "OSCE", "2016-01-01", "decision", file="b.txt"),
               SourceEntry("c", "Doc C", "OSCE", "2017-01-01", "decision", file="c.pdf", url="javascript:x")]
    indexed = [{"doc_id": "a", "symbol": "A/1", "title": "Doc A", "body": "UNGA", "date": "2018-01-01",
                "type": "resolution", "passages": 7, "url": "https://x.org/a", "catalogued": 1},
               {"doc_id": "z", "symbol": "", "title": "Own note", "body": "other", "date": "2024-01-01",
                "type": "outcome", "passages": 2, "url": "", "catalogued": 0}]
    rows = catalogue_rows(entries, indexed, [{"path": "/c/c.pdf", "reason": "PDF has no text layer"}])
    assert [(r["document"], r["status"], r["passages"], r["link"]) for r in rows] == [
        ("A/1", "indexed", 7, "https://x.org/a"),
        ("Doc B", "not available locally", 0, None),
        ("Doc C", "skipped: PDF has no text layer", 0, None),
        ("Own note", "indexed (uncatalogued)", 2, None)]
