"""The app's names the browser measurement looks for: its result card, its search box, its screens.

The card, the search box and the empty state come from the app's own `ui.constants`. The page's
two sentences the probe reads (the header above the cards and the start of the no-result text) are
not exported there yet: they are written here once, copied from `ui/pages/search.py`, and would move
to `ui.constants` with the next change to those sentences.
"""
from ui.constants import NOTHING_FOUND, PASSAGE_SELECTOR, SEARCH_LABEL  # noqa: F401 (SEARCH_LABEL: re-exported)

RESULT_SELECTOR = PASSAGE_SELECTOR  # a result card's verbatim passage
EMPTY_TEXTS = (NOTHING_FOUND,)  # the no-result screen
# Copied from ui/pages/search.py: the header "N passages for “query”", the no-result text's start.
RESULTS_HEADER_RE = r"^\s*(\d+) passages? for “([\s\S]*)”"
NO_RESULT_PREFIX = "No passage is close enough to"
