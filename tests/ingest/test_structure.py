"""ingest/structure.py: labels in the documents' own citation style.

The mirror tests compare exact label strings with what each document says,
checked by reading the source text (paragraph numbers, page markers, article
and delegation headings). Where the code mislabels a unit, the test is an
xfail naming the defect.
"""
from __future__ import annotations

import re
from pathlib import Path
import pytest

from ingest import catalog as cat
from ingest.clean import clean
from ingest.pipeline import Document, ingest_file
from ingest.records import Passage, SourceEntry
from ingest.structure import is_heading, segment

RES_73_27 = "unga-res-73-27-2018.txt"
RES_75_240 = "unga-res-75-240-2020.txt"
RES_79_243 = "unga-res-79-243-2024-cybercrime-convention.txt"
COMPENDIUM = "un-oewg-2025-a-ac-292-2025-inf-5-rev-1.txt"


def find(doc: Document, prefix: str) -> Passage:
    hits = [p for p in doc.passages if p.text.startswith(prefix)]
    assert hits, f"no passage starts with {prefix!r}"
    return hits[0]


def find_in(doc: Document, fragment: str) -> list[Passage]:
    return [p for p in doc.passages if fragment in p.text]


def unique_labels(passages: list[Passage], prefix: str = "") -> list[str]:
    """Labels in document order, a unit split into parts counted once."""
    return [p.label for p in passages
            if p.label.startswith(prefix) and (not p.part or p.part.startswith("part 1/"))]


@pytest.fixture(scope="module")
def docs(mirror_docs: dict[str, Document]) -> dict[str, Document]:
    return mirror_docs


# =========================================================================== A/RES/73/27

def test_73_27_op_1_6_label_page_and_citation(docs) -> None:
    d = docs[RES_73_27]
    p = find(d, "1.6. A State should not conduct or knowingly support ICT activity")
    assert p.label == "OP 1.6"
    assert p.page == 4
    assert p.part == ""
    assert p.citation(d.source) == "A/RES/73/27, OP 1.6, p. 4 (5 December 2018)"
    assert p.context.startswith("Welcomes the following set of international rules, norms and principles")


def test_73_27_has_21_preambular_paragraphs(docs) -> None:
    d = docs[RES_73_27]
    pps = [p for p in d.passages if p.label.startswith("PP ")]
    assert unique_labels(pps) == [f"PP {i}" for i in range(1, 22)]
    firsts = []
    for p in pps:
        if not p.part or p.part.startswith("part 1/"):
            firsts.append(p.text.split()[0])
    assert firsts == ["Recalling", "Noting", "Underscoring", "Noting", "Recognizing", "Noting", "Affirming",
                      "Confirming", "Expressing", "Stressing", "Noting", "Expressing", "Considering", "Underlining",
                      "Welcoming", "Welcoming", "Confirming", "Confirming", "Reaffirming", "Recognizing", "Stressing"]
    pages = {p.label: p.page for p in pps}
    assert (pages["PP 1"], pages["PP 7"], pages["PP 8"], pages["PP 17"], pages["PP 18"], pages["PP 21"]) == \
        (1, 1, 2, 2, 3, 3)
    assert find(d, "Stressing that, while States have a primary responsibility").label == "PP 21"


def test_73_27_operative_labels_in_order(docs) -> None:
    ops = [p for p in docs[RES_73_27].passages if p.label.startswith("OP")]
    assert unique_labels(ops) == (["OP 1"] + [f"OP 1.{i}" for i in range(1, 14)] + ["OP 2", "OP 3", "OP 4"]
                                  + [f"OP 4 ({x})" for x in "abcd"] + ["OP 5", "OP 6", "OP 7"])


def test_73_27_op_4_a(docs) -> None:
    d = docs[RES_73_27]
    a = find(d, "(a) General appreciation")
    assert (a.label, a.page) == ("OP 4 (a)", 4)
    assert a.text.startswith("(a) General appreciation of the issues") and a.text.endswith("security;")
    assert a.context.startswith("Invites all Member States, taking into account the assessments")
    assert find(d, "(b) Efforts taken at the national level").label == "OP 4 (b)"
    assert find(d, "(b) Efforts taken at the national level").page == 5  # after the 5/5 marker


