"""Which sentence of a passage best answers the query, as offsets into its text.

Scoring is lexical on purpose: it costs microseconds per hit, where encoding
every sentence of ten hits would cost more than the whole search.
"""
from __future__ import annotations

import re

from .query import WORD_RE, ParsedQuery, stem

# A sentence ends at . ; : ! ? followed by a space and a capital, a quote or an item marker.
BOUNDARY_RE = re.compile(r"(?<=[.;:!?])\s+(?=[\"“(A-Z0-9\u0400-\u04FF\u0600-\u06FF])")


ENUMERATOR_RE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.|\([a-z]{1,2}\)|\([ivxl]{1,6}\))$")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans; an opening "1." or "(a)" belongs to the sentence it numbers."""
    spans, start = [], 0
    for m in BOUNDARY_RE.finditer(text):
        if ENUMERATOR_RE.match(text[start:m.start()]):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a]


def best_sentences(text: str, q: ParsedQuery, limit: int = 1) -> list[list[int]]:
    """`limit` best sentence spans in text order; the first sentence when nothing matches."""
    spans = sentences(text)
    if not spans:
        return []
    wanted = {stem(t) for t in q.terms} | {stem(w) for e in q.expansions for w in WORD_RE.findall(e)}
    phrases = [p.lower() for p in q.phrases]

    def score(span: tuple[int, int]) -> float:
        s = text[span[0]:span[1]]
        words = {stem(w) for w in WORD_RE.findall(s)}
        hit = len(wanted & words) + 3 * sum(p in s.lower() for p in phrases)
        return hit / (1 + 0.002 * len(s))  # among equals, the tighter sentence

    scores = {span: score(span) for span in spans}
    ranked = sorted(spans, key=scores.__getitem__, reverse=True)
    chosen = [s for s in ranked[:limit] if scores[s] > 0] or [spans[0]]
    return [list(s) for s in sorted(chosen)]
