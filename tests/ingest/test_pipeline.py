"""ingest/pipeline.py: whole documents and whole corpora.

* every passage of every mirror document is verbatim: the cleaned slice, and the
  raw file text between its source offsets;
* no passage of a mirror document is a page header, a barcode, the masthead or a lone heading;
* a generated three-page PDF gets the right pages and labels in its citations;
* bad files are skipped with a one-line reason naming the file, the rest is ingested;
* uncatalogued files get inferred metadata.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ingest import catalog as cat
from ingest.loaders import load, split_header
from ingest.pipeline import corpus_files, ingest_corpus, ingest_file
from ingest.records import IngestError, Passage, SourceEntry
from ingest.settings import MIRROR, Settings

MIRROR_FILES = sorted(MIRROR.glob("*.txt")) if MIRROR.is_dir() else []
MIRROR_IDS = [p.name for p in MIRROR_FILES]


def norm(text: str) -> str:
    """White space collapsed; the space a line wrap leaves after a hyphen is white space too."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(?<=\w) ?- (?=\w)", "-", text)  # "action -\noriented": a PDF space before the hyphen


# =========================================================================== every passage is verbatim

@pytest.mark.parametrize("name", MIRROR_IDS)
def test_passage_is_the_cleaned_slice(mirror_docs, name: str) -> None:
    doc = mirror_docs[name]
    cleaned_norm = norm(doc.cleaned.text)
    assert doc.passages
    prev_start = -1
    for p in doc.passages:
        assert p.text == doc.cleaned.text[p.start:p.end], (p.ordinal, p.label)
        assert p.text and p.text == p.text.strip(), (p.ordinal, p.label)
        assert norm(p.text) in cleaned_norm
        assert p.start > prev_start
        prev_start = p.start
        assert 0 <= p.source_start < p.source_end, (p.ordinal, p.label)
        assert p.doc_id == doc.source.id


# --- an independent view of the page furniture a passage may legitimately skip over

PAGE_MARK = re.compile(r"^(?:\d{2}-\d{5}\s+)?\d{1,3}/\d{1,3}(?:\s+\d{2}-\d{5})?$")
JOB = re.compile(r"^\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})?$")
BARCODE = re.compile(r"^\*\d{6,}\*$")
RULE = re.compile(r"^_{5,}$")