def test_73_27_footnotes(docs) -> None:
    fns = [(p.label, p.text, p.page) for p in docs[RES_73_27].passages if p.label.startswith("fn.")]
    assert [f[0] for f in fns] == ["fn. 1", "fn. 2", "fn. 3", "fn. 4", "fn. 5"]
    assert fns[1][1:] == ("2  A/70/174.", 2)
    assert fns[3][2] == 3


# =========================================================================== A/RES/75/240

@pytest.mark.parametrize("prefix, label, page", [
    ("Recalling its resolutions 36/103 of 9 December 1981", "PP 1", 1),
    ("Noting that capacity-building is essential for cooperation of States", "PP 4", 1),
    ("Recognizing that some States may require assistance", "PP 5", 1),
    ("Emphasizing the global importance of the negotiation process", "PP 15", 2),
    ("Noting the truly democratic, inclusive and transparent nature", "PP 16", 2),
    ("Recalling that, in considering the application of international law", "PP 17", 2),
    ("1. Decides to convene, starting from 2021", "OP 1", 3),
    ("3. Further decides that the open-ended working group", "OP 3", 4),
    ("4. Decides that the open-ended working group", "OP 4", 4),
    ("5. Also decides to include in the provisional agenda", "OP 5", 4),
])
def test_75_240_labels(docs, prefix: str, label: str, page: int) -> None:
    p = find(docs[RES_75_240], prefix)
    assert (p.label, p.page) == (label, page)


def test_75_240_op_1_parts_keep_the_label(docs) -> None:
    parts = [p for p in docs[RES_75_240].passages if p.label == "OP 1"]
    assert parts[0].text.startswith("1. Decides to convene, starting from 2021")
    if len(parts) > 1:
        assert [p.part for p in parts] == [f"part {i}/{len(parts)}" for i in range(1, len(parts) + 1)]
        assert parts[-1].text.endswith("at its eightieth session;")


def test_75_240_pp_17_continues_across_the_page_and_22_pps(docs) -> None:
    d = docs[RES_75_240]
    pp17 = [p for p in d.passages if p.label == "PP 17"]
    assert re.search(r"; respect for human rights and fundamental freedoms; and non-intervention in .{15,25} "
                     r"other States,$", " ".join(p.text for p in pp17))
    assert find(d, "1  A/70/174.").label == "fn. 1"
    assert unique_labels([p for p in d.passages if p.label.startswith("PP ")]) == [f"PP {i}" for i in range(1, 23)]
    assert find(d, "Stressing that, while States have a primary responsibility").label == "PP 22"


def test_75_240_op_2_is_one_paragraph(docs) -> None:
    d = docs[RES_75_240]
    op2 = [p for p in d.passages if p.label == "OP 2"]
    assert len(op2) == 1
    assert op2[0].text.startswith("2. Also decides that, upon the conclusion of the work of the current Open")
    assert op2[0].text.endswith("may adopt a decision in this respect;")
    assert find(d, "2  A/68/98.").label == "fn. 2"


# =========================================================================== A/RES/79/243 (Convention)

@pytest.mark.parametrize("prefix, label, page", [
    ("Recalling its resolution 74/247 of 27 December 2019", "PP 1", 1),
    ("2. Adopts the United Nations Convention against Cybercrime", "OP 2", 2),
    ("12. Decides that, in order to raise awareness of cybercrime", "OP 12", 3),
    ("Bearing in mind the purposes and principles of the Charter", "annex, PP 1", 3),
    ("The purposes of this Convention are", "art. 1", 5),
    ("(a) Promote and strengthen measures to prevent and combat cybercrime", "art. 1 (a)", 5),
    ("(e) “Service provider” shall mean any", "art. 2 (e)", 5),
    ("(i) Provides to users of its service the ability to communicate", "art. 2 (e) (i)", 5),
    ("2. For the purposes of this article, the term “child", "art. 14 (2)", 9),
    ("(a) Engaging in real or simulated", "art. 14 (2) (a)", 9),
    ("1. The definition of the term “service provider” in article 2 (e)", "note 1 (art. 2)", 45),
    ("2. States parties are not obliged to reproduce verbatim", "note 2 (art. 2)", 45),
    ("3. In the framework of the convention, an offence shall only be deemed", "note 3 (art. 17)", 46),
    ("4. The term “criminal investigations” covers situations", "note 4 (arts. 23 and 35)", 46),
    ("5. Outside the convention, States parties may afford one another", "note 5 (art. 35)", 46),
    ("1  It is noted that interpretative notes on articles 2, 17, 23 and 35", "fn. 1", 45),
])
def test_79_243_labels(docs, prefix: str, label: str, page: int) -> None:
    p = find(docs[RES_79_243], prefix)
    assert (p.label, p.page) == (label, page)


