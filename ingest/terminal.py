"""Text on its way to a person's terminal: every control character made visible.

Document text, titles, URLs and file names come from files nobody vetted. Printed
raw, an ANSI or OSC escape sequence in them clears the screen, recolours it,
retitles the window or plants a hyperlink, and a newline in a file name forges a
line of output. Every human-readable printer of the CLIs passes what it prints
through `visible`; `--json` output is left exact (JSON escapes control characters).
"""
from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the invisible format characters that reorder or split
# lines (bidi embeddings, overrides and isolates; line and paragraph separators).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(m: re.Match) -> str:
    ch = m.group()
    return _SHORT.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def visible(text: object, *, lines: bool = False) -> str:
    """`text` with each control character written as its escape (`\\x1b`, `\\n`, `\\u202e`).

    `lines=True` keeps newlines and tabs, for multi-line document text; a name or a
    one-line message (the default) is kept on one line.
    """
    s = str(text)
    if lines:
        return "\n".join(_CONTROLS.sub(lambda m: "\t" if m.group() == "\t" else _escape(m), part)
                         for part in s.split("\n"))
    return _CONTROLS.sub(_escape, s)
