"""The Streamlit app (app.py and its pages in ui/pages/), driven by streamlit.testing.v1.AppTest.

Search tests run over the session index of the shared mirror (`mirror_index`,
read only). Upload and rebuild tests get a private index over the synthetic
documents in tests/fixtures/app (written for these tests; no mirror text).

The app loads its model through the backend registry (index/backends); the autouse
fixture `one_model` registers the session's `embedder` there, so the model is loaded once.

AppTest in Streamlit 1.67 drives st.file_uploader directly
(`at.file_uploader[0].set_value((name, bytes, mime))`), so uploads go through
the real widget; `ui.upload.check_uploaded(bytes, filename, settings)`, the function
behind it, is also tested on its own for the many kinds of bad file (tests/ui/test_upload.py).
The pages' pure helpers are tested in tests/ui/ and tests/index/test_export.py.
"""
from __future__ import annotations

import csv
import html
import io
import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from index import Filters, Searcher, backends
from index.build import build
from index.export import CSV_COLUMNS
from index.manifest import current_version
from ingest import loaders
from ingest.settings import Settings
from tests.conftest import small_settings
from index.compare_render import to_markdown
from tests.index.lineage_corpus import series  # noqa: F401  (the fixture: an invented resolution series)
from ui.assets import COPY_SCRIPT
from ui.cards import highlighted
from ui.constants import (COMPARE_A_LABEL, COMPARE_B_LABEL, FIRST_CLASS, LINEAGE_CLASS, LINEAGE_LABEL, ONLY_SENTENCE,
                          VERSION_CLASS)
from ui.escape import esc
from ui.pages.search import EXAMPLES

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
FIXTURES = ROOT / "tests" / "fixtures" / "app"
TIMEOUT = 180  # seconds per AppTest run: a loaded machine, and builds in the upload tests
DOCUMENTS_PAGE = ROOT / "ui" / "pages" / "documents.py"
COMPARE_PAGE = ROOT / "ui" / "pages" / "compare.py"
EMERGENCY = "not harm emergency response teams"
PAYLOAD = "<script>alert(1)</script>"
IMG_PAYLOAD = "<img src=x onerror=alert(1)>"


# -- fixtures and helpers -----------------------------------------------------

@pytest.fixture(autouse=True)
def one_model(embedder):
    """The app's st.cache_resource model loader gets the session model instead of loading a second copy."""
    name = Settings().embedder
    real = backends.register_embedder(
        name, lambda model, settings: embedder if model == embedder.name else real(model, settings))
    yield
    backends.register_embedder(name, real)


