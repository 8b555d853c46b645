"""What drives the app from outside must find: the search box's label, the empty state, the cards' classes.

The bench (benchmarks/) and the browser tests locate elements by these names, so they import them
from here instead of copying them; the pages and cards use the same constants.
"""
SEARCH_LABEL = "Search norms, CBMs and agreed language"  # the search box (an accessible name in the browser)
NOTHING_FOUND = "Nothing relevant found"  # the empty state's heading, when no passage is close enough
# shown over the word matches of a cold start, until the page runs again with the full results
WORDS_FIRST = ("Word matches first: the language models are still loading, and the full results replace these "
               "in a moment.")
CARDS_CLASS = "nb-cards"  # the key of the container that holds every result card (CSS class st-key-nb-cards)
CARD_CLASS = "nb-card"  # one result card: citation line, meta, passage, actions
CITE_CLASS = "nb-cite"  # the card's citation line
PASSAGE_CLASS = "nb-passage"  # the verbatim passage of a card
PASSAGE_SELECTOR = f".{PASSAGE_CLASS}"  # CSS selector: a result is on the page once one of these shows
# The Compare page (ui/pages/compare.py)
COMPARE_A_LABEL = "Earlier document (A)"  # the two pickers
COMPARE_B_LABEL = "Later document (B)"
COMPARE_STATUS_LABEL = "Show rows"  # the status filter (one toggle per status)
COMPARE_CLASS = "nb-compare"  # the element holding the comparison (index.compare_render.to_html's fragment)
COMPARE_ROW_CLASS = "compare-row"  # one aligned row; also classed compare-<status> (index/compare_render.py)
COMPARE_SUMMARY_CLASS = "compare-summary"  # the count per status
# The Lineage panel of each result card (ui/lineage.py)
LINEAGE_LABEL = "Lineage"  # the panel's expander: where the wording came from and how it evolved
LINEAGE_CLASS = "nb-lineage"  # the timeline
VERSION_CLASS = "nb-version"  # one version on the timeline, oldest first
FIRST_CLASS = "nb-first"  # the first appearance, highlighted
ONLY_SENTENCE = "only a sentence in common"  # said of a version that shares a sentence, not the paragraph
