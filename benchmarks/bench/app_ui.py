"""The app's names the browser measurement looks for: its result card, its search box, its screens.

These belong to the app (app.py today; its ui package once it has one, which is to expose them as
named constants): they are written here once, so that the day the app exports them, this module
imports them instead and nothing else in the bench changes.
"""
# A result card: the passage block of app.py (".nb-passage"; ".passage" in earlier versions).
RESULT_SELECTOR = ".nb-passage, .passage"
EMPTY_TEXTS = ("Nothing relevant found", "No relevant passage found")  # the app's no-result screens
SEARCH_LABEL = "Search norms, CBMs and agreed language"  # the app's search box
# The header above the cards, "N passages for “query”", and the start of the no-result text:
RESULTS_HEADER_RE = r"^\s*(\d+) passages? for “([\s\S]*)”"
NO_RESULT_PREFIX = "No passage is close enough to"
