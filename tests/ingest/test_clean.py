"""ingest/clean.py on synthetic UN-style text: what goes, what is mended, and the maps back to the source.

All text here is written for these tests (UN layout, invented content).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.clean import Cleaned, clean
from ingest.loaders import PAGE_BREAK, split_header


def paras(c: Cleaned) -> list[str]:
    return [c.para_text(p) for p in c.paragraphs]


def body(c: Cleaned) -> list[str]:
    return [c.para_text(p) for p in c.paragraphs if p.kind == "body"]


@pytest.fixture(scope="module")
def res_raw(fixtures_dir: Path) -> str:
    return (fixtures_dir / "res-91-45-synthetic.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def res(res_raw: str) -> Cleaned:
    return clean(res_raw, symbol="A/RES/91/45")


# --------------------------------------------------------------------------- what goes

def test_job_numbers_and_barcodes_are_removed(res: Cleaned) -> None:
    for artefact in ("36-20417", "141236", "*3620417*", "3620417"):
        assert artefact not in res.text, artefact


def test_page_markers_and_running_headers_are_removed(res: Cleaned) -> None:
    texts = paras(res)
    assert not any(re.fullmatch(r"\d/3", t) for t in texts)
    assert not re.search(r"(?m)(^|\s)[23]/3(\s|$)", res.text)
    assert "A/RES/91/45" not in res.text
    # the running title is gone, while the same words inside a sentence stay
    assert "Protecting undersea data cables and landing stations" not in texts
    assert not any(t.startswith("Protecting undersea") for t in texts)
    assert "under the item “Protecting undersea data cables and landing stations”." in res.text


def test_masthead_is_removed(res: Cleaned) -> None:
    texts = paras(res)
    for line in ("United Nations", "General Assembly", "Distr.: General", "14 December 2036",
                 "Ninety-first session", "Agenda item 77"):
        assert line not in texts, line
    assert "Distr." not in res.text
    assert texts[0].startswith("Resolution adopted by the General") and texts[0].endswith("on 9 December 2036")


def test_unix_and_windows_line_endings_clean_alike(res_raw: str) -> None:
    a = clean(res_raw, symbol="A/RES/91/45")
    b = clean(res_raw.replace("\n", "\r\n"), symbol="A/RES/91/45")
    assert paras(b) == paras(a)


# --------------------------------------------------------------------------- what is mended

def test_line_wraps_are_joined_with_a_space(res: Cleaned) -> None:
    noting = next(t for t in paras(res) if t.startswith("Noting with concern"))
    assert noting == ("Noting with concern that damage to undersea data cables can interrupt essential services "
                      "for whole regions, including emergency communications and payment systems,")
    assert all("\n" not in t for t in paras(res))
    assert res.text.count("\n\n") == len(res.paragraphs) - 1


def test_word_hyphenated_at_line_end_is_joined_when_spelled_unbroken_elsewhere(res: Cleaned) -> None:
    affirming = next(t for t in paras(res) if t.startswith("Affirming"))
    assert affirming.startswith("Affirming that the exchange of information on cable incidents is voluntary")
    assert "informa-" not in res.text


def test_hyphen_is_kept_when_the_document_never_spells_the_word_unbroken() -> None:
    raw = ("Noting that the fragmen-\n"
           "tation of repair efforts delays the restoration of service,\n\n"
           "Stressing that cooperation reduces delays,\n")
    c = clean(raw)
    assert "fragmentation" not in c.text
    assert "fragmen-" in c.text


def test_compound_hyphen_is_kept(res: Cleaned) -> None:
    """`capacity-` + `building`: the document spells `capacity-building`, so the hyphen stays."""
    recognizing = next(t for t in paras(res) if t.startswith("Recognizing"))
    assert "capacitybuilding" not in res.text.replace(" ", "")
    assert "all such capacity-" in recognizing
    assert recognizing.startswith("Recognizing that capacity-building helps States")


def test_compound_hyphenated_at_line_end_is_rejoined_without_a_space(res: Cleaned) -> None:
    recognizing = next(t for t in paras(res) if t.startswith("Recognizing"))
    assert "and that all such capacity-building should respond" in recognizing
    assert "capacity- building" not in res.text


def test_no_join_when_both_spellings_occur() -> None:
    raw = ("Both cybersecurity and cyber-security occur in this text, on one line each.\n\n"
           "States should improve cyber-\n"
           "security of landing stations.\n")
    c = clean(raw)
    assert "cybersecurity of landing" not in c.text
    assert "cyber-" in paras(c)[1]


def test_paragraph_cut_by_a_page_break_is_joined_and_its_footnote_follows(res: Cleaned) -> None:
    texts = paras(res)
    kinds = [p.kind for p in res.paragraphs]
    i = next(i for i, t in enumerate(texts) if t.startswith("Stressing that States should refrain"))
    assert texts[i] == ("Stressing that States should refrain from any activity that intentionally damages undersea "
                        "data cables or impairs their operation, and that the repair of damaged cables should "
                        "proceed without undue delay,")
    assert (kinds[i + 1], texts[i + 1]) == ("footnote", "1  See A/90/301, annex.")
    assert texts[i + 2].startswith("Welcoming the voluntary repair arrangements")
    assert kinds.count("footnote") == 1
    assert "__" not in res.text


def test_new_paragraph_after_a_short_line_ending_a_sentence() -> None:
    """Ragged-right text without blank lines: a sentence ending on a short line closes the paragraph."""
    raw = ("The workshop brought together experts from coastal States, cable operators and\n"
           "repair companies.\n"
           "Participants agreed that shorter permit procedures would reduce outage times for\n"
           "everyone concerned.\n")
    assert paras(clean(raw)) == [
        "The workshop brought together experts from coastal States, cable operators and repair companies.",
        "Participants agreed that shorter permit procedures would reduce outage times for everyone concerned.",
    ]


def test_indented_first_line_starts_a_paragraph() -> None:
    """The layout pypdf gives for UN PDFs: no blank lines, first lines indented."""
    raw = (" Chile thanks the Chair for the conduct of the work and for the preparation\n"
           "of the final report, which reflects the positions of delegations in a balanced\n"
           "manner, and supports its adoption\n"
           " We regret that the report does not include a reference to the protection of\n"
           "undersea cables in times of conflict\n")
    got = clean(raw)
    assert paras(got) == [
        "Chile thanks the Chair for the conduct of the work and for the preparation of the final report, which "
        "reflects the positions of delegations in a balanced manner, and supports its adoption",
        "We regret that the report does not include a reference to the protection of undersea cables in times "
        "of conflict",
    ]
    assert [p.indented for p in got.paragraphs] == [True, True]


def test_enumerator_on_its_own_line_joins_its_text(res: Cleaned) -> None:
    texts = paras(res)
    assert "1. Adopts the following voluntary principles on the protection of undersea data cables:" in texts
    assert "(b) To facilitate the entry of repair vessels into their waters, including by:" in texts
    assert "(ii) Waiving fees for vessels engaged in emergency repairs;" in texts


# --------------------------------------------------------------------------- pages and offsets

def test_text_pages_come_from_page_markers(res: Cleaned) -> None:
    assert res.has_pages
    page = {res.para_text(p)[:12]: res.page_at(p.start) for p in res.paragraphs}
    assert page["Recalling it"] == 1
    assert page["Stressing th"] == 1  # starts on page 1, continues on page 2
    assert page["1  See A/90/"] == 1
    assert page["Welcoming th"] == 2
    assert page["(ii) Waiving"] == 2
    assert page["(c) To consi"] == 3


def test_no_page_markers_means_no_pages() -> None:
    c = clean("First paragraph of a plain note.\n\nSecond paragraph.\n")
    assert not c.has_pages
    assert c.page_at(0) is None


def test_form_feeds_are_page_breaks() -> None:
    raw = PAGE_BREAK.join(["Text on page one about repairs.", "Text on page two about permits.",
                           "Text on page three about landing stations."])
    c = clean(raw, has_pages=True)
    assert [(c.para_text(p), c.page_at(p.start)) for p in c.paragraphs] == [
        ("Text on page one about repairs.", 1), ("Text on page two about permits.", 2),
        ("Text on page three about landing stations.", 3)]


def test_every_character_maps_back_to_the_raw_text(res_raw: str, res: Cleaned) -> None:
    """Each non-space character of the cleaned text is the raw character at raw_offset()."""
    for p in res.paragraphs:
        for pos in range(p.start, p.end):
            ch = res.text[pos]
            if ch == " ":
                continue
            assert res_raw[res.raw_offset(pos)] == ch, (pos, ch, res.para_text(p)[:40])


def test_offsets_are_file_offsets_after_a_header_block() -> None:
    raw = "---\nsymbol: A/RES/91/45\ntitle: Test\n---\n\nThe General Assembly,\n\nRecalling its work,\n"
    _, text = split_header(raw)
    c = clean(text)
    p = c.paragraphs[-1]
    assert raw[c.raw_offset(p.start):c.raw_offset(p.end - 1) + 1] == "Recalling its work,"


# --------------------------------------------------------------------------- tables of contents

def test_table_of_contents_is_read_and_removed(fixtures_dir: Path) -> None:
    raw = (fixtures_dir / "compendium-synthetic.txt").read_text(encoding="utf-8")
    c = clean(raw, symbol="A/AC.999/2036/INF/2")
    assert c.contents == ["I. Statements by States", "Chile", "New Zealand", "Norway", "Russian Federation", "Senegal",
                          "II. European Union"]
    assert "....." not in c.text
    assert not any(t.startswith(("Chile ..", "Norway ..", "Page")) for t in paras(c))


def test_wrapped_contents_entry_is_joined() -> None:
    raw = ("Contents\n"
           "   Page\n"
           "Chile ........................................  3\n"
           "Nicaragua (joint statement of a group of States: Belize,\n"
           "Cuba and Peru) ..................................  4\n"
           "\n"
           "Chile\n")
    c = clean(raw)
    assert c.contents == ["Chile", "Nicaragua (joint statement of a group of States: Belize, Cuba and Peru)"]


# --------------------------------------------------------------------------- known defects (xfail)

def test_repeated_body_line_next_to_a_page_break_is_kept() -> None:
    raw = ("The General Assembly,\n\n"
           "Noting with concern that some States have not yet\n"
           "adopted legislation on the protection of undersea data cables and landing\n"
           "stations, and that repair vessels face long delays,\n\n"
           "Stressing that States that have not yet\n"
           "adopted legislation on the protection of undersea data cables and landing\n"
           "stations should consider doing so,\n\n"
           "A/RES/91/48\nProtecting undersea data cables\n\n36-20420\n2/3\n\n"
           "Welcoming the work of regional bodies on cable repair,\n\n"
           "A/RES/91/48\nProtecting undersea data cables\n\n36-20420\n3/3\n\n"
           "Decides to remain seized of the matter.\n")
    c = clean(raw, symbol="A/RES/91/48")
    assert ("Stressing that States that have not yet adopted legislation on the protection of undersea data cables "
            "and landing stations should consider doing so,") in paras(c)


def test_running_title_of_a_two_page_document_is_removed() -> None:
    raw = ("The General Assembly,\n\n"
           "Noting the importance of cable repair for all regions,\n\n"
           "A/RES/91/46\nResilience of undersea data cables\n\n36-20418\n2/2\n\n"
           "Stressing the value of regional cooperation,\n")
    # The pipeline passes the title it knows (catalogue, header or the "91/46. …" line);
    # a once-printed running title is recognised by it.
    c = clean(raw, symbol="A/RES/91/46", title="Resilience of undersea data cables")
    assert paras(c)[-1] == "Stressing the value of regional cooperation,"


def test_two_footnote_blocks_with_identical_rules() -> None:
    raw = ("The General Assembly,\n\n"
           "Recalling its resolution 90/12,1\n\n"
           "Noting the first report on cable repair,2 and the work of\n"
           "__________________\n\n"
           "1  See A/90/301.\n\n2  See A/90/302.\n\n"
           "A/RES/91/47\nCooperation on undersea data cables\n\n36-20419\n2/3\n\n"
           "experts on the matter,\n\n"
           "Welcoming the second report on cable repair,3 and the work of\n"
           "__________________\n\n"
           "3  See A/91/77.\n\n"
           "Cooperation on undersea data cables\nA/RES/91/47\n\n3/3\n36-20419\n\n"
           "regional bodies on the matter,\n")
    c = clean(raw, symbol="A/RES/91/47")
    # The footnote marks are set apart from the words, and each knows the note it cites.
    assert body(c) == ["The General Assembly,", "Recalling its resolution 90/12,",
                       "Noting the first report on cable repair, and the work of experts on the matter,",
                       "Welcoming the second report on cable repair, and the work of regional bodies on the matter,"]
    assert [c.para_text(p) for p in c.paragraphs if p.kind == "footnote"] == [
        "1  See A/90/301.", "2  See A/90/302.", "3  See A/91/77."]
    assert [(r.marker, c.note_text(r), raw[r.raw_start:r.raw_end]) for r in c.refs] == [
        ("1", "See A/90/301.", "1"), ("2", "See A/90/302.", "2"), ("3", "See A/91/77.", "3")]


def test_numbered_paragraph_starting_a_line_is_its_own_paragraph() -> None:
    raw = ("1. On 10 July 2036, the working group adopted its final report by consensus.\n"
           "2. The Secretariat has assembled the statements below, as submitted by the\n"
           "delegations.\n\n"
           "(a)\n"
           "“Repair operator” shall mean any entity that:\n"
           "(i)\n"
           "Owns or charters a vessel equipped for cable repair; or\n"
           "(ii) Provides repair services under contract with a cable owner.\n")
    assert paras(clean(raw)) == [
        "1. On 10 July 2036, the working group adopted its final report by consensus.",
        "2. The Secretariat has assembled the statements below, as submitted by the delegations.",
        "(a) “Repair operator” shall mean any entity that:",
        "(i) Owns or charters a vessel equipped for cable repair; or",
        "(ii) Provides repair services under contract with a cable owner.",
    ]
