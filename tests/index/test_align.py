"""index/align.py: paragraph alignment and word diffs, on invented paragraphs."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from index.align import Wording, align, align_labels, found_sentences, word_diff, wording_key

LONG = [
    "Recalling that reliable undersea data cables carry most of the information exchanged among nations every day,",
    "Welcoming the voluntary exchange of repair calendars for undersea data cables among coastal administrations,",
    "Mindful that a shared register of landing stations kept by maritime authorities is a useful model of record keeping,",
    "1. Encourages Member States to designate a national liaison office for incidents that affect undersea cables;",
    "2. Invites regional organizations to hold an annual tabletop exercise on the logistics of restoring damaged cables;",
    "3. Decides to include in the provisional agenda of its next session an item entitled \"Resilience of cables\".",
]


def rebuild(diff, side: str) -> str:
    keep = {"a": ("equal", "delete"), "b": ("equal", "insert")}[side]
    return "".join(d.text for d in diff if d.op in keep)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_word_diff_rebuilds_both_texts(a, b):
    diff = word_diff(a, b)
    assert rebuild(diff, "a") == a and rebuild(diff, "b") == b
    assert all(d.text for d in diff)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("the States cables ; , . shall should  \n régions 中文".split(" ")), max_size=30),
       st.lists(st.sampled_from("the States cables ; , . shall should  \n régions 中文".split(" ")), max_size=30))
def test_word_diff_rebuilds_word_soup(wa, wb):
    a, b = " ".join(wa), " ".join(wb)
    diff = word_diff(a, b)
    assert rebuild(diff, "a") == a and rebuild(diff, "b") == b


def test_word_diff_snaps_to_whole_words():
    diff = word_diff("promote the use of ICTs for peaceful purposes",
                     "promote the use of information and communications technologies for peaceful purposes")
    assert [(d.op, d.text) for d in diff if d.op != "equal"] == [
        ("delete", "ICTs"), ("insert", "information and communications technologies")]


def test_same_paragraphs_align_as_same():
    rows = align(LONG, LONG)
    assert [(r.a, r.b, r.status) for r in rows] == [((i,), (i,), "same") for i in range(len(LONG))]


def test_renumbered_paragraph_is_the_same_wording():
    assert wording_key("3. Decides to act;") == wording_key("4.  Decides to act;")
    rows = align(LONG[3:], ["1. Welcomes a new paragraph that was not there before at all, on other things;"] +
                 [f"{n + 2}.{t[2:]}" for n, t in enumerate(LONG[3:])])
    assert [r.status for r in rows] == ["added", "same", "same", "same"]


def test_edits_additions_and_removals():
    b = [LONG[0], LONG[1].replace("voluntary", "regular and voluntary"),
         "Noting with concern the growing number of cable faults caused by anchors dragged across the seabed,",
         LONG[3], LONG[5]]
    rows = [(r.a, r.b, r.status) for r in align(LONG, b)]
    assert rows == [((0,), (0,), "same"), ((1,), (1,), "changed"), ((2,), (), "removed"), ((), (2,), "added"),
                    ((3,), (3,), "same"), ((4,), (), "removed"), ((5,), (4,), "same")]


def test_split_and_merge():
    whole = ("1. Encourages Member States to designate a national liaison office for incidents that affect "
             "undersea data cables, and to share the contact details of that office with neighbouring coastal "
             "States through the regional maritime organizations every year;")
    halves = ["1. Encourages Member States to designate a national liaison office for incidents that affect "
              "undersea data cables;",
              "2. Also encourages Member States to share the contact details of that office with neighbouring "
              "coastal States through the regional maritime organizations every year;"]
    split = [(r.a, r.b, r.status) for r in align([LONG[0], whole, LONG[5]], [LONG[0], *halves, LONG[5]])]
    assert split == [((0,), (0,), "same"), ((1,), (1, 2), "changed"), ((2,), (3,), "same")]
    merged = [(r.a, r.b, r.status) for r in align([LONG[0], *halves, LONG[5]], [LONG[0], whole, LONG[5]])]
    assert merged == [((0,), (0,), "same"), ((1, 2), (1,), "changed"), ((3,), (2,), "same")]


def test_operative_paragraph_moved_into_the_preamble_is_paired():
    op = "2. Welcomes the regional tabletop exercise on the logistics of restoring damaged undersea cables;"
    pp = "Welcoming the regional tabletop exercise on the logistics of restoring damaged undersea cables,"
    a = [LONG[0], LONG[1], LONG[3], op, LONG[5]]
    b = [LONG[0], pp, LONG[1], LONG[3], LONG[5]]
    rows = [(r.a, r.b, r.status) for r in align(a, b)]
    assert ((3,), (1,), "changed") in rows
    assert all(r[0] and r[1] for r in rows), rows  # nothing left unpaired


def test_unrelated_paragraphs_stay_apart():
    rows = align(["Recalling the history of lighthouses on rocky coasts of northern seas and their keepers,"],
                 ["Decides to convene a meeting of experts on grain silo humidity sensors in 2030;"])
    assert sorted(r.status for r in rows) == ["added", "removed"]


def test_empty_sides():
    assert [r.status for r in align([], LONG[:2])] == ["added", "added"]
    assert [r.status for r in align(LONG[:2], [])] == ["removed", "removed"]
    assert align([], []) == []


def test_align_labels_pairs_by_label_only():
    rows = [(r.a, r.b, r.status) for r in align_labels(["PP 1", "OP 1", "OP 2"], ["PP 1", "OP 2", "OP 3"])]
    assert rows == [((0,), (0,), "changed"), ((1,), (), "removed"), ((2,), (1,), "changed"), ((), (2,), "added")]


def test_found_sentences_sees_a_sentence_merged_into_a_clause():
    norm = ("States must meet their obligations under international law. However, the indication that an activity "
            "originates from the territory of a State may be insufficient to attribute it to that State. "
            "Accusations brought against States should be substantiated.")
    clause = ("Recognizing that the indication that an activity originates from the territory of a State may be "
              "insufficient to attribute it to that State, and that accusations brought against States should be "
              "substantiated,")
    found, cover = found_sentences(Wording.of(norm), Wording.of(clause))
    assert len(found) == 2 and found[0].startswith("However") and 0.4 < cover < 0.9
    assert found_sentences(Wording.of(clause), Wording.of(norm))[1] == 1.0
