# The two commands of the README: `make run` (the app) and `make test` (the tests).
# Both create .venv and install requirements.txt on first use.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PORT   ?= 8501

.PHONY: run test browser fonts build clean

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)   # the rest: .streamlit/config.toml

build: $(STAMP)
	$(PY) -m index build

test: $(STAMP) browser fonts
	$(PY) -m pytest

# Debian's Chromium drives the real-browser test; nothing is downloaded by Playwright.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium is missing: sudo apt-get install chromium (the browser test will be skipped)"; fi; }

# Noto fonts covering Latin, Cyrillic, Arabic and CJK: the tests draw UN mastheads in the six languages.
fonts:
	@test -f /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf -a -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq fonts-noto-core fonts-noto-cjk >/dev/null; \
		else echo "Noto fonts are missing: sudo apt-get install fonts-noto-core fonts-noto-cjk (the masthead tests will be skipped)"; fi; }

clean:
	rm -rf data $(VENV)