def use_settings(monkeypatch, settings: Settings, **env: str) -> None:
    """Point the app (which reads NORMBASE_* on every run) at these settings."""
    for var in [v for v in os.environ if v.startswith("NORMBASE_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("NORMBASE_CORPUS", os.pathsep.join(str(c) for c in settings.corpus))
    monkeypatch.setenv("NORMBASE_INDEX", str(settings.index))
    monkeypatch.setenv("NORMBASE_SOURCES", str(settings.sources))
    monkeypatch.setenv("NORMBASE_UPLOAD_DIR", str(settings.upload_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def mirror_app(monkeypatch, tmp_path, mirror_index) -> Settings:
    """The app over the shared mirror index; uploads would go to a private folder (and are off)."""
    settings = replace(mirror_index, upload_dir=tmp_path / "uploads")
    use_settings(monkeypatch, settings)
    return settings


@pytest.fixture
def writable(monkeypatch, tmp_path, embedder) -> Settings:
    """A private index over the synthetic fixtures plus an (empty) upload folder that is a corpus folder."""
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", corpus)
    shutil.copy(FIXTURES / "payload-note.txt", corpus)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    settings = replace(small_settings(tmp_path, corpus, upload_dir=uploads), corpus=(corpus, uploads))
    build(settings, embedder=embedder)
    use_settings(monkeypatch, settings)
    return settings


def run_app(path: Path = APP, **params) -> AppTest:
    """The app (or one page file) opened with these URL query parameters."""
    at = AppTest.from_file(str(path), default_timeout=TIMEOUT)
    at.query_params.update(params)
    return at.run()


@pytest.fixture
def series_app(monkeypatch, series):
    """The app over the invented harbour-radar series (tests/index/lineage_corpus.py): edits, splits, French."""
    settings, searcher = series
    use_settings(monkeypatch, settings)
    return searcher


def compare_page(**params) -> AppTest:
    return run_app(COMPARE_PAGE, **params)


def compare_rows(at: AppTest) -> list[str]:
    """The status of each aligned row shown, in order."""
    return [st for h in at.html for st in re.findall(r'<section class="compare-row compare-(\w+)">', h.value)]


def page_html(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html)


def documents_page() -> AppTest:
    return AppTest.from_file(str(DOCUMENTS_PAGE), default_timeout=TIMEOUT).run()


def search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="q").input(query)
    at.button[0].click()  # the form's Search button comes first
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def cards(at: AppTest) -> list[str]:
    """The HTML of each result card (citation line, title, passage, actions), in order."""
    return [c for h in at.html for c in re.findall(r'<article class="nb-card">.*?</article>', h.value, re.S)]


def links(card_html: str) -> list[str]:
    return [html.unescape(u) for u in re.findall(r'<a class="nb-btn" href="([^"]*)"', card_html)]


def copy_text(card_html: str) -> str:
    """What the card's Copy citation panel shows and its button copies."""
    return html.unescape(re.search(r'<pre class="nb-quote">(.*?)</pre>', card_html, re.S).group(1))


def card_citation(card_html: str) -> str:
    return re.search(r'<h3 class="nb-cite">(.*?)<span', card_html).group(1)


def unescape_md(text: str) -> str:
    """What Markdown shows for ui.escape.md_plain() text."""
    return re.sub(r"\\(.)", r"\1", text)


def texts(elements) -> list[str]:
    return [unescape_md(e.value) for e in elements]


def index_state(settings: Settings) -> tuple[str, list[str]]:
    """The live version and every version folder: equal before and after means the index is unchanged."""
    return current_version(settings.index).name, sorted(p.name for p in settings.index.iterdir())


# -- search page ----------------------------------------------------------------

def test_search_with_filters_renders_cited_card(mirror_app, mirror_searcher):
    at = run_app()
    no_exception(at)
    assert not cards(at), "no query, no results"
    at.multiselect(key="body").set_value(["UNGA"])
    at.slider(key="years").set_value((2018, 2019))
    at = search(at, EMERGENCY)
    no_exception(at)

    found = cards(at)
    assert found
    first = found[0]
    assert card_citation(first) == "A/RES/73/27, OP 1.12, p. 4 (5 December 2018)"
    assert '<span class="nb-body"> · UNGA</span>' in first
    assert "<mark>" in first, "the best sentence is highlighted"
    expected = mirror_searcher.search(EMERGENCY, 1, Filters(bodies=("UNGA",), year_to=2019))[0]
    assert highlighted(expected.text, expected.highlights) in first, "the passage is shown verbatim"
    for html_ in found:  # every card respects the filters
        assert "· UNGA</span>" in html_
        assert re.search(r"\b(2018|2019)\)$", card_citation(html_)), card_citation(html_)

    assert links(first) == ["https://undocs.org/A/RES/73/27"]
    assert copy_text(first) == f"“{expected.text}”\n— {expected.citation} https://undocs.org/A/RES/73/27"
    context = re.search(r"<summary[^>]*>.*?Context</summary>(.*?)</details>", first, re.S).group(1)
    shown = re.findall(r'<div class="nb-ctx-cite">A/RES/73/27, (OP [\d.]+),.*?\)( \(this result\))?</div>', context)
    assert shown == [("OP 1.10", ""), ("OP 1.11", ""), ("OP 1.12", " (this result)"), ("OP 1.13", ""),
                     ("OP 2", "")], shown
    assert texts(at.markdown)[0].startswith(f"**{len(found)} passages** for “{EMERGENCY}”")


def test_same_language_elsewhere_is_listed_oldest_first(mirror_app, mirror_searcher):
    hits = mirror_searcher.search("norms, rules and principles of responsible behaviour of States", 10)
    hit = next((h for h in hits if h.also_in), None)
    if hit is None:
        pytest.skip("no repeated wording for this query in the mirror")
    at = run_app(q="norms, rules and principles of responsible behaviour of States")
    no_exception(at)
    lists = [c for c in cards(at) if 'class="nb-also"' in c]
    assert lists
    assert f"Same language elsewhere ({len(hit.also_in)})" in lists[0]
    items = re.findall(r"<li>(.*?)</li>", lists[0])
    years = [int(y) for y in (re.search(r"(\d{4})\)", i).group(1) for i in items if re.search(r"\d{4}\)", i))]
    assert years == sorted(years), items
    assert any("(this result)" in i for i in items)


def test_empty_state_says_nothing_found_and_offers_to_drop_filters(mirror_app):
    at = run_app(q="banana smoothie recipe with oat milk", body="UNGA")
    no_exception(at)
    assert not cards(at), "no low-score noise"
    assert not at.get("download_button")
    assert "exports" not in at.session_state
    assert [s.value for s in at.subheader] == ["Nothing relevant found"]
    shown = " ".join(texts(at.markdown))
    assert "banana smoothie recipe with oat milk" in shown and "with these filters (body: UNGA)" in shown
    assert "remove some filters" in shown
    assert not at.warning, "the empty state is said once, not twice"

    retry = [b for b in at.button if b.label == "Search again without filters"]
    assert retry
    retry[0].click()
    at.run()
    no_exception(at)
    assert at.multiselect(key="body").value == []
    assert [s.value for s in at.subheader] == ["Nothing relevant found"]
    assert "remove some filters" not in " ".join(texts(at.markdown))


def test_unusable_query_is_explained_not_treated_as_empty(mirror_app):
    at = run_app(q="!!! ???")
    no_exception(at)
    assert not cards(at)
    assert not at.subheader
    assert any("no words" in w for w in texts(at.warning))


def test_query_parameters_restore_a_search(mirror_app):
    at = run_app(q=EMERGENCY, body=["UNGA", "no such body"], doc="A/RES/73/27", years=["2018", "2018"], k="3")
    no_exception(at)
    assert at.text_input(key="q").value == EMERGENCY
    assert at.multiselect(key="body").value == ["UNGA"], "unknown values in the URL are ignored"
    assert at.multiselect(key="doc").value == ["A/RES/73/27"]
    assert at.slider(key="years").value == (2018, 2018)
    assert at.number_input(key="k").value == 3
    found = cards(at)
    assert 1 <= len(found) <= 3
    assert card_citation(found[0]) == "A/RES/73/27, OP 1.12, p. 4 (5 December 2018)"
    assert all(card_citation(c).startswith("A/RES/73/27,") for c in found)


def test_examples_fill_the_search_box(mirror_app):
    at = run_app()
    example = [b for b in at.button if b.label == EXAMPLES[1]][0]
    example.click()
    at.run()
    no_exception(at)
    assert at.text_input(key="q").value == EXAMPLES[1]
    assert cards(at)


def test_export_markdown_and_csv_hold_the_results(mirror_app):
    at = run_app(q=EMERGENCY, body="UNGA", k="5")
    no_exception(at)
    assert [b.label for b in at.get("download_button")] == ["Export Markdown", "Export CSV"]
    found = cards(at)
    exports = at.session_state["exports"]

    md = exports["markdown"]
    assert md.startswith(f"# normbase: {EMERGENCY}\n\nFilters: body: UNGA\n")
    assert "> — A/RES/73/27, OP 1.12, p. 4 (5 December 2018) <https://undocs.org/A/RES/73/27>" in md
    assert md.count("\n> — ") == len(found)
    assert "> 1.12. States should not conduct or knowingly support activity to harm" in md

    rows = list(csv.DictReader(io.StringIO(exports["csv"])))
    assert list(rows[0]) == CSV_COLUMNS
    assert [r["citation"] for r in rows] == [card_citation(c) for c in found]
    first = rows[0]
    assert (first["rank"], first["symbol"], first["label"], first["page"], first["date"], first["body"]) == \
        ("1", "A/RES/73/27", "OP 1.12", "4", "2018-12-05", "UNGA")
    assert first["url"] == "https://undocs.org/A/RES/73/27"
    assert first["text"].startswith("1.12. States should not conduct or knowingly support activity")


def test_untrusted_document_text_is_shown_as_text(writable):
    at = run_app(q="quotable paragraph markup escaping drill plain text")
    no_exception(at)
    found = cards(at)
    assert found and "para. 2" in card_citation(found[0])
    scripted = [h.value for h in at.html if h.proto.unsafe_allow_javascript]
    assert scripted == [COPY_SCRIPT], "the page's own copy script is the only HTML that may run script"
    page = "".join(h.value for h in at.html if not h.proto.unsafe_allow_javascript)
    assert "<script" not in page and "<img" not in page
    assert esc(PAYLOAD) in found[0] and esc(IMG_PAYLOAD) in found[0]
    offered = [u for c in found for u in links(c)]
    assert all(u.startswith("https://") for u in offered), "only http(s) links are offered"
    assert esc(PAYLOAD) in found[0].split('class="nb-quote">')[1], "the copy text is escaped too"
    assert "javascript" not in at.session_state["exports"]["markdown"]


# -- documents page ---------------------------------------------------------------

def test_documents_page_lists_catalogue_index_state_and_timeline(mirror_app, mirror_searcher):
    at = documents_page()
    no_exception(at)
    table = at.dataframe[0].value
    assert {"document", "status", "passages", "date", "body", "link"} <= set(table.columns)
    row = table[table["document"] == "A/RES/73/27"].iloc[0]
    indexed = {d["symbol"]: d for d in mirror_searcher.documents()}
    assert row["status"] == "indexed" and row["passages"] == indexed["A/RES/73/27"]["passages"]
    assert row["link"] == "https://undocs.org/A/RES/73/27" and row["date"] == "2018-12-05"
    assert (table["status"] == "not available locally").any(), "catalogued documents with no local copy"
    # catalogued documents with no local copy: the page offers to fetch them, or says once it is offline
    assert [s.value for s in at.subheader][:4] == ["Missing documents", "Timeline", "Index", "Add a document"]
    offline = [i.value for i in at.info if "offline" in i.value]
    assert len(offline) <= 1 and (offline or at.button)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    state = texts(at.markdown)[0]
    assert f"Model {mirror_searcher.manifest.model}" in state.replace("**", "")
    assert f"{mirror_searcher.manifest.passages} passages" in state
    assert any(b.label in ("Rebuild the index", "Rebuild anyway") for b in at.button)
    assert any("Uploads are off" in w for w in texts(at.warning)), "the upload folder is not a corpus folder"
    assert not at.file_uploader


def click_rebuild() -> AppTest:
    """The Documents page after its Rebuild button was pressed."""
    at = documents_page()
    no_exception(at)
    [rebuild] = [b for b in at.button if b.label in ("Rebuild anyway", "Rebuild the index")]
    rebuild.click()
    at.run()
    no_exception(at)
    return at


def test_rebuild_button_updates_the_index(writable):
    before = current_version(writable.index)
    at = click_rebuild()
    assert current_version(writable.index) != before
    assert any(s.startswith("Index updated") for s in texts(at.success))


@pytest.mark.parametrize("catalogue", [b"document = [1, 2]\n", b'[[document]]\nid = "x\xff"\n'],
                         ids=["not-tables", "not-utf8"])
def test_rebuild_with_a_bad_catalogue_says_one_line_not_a_traceback(writable, catalogue):
    """#20 item 6: Rebuild met a CatalogError and the page showed a traceback with server paths."""
    writable.sources.write_bytes(catalogue)
    before = current_version(writable.index)
    at = click_rebuild()
    [error] = [e for e in texts(at.error) if e.startswith("The index could not be built")]
    assert str(writable.sources) in error and "\n" not in error
    assert ("entry #1" in error) if b"[1, 2]" in catalogue else ("not UTF-8" in error)
    assert current_version(writable.index) == before


# -- uploads ------------------------------------------------------------------------

def upload(at: AppTest, filename: str, data: bytes, mime: str = "text/plain") -> AppTest:
    at.file_uploader[0].set_value((filename, data, mime))
    return at.run()


def test_upload_good_file_previews_then_saves_and_indexes(writable, embedder):
    data = (FIXTURES / "upload-good.md").read_bytes()
    before = index_state(writable)
    at = upload(documents_page(), "../Tidal gauge outcome (final).md", data, "text/markdown")
    no_exception(at)
    assert not at.error
    preview = at.dataframe[-1].value
    assert list(preview["citation"]) == [f"Outcome of the tidal gauge data-sharing workshop, para. {i} (9 May 2023)"
                                         for i in (1, 2, 3)]
    assert preview["text"][0].startswith("1. Participants agreed to publish tidal gauge readings")
    assert any("**Tidal-gauge-outcome-final.md**: 3 passages" in m for m in texts(at.markdown))
    assert not any(writable.upload_dir.iterdir()), "nothing is saved before Add"
    assert index_state(writable) == before

    [add] = [b for b in at.button if b.label == "Add to the corpus and update the index"]
    add.click()
    at.run()
    no_exception(at)
    saved = writable.upload_dir / "Tidal-gauge-outcome-final.md"
    assert [p.name for p in writable.upload_dir.iterdir()] == [saved.name]
    assert saved.read_bytes() == data
    assert texts(at.success) == ["Saved as Tidal-gauge-outcome-final.md and indexed: 3 passages."]
    assert current_version(writable.index).name != before[0]
    hits = Searcher.open(writable.index, settings=writable, embedder=embedder).search("tidal gauge readings", 1)
    assert hits[0].citation.startswith("Outcome of the tidal gauge data-sharing workshop, para.")
    assert len(at.dataframe) == 1, "the uploader is reset after saving: no preview left"

    again = upload(at, "copy.md", data, "text/markdown")
    assert any("already in the corpus as Tidal-gauge-outcome-final.md" in e for e in texts(again.error))
    assert [p.name for p in writable.upload_dir.iterdir()] == [saved.name]


def test_upload_bad_file_is_rejected_and_index_unchanged(writable):
    before = index_state(writable)
    at = upload(documents_page(), "report.pdf", b"This is plain text pretending to be a PDF.\n" * 20,
                "application/pdf")
    no_exception(at)
    [error] = texts(at.error)
    assert error == ("**report.pdf** was rejected: the file is named .pdf but is not a PDF. "
                     "Nothing was saved and the index is unchanged.")
    assert not [b for b in at.button if b.label.startswith("Add to the corpus")]
    assert not any(writable.upload_dir.iterdir())
    assert index_state(writable) == before


def test_upload_oversized_file_is_rejected(writable, monkeypatch):
    monkeypatch.setenv("NORMBASE_MAX_UPLOAD_MB", "0.01")
    before = index_state(writable)
    data = (FIXTURES / "upload-good.md").read_bytes() + b"\nPadding line of an over-long appendix.\n" * 600
    at = upload(documents_page(), "big.md", data, "text/markdown")
    no_exception(at)
    [error] = texts(at.error)
    assert error.startswith("**big.md** was rejected: the file is 0.0") and "uploads are limited to 0.01 MB" in error
    assert not any(writable.upload_dir.iterdir())
    assert index_state(writable) == before


def test_upload_preview_runs_in_the_capped_worker(writable, monkeypatch):
    """#20 item 13: the preview read and cut the upload inside the Streamlit server, out of reach
    of the worker's caps. With the worker's memory cap lowered, a 15 MB upload is refused with
    one line, and a small one still previews under the same cap."""
    monkeypatch.setattr(loaders, "EXTRACT_MEMORY_MB", 120)
    paragraph = ("Each State should designate a point of contact for incidents affecting submarine "
                 "cables and notify affected States without delay. ")
    data = "".join(f"{i}. {paragraph * (1 + i % 5)}\n\n" for i in range(40_000)).encode()[:15_000_000]
    at = upload(documents_page(), "big.txt", data)
    no_exception(at)
    [error] = texts(at.error)
    assert error == ("**big.txt** was rejected: the upload's preview needs more than 120 MB of memory. "
                     "Nothing was saved and the index is unchanged.")
    assert not any(writable.upload_dir.iterdir())
    small = upload(documents_page(), "notes.md", (FIXTURES / "upload-good.md").read_bytes(), "text/markdown")
    no_exception(small)
    assert not small.error and any(": 3 passages" in m for m in texts(small.markdown))


def test_upload_of_a_corpus_document_is_refused_as_duplicate(writable):
    data = (writable.corpus[0] / "harbour-signals-2022.txt").read_bytes()
    at = upload(documents_page(), "harbour.txt", data)
    assert any("already in the corpus as harbour-signals-2022.txt" in e for e in texts(at.error))
    assert not any(writable.upload_dir.iterdir())


def test_upload_with_markup_in_its_name_and_text_is_shown_as_text(writable):
    data = f"Notes\n\n1. A paragraph quoting {PAYLOAD} and {IMG_PAYLOAD} in full.\n".encode()
    at = upload(documents_page(), f"{IMG_PAYLOAD}[x](javascript:alert(1)).txt", data)
    no_exception(at)
    assert not at.error
    assert any(PAYLOAD in t for t in at.dataframe[-1].value["text"]), "the preview is a table: text, not HTML"
    for md in at.markdown:
        assert "<img" not in md.value.replace("\\<", "") and "](javascript" not in md.value


# -- compare page -------------------------------------------------------------------

def test_compare_deep_link_shows_summary_rows_filter_and_exports(series_app):
    expected = series_app.compare("A/RES/91/40", "A/RES/93/40")
    at = compare_page(a="A/RES/91/40", b="A/RES/93/40")
    no_exception(at)
    assert at.selectbox(key="a").label == COMPARE_A_LABEL and at.selectbox(key="b").label == COMPARE_B_LABEL
    assert (at.selectbox(key="a").value, at.selectbox(key="b").value) == ("A/RES/91/40", "A/RES/93/40")
    assert compare_rows(at) == [r.status for r in expected.rows]
    s = expected.summary
    assert f"{s['same']} same, {s['changed']} changed, {s['added']} added, {s['removed']} removed" in page_html(at)
    assert s["changed"] and "<ins>" in page_html(at) and "<del>" in page_html(at), "tracked changes are shown"

    at.pills(key="status").set_value(["changed", "added"])
    at.run()
    no_exception(at)
    assert compare_rows(at) == [r.status for r in expected.rows if r.status in ("changed", "added")]
    exports = at.session_state["compare_exports"]
    assert exports["markdown"] == to_markdown(expected, ["changed", "added"])
    from docx import Document

    doc = Document(io.BytesIO(exports["docx"]()))  # the Word button's file, made when clicked
    runs = [r for p in doc.paragraphs for r in p.runs]
    assert any(r.underline for r in runs) and any(r.font.strike for r in runs)
    assert [b.label for b in at.download_button] == ["Download Markdown", "Download Word (.docx)"]


def test_compare_pickers_languages_ids_and_unknown_names(series_app):
    at = compare_page()
    no_exception(at)
    assert at.info and not compare_rows(at), "nothing is compared before two documents are chosen"
    at.selectbox(key="a").set_value("A/RES/93/40")
    at.selectbox(key="b").set_value("A/RES/93/40/FR")
    at.run()
    no_exception(at)
    shown = page_html(at)
    assert "paired by label only" in shown
    changed = re.findall(r'<section class="compare-row compare-changed"><h2>.*?</h2><p>(.*?)</p>', shown)
    assert changed and all(re.fullmatch(r"<del>[^<]*</del><ins>[^<]*</ins>", c) for c in changed), \
        "no word diff across languages: the whole text out, the whole text in"

    by_id = compare_page(a="harbour-2021", b="a/res/95/40")  # a document id, a symbol in another case
    no_exception(by_id)
    assert (by_id.selectbox(key="a").value, by_id.selectbox(key="b").value) == ("A/RES/93/40", "A/RES/95/40")
    assert compare_rows(by_id)

    unknown = compare_page(a="A/RES/91/41", b="A/RES/93/40")
    no_exception(unknown)
    assert "did you mean" in unescape_md(unknown.error[0].value) and "A/RES/91/40" in unescape_md(unknown.error[0].value)
    assert not compare_rows(unknown)


def test_compare_shows_document_text_as_text(writable, embedder):
    s = Searcher.open(writable.index, settings=writable, embedder=embedder)
    payload = next(d for d in s.documents() if "Escaping drill" in (d["title"] or ""))
    other = next(d for d in s.documents() if d["doc_id"] != payload["doc_id"])
    at = compare_page(a=other["symbol"] or other["doc_id"], b=payload["symbol"] or payload["doc_id"])
    no_exception(at)
    shown = page_html(at)
    assert "added" in compare_rows(at)
    assert esc(PAYLOAD) in shown and esc(IMG_PAYLOAD) in shown, "the markup is shown as text"
    assert "<script" not in shown and "<img" not in shown


# -- lineage panel ------------------------------------------------------------------

def lineage_keys(at: AppTest) -> list[str]:
    return [k for k in at.session_state.filtered_state if str(k).startswith("lineage-")]


def test_lineage_panel_is_lazy_and_shows_versions_oldest_first(series_app):
    at = run_app(q="national liaison office for incidents affecting harbour radar")
    no_exception(at)
    found = cards(at)
    assert found and [e.label for e in at.expander] == [LINEAGE_LABEL] * len(found), "one panel per card"
    assert f'class="{LINEAGE_CLASS}"' not in page_html(at), "no lineage is computed before a panel is opened"

    hit = next(h for h in series_app.search("national liaison office for incidents affecting harbour radar", 10)
               if h.language == "en")  # the series' English texts: the French version has no lineage of its own
    at.session_state[f"lineage-{hit.passage_id}"] = True  # what opening the expander does
    at.run()
    no_exception(at)
    shown = page_html(at)
    versions = re.findall(rf'<li class="{VERSION_CLASS}( {FIRST_CLASS})?"><div class="nb-ctx-cite">(\d{{4}}-\d\d-\d\d)',
                          shown)
    expected = series_app.lineage(hit.passage_id)
    assert len(versions) == len(expected.versions) >= 2
    assert [v[0] for v in versions] == [f" {FIRST_CLASS}"] + [""] * (len(versions) - 1), "the first is highlighted"
    assert [v[1] for v in versions] == sorted(v[1] for v in versions), "oldest first"
    for v in expected.versions:
        assert esc(v.passage.citation) in shown
    assert shown.count(f'class="{LINEAGE_CLASS}"') == 1, "only the opened card's lineage"


def test_lineage_panel_says_when_only_a_sentence_is_shared(series_app):
    query = "the indication that a harbour radar incident originates from the territory of a State"
    hit = next(h for h in series_app.search(query, 10) if h.symbol == "A/RES/95/40")
    at = run_app(q=query)
    at.session_state[f"lineage-{hit.passage_id}"] = True
    at.run()
    no_exception(at)
    assert ONLY_SENTENCE in page_html(at)
    assert "The sentence in common:" in page_html(at)
