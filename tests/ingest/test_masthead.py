"""UN mastheads in the six languages (ingest/masthead.py), on PDFs generated with fpdf2.

Each PDF is a UN document as the UN prints it: the Organization's name and the
symbol, the organ, the distribution and date, the version's language, the job
number and barcode, session and agenda item, then (for resolutions) the adoption
line, the numbered title and the text. The fonts are Debian's Noto fonts
(`apt-get install fonts-noto-core fonts-noto-cjk`, see the Makefile); the tests
skip, saying so, where they are missing.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest import catalog as cat
from ingest import masthead
from ingest.pipeline import ingest_corpus, ingest_file

NOTO = Path("/usr/share/fonts/truetype/noto")
FONTS = {"latin": NOTO / "NotoSans-Regular.ttf", "arab": NOTO / "NotoNaskhArabic-Regular.ttf",
         "cjk": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")}
needs_fonts = pytest.mark.skipif(not all(p.is_file() for p in FONTS.values()),
                                 reason="Noto fonts missing: apt-get install fonts-noto-core fonts-noto-cjk")


def _script(text: str) -> str:
    if re.search(r"[\u0600-\u06ff]", text):
        return "arab"
    return "cjk" if re.search(r"[\u3000-\u9fff\uff00-\uffef]", text) else "latin"


def write_un_pdf(path: Path, pages: list[list[str]], tmp: Path) -> Path:
    """One line per baseline, blank strings for blank lines; each line in the font of its script.

    fpdf2 draws right-to-left text in visual order, where the UN's own PDFs keep
    the logical order that pypdf returns; so an Arabic run is handed over reversed
    (and digits and symbols beside it are drawn as their own runs, left to right).
    """
    from fontTools.ttLib import TTCollection
    from fpdf import FPDF

    cjk = tmp / "NotoSansCJK-sc.otf"
    if not cjk.exists():  # fpdf2 embeds one font of a collection: take the Simplified Chinese one
        TTCollection(str(FONTS["cjk"])).fonts[2].save(str(cjk))
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("latin", fname=str(FONTS["latin"]))
    pdf.add_font("arab", fname=str(FONTS["arab"]))
    pdf.add_font("cjk", fname=str(cjk))
    for lines in pages:
        pdf.add_page()
        y = 20.0
        for line in lines:
            x = 20.0
            line = line or " "  # pypdf keeps a blank line only where something is drawn, as in UN PDFs
            for run in re.findall(r"[\u0600-\u06ff][\u0600-\u06ff ،]*[\u0600-\u06ff،]|[^\u0600-\u06ff]+", line):
                font = _script(run)
                pdf.set_font(font, size=10)
                pdf.text(x, y, run[::-1] if font == "arab" else run)
                x += pdf.get_string_width(run) + 1.5
            y += 5.5
    pdf.output(str(path))
    return path


FIRST_LINES = {
    "en": ["United Nations  A/C.1/80/L.20", "", "General Assembly", "", "Distr.: Limited", "13 October 2025", "",
           "Original: English", "", "25-16528 (E)    171025", "*2516528*", "Eightieth session", "First Committee",
           "Agenda item 94", "Developments in the field of information and telecommunications", "", "",
           "Singapore: draft resolution", "", "Open-ended working group on the security of undersea cables", "",
           "   The General Assembly,"],
    "es": ["Naciones Unidas  A/RES/91/45", "", "Asamblea General", "", "Distr. general", "6 de diciembre de 2036",
           "", "Español", "Original: inglés", "", "36-24434 (S)    131236", "*3624434*",
           "Nonagésimo primer período de sesiones", "Tema 94 del programa", "Cables submarinos", "", "",
           "Resolución aprobada por la Asamblea General el 4 de diciembre de 2036", "",
           "[sobre la base del informe de la Primera Comisión (A/91/404, párr. 14)]", "",
           "91/45. Protección de los cables submarinos", "", "   La Asamblea General,"],
    "fr": ["Nations Unies  A/AC.999/2036/INF/5/Rev.1", "", "Assemblée générale", "", "Distr. générale",
           "12 août 2036", "", "Français", "Original : anglais", "", "36-12962 (F)    150836", "*3612962*",
           "Groupe de travail sur les câbles sous-marins", "Onzième session", "New York, 7–11 juillet 2036", "", "",
           "   Note du Secrétariat sur la réparation des câbles", ""],
    "ru": ["Организация Объединенных Наций  A/RES/91/46/Corr.1", "", "Генеральная Ассамблея", "",
           "Distr.: General", "20 January 2037", "", "Russian", "Original: English", "",
           "37-00321 (R)    210137", "*3700321*", "Девяносто первая сессия", "Пункт 94 повестки дня", "", "",
           "Резолюция, принятая Генеральной Ассамблеей 9 декабря 2036 года", "",
           "91/46. Подводные кабели", "", "Исправление", ""],
    "ar": ["الأمم المتحدة  A/RES/91/47", "", "الجمعية العامة", "", "Distr.: General", "15 December 2036", "",
           "Arabic", "Original: English", "", "36-25000 (A)    161236", "*3625000*", "الدورة الحادية والتسعون",
           "", "", "قرار اتخذته الجمعية العامة في 11 كانون الأول/ديسمبر 2036", "",
           "91/47 - حماية الكابلات البحرية", "", "إن الجمعية العامة،"],
    "zh": ["联合国  A/RES/91/48", "", "大会", "", "Distr.: General", "18 December 2036", "", "Chinese",
           "Original: English", "", "36-25100 (C)    191236", "*3625100*", "第九十一届会议", "议程项目94", "", "",
           "大会2036年12月12日通过的决议", "", "91/48. 保护海底电缆", "", "大会，"],
}
BODY = {
    "en": ["   Recalling its resolution 90/12 on the protection of undersea cables,", "",
           "   1. Decides to establish a registry of repair vessels;", "",
           "   2. Requests the Secretary-General:", "", "   (a) To report on the registry;"],
    "es": ["   Recordando su resolución 90/12 sobre la protección de los cables submarinos,", "",
           "   1. Decide establecer un registro de buques de reparación;", "",
           "   2. Pide al Secretario General:", "", "   a) Que informe sobre el registro;"],
    "fr": ["1. Le groupe de travail a adopté son rapport final le 11 juillet 2036.", "",
           "2. Le Secrétariat a rassemblé les déclarations ci-après, telles que reçues.", ""],
    "ru": ["   Пункт 2 постановляющей части", "",
           "   Вместо «в 2037 году» читать «в 2038 году».", ""],
    "ar": ["", "إذ تشير إلى قرارها بشأن حماية الكابلات البحرية،", "",
           "1 - تقرر إنشاء سجل لسفن الإصلاح؛", "", "2 - تطلب إلى الأمين العام أن يقدم تقريرا عن السجل؛"],
    "zh": ["   回顾其关于保护海底电缆的决议，", "", "   1. 决定设立修理船只登记册；", "",
           "   2. 请秘书长就登记册提出报告。"],
}
EXPECTED = {  # symbol, language, date (adoption for resolutions, else issue), type, title, revises, supersedes
    "en": ("A/C.1/80/L.20", "en", "2025-10-13", "draft",
           "Open-ended working group on the security of undersea cables", "", ""),
    "es": ("A/RES/91/45", "es", "2036-12-04", "resolution", "91/45. Protección de los cables submarinos", "", ""),
    "fr": ("A/AC.999/2036/INF/5/Rev.1", "fr", "2036-08-12", "outcome",
           "Note du Secrétariat sur la réparation des câbles", "A/AC.999/2036/INF/5", "A/AC.999/2036/INF/5"),
    "ru": ("A/RES/91/46/Corr.1", "ru", "2036-12-09", "resolution", "91/46. Подводные кабели", "A/RES/91/46", ""),
    "ar": ("A/RES/91/47", "ar", "2036-12-11", "resolution", "91/47 - حماية الكابلات البحرية", "", ""),
    "zh": ("A/RES/91/48", "zh", "2036-12-12", "resolution", "91/48. 保护海底电缆", "", ""),
}
MASTHEAD_WORDS = re.compile(r"Distr|Original|\d{2}-\d{5}|\*\d+\*|United Nations|Naciones Unidas|Nations Unies|"
                            r"Организация|الأمم المتحدة|联合国|session|sesiones|сессия|الدورة|届会议|"
                            r"programa|повестки|议程")


@pytest.fixture(scope="module")
def un_pdfs(tmp_path_factory) -> dict[str, Path]:
    if not all(p.is_file() for p in FONTS.values()):
        pytest.skip("Noto fonts missing: apt-get install fonts-noto-core fonts-noto-cjk")
    tmp = tmp_path_factory.mktemp("mastheads")
    return {lang: write_un_pdf(tmp / f"doc-{lang}.pdf", [FIRST_LINES[lang] + BODY[lang]], tmp) for lang in FIRST_LINES}


@needs_fonts
@pytest.mark.parametrize("lang", list(FIRST_LINES))
def test_an_uncatalogued_un_pdf_gets_its_facts_from_its_masthead(un_pdfs, empty_settings, lang) -> None:
    doc = ingest_file(un_pdfs[lang], cat.Catalog([]), empty_settings())
    s = doc.source
    assert (s.symbol, s.language, s.date, s.type, s.title, s.revises, s.supersedes) == EXPECTED[lang]
    assert "symbol" not in s.inferred and not s.catalogued
    for p in doc.passages:  # no masthead line is ever a passage or a heading
        assert not MASTHEAD_WORDS.search(p.text) and not MASTHEAD_WORDS.search(p.heading), (lang, p.label, p.text)
        assert p.text == doc.cleaned.text[p.start:p.end]


@needs_fonts
@pytest.mark.parametrize("lang,labels", [
    ("en", ["PP 1", "OP 1", "OP 2", "OP 2 (a)"]),
    ("es", ["PP 1", "OP 1", "OP 2", "OP 2 (a)"]),  # "a)": the Spanish sub-item style
    ("ar", ["PP 1", "OP 1", "OP 2"]),  # "1 -": the Arabic numbering
    ("zh", ["PP 1", "OP 1", "OP 2"]),
])
def test_structure_in_each_language_keeps_the_un_abbreviations(un_pdfs, empty_settings, lang, labels) -> None:
    doc = ingest_file(un_pdfs[lang], cat.Catalog([]), empty_settings())
    assert [p.label for p in doc.passages] == labels
    assert doc.passages[0].citation(doc.source).startswith(EXPECTED[lang][0])


@needs_fonts
def test_a_version_in_another_language_is_cited_as_that_version(un_pdfs, empty_settings) -> None:
    """The catalogue knows A/RES/91/45 in English; the Spanish PDF is its Spanish version."""
    entry = cat.versioned(cat.SourceEntry(id="a-res-91-45", title="Protection of undersea cables", body="UNGA",
                                          date="2036-12-04", type="resolution", symbol="A/RES/91/45",
                                          url="https://undocs.org/A/RES/91/45", file="A_RES_91_45.pdf"))
    doc = ingest_file(un_pdfs["es"], cat.Catalog([entry]), empty_settings())
    s = doc.source
    assert (s.id, s.language, s.url, s.catalogued) == ("a-res-91-45-es", "es",
                                                        "https://undocs.org/es/A/RES/91/45", True)
    assert doc.passages[1].citation(s) == "A/RES/91/45 (Spanish), OP 1, p. 1 (4 December 2036)"
    assert doc.warnings == []


@needs_fonts
def test_a_masthead_that_contradicts_the_catalogue_is_one_warning_and_the_catalogue_wins(
        un_pdfs, empty_settings) -> None:
    entry = cat.SourceEntry(id="wrong", title="Catalogued title", body="UNGA", date="2036-01-01",
                            type="resolution", language="en", symbol="A/RES/91/99", file=un_pdfs["zh"].name)
    doc = ingest_file(un_pdfs["zh"], cat.Catalog([entry]), empty_settings())
    assert (doc.source.symbol, doc.source.language) == ("A/RES/91/99", "en")
    assert len(doc.warnings) == 2 and all("\n" not in w for w in doc.warnings)
    assert "A/RES/91/48" in doc.warnings[0] and "A/RES/91/99" in doc.warnings[0]
    assert "Chinese" in doc.warnings[1] and "English" in doc.warnings[1]


@needs_fonts
def test_a_revision_supersedes_its_original_in_the_corpus(un_pdfs, tmp_path, empty_settings) -> None:
    """The French Rev.1 and an original of the same symbol: the original is marked superseded."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "rev1.pdf").write_bytes(un_pdfs["fr"].read_bytes())
    original = [line.replace("/Rev.1", "") for line in FIRST_LINES["fr"]]
    write_un_pdf(folder / "original.pdf", [original + BODY["fr"][:2]], tmp_path)
    result = ingest_corpus(empty_settings(folder))
    by_symbol = {d.source.symbol: d.source for d in result.documents}
    assert by_symbol["A/AC.999/2036/INF/5"].superseded_by == "A/AC.999/2036/INF/5/Rev.1"
    assert by_symbol["A/AC.999/2036/INF/5/Rev.1"].superseded_by == ""


def test_dates_in_the_six_languages() -> None:
    for text in ("6 December 2023", "6 de diciembre de 2023", "6 décembre 2023", "6 декабря 2023 года",
                 "6 كانون الأول/ديسمبر 2023", "2023年12月6日", "٦ ديسمبر ٢٠٢٣"):
        assert masthead.parse_date(text) == "2023-12-06", text
    assert masthead.parse_date("31 February 2023") == ""


def test_no_masthead_means_no_facts_from_one() -> None:
    assert masthead.read("Notes from the repair workshop\n\nA/RES/78/16 was discussed.") is None
