"""ui/escape.py: text from documents made inert for Markdown."""
from __future__ import annotations

import re

from ui.escape import md_plain


def unescape_md(text: str) -> str:
    """What Markdown shows for md_plain() text."""
    return re.sub(r"\\(.)", r"\1", text)


def test_md_plain_neutralises_markdown():
    nasty = "**bold** _it_ [link](javascript:alert(1)) <b>x</b> `code` # head $x$ :smile: 1. item \\"
    out = md_plain(nasty)
    assert unescape_md(out) == nasty
    assert not re.search(r"[*_\[\]()<>`#$:\\]", re.sub(r"\\.", "", out)), "every markup character is escaped"
