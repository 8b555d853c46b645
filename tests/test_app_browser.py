"""End to end in a real browser: `streamlit run app.py` on loopback, driven by Debian's Chromium.

The server searches the shared mirror plus one synthetic document
(tests/fixtures/app/payload-note.txt) whose quotable paragraph carries
`<script>alert(1)</script>` and an `<img onerror>` payload (a `javascript:`
official link in a header is refused at ingest: tests/reliability/test_round2.py). Its index is the session mirror index,
copied, with the fixture added by an incremental build (only its passages are
embedded), so the server starts without building anything.

Playwright drives /usr/bin/chromium; no browser is ever downloaded. Without
that binary the test is skipped with the reason.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator
from urllib.parse import quote_plus

import pytest

from benchmarks.bench.servers import free_port, stop
from index import Searcher
from index.build import build
from index.compare_render import to_markdown
from ingest.settings import Settings
from ui.constants import (COMPARE_CLASS, COMPARE_ROW_CLASS, COMPARE_SUMMARY_CLASS, FIRST_CLASS, LINEAGE_CLASS,
                          LINEAGE_LABEL, VERSION_CLASS, WORDS_FIRST)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
FIXTURE = ROOT / "tests" / "fixtures" / "app" / "payload-note.txt"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
SEARCH_LABEL = "Search norms, CBMs and agreed language"
PAYLOAD = "<script>alert(1)</script>"
IMG_PAYLOAD = "<img src=x onerror=alert(1)>"
PEACEFUL = "interest of all States to promote the use of ICTs for peaceful purposes"  # 13 words: a query, not a copy
WAIT_MS = 120_000  # the server loads the model on its first search; machines can be busy


@pytest.fixture
def browser_settings(tmp_path, mirror, mirror_index, embedder) -> Settings:
    """The mirror index, copied, plus the payload document (incremental build: only its passages embedded)."""
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(FIXTURE, extra)
    index = tmp_path / "index"
    shutil.copytree(mirror_index.index, index, ignore=shutil.ignore_patterns(".lock"))
    settings = replace(mirror_index, corpus=(mirror, extra), index=index, upload_dir=extra)
    report = build(settings, embedder=embedder)
    assert report.embedded <= 10, report.summary()
    assert not [s for s in report.skipped if s.path.endswith(FIXTURE.name)], report.skipped
    return settings


def server_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORMBASE_")}
    env.update(NORMBASE_CORPUS=os.pathsep.join(str(c) for c in settings.corpus), NORMBASE_INDEX=str(settings.index),
               NORMBASE_SOURCES=str(settings.sources), NORMBASE_UPLOAD_DIR=str(settings.upload_dir))
    return env


@contextmanager
def streamlit_server(settings: Settings, log_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port; yields its URL once healthy; always terminated."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port)]  # + .streamlit/config.toml
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(settings), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not become healthy:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
            yield url
        finally:
            stop(proc, 15)


def check_search_page(url: str, screenshot: Path) -> None:
    """Type a query, see the right citation, open and copy a card's citation by keyboard, then show the payload
    as text."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          permissions=["clipboard-read", "clipboard-write"])
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            expect.set_options(timeout=WAIT_MS)
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)

            box = page.get_by_role("textbox", name=SEARCH_LABEL)
            box.press_sequentially("not harm emergency response teams")
            box.press("Enter")  # the keyboard submits the search
            citation = page.locator(".nb-cite", has_text="A/RES/73/27, OP 1.12")
            expect(citation.first).to_be_visible()
            expect(page.get_by_text(WORDS_FIRST)).to_have_count(0)  # the full results, not a cold start's first
            expect(page).to_have_url(re.compile(r"[?&]q=not\+harm\+emergency\+response\+teams"))  # shareable

            card = page.locator(".nb-card", has=citation.first)
            card.locator("summary", has_text="Copy citation").focus()
            page.keyboard.press("Enter")  # opens the panel
            quote = card.locator(".nb-quote")
            expect(quote).to_be_visible()
            expect(quote).to_contain_text("— A/RES/73/27, OP 1.12, p. 4 (5 December 2018) "
                                          "https://undocs.org/A/RES/73/27")
            page.keyboard.press("Tab")  # to the panel's Copy button
            page.keyboard.press("Enter")
            expect(card.locator(".nb-copy-status")).to_have_text("Copied")
            pasted = page.evaluate("navigator.clipboard.readText()")
            assert pasted.startswith("“1.12. States should not conduct or knowingly support activity to harm")
            assert pasted == quote.text_content(), "the clipboard holds exactly the quote and citation shown"

            page.goto(f"{url}/?q={quote_plus('quotable paragraph markup escaping drill')}")  # a deep link
            passage = page.locator(".nb-passage", has_text=PAYLOAD)
            expect(passage.first).to_be_visible()
            expect(passage.first).to_contain_text(IMG_PAYLOAD)
            expect(page.locator(".nb-cite", has_text="Escaping drill").first).to_be_visible()
            assert page.locator("img[src='x']").count() == 0, "the payload must not become an element"
            assert page.locator("a[href^='javascript']").count() == 0, "no javascript: link is offered"
            page.wait_for_timeout(500)  # give an injected handler every chance to fire
            page.screenshot(path=str(screenshot))
            assert dialogs == [], f"a script ran: {dialogs}"
        finally:
            browser.close()