def furniture(raw: str, symbol: str, title: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each raw line; kind is 'page' (page header/footer line), 'rule',
    'note' (footnote block: after a rule up to the next page header) or ''.

    A line is page furniture when it is a page marker, job number, barcode or the symbol,
    or when it is part of the document's title and sits in the same block (no blank line
    between) as such a marker: that is how UN running headers are printed.
    """
    lines, pos = [], 0
    for line in raw.split("\n"):
        lines.append([pos, pos + len(line), line.strip(), ""])
        pos += len(line) + 1
    marker = [bool(PAGE_MARK.match(t) or JOB.match(t) or BARCODE.match(t) or (symbol and t == symbol))
              for _, _, t, _ in lines]
    title_l = norm(title).lower()
    for i, ln in enumerate(lines):
        if marker[i]:
            ln[3] = "page"
        elif len(ln[2]) >= 12 and ln[2].lower() in title_l:
            lo = hi = i
            while lo > 0 and lines[lo - 1][2]:
                lo -= 1
            while hi + 1 < len(lines) and lines[hi + 1][2]:
                hi += 1
            if any(marker[lo:hi + 1]):
                ln[3] = "page"
    in_notes = False
    for ln in lines:
        if RULE.match(ln[2]):
            ln[3], in_notes = "rule", True
        elif in_notes:
            if ln[3] == "page":
                in_notes = False
            else:
                ln[3] = "note"
    return [(a, b, k) for a, b, _, k in lines]


def expected_from_raw(raw: str, lines: list[tuple[int, int, str]], p: Passage) -> str:
    """The raw text between the passage's source offsets, minus page furniture (and minus
    footnotes, unless the passage is itself a footnote)."""
    first = next(k for a, b, k in lines if a <= p.source_start <= b)
    out = []
    for a, b, k in lines:
        if b < p.source_start or a >= p.source_end:
            continue
        if k in ("page", "rule") or (k == "note" and first != "note"):
            continue
        out.append(raw[max(a, p.source_start):min(b, p.source_end)])
    return norm(" ".join(out))


@pytest.mark.parametrize("name", MIRROR_IDS)
def test_raw_source_slice_is_the_passage(mirror, mirror_docs, name: str) -> None:
    """raw[source_start:source_end], white space normalised, is the passage text; where a
    passage runs over a page break, the page header/footer lines (and the footnotes placed
    after the paragraph) between its two halves are skipped. No de-hyphenation is allowed:
    none occurs in the mirror today."""
    doc = mirror_docs[name]
    raw = (mirror / name).read_text(encoding="utf-8")
    for r in doc.cleaned.refs:  # footnote marks are set apart: the offset map says where they stood
        raw = raw[:r.raw_start] + " " * (r.raw_end - r.raw_start) + raw[r.raw_end:]
    header, _ = split_header(raw)
    lines = furniture(raw, doc.source.symbol, header.get("title", doc.source.title))
    bad = []
    for p in doc.passages:
        expected, got = expected_from_raw(raw, lines, p), norm(p.text)
        if expected != got:
            i = next((k for k in range(min(len(expected), len(got))) if expected[k] != got[k]),
                     min(len(expected), len(got)))
            bad.append(f"#{p.ordinal} {p.label}: raw …{expected[max(0, i - 30):i + 50]!r} "
                       f"vs passage …{got[max(0, i - 30):i + 50]!r}")
    assert not bad, "\n".join(bad)


def test_raw_offsets_point_at_the_passage_start(mirror, mirror_docs) -> None:
    """The first and last characters of every passage are where its source offsets say."""
    for name, doc in mirror_docs.items():
        raw = (mirror / name).read_text(encoding="utf-8")
        for p in doc.passages:
            assert raw[p.source_start] == p.text[0], (name, p.label)
            assert raw[p.source_end - 1] == p.text[-1], (name, p.label)


# =========================================================================== no furniture passages

ENUMERATED = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.|\((?:[a-z]{1,2}|[ivxl]{1,6}|\d{1,3})\))\s+\S")
ENUM_ONLY = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.|\((?:[a-z]{1,2}|[ivxl]{1,6}|\d{1,3})\))$")
SENTENCE_END = re.compile(r"[.;:!?,)\]”\"’»]\d{0,2}$")


def furniture_problem(p: Passage, symbol: str) -> str:
    t = p.text.strip()
    if symbol and t == symbol:
        return "the symbol"
    if PAGE_MARK.match(t) or JOB.match(t) or re.fullmatch(r"\d{2}-\d{5}(?:\s*\([A-Z]\))?\s+\d{6}", t):
        return "a page marker or job number"
    if BARCODE.match(t):
        return "a barcode"
    if "Distr.:" in t or t in ("United Nations", "General Assembly"):
        return "the masthead"
    if ENUM_ONLY.match(t):
        return "a lone enumerator"
    if p.part and not p.part.startswith("part 1/"):
        return ""
    if not SENTENCE_END.search(t) and not ENUMERATED.match(t) and not re.search(r"\b(?:and|or)$", t) \
            and len(t.split()) <= 30:
        return "a lone heading (short, no sentence punctuation)"
    return ""


@pytest.mark.parametrize("name", MIRROR_IDS)
def test_no_passage_is_page_furniture_or_a_lone_heading(mirror_docs, name: str) -> None:
    doc = mirror_docs[name]
    problems = [f"#{p.ordinal} [{p.label}] is {why}: {p.text[:80]!r}"
                for p in doc.passages if (why := furniture_problem(p, doc.source.symbol))]
    assert not problems, "\n".join(problems)


def test_furniture_check_catches_what_it_should() -> None:
    def mk(text: str, part: str = "") -> Passage:
        return Passage(doc_id="x", ordinal=0, label="para.", text=text, start=0, end=len(text), part=part)

    assert furniture_problem(mk("A/RES/73/27"), "A/RES/73/27") == "the symbol"
    assert furniture_problem(mk("36-20417 (E)    141236"), "") == "a page marker or job number"
    assert furniture_problem(mk("2/5"), "") == "a page marker or job number"
    assert furniture_problem(mk("*1821207*"), "") == "a barcode"
    assert furniture_problem(mk("Distr.: General 11 December 2018"), "") == "the masthead"
    assert furniture_problem(mk("3."), "") == "a lone enumerator"
    assert furniture_problem(mk("Scope of the registry"), "") == "a lone heading (short, no sentence punctuation)"
    for fine in ("(c) To consider the resilience of landing stations; or",
                 "Recalling its resolutions, including 90/12,1", "This Convention aims to:"):
        assert furniture_problem(mk(fine), "") == "", fine


# =========================================================================== a generated PDF

PDF_SYMBOL = "A/RES/91/45"


def resolution_pages(indent: str = "     ") -> list[list[list[str]]]:
    return [
        [[indent + "The General Assembly,"],
         [indent + "Recalling its earlier deliberations on the protection of shared digital",
          "infrastructure and the work of regional organizations,"],
         [indent + "Noting with concern that damage to undersea data cables can interrupt",
          "essential services for whole regions,"],
         [indent + "Stressing that States should refrain from any activity that intentionally",
          "damages undersea data cables or impairs their operation, and that the repair of"]],
        [["damaged cables should proceed without undue delay,"],
         [indent + "Welcoming the voluntary repair arrangements among neighbouring coastal",
          "States,"],
         [indent + "1. Calls upon all Member States:"],
         [indent + "(a) To share information on cable routes with repair operators;"],
         [indent + "(b) To facilitate the entry of repair vessels into their waters;"]],
        [[indent + "(c) To consider the resilience of landing stations in national planning;"],
         [indent + "2. Decides to remain seized of the matter."]],
    ]


EXPECTED_PDF = [
    ("PP 1", 1, "Recalling its earlier deliberations"),
    ("PP 2", 1, "Noting with concern that damage"),
    ("PP 3", 1, "Stressing that States should refrain"),
    ("PP 4", 2, "Welcoming the voluntary repair arrangements"),
    ("OP 1", 2, "1. Calls upon all Member States:"),
    ("OP 1 (a)", 2, "(a) To share information on cable routes"),
    ("OP 1 (b)", 2, "(b) To facilitate the entry of repair vessels"),
    ("OP 1 (c)", 3, "(c) To consider the resilience of landing stations"),
    ("OP 2", 3, "2. Decides to remain seized of the matter."),
]


def pdf_catalog(path: Path) -> cat.Catalog:
    return cat.Catalog([SourceEntry(id="a-res-91-45", title="Protecting undersea data cables", body="UNGA",
                                    date="2036-12-09", type="resolution", symbol=PDF_SYMBOL, file=path.name)])


def test_generated_pdf_pages_and_labels_in_citations(tmp_path: Path, make_pdf, empty_settings, counter) -> None:
    path = make_pdf(tmp_path / "A_RES_91_45.pdf", resolution_pages(), header=PDF_SYMBOL)
    doc = ingest_file(path, pdf_catalog(path), empty_settings(tmp_path), counter)
    got = [(p.label, p.page, p.text) for p in doc.passages]
    assert [(lbl, page) for lbl, page, _ in got] == [(lbl, page) for lbl, page, _ in EXPECTED_PDF]
    for (_, _, text), (_, _, prefix) in zip(got, EXPECTED_PDF):
        assert text.startswith(prefix)
    cites = [p.citation(doc.source) for p in doc.passages]
    assert cites[0] == "A/RES/91/45, PP 1, p. 1 (9 December 2036)"
    assert cites[2] == "A/RES/91/45, PP 3, pp. 1–2 (9 December 2036)"  # it runs onto page 2
    assert cites[7] == "A/RES/91/45, OP 1 (c), p. 3 (9 December 2036)"
    assert cites[-1] == "A/RES/91/45, OP 2, p. 3 (9 December 2036)"
    # the paragraph cut by the page break is whole, without the page furniture
    assert doc.passages[2].text == ("Stressing that States should refrain from any activity that intentionally "
                                    "damages undersea data cables or impairs their operation, and that the repair "
                                    "of damaged cables should proceed without undue delay,")
    assert doc.passages[5].context == "Calls upon all Member States:"
    raw = load(path, max_bytes=10 ** 7, max_pages=10).text
    for p in doc.passages:
        assert p.text == doc.cleaned.text[p.start:p.end]
        assert raw[p.source_start] == p.text[0] and raw[p.source_end - 1] == p.text[-1]
        assert PDF_SYMBOL not in p.text and not re.search(r"\b\d/3\b", p.text)


def test_generated_pdf_uncatalogued(tmp_path: Path, make_pdf, empty_settings) -> None:
    path = make_pdf(tmp_path / "upload.pdf", resolution_pages(), header=PDF_SYMBOL)
    doc = ingest_file(path, cat.Catalog([]), empty_settings(tmp_path))
    assert (doc.source.symbol, doc.source.type, doc.source.catalogued) == (PDF_SYMBOL, "resolution", False)
    assert [p.label for p in doc.passages] == [lbl for lbl, _, _ in EXPECTED_PDF]
    # No masthead: the symbol is the first one the text shows, and the citation says it is a guess.
    assert "symbol" in doc.source.inferred
    assert doc.passages[4].citation(doc.source) == "A/RES/91/45 (symbol inferred), OP 1, p. 2"


def test_generated_pdf_without_indents(tmp_path: Path, make_pdf, empty_settings) -> None:
    path = make_pdf(tmp_path / "A_RES_91_45.pdf", resolution_pages(indent=""), header=PDF_SYMBOL)
    doc = ingest_file(path, pdf_catalog(path), empty_settings(tmp_path))
    assert [(p.label, p.page) for p in doc.passages] == [(lbl, page) for lbl, page, _ in EXPECTED_PDF]


# =========================================================================== bad inputs in a corpus

def write_bad_inputs(folder: Path, fixtures: Path) -> dict[str, str]:
    """A corpus folder with good and bad files; returns file name -> expected skip reason."""
    from fpdf import FPDF

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(fixtures / "res-91-45-synthetic.txt", folder / "a-resolution.txt")
    shutil.copy(fixtures / "res-91-45-synthetic.txt", folder / "b-same-bytes-other-name.txt")
    shutil.copy(fixtures / "workshop-notes.md", folder / "workshop-notes.md")
    (folder / "c-french-cp1252.txt").write_bytes(
        ("Résolution adoptée par l’Assemblée générale le 9 décembre 2036\n\n"
         "L’Assemblée générale, réaffirmant que la coopération régionale est essentielle à la sécurité "
         "des câbles sous-marins, prie les États Membres de désigner un point de contact.\n").encode("cp1252"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "too-big.txt").write_bytes(b"Cable repair. " * 21_500)  # 301 kB
    def one_page() -> FPDF:
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.text(20, 30, "Noting the importance of repairing undersea data cables quickly,")
        return pdf

    good_pdf = bytes(one_page().output())
    (folder / "truncated.pdf").write_bytes(good_pdf[: len(good_pdf) // 2])
    locked = one_page()
    locked.set_encryption(owner_password="owner-secret", user_password="user-secret")
    locked.output(str(folder / "locked.pdf"))
    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 100, 60, style="F")
    scan.output(str(folder / "scanned.pdf"))
    sub = folder / "sub"
    sub.mkdir()
    (sub / "nested-empty.md").write_text("   \n", encoding="utf-8")
    # not corpus files at all
    (folder / "README.md").write_text("How this folder is organised.\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("Hidden scratch note.\n", encoding="utf-8")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return {
        "b-same-bytes-other-name.txt": "duplicate of a-resolution.txt (same content)",
        "empty.txt": "empty file",
        "binary.txt": "binary content (NUL bytes), not text",
        "too-big.txt": "file is 0.287 MB, over the 0.2 MB limit",
        "truncated.pdf": "corrupt PDF (",
        "locked.pdf": "encrypted PDF (a password is needed)",
        "scanned.pdf": "PDF has no text layer (image-only or scanned?)",
        "nested-empty.md": "empty file",
    }


@pytest.fixture
def bad_corpus(tmp_path: Path, fixtures_dir: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "corpus"
    return folder, write_bad_inputs(folder, fixtures_dir)


def test_corpus_files_skips_hidden_readme_and_unsupported(bad_corpus) -> None:
    folder, _ = bad_corpus
    names = [p.name for p in corpus_files([folder])]
    assert "README.md" not in names and ".hidden.txt" not in names and "photo.png" not in names
    assert "nested-empty.md" in names
    assert corpus_files([folder]) == sorted(corpus_files([folder]))
    assert corpus_files([folder, folder]) == corpus_files([folder])  # a folder given twice counts once
    assert corpus_files([folder / "missing"]) == []


def test_bad_files_are_skipped_and_named_while_the_rest_is_ingested(bad_corpus, empty_settings) -> None:
    folder, expected = bad_corpus
    result = ingest_corpus(empty_settings(folder, max_file_mb=0.2))
    assert sorted(d.path.name for d in result.documents) == ["a-resolution.txt", "c-french-cp1252.txt",
                                                              "workshop-notes.md"]
    assert result.summary() == f"3 ingested, {len(expected)} skipped"
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert set(reasons) == set(expected)
    for name, reason in reasons.items():
        assert reason.startswith(expected[name]), (name, reason)
        assert "\n" not in reason
    for s in result.skipped:
        assert Path(s.path).is_absolute() and Path(s.path).exists()
        assert str(s) == f"{s.path}: {s.reason}"
    french = next(d for d in result.documents if d.path.name == "c-french-cp1252.txt")
    assert french.passages[0].text.startswith("L’Assemblée générale, réaffirmant que la coopération régionale")
    assert french.source.title == "Résolution adoptée par l’Assemblée générale le 9 décembre 2036"


def test_nothing_ingestable(tmp_path: Path, empty_settings) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = ingest_corpus(empty_settings(tmp_path))
    assert result.summary() == "0 ingested, 1 skipped"


def test_unreadable_file_is_skipped(tmp_path: Path, empty_settings) -> None:
    gone = tmp_path / "vanished.txt"
    result = ingest_corpus(empty_settings(tmp_path), files=[gone])
    assert [(Path(s.path).name, s.reason.split(" (")[0]) for s in result.skipped] == [("vanished.txt", "cannot read")]


def test_document_with_only_headings_has_no_citable_text(tmp_path: Path, empty_settings) -> None:
    p = tmp_path / "outline.md"
    p.write_text("# Outline\n\n## Part one\n\n## Part two\n", encoding="utf-8")
    with pytest.raises(IngestError, match="^no citable text found$"):
        ingest_file(p, cat.Catalog([]), empty_settings(tmp_path))


def test_same_catalogue_id_twice_gets_a_suffix(tmp_path: Path, fixtures_dir: Path, empty_settings) -> None:
    """A TXT and an MD copy that both name A/RES/91/45 in their header: the second id gets '-2'."""
    body = (fixtures_dir / "res-91-45-synthetic.txt").read_text(encoding="utf-8")
    (tmp_path / "one.txt").write_text("---\nsymbol: A/RES/91/45\n---\n" + body, encoding="utf-8")
    (tmp_path / "two.md").write_text("---\nsymbol: A/RES/91/45\n---\n\n" + body, encoding="utf-8")
    toml = tmp_path / "sources.toml"
    toml.write_text('[[document]]\nid = "a-res-91-45"\nsymbol = "A/RES/91/45"\ntitle = "Protecting undersea data '
                    'cables and landing stations"\nbody = "UNGA"\ndate = "2036-12-09"\ntype = "resolution"\n'
                    'language = "en"\nfile = "A_RES_91_45.pdf"\n', encoding="utf-8")
    settings = Settings.from_env({}, corpus=[tmp_path], index=tmp_path / "index", sources=toml)
    result = ingest_corpus(settings)
    assert [d.source.id for d in result.documents] == ["a-res-91-45", "a-res-91-45-2"]
    assert all(p.doc_id == "a-res-91-45-2" for p in result.documents[1].passages)
    assert all(d.source.catalogued for d in result.documents)
    assert result.documents[0].passages[0].citation(result.documents[0].source) == \
        "A/RES/91/45, PP 1, p. 1 (9 December 2036)"


# =========================================================================== uncatalogued files

def test_uncatalogued_resolution_gets_inferred_metadata(fixtures_dir: Path, empty_settings) -> None:
    path = fixtures_dir / "res-91-45-synthetic.txt"
    s = ingest_file(path, cat.Catalog([]), empty_settings(fixtures_dir)).source
    assert s.catalogued is False
    assert (s.id, s.symbol, s.body, s.type, s.file) == ("res-91-45-synthetic", "A/RES/91/45", "UNGA", "resolution",
                                                        path.name)
    assert s.url == "https://undocs.org/A/RES/91/45"
    assert s.date in ("2036-12-09", "2036-12-14")  # a date printed on the document


def test_uncatalogued_resolution_date_is_the_adoption_date(fixtures_dir: Path, empty_settings) -> None:
    path = fixtures_dir / "res-91-45-synthetic.txt"
    assert ingest_file(path, cat.Catalog([]), empty_settings(fixtures_dir)).source.date == "2036-12-09"


def test_uncatalogued_resolution_title_is_not_the_masthead(fixtures_dir: Path, empty_settings) -> None:
    path = fixtures_dir / "res-91-45-synthetic.txt"
    assert ingest_file(path, cat.Catalog([]), empty_settings(fixtures_dir)).source.title != "United Nations"


def test_uncatalogued_file_with_header_block(tmp_path: Path, empty_settings) -> None:
    p = tmp_path / "oewg-note.txt"
    p.write_text("---\nsymbol: A/AC.999/2036/INF/9\ntitle: Note on repair permits\nbody: UN OEWG\n"
                 "date: 2036-05-02\nlanguage: fr\nofficial_url: https://example.org/note\n---\n\n"
                 "Les États sont invités à simplifier les permis de réparation des câbles.\n", encoding="utf-8")
    s = ingest_file(p, cat.Catalog([]), empty_settings(tmp_path)).source
    assert (s.symbol, s.title, s.body, s.date, s.language, s.url, s.type, s.catalogued) == (
        "A/AC.999/2036/INF/9", "Note on repair permits", "UN OEWG", "2036-05-02", "fr", "https://example.org/note",
        "outcome", False)


def test_uncatalogued_plain_note(tmp_path: Path, empty_settings) -> None:
    p = tmp_path / "my-notes.txt"
    p.write_text("Notes from the repair workshop\n\nMet on 3 March 2037 with operators to discuss permits.\n",
                 encoding="utf-8")
    s = ingest_file(p, cat.Catalog([]), empty_settings(tmp_path)).source
    assert (s.id, s.title, s.symbol, s.body, s.type, s.date, s.url, s.catalogued) == (
        "my-notes", "Notes from the repair workshop", "", "other", "outcome", "2037-03-03", "", False)


def test_file_matched_to_the_catalogue_by_header_symbol(tmp_path: Path, empty_settings) -> None:
    p = tmp_path / "some-other-name.txt"
    p.write_text("---\nsymbol: a/res/91/45\nofficial_url: https://example.org/copy\n---\n\nThe General Assembly,\n\n"
                 "Recalling its earlier work on undersea data cables,\n", encoding="utf-8")
    entry = SourceEntry(id="a-res-91-45", title="Protecting undersea data cables", body="UNGA", date="2036-12-09",
                        type="resolution", symbol="A/RES/91/45", file="A_RES_91_45.pdf")
    doc = ingest_file(p, cat.Catalog([entry]), empty_settings(tmp_path))
    assert (doc.source.id, doc.source.catalogued, doc.source.url) == ("a-res-91-45", True, "https://example.org/copy")
    assert doc.passages[0].citation(doc.source) == "A/RES/91/45, PP 1 (9 December 2036)"


def test_uncatalogued_html_page(fixtures_dir: Path, empty_settings) -> None:
    path = fixtures_dir / "repair-registry.html"
    s = ingest_file(path, cat.Catalog([]), empty_settings(fixtures_dir)).source
    assert (s.id, s.symbol, s.body, s.type, s.catalogued) == ("repair-registry", "", "other", "outcome", False)


def test_uncatalogued_html_page_is_named_by_its_title(fixtures_dir: Path, empty_settings) -> None:
    path = fixtures_dir / "repair-registry.html"
    s = ingest_file(path, cat.Catalog([]), empty_settings(fixtures_dir)).source
    assert s.title == "Cable repair registry: frequently asked questions"
