"""Languages end to end in a real browser (#16): a Spanish question shows an English resolution paragraph and
a French statement, each card naming its language, and an Arabic passage renders right to left.

The server and browser are those of tests/test_app_browser.py (`streamlit run app.py` on loopback, Debian's
Chromium through Playwright, never a downloaded browser); the index is the session mirror index, which holds
the multilingual vectors.
"""
from __future__ import annotations

from urllib.parse import quote_plus

import pytest

from tests.test_app_browser import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, streamlit_server

pytestmark = pytest.mark.slow

SPANISH = "guía práctica sobre la aplicación del derecho internacional en el mecanismo permanente"
ARABIC = "المجموعة العربية الانتقال لآلية عالمية دائمة"


def test_a_spanish_question_finds_english_and_french_answers_and_arabic_runs_right_to_left(mirror_index, tmp_path):
    if not CHROMIUM.is_file():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium); this test drives a real browser")
    pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    from playwright.sync_api import expect, sync_playwright

    with streamlit_server(mirror_index, tmp_path / "streamlit.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(WAIT_MS)
            expect.set_options(timeout=WAIT_MS)
            page.goto(f"{url}/?q={quote_plus(SPANISH)}")
            resolution = page.locator(".nb-card", has=page.locator(".nb-cite", has_text="A/RES/")).filter(
                has=page.locator(".nb-meta", has_text="English"))
            statement = page.locator(".nb-card", has=page.locator(".nb-meta", has_text="French"))
            expect(resolution.first).to_be_visible()
            expect(statement.first).to_be_visible()
            expect(statement.first.locator(".nb-passage")).to_have_attribute("lang", "fr")
            # what the question was also searched as, in English
            expect(page.get_by_text("was also searched as: English")).to_be_visible()

            page.goto(f"{url}/?q={quote_plus(ARABIC)}")
            arabic = page.locator('.nb-passage[lang="ar"]')
            expect(arabic.first).to_be_visible()
            assert arabic.first.evaluate("el => getComputedStyle(el).direction") == "rtl"
            english = page.locator('.nb-passage[lang="en"]')
            if english.count():
                assert english.first.evaluate("el => getComputedStyle(el).direction") == "ltr"
            page.screenshot(path=str(tmp_path / "languages.png"))
        finally:
            browser.close()
