"""Text from documents or users, made inert before it reaches the page.

Every document field goes through `esc()` into HTML (then st.html sanitises again and runs no
script) or through `md_plain()` into Markdown (alerts, captions, headings).
"""
from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&])")


def esc(text: object) -> str:
    """Text for HTML: <, >, & and quotes escaped, so it can only ever show as text."""
    return html.escape(str(text), quote=True)


def md_plain(text: object) -> str:
    """Text for Markdown (alerts, captions): every markup character backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))
