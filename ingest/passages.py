"""From units to passages: splitting what does not fit the model window.

A unit that fits stays whole. A longer one is split with langchain's
recursive splitter on sentence and clause boundaries; every part keeps the
unit's label and citation and gains a part marker ("part 2/3"). Parts never
overlap, so a quotation is never doubled, and each part is still a verbatim
slice of the cleaned source.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Callable

from .clean import Cleaned
from .records import Footnote, Passage, SourceEntry
from .structure import Unit

WINDOW = 256  # word pieces the default model reads
TEXT_BUDGET = 200  # leaves room for the title and context the embedding adds
SEPARATORS = ["\n\n", "; ", ". ", ", ", " "]

TokenCounter = Callable[[str], int]


def approx_tokens(text: str) -> int:
    """A word-piece estimate for when no tokenizer file is at hand (about 1.3 per word)."""
    return int(len(text.split()) * 1.3) + 1


@functools.lru_cache(maxsize=4)
def tokenizer_counter(model_dir: str) -> TokenCounter:
    """Count word pieces with the model's own tokenizer when its files are local."""
    path = Path(model_dir) / "tokenizer.json"
    if not path.is_file():
        return approx_tokens
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    if word_local(json.loads(path.read_text(encoding="utf-8"))):
        return WordCounter(tok)
    return lambda text: len(tok.encode(text, add_special_tokens=False).ids)


_LOCAL_NORMALIZERS = (None, "BertNormalizer", "Lowercase", "NFD", "StripAccents")
_SPACE_SPLITTERS = ("BertPreTokenizer", "Whitespace", "WhitespaceSplit")


def word_local(config: dict) -> bool:
    """Does the tokenizer read each space-separated word on its own? A WordPiece model after a
    character-wise normalizer and a pre-tokenizer that splits at spaces does: its count for a
    text is then the sum of its counts for the words (what `WordCounter` relies on)."""
    def kind(part: object) -> object:
        return part.get("type") if isinstance(part, dict) else None
    return (kind(config.get("model")) == "WordPiece" and kind(config.get("normalizer")) in _LOCAL_NORMALIZERS
            and kind(config.get("pre_tokenizer")) in _SPACE_SPLITTERS)


CACHED_WORDS = 100_000  # distinct words remembered at most (a few MB); the memory is cleared when full


class WordCounter:
    """A word-local tokenizer's count, word by word, each distinct word tokenized once.

    Cutting passages counts the same text many times over (each unit, each candidate
    piece): at one tokenizer call per count, a 50 MB file spent most of its time in the
    tokenizer. Prose repeats its words, so a bounded memory of word counts turns a
    count into a sum; the words it has not seen are tokenized in one batch call.
    The count is the tokenizer's own, exactly (`tests/ingest/test_passages.py`).
    """

    def __init__(self, tokenizer, limit: int = CACHED_WORDS) -> None:
        self.tokenizer, self.limit, self.known = tokenizer, limit, {}

    def __call__(self, text: str) -> int:
        words = text.split(" ")
        known = self.known
        new = {w for w in words if w not in known}
        if new:
            if len(known) + len(new) > self.limit:
                known.clear()
                new = set(words)
            batch = list(new)
            for word, enc in zip(batch, self.tokenizer.encode_batch_fast(batch, add_special_tokens=False)):
                known[word] = len(enc.ids)
        return sum(map(known.__getitem__, words))


# The default model's word pieces cut Cyrillic, Arabic and Chinese into single letters: counted
# that way, a Russian paragraph became six line-sized parts. Their window is the multilingual
# model's, which reads whole words; the word estimate is the fairer count for them.
WORD_COUNTED = ("ru", "ar", "zh")


def build_passages(cleaned: Cleaned, units: list[Unit], source: SourceEntry,
                   count_tokens: TokenCounter = approx_tokens, budget: int = TEXT_BUDGET) -> list[Passage]:
    passages: list[Passage] = []
    for unit in units:
        count = approx_tokens if unit.language in WORD_COUNTED else count_tokens
        pieces = split_unit(cleaned.text[unit.start:unit.end], count, budget)
        for i, (offset, piece) in enumerate(pieces, 1):
            start = unit.start + offset
            end = start + len(piece)
            page, last = cleaned.page_at(start), cleaned.page_at(max(start, end - 1))
            passages.append(Passage(
                doc_id=source.id,
                ordinal=len(passages),
                label=unit.label,
                text=piece,
                start=start,
                end=end,
                heading=unit.heading,
                context=unit.context,
                page=page,
                page_end=last if last != page else None,
                footnotes=notes_in(cleaned, start, end),
                part=f"part {i}/{len(pieces)}" if len(pieces) > 1 else "",
                delegation=unit.delegation,
                language=unit.language,
                source_start=cleaned.raw_offset(start),
                source_end=cleaned.raw_offset(start + len(piece) - 1) + 1,
            ))
    return passages


def notes_in(cleaned: Cleaned, start: int, end: int) -> list[Footnote]:
    """The footnotes whose marks stood in cleaned.text[start:end], with where they stood."""
    return [Footnote(r.marker, cleaned.note_text(r), r.pos - start) for r in cleaned.refs if start <= r.pos <= end]


LONG_UNIT = 50_000  # characters: a longer unit (a file of one huge line) is first cut by characters
CUT_CHARS = 600  # about 150 word pieces of prose: most cuts fit the budget without a second look


def split_unit(text: str, count_tokens: TokenCounter, budget: int) -> list[tuple[int, str]]:
    """(offset, piece) pairs; one pair when the text fits."""
    if len(text) > LONG_UNIT:
        return _split_long(text, count_tokens, budget)
    if count_tokens(text) <= budget:
        return [(0, text)]
    # Imported here: langchain_core takes most of a second to import, and only a unit that does not fit needs it
    # (a one-document rebuild or a search never does).
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        separators=SEPARATORS, keep_separator="end", chunk_size=budget, chunk_overlap=0,
        length_function=count_tokens, add_start_index=True, strip_whitespace=True,
    )
    pieces = [(d.metadata["start_index"], d.page_content) for d in splitter.create_documents([text])]
    if len(pieces) > 1 and count_tokens(pieces[-1][1]) < budget // 5:
        # A short tail reads better joined to the part before it; the window still has room.
        (start, _), (last_start, last) = pieces[-2], pieces[-1]
        pieces[-2:] = [(start, text[start:last_start + len(last)])]
    return pieces


def _split_long(text: str, count_tokens: TokenCounter, budget: int) -> list[tuple[int, str]]:
    """Linear in time and memory: the recursive splitter counts the tokens of every word it
    tries, which took minutes and gigabytes for a 50 MB line. Cut at the best separator in
    the second half of each CUT_CHARS window, then split any cut that still does not fit."""
    pieces: list[tuple[int, str]] = []
    pos, n = 0, len(text)
    while pos < n:
        while pos < n and text[pos].isspace():
            pos += 1
        end = min(n, pos + CUT_CHARS)
        if end < n:
            window = text[pos + CUT_CHARS // 2:end]
            found = next((window.rfind(sep) for sep in SEPARATORS if sep in window), -1)
            if found >= 0:
                end = pos + CUT_CHARS // 2 + found + 1
        piece = text[pos:end].rstrip()
        if piece:
            pieces += [(pos + off, part) for off, part in split_unit(piece, count_tokens, budget)]
        pos = end
    return pieces
