"""What a result card and the search page show about languages (#16).

A card names its passage's language and lets the browser set the text's direction
(`dir="auto"`: Arabic right to left); where the same document is in the index in
other languages, the card links the parallel passage (same symbol and label). The
search page offers answers in any language or only in the question's own, and says what
the question was also searched as in the other languages (its concepts, its words glossed).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

from index import Filters
from index.export import describe_also_searched
from index.multilingual import query_language
from ingest import language

from .escape import esc, md_plain

ANY_LANGUAGE, MY_LANGUAGE = "Any language", "My language only"
SCOPES = (ANY_LANGUAGE, MY_LANGUAGE)


def text_attrs(code: str) -> str:
    """The attributes of an element holding document text: its language, and the direction left to the
    browser (the first strong character decides), so Arabic reads right to left and a direction
    override inside the text cannot leak out of the element."""
    return f'lang="{esc(code)}" dir="auto"' if code else 'dir="auto"'


def parallels_html(rows: list[dict]) -> str:
    """The parallel passages in the document's other language versions, each in its own direction."""
    items = "".join(f'<li><div class="nb-ctx-cite">{esc(language.name(r["language"]))} · {esc(r["citation"])}'
                    f'</div><div class="nb-ctx-text" {text_attrs(r["language"])}>{esc(r["text"])}</div></li>'
                    for r in rows)
    return f'<ul class="nb-parallels">{items}</ul>'


def scoped(filters: Filters, scope: str, query: str, cache: Optional[Path] = None) -> Filters:
    """The filters with the language scope applied: "my language only" keeps the question's language
    (`cache`: `Settings.model_cache`, as the Searcher tells it)."""
    if scope != MY_LANGUAGE or not query.strip():
        return filters
    return replace(filters, languages=(query_language(query, cache),))


def also_searched_line(also: dict[str, str]) -> str:
    """One Markdown line (document words escaped): the question's concepts as the thesaurus words them in the
    other languages, and its words glossed in English, which search read too. A user who asked "¿quién creó…?"
    sees it was read as "decides to convene", and can tell a wrong reading from a missing document."""
    return f"Your question was also searched as: {md_plain(describe_also_searched(also))}" if also else ""
