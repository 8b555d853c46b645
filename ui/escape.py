"""Text from documents or users, made inert before it reaches the page.

Every document field goes through `esc()` into HTML (then st.html sanitises again and runs no
script) or through `md_plain()` into Markdown (alerts, captions, headings).
"""
from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&])")
# Bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI): invisible,
# they would reverse the page around them (a citation, a highlight) and carry no words. Zero-width joiners
# stay: Arabic-script text needs them.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def esc(text: object) -> str:
    """Text for HTML: <, >, & and quotes escaped, so it can only ever show as text."""
    return html.escape(str(text).translate(_BIDI_CONTROLS), quote=True)


def md_plain(text: object) -> str:
    """Text for Markdown (alerts, captions): every markup character backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", str(text).translate(_BIDI_CONTROLS))