def launch(p):
    return p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def check_compare_and_lineage(url: str, s: Searcher, payload_doc: str, screenshot: Path) -> None:
    """The Compare deep link: summary, rows, the status filter (in the URL), the Markdown download; a
    document's markup shown as text; then a search card's Lineage panel, opened, with its versions."""
    from playwright.sync_api import expect, sync_playwright

    expected = s.compare("A/RES/75/32", "A/RES/76/19")
    counts = expected.summary
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
            page.set_default_timeout(WAIT_MS)
            expect.set_options(timeout=WAIT_MS)
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            page.goto(f"{url}/compare?a=A/RES/75/32&b=A/RES/76/19")
            summary = page.locator(f".{COMPARE_CLASS} .{COMPARE_SUMMARY_CLASS}")
            expect(summary).to_have_text(f"{counts['same']} same, {counts['changed']} changed, "
                                         f"{counts['added']} added, {counts['removed']} removed")
            rows = page.locator(f".{COMPARE_CLASS} .{COMPARE_ROW_CLASS}")
            expect(rows).to_have_count(len(expected.rows))
            assert page.locator(f".{COMPARE_CLASS} ins").count() and page.locator(f".{COMPARE_CLASS} del").count()
            page.screenshot(path=str(screenshot))

            for status in ("same", "added", "removed"):  # leave only the changed rows
                page.get_by_role("button", name=f"{status} ({counts[status]})").click()
                expect(page).to_have_url(re.compile(rf"[?&]status=(?!{status}\b)"))
            expect(rows).to_have_count(counts["changed"])
            expect(page.locator(f".{COMPARE_CLASS} .compare-changed")).to_have_count(counts["changed"])
            expect(page).to_have_url(re.compile(r"status=changed"))
            with page.expect_download() as download:
                page.get_by_role("button", name="Download Markdown").click()
            path = download.value.path()
            assert Path(path).read_text(encoding="utf-8") == to_markdown(expected, ["changed"])
            assert download.value.suggested_filename.endswith(".md")

            page.goto(f"{url}/compare?a={payload_doc}&b={payload_doc}")  # the payload document with itself
            shown = page.locator(f".{COMPARE_ROW_CLASS}", has_text=PAYLOAD)
            expect(shown.first).to_be_visible()
            expect(shown.first).to_contain_text(IMG_PAYLOAD)
            assert page.locator("img[src='x']").count() == 0, "the payload must not become an element"

            hit = next(h for h in s.search(PEACEFUL, 10) if h.symbol == "A/RES/73/27")
            page.goto(f"{url}/?q={quote_plus(PEACEFUL)}")
            expect(page.locator(".nb-cite", has_text=hit.citation).first).to_be_visible()
            panel = page.locator(f".st-key-lineage-{hit.passage_id}")
            panel.get_by_text(LINEAGE_LABEL, exact=True).click()
            versions = panel.locator(f".{LINEAGE_CLASS} .{VERSION_CLASS}")
            expect(versions.first).to_be_visible()
            lineage = s.lineage(hit.passage_id)
            assert len(lineage.versions) >= 2
            expect(versions).to_have_count(len(lineage.versions))
            expect(panel.locator(f".{FIRST_CLASS}")).to_have_count(1)
            expect(versions.first).to_contain_text(lineage.versions[0].passage.citation)
            expect(versions.nth(1)).to_contain_text(lineage.versions[1].passage.citation)
            assert page.locator(f".{LINEAGE_CLASS}").count() == 1, "only the opened card's lineage is computed"
            page.wait_for_timeout(300)
            assert dialogs == [], f"a script ran: {dialogs}"
        finally:
            browser.close()


def test_a_cold_start_shows_word_matches_first_then_the_full_results(browser_settings, tmp_path):
    """The server's first search runs while both models load: its word matches show at once, marked, and the
    page runs again with the hybrid results when the models are in memory."""
    if not CHROMIUM.is_file():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium); this test drives a real browser")
    from playwright.sync_api import expect, sync_playwright

    with streamlit_server(browser_settings, tmp_path / "streamlit.log") as url, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            expect.set_options(timeout=WAIT_MS)
            page.goto(f"{url}/?q={quote_plus('harm emergency response teams')}")  # the server's first page run
            notice = page.get_by_text(WORDS_FIRST)
            expect(notice).to_be_visible()
            expect(page.locator(".nb-card").first).to_be_visible()
            expect(notice).to_have_count(0)
            expect(page.locator(".nb-cite", has_text="A/RES/73/27, OP 1.12").first).to_be_visible()
        finally:
            browser.close()


def test_search_in_a_real_browser(browser_settings, tmp_path):
    if not CHROMIUM.is_file():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium); this test drives a real browser")
    pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    with streamlit_server(browser_settings, tmp_path / "streamlit.log") as url:
        check_search_page(url, tmp_path / "search.png")
    assert (tmp_path / "search.png").stat().st_size > 10_000


def test_compare_and_lineage_in_a_real_browser(browser_settings, embedder, tmp_path):
    if not CHROMIUM.is_file():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium); this test drives a real browser")
    pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    s = Searcher.open(browser_settings.index, settings=browser_settings, embedder=embedder)
    payload = next(d for d in s.documents() if "Escaping drill" in (d["title"] or ""))
    with streamlit_server(browser_settings, tmp_path / "streamlit.log") as url:
        check_compare_and_lineage(url, s, payload["symbol"] or payload["doc_id"], tmp_path / "compare.png")
    assert (tmp_path / "compare.png").stat().st_size > 10_000
