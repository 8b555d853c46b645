"""ingest/upload.py: what the app does with a file a browser sends.

* the saved name is rebuilt from the browser's name: never a path, hidden, reserved or of an unsupported type;
* the type is checked against the content, the size against the limit, and the content is read
  completely, all before anything touches the disk;
* saving never overwrites, refuses content already in the folder, and leaves no temporary file.

Known defects are recorded as strict xfails naming the defect.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.loaders import SUFFIXES
from ingest.records import IngestError
from ingest.upload import check_upload, check_uploaded, safe_name, save_upload, sniff

MB = 1024 * 1024
LIMITS = dict(max_bytes=MB, max_pages=5)
TEXT = b"Notes of a workshop\n\n1. Participants agreed to share tidal gauge readings within an hour.\n"
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(txt|md|pdf|html|htm)")


# --------------------------------------------------------------------------- safe names

@pytest.mark.parametrize("given_name,expected", [
    ("resolution.txt", "resolution.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\Windows\\notes.md", "notes.md"),
    ("C:\\Users\\me\\Report 2024 (final).PDF", "Report-2024-final.pdf"),
    (".bashrc.txt", "bashrc.txt"),
    ("Résumé des débats.html", "Resume-des-debats.html"),
    ("CON.txt", "CON-file.txt"),
    ("lpt1.md", "lpt1-file.md"),
    (".txt", "document.txt"),
    ("___.md", "document.md"),
    ("日本語.txt", "document.txt"),
    ("a\x00b.htm", "ab.htm"),
    ("-rf.txt", "rf.txt"),
    ("  spaced   name .txt", "spaced-name.txt"),
])
def test_safe_name(given_name, expected):
    assert safe_name(given_name) == expected


def test_safe_name_is_bounded():
    assert safe_name("a" * 500 + ".html") == "a" * 80 + ".html"


@pytest.mark.parametrize("given_name", ["tool.exe", "archive.tar.gz", "letter.docx", "no-extension", "file.",
                                        "image.svg", "page.html.exe"])
def test_safe_name_refuses_unsupported_types(given_name):
    with pytest.raises(IngestError, match="unsupported file type"):
        safe_name(given_name)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.sampled_from([s.lstrip(".") for s in SUFFIXES] + ["exe", "", "TXT", "Pdf"]))
def test_safe_name_is_always_a_plain_file_name(stem, suffix):
    try:
        name = safe_name(f"{stem}.{suffix}" if suffix else stem)
    except IngestError:
        return
    assert NAME_RE.fullmatch(name), name
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert Path(name).stem.lower() not in {"con", "prn", "aux", "nul"}


# --------------------------------------------------------------------------- content checks

@pytest.mark.parametrize("data,suffix,reason", [
    (b"plain words", ".pdf", "named .pdf but is not a PDF"),
    (b"%PDF-1.4\n", ".txt", "is a PDF but is named .txt"),
    (b"%PDF-1.4\n", ".html", "is a PDF but is named .html"),
    (b"  <!DOCTYPE html><html></html>", ".txt", "is HTML but is named .txt"),
    (b"<HTML><body>x</body></HTML>", ".md", "is HTML but is named .md"),
    (b"PK\x03\x04rest", ".txt", "archive or a program"),
    (b"\x7fELF\x02\x01", ".md", "archive or a program"),
    (b"MZ\x90\x00\x03", ".html", "archive or a program"),
])
def test_sniff_refuses_content_that_contradicts_the_name(data, suffix, reason):
    with pytest.raises(IngestError, match=re.escape(reason)):
        sniff(data, suffix)


@pytest.mark.parametrize("data,suffix", [
    (TEXT, ".txt"), (TEXT, ".md"), (b"<!DOCTYPE html><html><body><p>x</p></body></html>", ".html"),
    (b"<p>A fragment</p>", ".htm"), (b"# Markdown with <b>inline</b> HTML", ".md"), (b"%PDF-1.7\n", ".pdf"),
])
def test_sniff_accepts_matching_content(data, suffix):
    sniff(data, suffix)


def test_check_upload_returns_the_safe_name_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_upload(TEXT, "../Workshop notes.txt", **LIMITS) == "Workshop-notes.txt"
    assert list(tmp_path.iterdir()) == []


def test_check_upload_accepts_a_real_pdf(tmp_path, make_pdf):
    pdf = make_pdf(tmp_path / "x.pdf", [[["1. Participants agreed to share tidal gauge readings."]]])
    assert check_upload(pdf.read_bytes(), "Tidal.PDF", **LIMITS) == "Tidal.pdf"


@pytest.mark.parametrize("data,filename,reason", [
    (b"x" * (MB + 1), "big.txt", "over the"),
    (b"", "empty.txt", "empty"),
    (b" \n\t\n", "blank.md", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.txt", "binary"),
    (b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF", "broken.pdf", "PDF"),
    (b"<html><body><script>alert(1)</script></body></html>", "script.html", "no visible text"),
    (TEXT, "notes.exe", "unsupported file type .exe"),
])
def test_check_upload_refuses_bad_files(data, filename, reason):
    with pytest.raises(IngestError, match=re.escape(reason)):
        check_upload(data, filename, **LIMITS)


def test_check_upload_refuses_a_pdf_over_the_page_limit(tmp_path, make_pdf):
    pdf = make_pdf(tmp_path / "long.pdf", [[[f"Page {i} of a long report on tidal gauges."]] for i in range(7)])
    with pytest.raises(IngestError, match="7 pages, over the 5-page limit"):
        check_upload(pdf.read_bytes(), "long.pdf", **LIMITS)


def test_size_is_checked_before_the_content_is_read(monkeypatch):
    import ingest.upload as upload

    def never(*a, **kw):
        raise AssertionError("an oversized file must not be parsed")

    monkeypatch.setattr(upload, "load_bytes", never)
    with pytest.raises(IngestError, match="upload limit"):
        check_upload(b"%PDF-1.7\n" + b"0" * MB, "big.pdf", **LIMITS)


def test_size_message_uses_the_units_of_the_setting():
    with pytest.raises(IngestError) as err:
        check_upload(b"x" * (21 * MB), "big.txt", max_bytes=20 * MB, max_pages=5)
    assert str(err.value) == "the file is 21.0 MB, over the 20.0 MB upload limit"


def test_a_text_file_may_start_with_the_letters_mz():
    data = b"MZ-2023 notes on the harbour workshop\n\n1. Participants agreed to share readings.\n"
    assert check_upload(data, "mz.txt", **LIMITS) == "mz.txt"


# --------------------------------------------------------------------------- saving

def test_save_upload_writes_under_the_name_and_creates_the_folder(tmp_path):
    dest = tmp_path / "corpus" / "uploads"
    saved = save_upload(TEXT, "notes.txt", dest)
    assert saved == dest / "notes.txt" and saved.read_bytes() == TEXT
    assert [p.name for p in dest.iterdir()] == ["notes.txt"], "no temporary file is left behind"


def test_save_upload_never_overwrites(tmp_path):
    (tmp_path / "notes.txt").write_bytes(b"the original")
    (tmp_path / "notes-2.txt").write_bytes(b"the second original")
    saved = save_upload(TEXT, "notes.txt", tmp_path)
    assert saved.name == "notes-3.txt" and saved.read_bytes() == TEXT
    assert (tmp_path / "notes.txt").read_bytes() == b"the original"
    assert (tmp_path / "notes-2.txt").read_bytes() == b"the second original"


def test_save_upload_refuses_content_already_there(tmp_path):
    (tmp_path / "earlier.md").write_bytes(TEXT)
    with pytest.raises(IngestError, match="already in the corpus as earlier.md"):
        save_upload(TEXT, "again.txt", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.md"]


@pytest.mark.parametrize("name", ["../escaped.txt", "sub/../../escaped.txt"])
def test_save_upload_refuses_a_name_that_leaves_the_folder(tmp_path, name):
    dest = tmp_path / "uploads"
    with pytest.raises(IngestError, match="escaped the corpus folder"):
        save_upload(TEXT, name, dest)
    assert not (tmp_path / "escaped.txt").exists()
    assert list(dest.iterdir()) == [], "the temporary file is removed after a refusal"


def test_saved_upload_is_picked_up_by_the_corpus_scan(tmp_path):
    from ingest.pipeline import corpus_files

    saved = save_upload(TEXT, safe_name("My notes.txt"), tmp_path)
    assert corpus_files([tmp_path]) == [saved.resolve()]


# --------------------------------------------------------------------------- the whole check, as the app runs it

@pytest.mark.parametrize("filename,data,reason", [
    ("report.pdf", b"plain words, not a PDF", "named .pdf but is not a PDF"),
    ("tool.exe", b"MZ\x90\x00", "unsupported file type .exe"),
    ("blank.md", b"\n \n\t\n", "empty"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF", "PDF"),
])
def test_check_uploaded_refuses_with_a_reason_and_writes_nothing(tmp_path, empty_settings, filename, data, reason):
    uploads = tmp_path / "uploads"
    check = check_uploaded(data, filename, empty_settings(tmp_path / "corpus", upload_dir=uploads))
    assert reason in check.error and check.document is None and not check.name and not check.data
    assert not uploads.exists()


def test_check_uploaded_previews_the_passages_under_the_safe_name(tmp_path, empty_settings):
    check = check_uploaded(TEXT, "../Workshop notes.TXT", empty_settings(tmp_path / "corpus",
                                                                         upload_dir=tmp_path / "uploads"))
    assert (check.error, check.name, check.data) == ("", "Workshop-notes.txt", TEXT)
    assert [p.label for p in check.document.passages] == ["para. 1"]
    assert not (tmp_path / "uploads").exists() and not (tmp_path / "corpus").exists()


def test_check_uploaded_names_the_corpus_file_with_the_same_content(tmp_path, empty_settings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "earlier.txt").write_bytes(TEXT)
    check = check_uploaded(TEXT, "again.txt", empty_settings(corpus, upload_dir=tmp_path / "uploads"))
    assert check.error == "the same document is already in the corpus as earlier.txt"


def test_check_uploaded_states_the_upload_limit_as_configured(tmp_path, empty_settings):
    check = check_uploaded(b"word " * (MB // 5 + 10), "long.txt", empty_settings(max_upload_mb=1.0))
    assert check.error == "the file is 1.0 MB; uploads are limited to 1 MB"