def test_79_243_headings_and_context(docs) -> None:
    d = docs[RES_79_243]
    a = find(d, "(a) Promote and strengthen measures")
    assert a.heading.startswith("Annex. United Nations Convention against Cyber")
    assert a.heading.endswith(" > Chapter I. General provisions > Article 1. Statement of purpose")
    assert a.context.startswith("The purposes of this Convention are") and a.context.endswith(" to:")
    # the model reads the convention's short title, not its 50-word full name (docs/quality.md)
    assert a.embed_text(d.source).startswith(
        "Annex. United Nations Convention against Cybercrime > Chapter I. General provisions > "
        "Article 1. Statement of purpose | The purposes of this Convention are")
    i = find(d, "(i) Provides to users of its service")
    assert i.context.startswith("For the purposes of this Convention") and " … “Service provider” shall" in i.context
    assert " > Article 14. Offences related to online child sexual" in find(
        d, "2. For the purposes of this article, the term").heading
    note = find(d, "4. The term “criminal investigations”")
    assert note.heading.startswith("Annex. Interpretative notes on specific articles of the United Nations Convention")
    assert note.heading.endswith(" > Articles 23 and 35, with regard to the term “investi" + "gation”")


def test_79_243_no_article_label_for_the_resolution_part(docs) -> None:
    d = docs[RES_79_243]
    labels = unique_labels(d.passages)
    assert labels[:17] == [f"PP {i}" for i in range(1, 6)] + [f"OP {i}" for i in range(1, 13)]
    assert not any(lbl.startswith("art.") for lbl in labels[:17])


def test_79_243_art_2_e_ii(docs) -> None:
    d = docs[RES_79_243]
    assert "(ii) Processes or stores" not in find(d, "(i) Provides to users of its service").text
    assert find(d, "(ii) Processes or stores electronic data").label == "art. 2 (e) (ii)"


def test_79_243_art_23_3_a(docs) -> None:
    d = docs[RES_79_243]
    assert find(d, "(a) Each State Party may reserve the right to apply").label == "art. 23 (3) (a)"
    assert not [p for p in d.passages if p.text.strip() in ("3.", "1.")]


def test_79_243_art_37_12(docs) -> None:
    assert find(docs[RES_79_243], "12. Whenever a State Party is permitted under its domestic law").label == \
        "art. 37 (12)"


def test_79_243_art_30_1_a_text(docs) -> None:
    p = [p for p in docs[RES_79_243].passages if p.label == "art. 30 (1) (a)"][0]
    assert p.text.startswith("(a) Collect or record, through the application of")


# =========================================================================== the OEWG compendium (INF/5/Rev.1)

def by_delegation(doc: Document, name: str) -> list[Passage]:
    return [p for p in doc.passages if p.delegation == name]


def test_compendium_contents_name_the_delegations(docs) -> None:
    contents = docs[COMPENDIUM].cleaned.contents
    assert contents[:3] == ["I. Member States", "Argentina", "Australia"]
    assert "Iran (Islamic Republic of)" in contents
    assert "Tunisia (on behalf of the Arab Group)" in contents
    # an entry wrapped over two lines is joined
    nic = [c for c in contents if c.startswith("Nicaragua (joint statement")]
    assert len(nic) == 1 and nic[0].endswith(" and Zimbabwe)") and "Russian Federation, Sudan" in nic[0]
    assert contents[-1] == "II. European Union"
    assert len(contents) == 20


