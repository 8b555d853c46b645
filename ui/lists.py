"""The "Whole list" panel: a list's lead-in and items, the result marked (index/lists.py builds the list)."""
from __future__ import annotations

from typing import Optional

from index.lists import ListRow, WholeList

from .escape import esc


def whole_list_html(whole: Optional[WholeList]) -> str:
    """The panel body, "" when the result is in no list. Every text is escaped; order is the document's."""
    if whole is None:
        return ""

    def row(r: ListRow, tag: str) -> str:
        mark = ' class="nb-current"' if r.current else ""
        this = " <em>(this result)</em>" if r.current else ""
        return (f'<{tag}{mark}><span class="nb-ctx-cite">{esc(r.citation)}{this}</span> '
                f'<span class="nb-ctx-text">{esc(r.text)}</span></{tag}>')

    lead = row(whole.lead_in, "p") if whole.lead_in else ""
    items = "".join(row(r, "li") for r in whole.items)
    return f'<div class="nb-list">{lead}<ol class="nb-list-items">{items}</ol></div>'
