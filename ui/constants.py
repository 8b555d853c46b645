"""What drives the app from outside must find: the search box's label, the empty state, the cards' classes.

The bench (benchmarks/) and the browser tests locate elements by these names, so they import them
from here instead of copying them; the pages and cards use the same constants.
"""
SEARCH_LABEL = "Search norms, CBMs and agreed language"  # the search box (an accessible name in the browser)
NOTHING_FOUND = "Nothing relevant found"  # the empty state's heading, when no passage is close enough
CARDS_CLASS = "nb-cards"  # the one HTML element that holds every result card
CARD_CLASS = "nb-card"  # one result card: citation line, meta, passage, actions
CITE_CLASS = "nb-cite"  # the card's citation line
PASSAGE_CLASS = "nb-passage"  # the verbatim passage of a card
PASSAGE_SELECTOR = f".{PASSAGE_CLASS}"  # CSS selector: a result is on the page once one of these shows
