"""Uploads (ingest/upload.py) under hostile names and content, with hypothesis.

tests/ingest/test_upload.py has the basic cases. Here: names built from path separators, `..`,
drive letters, UNC prefixes, NUL, Windows reserved names (any case, superscript digits, fullwidth
letters), look-alike slashes and bidi controls; the saved file must land inside the corpus folder
under a plain name, and nothing else on disk may change. Also: the size limit at its boundary,
content that contradicts the extension, duplicates (refused) and name clashes (versioned), a
symlink planted in the folder, and two uploads of one document at the same moment.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ingest.records import IngestError
from ingest.upload import RESERVED, check_upload, safe_name, save_upload
from tests.reliability.hostile import text_pdf

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}(?:-\d{1,3})?\.(txt|md|pdf|html|htm)")
TEXT = b"Notes of a workshop\n\n1. Participants agreed to share tidal gauge readings within an hour.\n"

SEPARATORS = ["/", "\\", "//", "\\\\", "\x00", "／", "∕", "⁄", "\u2215", "\uff3c", ":"]
PARTS = ["..", ".", "...", "C:", "\\\\server\\share", "/etc", "~", "$HOME", "%APPDATA%", "con", "CON", "nul", "Aux",
         "com1", "COM¹", "lpt9", "ｃｏｎ", "prn.", "con ", " nul", "report", "résumé", "日本語", "\u202etxt.exe",
         "\u200b", "-rf", ".bashrc", "a" * 120, "report 2024 (final)", "*?<>|\"", "\t\n\r", "\ufeff"]
SUFFIX = st.sampled_from([".txt", ".md", ".pdf", ".html", ".htm", ".TXT", ".Pdf", ".exe", "", ".txt.", ".txt ",
                          ".tar.gz", ".txt\x00.exe", ".exe\x00.txt", ".ｔｘｔ", ".txt\u200b"])
NAMES = st.one_of(
    st.tuples(st.lists(st.sampled_from(PARTS) | st.text(max_size=6), max_size=6),
              st.lists(st.sampled_from(SEPARATORS), min_size=6, max_size=6), SUFFIX)
    .map(lambda t: "".join(p + s for p, s in zip(t[0], t[1])) + t[2]),
    st.tuples(st.text(max_size=60), SUFFIX).map("".join),
)


def _is_reserved(name: str) -> bool:
    stem = unicodedata.normalize("NFKC", Path(name).stem).split(".")[0].strip(" .").lower()
    return stem in RESERVED


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


@settings(max_examples=400, deadline=None)
@given(name=NAMES)
def test_safe_name_is_a_plain_name_inside_the_folder(name):
    try:
        saved = safe_name(name)
    except IngestError as exc:
        assert str(exc).startswith("unsupported file type"), exc
        return
    assert NAME_RE.fullmatch(saved), (name, saved)
    assert not _is_reserved(saved), (name, saved)
    folder = Path("/srv/corpus")
    assert (folder / saved).parent == folder and os.path.normpath(folder / saved).startswith("/srv/corpus/")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, body=st.binary(min_size=1, max_size=64))
def test_any_name_is_saved_inside_the_folder_and_nothing_else_changes(tmp_path, name, body):
    try:
        saved_name = safe_name(name)
    except IngestError:
        return
    dest = tmp_path / "corpus"
    dest.mkdir(exist_ok=True)
    outside = _tree(tmp_path)
    data = TEXT + body
    try:
        saved = save_upload(data, saved_name, dest)
    except IngestError as exc:  # the same bytes were drawn twice: refused as a duplicate
        assert "already in the corpus" in str(exc)
        assert _tree(tmp_path) == outside
        return
    assert saved.parent == dest and saved.read_bytes() == data
    assert NAME_RE.fullmatch(saved.name), saved.name
    assert not [p for p in dest.iterdir() if p.name.startswith(".upload-")], "a temporary file was left"
    after = _tree(tmp_path)
    added = set(after) - set(outside)
    assert added == {str(saved.relative_to(tmp_path))}, added
    assert {k: v for k, v in after.items() if k in outside} == outside, "an existing file changed"


def test_a_clash_is_versioned_and_a_duplicate_refused(tmp_path):
    dest = tmp_path / "corpus"
    a = save_upload(TEXT, "notes.txt", dest)
    b = save_upload(TEXT + b"2", "notes.txt", dest)
    c = save_upload(TEXT + b"3", "notes.txt", dest)
    assert [a.name, b.name, c.name] == ["notes.txt", "notes-2.txt", "notes-3.txt"]
    with pytest.raises(IngestError, match=r"already in the corpus as notes-2\.txt"):
        save_upload(TEXT + b"2", "other-name.txt", dest)
    assert a.read_bytes() == TEXT and b.read_bytes() == TEXT + b"2"


def test_a_symlink_in_the_folder_is_never_written_through(tmp_path):
    dest = tmp_path / "corpus"
    dest.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"do not touch")
    (dest / "notes.txt").symlink_to(victim)
    try:
        saved = save_upload(TEXT, "notes.txt", dest)
    except IngestError as exc:  # refusing is safe too (today: "the saved name escaped the corpus folder")
        assert "escaped" in str(exc)
    else:
        assert saved.parent == dest and not saved.is_symlink() and saved.read_bytes() == TEXT
    assert victim.read_bytes() == b"do not touch"
    assert (dest / "notes.txt").is_symlink()


def test_a_symlink_loop_in_the_folder_is_an_ingest_error_or_skipped(tmp_path):
    dest = tmp_path / "corpus"
    dest.mkdir()
    (dest / "loop.txt").symlink_to(dest / "loop.txt")
    try:
        saved = save_upload(TEXT, "loop.txt", dest)
    except IngestError:
        return
    assert saved.name == "loop-2.txt" and saved.read_bytes() == TEXT


def test_two_simultaneous_uploads_of_one_document_save_it_once(tmp_path, monkeypatch):
    dest = tmp_path / "corpus"
    dest.mkdir()
    real_write = Path.write_bytes
    second: list = []

    def write_bytes(self, data):  # the other session's request runs right after this one's duplicate check
        if not second:
            second.append(None)
            try:
                second[0] = save_upload(TEXT, "copy.txt", dest)
            except IngestError as exc:
                second[0] = exc
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    try:
        first = save_upload(TEXT, "original.txt", dest)
    except IngestError as exc:
        first = exc
    saved = [p.name for p in dest.iterdir() if not p.name.startswith(".")]
    assert len(saved) == 1, f"the same document was saved twice: {saved}"
    assert sum(isinstance(r, IngestError) and "already in the corpus" in str(r) for r in (first, second[0])) == 1


# -- content and size ------------------------------------------------------------------

MB = 1024 * 1024


@settings(max_examples=60, deadline=None)
@given(extra=st.integers(-3, 3))
def test_the_size_limit_is_exact_and_checked_before_the_content(extra):
    limit = 4096
    data = (TEXT * 100)[: limit + extra]
    if extra > 0:
        with pytest.raises(IngestError, match="upload limit"):
            check_upload(data, "notes.txt", max_bytes=limit, max_pages=5)
    else:
        assert check_upload(data, "notes.txt", max_bytes=limit, max_pages=5) == "notes.txt"


WRONG_CONTENT = {
    ("pdf bytes", ".txt"): lambda: text_pdf(),
    ("pdf bytes", ".md"): lambda: text_pdf(),
    ("pdf bytes", ".html"): lambda: text_pdf(),
    ("html", ".txt"): lambda: b"<!DOCTYPE html><html><body><p>Hello there.</p></body></html>",
    ("text", ".pdf"): lambda: TEXT,
    ("zip", ".pdf"): lambda: b"PK\x03\x04" + b"\x00" * 200,
    ("zip", ".txt"): lambda: b"PK\x03\x04" + b"\x00" * 200,
    ("ELF", ".md"): lambda: b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)),
    ("EXE", ".html"): lambda: b"MZ\x90\x00\x03" + b"\x00" * 200,
    ("NUL-laden text", ".txt"): lambda: TEXT + b"\x00" * 100,
    ("control characters", ".txt"): lambda: bytes(range(1, 9)) * 200,
    ("empty", ".txt"): lambda: b"",
    ("whitespace", ".md"): lambda: b" \n\t\r\n " * 10,
}


@pytest.mark.parametrize("kind,suffix", sorted(WRONG_CONTENT))
def test_content_that_contradicts_the_name_is_refused(kind, suffix, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IngestError) as exc:
        check_upload(WRONG_CONTENT[(kind, suffix)](), f"document{suffix}", max_bytes=MB, max_pages=5)
    assert str(exc.value) and "\n" not in str(exc.value)
    assert list(tmp_path.iterdir()) == [], "a refused upload touched the disk"


@settings(max_examples=60, deadline=None)
@given(data=st.binary(min_size=1, max_size=2000), suffix=st.sampled_from([".txt", ".md", ".pdf", ".html"]))
def test_random_content_is_accepted_only_as_what_it_is(data, suffix):
    assume(not data.startswith(b"%PDF-"))
    try:
        check_upload(data, f"x{suffix}", max_bytes=MB, max_pages=5)
    except IngestError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert suffix != ".pdf", "random bytes were accepted as a PDF"
    assert b"\x00" not in data