def test_compendium_argentina_in_spanish(docs) -> None:
    arg = by_delegation(docs[COMPENDIUM], "Argentina")
    # No numbering of its own: the page and our count of its paragraphs there ("Sr. Presidente," is ¶ 1).
    assert [p.label for p in arg] == [f"Argentina, p. 3, ¶ {i}" for i in (2, 3, 4, 5, 7, 8, 9, 10, 11)]
    assert {p.language for p in arg} == {"es"}
    assert arg[0].text.startswith("Hago uso de la palabra para realizar una explicación de posición")
    assert arg[0].page == 3
    assert arg[0].heading == "I. Member States > Argentina"
    assert arg[0].citation(docs[COMPENDIUM].source) == \
        f"{docs[COMPENDIUM].source.symbol}, Argentina, p. 3, ¶ 2 (12 August 2025)"
    assert docs[COMPENDIUM].source.symbol.startswith("A/AC.292/2025/INF/5")


def test_compendium_australia_in_english(docs) -> None:
    aus = by_delegation(docs[COMPENDIUM], "Australia")
    assert [p.label for p in aus] == [f"Australia, p. 4, ¶ {i}" for i in range(2, 13)] + [
        "Australia, p. 5, ¶ 1", "Australia, p. 5, ¶ 2"]
    assert {p.language for p in aus} == {"en"}
    assert aus[0].text.startswith("Australia aligns with the Pacific Islands Forum statement")
    assert aus[0].page == 4


def test_compendium_iran_and_tunisia(docs) -> None:
    d = docs[COMPENDIUM]
    iran = by_delegation(d, "Iran (Islamic Republic of)")
    assert iran[0].label == "Iran (Islamic Republic of), p. 11, ¶ 2"
    assert iran[0].text.startswith("My delegation would like to express its sincere appreciation")
    assert iran[0].page == 11
    tun = by_delegation(d, "Tunisia (on behalf of the Arab Group)")
    assert tun and {p.language for p in tun} == {"ar"}
    # The statement numbers its paragraphs "１-": the label reads the digit, the text keeps it.
    assert [p.label for p in tun][:4] == [f"Tunisia (on behalf of the Arab Group), para. {i}" for i in range(1, 5)]
    assert tun[0].text.startswith("１-") and tun[0].page == 24


def test_compendium_russian_federation_statement_in_russian(docs) -> None:
    d = docs[COMPENDIUM]
    p = find(d, "Российская делегация благодарит Вас и Вашу команду")
    assert (p.delegation, p.language) == ("Russian Federation", "ru")
    assert re.fullmatch(r"Russian Federation, p\. 18, ¶ \d+", p.label)
    # a whole paragraph, not one part per line
    assert p.part == "" and p.text.endswith("Все это - во многом Ваша заслуга.")
    assert p.heading.startswith("I. Member States > Russian Federation")
    ru = by_delegation(d, "Russian Federation")
    assert {p.language for p in ru} == {"en", "ru"}
    # the unofficial translation stays with the Russian Federation
    t = find(d, "The Russian delegation thanks you and your team for the hard work")
    assert (t.delegation, t.language) == ("Russian Federation", "en")


def test_compendium_courtesy_translation_is_not_a_delegation(docs) -> None:
    d = docs[COMPENDIUM]
    p = find(d, "El Salvador extends its deep appreciation to the Chair")
    assert p.delegation == "El Salvador" and p.language == "en"
    assert p.heading == "I. Member States > El Salvador > Courtesy translation"
    assert p.label.startswith("El Salvador, p. ")
    delegations = {p.delegation for p in d.passages if p.delegation}
    assert "Courtesy translation" not in delegations and "Unofficial translation" not in delegations
    contents = set(d.cleaned.contents)
    assert delegations <= contents | {re.sub(r"^[IVXL]+\.\s+", "", c) for c in contents}
    sal = by_delegation(d, "El Salvador")
    assert all(re.fullmatch(rf"El Salvador, p\. {p.page}, ¶ \d+", p.label) for p in sal)
    assert len({p.label for p in sal}) == len(sal)


def test_compendium_european_union(docs) -> None:
    eu = [p for p in docs[COMPENDIUM].passages if "European Union" in p.delegation]
    assert eu
    assert {p.delegation for p in eu} == {"European Union"}
    assert eu[0].label == f"European Union, p. {eu[0].page}, ¶ 1"
    assert eu[0].heading == "II. European Union"


def test_compendium_note_paragraph_2(docs) -> None:
    assert find(docs[COMPENDIUM], "2. Pursuant to paragraph 19 of the report").label == "para. 2"


# =========================================================================== synthetic fixtures

