"""index/export.py: the Markdown note, the CSV sheet and the pasted quote made of search results.

Pure functions over made-up hits (no model, no index). The app's export buttons are tested in
tests/test_app.py and the CLI's `--format md|csv` in tests/index/test_cli.py; both call these.
"""
from __future__ import annotations

import csv
import io

import pytest

from index import Answer, Filters
from index import export
from index.records import AlsoIn
from ingest.records import Footnote
from tests.index.index_helpers import make_hit

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("url,ok", [
    ("https://undocs.org/A/RES/73/27", True), ("http://example.org/x", True),
    ("javascript:alert(1)", False), (" JavaScript:alert(1)", False), ("data:text/html,<script>", False),
    ("//evil.example/x", False), ("https://", False), ("", False), ("vbscript:msgbox", False),
])
def test_safe_url_allows_only_web_links(url, ok):
    assert export.safe_url(url) == (url.strip() if ok else "")


def test_export_markdown_quotes_every_line_and_drops_unsafe_links():
    hit = make_hit(text="Chapeau:\n(a) first;\n\n(b) second.", url="javascript:alert(1)",
                   also_in=[AlsoIn("X", "OP 1", "X, OP 1 (2019)")])
    md = export.to_markdown(Answer("q", [hit]), Filters(bodies=("UNGA",), year_from=2019))
    assert "> Chapeau:\n> (a) first;\n>\n> (b) second.\n>\n> — A/RES/1/1, OP 1, p. 2 (2 January 2020)\n" in md
    assert "javascript" not in md
    assert "Filters: body: UNGA; years 2019–…" in md and "Also in: X, OP 1 (2019)" in md


def test_export_csv_is_verbatim_but_never_a_formula():
    hits = [make_hit(text="=HYPERLINK(\"http://evil\",\"x\")"),
            make_hit(rank=2, text="A plain, \"quoted\" text\nover lines")]
    rows = list(csv.reader(io.StringIO(export.to_csv(hits))))
    assert rows[0] == export.CSV_COLUMNS
    assert rows[1][export.CSV_COLUMNS.index("text")] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows[2][export.CSV_COLUMNS.index("text")] == "A plain, \"quoted\" text\nover lines"
    assert rows[1][export.CSV_COLUMNS.index("page")] == "2"


def test_markdown_without_filters_or_hits_is_the_heading_alone():
    assert export.to_markdown(Answer("supply chain", [])) == "# normbase: supply chain\n"
    md = export.to_markdown(Answer("supply chain", [make_hit()]))
    assert "Filters:" not in md
    assert md == ("# normbase: supply chain\n\n> 1. Calls upon States to cooperate.\n>\n"
                  "> — A/RES/1/1, OP 1, p. 2 (2 January 2020) <https://undocs.org/A/RES/1/1>\n")


def test_markdown_says_what_the_question_was_also_searched_as():
    md = export.to_markdown(Answer("¿quién creó el grupo?", [make_hit()], also_searched={"en": "decides to convene"}))
    assert md.startswith("# normbase: ¿quién creó el grupo?\n\nAlso searched as: English “decides to convene”\n\n> 1.")


def test_markdown_keeps_the_order_and_every_citation():
    hits = [make_hit(rank=i, citation=f"A/RES/{i}/1, OP 1", text=f"{i}. Text {i}.") for i in (1, 2, 3)]
    md = export.to_markdown(Answer("q", hits))
    assert [line for line in md.splitlines() if line.startswith("> — ")] == \
        [f"> — A/RES/{i}/1, OP 1 <https://undocs.org/A/RES/1/1>" for i in (1, 2, 3)]


def test_describe_filters_names_every_filter_in_words():
    f = Filters(bodies=("UNGA", "OSCE"), documents=("A/RES/73/27",), types=("resolution",),
                languages=("fr", "xx"), year_from=None, year_to=2019)
    assert export.describe_filters(f) == ("body: UNGA, OSCE; document: A/RES/73/27; type: resolution; "
                                          "language: French, xx; years …–2019")
    assert export.describe_filters(Filters()) == ""


def test_quote_with_citation_adds_only_a_web_link():
    assert export.quote_with_citation(make_hit()) == \
        "“1. Calls upon States to cooperate.”\n— A/RES/1/1, OP 1, p. 2 (2 January 2020) https://undocs.org/A/RES/1/1"
    assert export.quote_with_citation(make_hit(url="javascript:alert(1)")) == \
        "“1. Calls upon States to cooperate.”\n— A/RES/1/1, OP 1, p. 2 (2 January 2020)"


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
def test_no_csv_cell_starts_a_formula(start):
    hit = make_hit(citation=f"{start}cmd|' /C calc'!A0", symbol=f"{start}1+1", text=f"{start}SUM(A1:A9)",
                   also_in=[AlsoIn("S", "L", f"{start}x")])
    [_, row] = list(csv.reader(io.StringIO(export.to_csv([hit]))))
    for column in ("citation", "symbol", "text", "also_in"):
        cell = row[export.CSV_COLUMNS.index(column)]
        assert cell.startswith("'" + start), (column, cell)


def test_csv_rows_hold_every_column_and_drop_unsafe_links():
    hits = [make_hit(also_in=[AlsoIn("B", "OP 2", "B, OP 2 (2019)"), AlsoIn("C", "OP 3", "C, OP 3 (2021)")],
                     footnotes=[Footnote("1", "See A/77/275.", 20), Footnote("2", "A/78/76.", 30)]),
            make_hit(rank=2, url="javascript:alert(1)", page=None)]
    rows = list(csv.DictReader(io.StringIO(export.to_csv(hits))))
    assert rows[0] == {"rank": "1", "citation": "A/RES/1/1, OP 1, p. 2 (2 January 2020)", "symbol": "A/RES/1/1",
                       "label": "OP 1", "page": "2", "date": "2020-01-02", "body": "UNGA",
                       "url": "https://undocs.org/A/RES/1/1", "text": "1. Calls upon States to cooperate.",
                       "also_in": "B, OP 2 (2019); C, OP 3 (2021)", "footnotes": "1 See A/77/275. | 2 A/78/76."}
    assert rows[1]["url"] == "" and rows[1]["page"] == "" and rows[1]["rank"] == "2" and rows[1]["footnotes"] == ""
    assert export.to_csv([]) == ",".join(export.CSV_COLUMNS) + "\r\n"


def test_markdown_gives_the_footnotes_a_passage_cites_apart_from_its_quote():
    hit = make_hit(text="by the 2010, 2013 and 2015 reports", footnotes=[Footnote("1", "A/65/201.", 11)])
    md = export.to_markdown(Answer("reports", hits=[hit]))
    assert "> by the 2010, 2013 and 2015 reports" in md and "[^1]: A/65/201." in md
