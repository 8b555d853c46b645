"""ui/upload.py's check of an uploaded file (ingest.upload's, with the model's tokenizer), on its own.

The uploader itself, driven through the real widget, is tested in tests/test_app.py; here are the
many kinds of bad file, and what the check says about each, without a page or an index.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import small_settings
from ui.upload import check_uploaded

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "app"


BAD_FILES = [
    ("report.pdf", b"plain words, not a PDF", "named .pdf but is not a PDF"),
    ("notes.txt", b"%PDF-1.4\n%binary", "is a PDF but is named .txt"),
    ("page.md", b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "is HTML but is named .md"),
    ("bundle.txt", b"PK\x03\x04" + b"\x00" * 40, "archive or a program"),
    ("tool.exe", b"MZ\x90\x00", "unsupported file type .exe"),
    ("letter.docx", b"PK\x03\x04", "unsupported file type .docx"),
    ("no-extension", b"text", "unsupported file type"),
    ("empty.txt", b"", "empty"),
    ("blank.md", b"\n \n\t\n", "empty"),
    ("picture.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF", "PDF"),
    ("nothing.html", b"<html><body><script>alert(1)</script></body></html>", "no visible text"),
]


@pytest.mark.parametrize("filename,data,reason", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_check_uploaded_rejects_bad_files_without_writing(tmp_path, filename, data, reason):
    uploads = tmp_path / "uploads"
    settings = small_settings(tmp_path, tmp_path / "corpus", upload_dir=uploads)
    check = check_uploaded(data, filename, settings)
    assert check.error and reason in check.error, check.error
    assert check.document is None and not check.name
    assert not uploads.exists() and not (tmp_path / "index").exists()


def test_check_uploaded_accepts_a_good_file(tmp_path):
    settings = small_settings(tmp_path, tmp_path / "corpus", upload_dir=tmp_path / "uploads")
    data = (FIXTURES / "upload-good.md").read_bytes()
    check = check_uploaded(data, "C:\\Users\\me\\Tidal notes.MD", settings)
    assert not check.error
    assert check.name == "Tidal-notes.md" and check.data == data
    assert [p.label for p in check.document.passages] == ["para. 1", "para. 2", "para. 3"]
    assert check.document.source.title == "Outcome of the tidal gauge data-sharing workshop"
    assert not (tmp_path / "uploads").exists()


def test_upload_limit_is_checked_in_the_units_shown(tmp_path):
    settings = small_settings(tmp_path, tmp_path / "corpus", max_upload_mb=1.0)
    data = b"word " * (1024 * 1024 // 5 + 10)  # just over 1 MB (MiB, as configured)
    check = check_uploaded(data, "long.txt", settings)
    assert check.error == "the file is 1.0 MB; uploads are limited to 1 MB"