def synthetic(path: Path, type_: str = "resolution", symbol: str = "", date: str = "2036-12-09") -> Document:
    from ingest.settings import Settings

    entry = SourceEntry(id=path.stem, title="Synthetic test document", body="UNGA", date=date, type=type_,
                        symbol=symbol, file=path.name)
    settings = Settings.from_env({}, corpus=[path.parent], sources=path.parent / "absent.toml")
    return ingest_file(path, cat.Catalog([entry]), settings)


@pytest.fixture(scope="module")
def res(fixtures_dir: Path) -> Document:
    return synthetic(fixtures_dir / "res-91-45-synthetic.txt", symbol="A/RES/91/45")


def test_synthetic_resolution_labels(res: Document) -> None:
    assert [p.label for p in res.passages] == [
        "PP 1", "PP 2", "PP 3", "PP 4", "PP 5", "fn. 1", "PP 6",
        "OP 1", "OP 1.1", "OP 1.2", "OP 2", "OP 2 (a)", "OP 2 (b)", "OP 2 (b) (i)", "OP 2 (b) (ii)", "OP 2 (c)",
        "OP 3"]
    assert [p.page for p in res.passages] == [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3]
    assert all(p.heading == "" and p.part == "" for p in res.passages)


def test_synthetic_resolution_context(res: Document) -> None:
    ctx = {p.label: p.context for p in res.passages}
    assert ctx["OP 1.1"] == "Adopts the following voluntary principles on the protection of undersea data cables:"
    assert ctx["OP 2 (a)"] == "Calls upon all Member States:"
    assert ctx["OP 2 (b) (ii)"] == ("Calls upon all Member States: … To facilitate the entry of repair vessels into "
                                    "their waters, including by:")
    assert ctx["PP 1"] == ctx["OP 1"] == ""
    assert res.passages[-1].citation(res.source) == "A/RES/91/45, OP 3, p. 3 (9 December 2036)"


def test_synthetic_convention_labels_and_headings(fixtures_dir: Path) -> None:
    d = synthetic(fixtures_dir / "convention-synthetic.txt", symbol="A/RES/92/18", date="2037-10-30")
    assert [p.label for p in d.passages] == [
        "PP 1", "OP 1", "OP 2", "annex, PP 1", "annex, PP 2", "annex, PP 3",
        "art. 1", "art. 1 (a)", "art. 1 (b)",
        "art. 2", "art. 2 (a)", "art. 2 (b)", "art. 2 (b) (i)", "art. 2 (b) (ii)",
        "art. 3 (1)", "art. 3 (2)", "art. 3 (2) (a)", "art. 3 (2) (b)", "art. 3 (3)", "art. 4",
        "note 1 (art. 2)", "note 2 (arts. 3 and 4)"]
    head = {p.label: p.heading for p in d.passages}
    title = "Annex. Convention on the Safety of Undersea Data Cables"
    assert head["annex, PP 1"] == f"{title} > Preamble"
    assert head["art. 1 (a)"] == f"{title} > Chapter I. General provisions > Article 1. Purpose"
    assert head["art. 3 (2) (b)"] == f"{title} > Chapter II. Cooperation > Article 3. Notification of incidents"
    assert head["note 2 (arts. 3 and 4)"] == ("Annex. Interpretative notes on specific articles of the Convention on "
                                             "the Safety of Undersea Data Cables > Articles 3 and 4")
    assert d.passages[-1].text == ("2. The obligations in articles 3 and 4 apply without prejudice to the law of "
                                   "the sea.")


CONVENTION_NO_CHAPTERS = """The General Assembly,

1. Adopts the Convention annexed to the present resolution.

Annex

Convention on Cable Safety

Preamble

The States Parties to this Convention,

Recognizing that undersea data cables carry most international communications,

Have agreed on the following:

Article 1

Purpose

Each State Party shall protect cables within its jurisdiction.
"""


def test_articles_are_not_under_the_preamble() -> None:
    c = clean(CONVENTION_NO_CHAPTERS)
    units = segment(c, SourceEntry(id="x", title="t", body="other", date="2037-01-01", type="resolution"))
    art = [u for u in units if u.label == "art. 1"][0]
    assert art.heading == "Annex. Convention on Cable Safety > Article 1. Purpose"


