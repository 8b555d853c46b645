"""ingest/loaders.py: reading one file into raw text, and the one-line reason when it cannot be."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from ingest.loaders import PAGE_BREAK, SUFFIXES, decode_text, html_to_text, load, load_bytes, split_header
from ingest.records import IngestError

MB = 1024 * 1024
BIG = 50 * MB


def load_error(path: Path, *, max_bytes: int = BIG, max_pages: int = 2000) -> str:
    with pytest.raises(IngestError) as exc:
        load(path, max_bytes=max_bytes, max_pages=max_pages)
    message = str(exc.value)
    assert "\n" not in message and message.strip() == message and message, repr(message)
    return message


def one_page_pdf(path: Path, make_pdf, text: str = "Noting the importance of repairing undersea data cables,") -> Path:
    return make_pdf(path, [[[text]]], footer="")


# --------------------------------------------------------------------------- type and size

def test_unsupported_suffix_names_the_type_and_the_supported_ones(tmp_path: Path) -> None:
    p = tmp_path / "scan.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert load_error(p) == "unsupported file type .png (supported: .txt, .md, .pdf, .html, .htm)"
    q = tmp_path / "README"
    q.write_text("no suffix", encoding="utf-8")
    assert load_error(q).startswith("unsupported file type (none)")
    assert set(SUFFIXES) == {".txt", ".md", ".pdf", ".html", ".htm"}


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    p = tmp_path / "NOTE.TXT"
    p.write_text("States should cooperate on cable repair.\n", encoding="utf-8")
    assert load(p, max_bytes=BIG, max_pages=10).text.startswith("States should cooperate")


@pytest.mark.parametrize("content", [b"", b"   \n\n\t \r\n"], ids=["zero-bytes", "whitespace-only"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(content)
    assert load_error(p) == "empty file"


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    p = tmp_path / "large.txt"
    p.write_bytes(b"Cable repair. " * 43_000)  # 602,000 bytes
    assert load_error(p, max_bytes=int(0.5 * MB)) == "file is 0.574 MB, over the 0.5 MB limit"


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    """A huge binary file is refused for its size, not for its content."""
    p = tmp_path / "huge.txt"
    p.write_bytes(b"\x00" * 200_000)
    assert load_error(p, max_bytes=100_000).startswith("file is 0.191 MB, over the 0.0954 MB limit")


def test_size_message_is_not_self_contradictory(tmp_path: Path) -> None:
    p = tmp_path / "small-but-over.txt"
    p.write_bytes(b"x" * 60_000)
    message = load_error(p, max_bytes=int(0.05 * MB))
    size, limit = re.findall(r"(\d+(?:\.\d+)?) MB", message)
    assert size != limit, message


# --------------------------------------------------------------------------- text encodings

def test_binary_file_named_txt(tmp_path: Path) -> None:
    p = tmp_path / "archive.txt"
    p.write_bytes(bytes(range(256)) * 16)
    assert load_error(p) == "binary content (NUL bytes), not text"


def test_binary_without_nul_bytes_is_refused(tmp_path: Path) -> None:
    rng = random.Random(20361209)
    p = tmp_path / "noise.txt"
    p.write_bytes(bytes(rng.randrange(1, 256) for _ in range(6000)))
    assert load_error(p) == "not UTF-8 and no text encoding could be detected"


def test_pdf_bytes_under_a_txt_name(tmp_path: Path, make_pdf) -> None:
    pdf = one_page_pdf(tmp_path / "real.pdf", make_pdf)
    p = tmp_path / "disguised.txt"
    p.write_bytes(pdf.read_bytes())
    assert load_error(p) == "content is a PDF but the file is named .txt"


CP1252_TEXT = ("Résolution adoptée par l’Assemblée générale le 9 décembre 2036\n\n"
               "L’Assemblée générale, réaffirmant que la coopération régionale est essentielle à la "
               "sécurité des câbles sous-marins, prie les États Membres de désigner un point de contact.\n")


def test_cp1252_text_is_decoded(tmp_path: Path) -> None:
    p = tmp_path / "resolution-fr.txt"
    p.write_bytes(CP1252_TEXT.encode("cp1252"))
    loaded = load(p, max_bytes=BIG, max_pages=10)
    assert loaded.text == CP1252_TEXT
    assert "Résolution adoptée" in loaded.text


def test_short_latin1_text_is_decoded(tmp_path: Path) -> None:
    text = "Résolution adoptée par l'Assemblée générale le 9 décembre 2036.\n\nLa coopération régionale est essentielle.\n"
    p = tmp_path / "latin1.txt"
    p.write_bytes(text.encode("latin-1"))
    assert load(p, max_bytes=BIG, max_pages=10).text == text


FRENCH_GRAVE = ("Résolution adoptée par l'Assemblée générale.\n\n"
                "Les États Membres, réunis à Genève, ont examiné la sûreté des câbles et des stations "
                "d'atterrissement.\n")


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_text_with_grave_accents_is_decoded(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / f"{encoding}.txt"
    p.write_bytes(FRENCH_GRAVE.encode(encoding))
    assert load(p, max_bytes=BIG, max_pages=10).text == FRENCH_GRAVE


def test_utf8_with_bom_loses_only_the_bom() -> None:
    text = "Résolution adoptée\n\nTexte.\n"
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-8")) == text


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    markup = ('<html><head><meta charset="windows-1252"><title>x</title></head>'
              '<body><p>Résolution adoptée par l’Assemblée générale.</p></body></html>')
    p = tmp_path / "page.html"
    p.write_bytes(markup.encode("cp1252"))
    assert load(p, max_bytes=BIG, max_pages=10).text == "Résolution adoptée par l’Assemblée générale."


# --------------------------------------------------------------------------- PDFs

def test_pdf_pages_are_separated_by_form_feeds(tmp_path: Path, make_pdf) -> None:
    p = make_pdf(tmp_path / "three.pdf", [[["Page one text about cables."]], [["Page two text about repairs."]],
                                          [["Page three text about landing stations."]]])
    loaded = load(p, max_bytes=BIG, max_pages=10)
    assert loaded.has_pages
    pages = loaded.text.split(PAGE_BREAK)
    assert len(pages) == 3
    assert "Page two text about repairs." in pages[1] and "2/3" in pages[1]


def test_pdf_over_the_page_limit(tmp_path: Path, make_pdf) -> None:
    p = make_pdf(tmp_path / "long.pdf", [[["Some text on this page."]]] * 3)
    assert load_error(p, max_pages=2) == "PDF has 3 pages, over the 2-page limit"


def test_encrypted_pdf(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(20, 30, "Confidential draft on the protection of undersea data cables.")
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    p = tmp_path / "locked.pdf"
    pdf.output(str(p))
    assert load_error(p) == "encrypted PDF (a password is needed)"


def test_pdf_encrypted_without_user_password_is_read(tmp_path: Path) -> None:
    """Owner-password-only PDFs (printing restrictions) open with an empty password."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(20, 30, "Restricted printing, but readable text about cable repair.")
    pdf.set_encryption(owner_password="owner-secret")
    p = tmp_path / "restricted.pdf"
    pdf.output(str(p))
    assert "readable text about cable repair" in load(p, max_bytes=BIG, max_pages=10).text


