"""Whole lists: the lead-in and every item of the numbered or bulleted list a passage belongs to.

"What are the principles of ..." wants the list, in order, not its one best item. The
index cuts a list into its items (each citable on its own) and records the lead-in as
each item's `context`; this module puts the list back together from a document's rows,
so a card can show it whole with the result marked. `list_around` is pure; the Searcher
reads the rows (`Searcher.whole_list`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

SPAN = 80  # rows read on each side of a passage: the longest list in the mirror has 30 items


@dataclass(frozen=True)
class ListRow:
    passage_id: int
    citation: str
    text: str
    current: bool  # the search result itself


@dataclass(frozen=True)
class WholeList:
    lead_in: Optional[ListRow]  # None when the lead-in is not a passage of its own (a heading)
    items: tuple[ListRow, ...]

    def __len__(self) -> int:
        return len(self.items)


def list_around(rows: Sequence[Mapping], ordinal: int) -> Optional[WholeList]:
    """The list holding the row at `ordinal` (an item, or a lead-in ending with ":"), from a document's
    rows in order (`id`, `ordinal`, `citation`, `text`, `context`); None when it is in no list of 2+ items."""
    at = next((n for n, r in enumerate(rows) if r["ordinal"] == ordinal), None)
    if at is None:
        return None
    here = rows[at]
    lead = (here.get("context") or "").strip()
    if not lead and here["text"].rstrip().endswith(":") and at + 1 < len(rows):
        # the result is the lead-in itself: its items name it (maybe without its number) as their context
        lead, start = (rows[at + 1].get("context") or "").strip(), at + 1
        if not lead or not here["text"].strip().endswith(lead):
            return None
    else:
        start = at
        while start > 0 and (rows[start - 1].get("context") or "").strip() == lead:
            start -= 1
    if not lead:
        return None
    end = start
    while end < len(rows) and (rows[end].get("context") or "").strip() == lead:
        end += 1
    if end - start < 2:
        return None
    before = rows[start - 1] if start > 0 else None
    lead_row = before if before is not None and before["text"].strip().endswith(lead) else None  # "3. " + lead

    def row(r: Mapping) -> ListRow:
        return ListRow(r["id"], r["citation"], r["text"], r["ordinal"] == ordinal)

    return WholeList(row(lead_row) if lead_row else None, tuple(row(r) for r in rows[start:end]))