def test_article_heading_followed_by_its_title_on_the_next_line() -> None:
    raw = ("The States Parties to this Convention,\n\n"
           "Recognizing that undersea data cables carry most international communications,\n\n"
           "Have agreed on the following:\n\n"
           "Article 1\nPurpose\n\n"
           "1. Each State Party shall protect cables within its jurisdiction.\n\n"
           "2. Each State Party shall cooperate in repairs.\n\n"
           "Article 2\nRepair vessels\n\n"
           "Each State Party shall facilitate the entry of repair vessels.\n")
    c = clean(raw)
    units = segment(c, SourceEntry(id="x", title="t", body="other", date="2037-01-01", type="convention"))
    assert [u.label for u in units][-3:] == ["art. 1 (1)", "art. 1 (2)", "art. 2"]


def test_sentence_starting_with_the_general_assembly_is_text() -> None:
    raw = ("Summary of the discussion\n\n"
           "The working group met four times in 2036 and heard from operators.\n\n"
           "The General Assembly, in its resolution 91/45, asked the group to report on repair permits by 2037.\n\n"
           "The group recommends a common permit form.\n")
    c = clean(raw)
    units = segment(c, SourceEntry(id="x", title="t", body="other", date="2037-01-01", type="report"))
    assert [(u.label, c.text[u.start:u.end][:22]) for u in units] == [
        ("para. 1", "The working group met "), ("para. 2", "The General Assembly, "),
        ("para. 3", "The group recommends a")]


# --------------------------------------------------------------------------- synthetic compendium

@pytest.fixture(scope="module")
def comp(fixtures_dir: Path) -> Document:
    return synthetic(fixtures_dir / "compendium-synthetic.txt", type_="statement", symbol="A/AC.999/2036/INF/2",
                     date="2036-07-20")


def test_synthetic_compendium_delegations_and_languages(comp: Document) -> None:
    rows = [(p.delegation, p.label, p.language, p.page) for p in comp.passages if p.delegation]
    assert rows[:9] == [
        ("Chile", "Chile, p. 3, ¶ 2", "es", 3), ("Chile", "Chile, p. 3, ¶ 3", "es", 3),
        ("Chile", "Chile, p. 3, ¶ 5", "en", 3), ("Chile", "Chile, p. 3, ¶ 6", "en", 3),
        ("New Zealand", "New Zealand, p. 3, ¶ 2", "en", 3), ("New Zealand", "New Zealand, p. 3, ¶ 3", "en", 3),
        ("Norway", "Norway, p. 3, ¶ 1", "fr", 3), ("Norway", "Norway, p. 3, ¶ 2", "fr", 3),
        ("Russian Federation", "Russian Federation, p. 4, ¶ 1", "ru", 4)]
    assert ("Senegal", "Senegal, p. 4, ¶ 1", "fr", 4) in rows
    # salutations are not citable; the translation heading stays inside Chile's statement
    assert not any(p.text in ("Señor Presidente,", "Thank you, Chair.", "Muchas gracias.") for p in comp.passages)
    chile3 = [p for p in comp.passages if p.label == "Chile, p. 3, ¶ 5"][0]
    assert chile3.heading == "I. Statements by States > Chile > Translation provided by the delegation"
    assert chile3.text.startswith("Chile thanks the Chair for the conduct of the work")
    assert "Translation provided by the delegation" not in {p.delegation for p in comp.passages}


def test_synthetic_compendium_note_by_the_secretariat(comp: Document) -> None:
    note = [p for p in comp.passages if p.text.startswith("1. On 10 July 2036")][0]
    assert (note.label, note.delegation, note.page) == ("para. 1", "", 1)
    star = [p for p in comp.passages if p.text.startswith("* Reproduced as submitted")][0]
    assert star.label == "fn. *"


def test_synthetic_compendium_european_union(comp: Document) -> None:
    eu = [p for p in comp.passages if "European Union" in p.delegation]
    assert [(p.delegation, p.label, p.heading) for p in eu][0] == (
        "European Union", "European Union, p. 4, ¶ 1", "II. European Union")


def test_synthetic_compendium_masthead_is_not_a_passage(comp: Document) -> None:
    first = comp.passages[0]
    assert first.text.startswith("1. On 10 July 2036"), first.text


# --------------------------------------------------------------------------- markdown and HTML