def test_corrupt_pdf(tmp_path: Path, make_pdf) -> None:
    good = one_page_pdf(tmp_path / "good.pdf", make_pdf).read_bytes()
    p = tmp_path / "truncated.pdf"
    p.write_bytes(good[: len(good) // 2])
    message = load_error(p)
    assert message.startswith("corrupt PDF (") and message.endswith(")")


def test_pdf_named_file_without_pdf_signature(tmp_path: Path) -> None:
    p = tmp_path / "fake.pdf"
    p.write_text("This is plain text with a .pdf name.\n", encoding="utf-8")
    assert load_error(p) == "not a PDF (no %PDF- signature)"


def test_image_only_pdf(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    pdf.rect(20, 20, 120, 80, style="F")
    p = tmp_path / "scan.pdf"
    pdf.output(str(p))
    assert load_error(p) == "PDF has no text layer (image-only or scanned?)"


# --------------------------------------------------------------------------- the `---` header block

HEADER_DOC = ("---\n"
              "Symbol: A/RES/91/45\n"
              "title: Protecting undersea data cables: a first step\n"
              "date:   2036-12-09  \n"
              "not a key value line\n"
              "---\n"
              "\n"
              "The General Assembly,\n")


def test_header_block_is_parsed_and_offsets_are_kept() -> None:
    header, body = split_header(HEADER_DOC)
    assert header == {"symbol": "A/RES/91/45", "title": "Protecting undersea data cables: a first step",
                      "date": "2036-12-09"}
    assert len(body) == len(HEADER_DOC)
    assert body.count("\n") == HEADER_DOC.count("\n")
    pos = HEADER_DOC.index("The General Assembly,")
    assert body[pos:] == HEADER_DOC[pos:]
    assert body[:pos].strip() == ""


def test_header_block_with_windows_line_endings() -> None:
    text = "---\r\nsymbol: A/RES/91/45\r\nbody: UNGA\r\n---\r\nText of the document.\r\n"
    header, body = split_header(text)
    assert header == {"symbol": "A/RES/91/45", "body": "UNGA"}
    assert len(body) == len(text) and body.endswith("Text of the document.\r\n")


@pytest.mark.parametrize("text", [
    "Intro line\n---\nsymbol: A/RES/1/1\n---\nBody\n",  # not at the start
    "---\nsymbol: A/RES/1/1\nBody without a closing rule\n",  # unterminated
], ids=["not-at-start", "unterminated"])
def test_no_header_block(text: str) -> None:
    assert split_header(text) == ({}, text)


def test_markdown_loader_returns_header_and_blanked_body(fixtures_dir: Path) -> None:
    path = fixtures_dir / "workshop-notes.md"
    loaded = load(path, max_bytes=BIG, max_pages=10)
    raw = path.read_text(encoding="utf-8")
    assert loaded.header["body"] == "workshop"
    assert loaded.header["date"] == "2037-03-15"
    assert loaded.header["title"] == "Regional workshop on cable repair cooperation: chair's summary"
    assert loaded.header["symbol"] == ""
    assert not loaded.has_pages
    assert len(loaded.text) == len(raw)
    start = raw.index("# Regional workshop")
    assert loaded.text[start:] == raw[start:]


# --------------------------------------------------------------------------- HTML

def test_html_loader_drops_scripts_and_styles_and_keeps_blocks(fixtures_dir: Path) -> None:
    loaded = load(fixtures_dir / "repair-registry.html", max_bytes=BIG, max_pages=10)
    text = loaded.text
    for gone in ("trackingMarker", "script text", "font-family", "hidden-style-marker",
                 "Enable JavaScript", "<p>", "&amp;", "&eacute;", "&#8217;", "&nbsp;"):
        assert gone not in text, gone
    # head (and its <title>) is skipped; entities are decoded
    assert "frequently asked questions" not in text
    assert "incidents & repairs" in text
    assert "The registry’s data" in text and "Café rules" in text
    assert "secretariat within five working days" in text  # &nbsp; became a plain space
    # block structure: each block is its own paragraph, list items are bullets
    blocks = text.split("\n\n")
    assert "# Cable repair registry" in blocks  # headings stay headings
    assert "## Who may register?" in blocks
    assert "- States register through their permanent mission." in blocks
    assert "- Operators register through the State that nominated them." in blocks
    para = next(b for b in blocks if b.startswith("The registry lists"))
    assert "\n" not in para  # the source's line wrap is folded into one line
    assert not re.search(r"\n{3,}", text)


def test_html_with_no_visible_text(tmp_path: Path) -> None:
    p = tmp_path / "blank.html"
    p.write_text("<html><head><title>Only a title</title><script>var x = 1;</script></head>"
                 "<body>  <div> </div></body></html>", encoding="utf-8")
    assert load_error(p) == "HTML has no visible text"


def test_html_to_text_nesting_is_harmless() -> None:
    deep = "<div>" * 5000 + "Deeply nested statement text." + "</div>" * 5000
    assert html_to_text(deep)[0] == "Deeply nested statement text."


def test_htm_suffix_uses_the_html_loader(tmp_path: Path) -> None:
    p = tmp_path / "page.htm"
    p.write_text("<p>First &amp; second</p><p>Third</p>", encoding="utf-8")
    assert load(p, max_bytes=BIG, max_pages=10).text == "First & second\n\nThird"


def test_load_bytes_refuses_whitespace() -> None:
    with pytest.raises(IngestError, match="^empty file$"):
        load_bytes(b" \n ", ".md", max_pages=10)