def test_markdown_headings_paragraphs_and_bullets(fixtures_dir: Path) -> None:
    from ingest.settings import Settings

    path = fixtures_dir / "workshop-notes.md"
    d = ingest_file(path, cat.Catalog([]), Settings.from_env({}, corpus=[path.parent],
                                                              sources=path.parent / "absent.toml"))
    rows = [(p.label, p.heading, p.context, p.page) for p in d.passages]
    top = "Regional workshop on cable repair cooperation"
    lead = "The discussion identified three obstacles that delay repairs in most regions:"
    assert rows == [
        ("para. 1", top, "", None),
        ("para. 2", f"{top} > Main findings", "", None),
        ("para. 3", f"{top} > Main findings", lead, None),
        ("para. 4", f"{top} > Main findings", lead, None),
        ("para. 5", f"{top} > Main findings", lead, None),
        ("para. 6", f"{top} > Main findings", "", None),
        ("para. 7", f"{top} > Next steps", "", None),
    ]
    assert d.passages[2].text == "- Permits for repair vessels take weeks to obtain in several jurisdictions."
    # the model sees the heading path and the lead-in, not the document title (docs/quality.md)
    assert d.passages[2].embed_text(d.source) == f"{top} > Main findings | {lead}\n{d.passages[2].text}"
    assert not any(p.text.startswith("#") for p in d.passages)
    assert d.passages[0].citation(d.source) == (
        "Regional workshop on cable repair cooperation: chair's summary, para. 1 (15 March 2037)")


def test_markdown_without_header_takes_title_from_first_heading(tmp_path: Path) -> None:
    from ingest.settings import Settings

    p = tmp_path / "briefing.md"
    p.write_text("# Briefing on cable repair\n\nStates met in 2037 to discuss repair permits.\n\n"
                 "Two proposals were tabled:\n\n* a common permit form;\n* a registry of vessels.\n",
                 encoding="utf-8")
    d = ingest_file(p, cat.Catalog([]), Settings.from_env({}, corpus=[tmp_path], sources=tmp_path / "x.toml"))
    assert d.source.title == "Briefing on cable repair"
    assert [(x.label, x.context) for x in d.passages] == [
        ("para. 1", ""), ("para. 2", ""),
        ("para. 3", "Two proposals were tabled:"), ("para. 4", "Two proposals were tabled:")]


def test_html_structure(fixtures_dir: Path) -> None:
    from ingest.settings import Settings

    path = fixtures_dir / "repair-registry.html"
    d = ingest_file(path, cat.Catalog([]), Settings.from_env({}, corpus=[path.parent],
                                                              sources=path.parent / "absent.toml"))
    texts = [p.text for p in d.passages]
    assert texts[0].startswith("The registry lists national points of contact")
    assert "- States register through their permanent mission." in texts
    assert "The registry’s data are shared under the Café rules agreed in 2036." in texts
    assert all(p.heading.startswith("Cable repair registry") for p in d.passages)
    assert not any("script" in t or "font-family" in t for t in texts)


def test_html_question_heading_is_a_heading(fixtures_dir: Path) -> None:
    from ingest.settings import Settings

    path = fixtures_dir / "repair-registry.html"
    d = ingest_file(path, cat.Catalog([]), Settings.from_env({}, corpus=[path.parent],
                                                              sources=path.parent / "absent.toml"))
    assert "Who may register?" not in [p.text for p in d.passages]
    any_state = [p for p in d.passages if p.text.startswith("Any State")][0]
    assert any_state.heading.endswith("Who may register?")


# --------------------------------------------------------------------------- is_heading

@pytest.mark.parametrize("text, expected", [
    ("Article 14", True), ("Chapter IV", True), ("Annex", True), ("# Title", True),
    ("II. European Union", True), ("Scope of the registry", True), ("Courtesy translation", True),
    ("1. Decides to remain seized of the matter.", False), ("(a) To share information;", False),
    ("- a bullet", False), ("Noting the work of the group,", False), ("Thank you.", False),
])
def test_is_heading(text: str, expected: bool) -> None:
    assert is_heading(text) is expected


def test_segment_returns_only_units_inside_the_text(res: Document) -> None:
    units = segment(res.cleaned, res.source)
    assert all(0 <= u.start < u.end <= len(res.cleaned.text) for u in units)
    assert [u.start for u in units] == sorted(u.start for u in units)
