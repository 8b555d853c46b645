"""Bad input to the loaders: random bytes, truncated and mutated PDFs, PDF bombs, hostile HTML, not-text.

Every file must end in bounded time, either as text or as an IngestError with a one-line reason,
for that file only: the rest of the corpus is still ingested. PDF and HTML are parsed in a worker
process with a time limit (`ingest.loaders.PDF_SECONDS`, lowered here) and a memory cap
(`EXTRACT_MEMORY_MB`); the file-size and page limits come from Settings (max_file_mb, max_pages).
"""
from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest.loaders as loaders
from ingest.loaders import load, load_bytes
from ingest.pipeline import ingest_corpus
from ingest.records import IngestError
from ingest.settings import Settings
from tests.reliability.hostile import (HOSTILE_HTML, HOSTILE_PDFS, HOSTILE_TEXT, flate_bomb, guard_is_transparent,
                                       many_pages, text_pdf, truncated)
from tests.reliability.helpers import ROOT, cli_env

SECONDS = 2.0  # the extraction limit in these tests (60 s by default)
BOUND = SECONDS + 2 + 20  # the worker is killed at SECONDS + 2; the rest is slack for a busy 2-core machine
GOOD_TEXT = ("---\ntitle: Notes on tidal gauges\nbody: workshop\ndate: 2024-02-02\n---\n\n"
             "1. Participants agreed to share tidal gauge readings within one hour of an incident.\n")


@contextlib.contextmanager
def short_limit():
    saved, loaders.PDF_SECONDS = loaders.PDF_SECONDS, SECONDS
    try:
        yield
    finally:
        loaders.PDF_SECONDS = saved


def one_line(exc: IngestError) -> str:
    message = str(exc)
    assert message and "\n" not in message and "Traceback" not in message, repr(message)
    return message


def outcome(data: bytes, suffix: str, max_pages: int = 2000) -> tuple[str, float]:
    """("text", s) or ("error: reason", s); anything else propagates and fails the test."""
    start = time.monotonic()
    try:
        loaded = load_bytes(data, suffix, max_pages=max_pages)
        assert loaded.text.strip() and "\x00" not in loaded.text
        result = "text"
    except IngestError as exc:
        result = "error: " + one_line(exc)
    return result, time.monotonic() - start


# -- one corpus of every hostile file, plus one good one ---------------------------------

@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "corpus"
    folder.mkdir()
    for group, suffix in ((HOSTILE_PDFS, ".pdf"), (HOSTILE_HTML, ".html"), (HOSTILE_TEXT, ".txt")):
        for i, make in enumerate(group.values()):
            (folder / f"{suffix[1:]}-{i:02d}{suffix}").write_bytes(make())
    (folder / "good.md").write_text(GOOD_TEXT, encoding="utf-8")
    return folder


EXPECTED_ERRORS = {  # file -> the start of its reason, where the outcome is certain
    "pdf-00.pdf": "PDF text extraction took over",  # 70 MB flate bomb
    "pdf-01.pdf": "PDF text extraction took over",  # 500 pages sharing one inflating stream
    "pdf-03.pdf": "corrupt PDF",  # cyclic page tree
    "pdf-07.pdf": "corrupt PDF",  # truncated
    "pdf-09.pdf": "corrupt PDF",  # signature only
    "html-04.html": "HTML text extraction took over",  # unclosed comments: quadratic in html.parser
    "html-08.html": "HTML has no visible text",
    "html-09.html": "binary content (NUL bytes)",
    "txt-00.txt": "binary content (NUL bytes)",
    "txt-01.txt": "binary content",
    "txt-04.txt": "binary content",
    "txt-05.txt": "binary content (NUL bytes)",
}


@pytest.mark.slow
def test_each_hostile_file_ends_alone_in_bounded_time(hostile_corpus, monkeypatch, tmp_path):
    monkeypatch.setattr(loaders, "PDF_SECONDS", 1.0)
    settings = Settings.from_env({}, corpus=[hostile_corpus], index=tmp_path / "index",
                                 sources=tmp_path / "absent.toml")
    marks: list[tuple[str, float]] = []
    result = ingest_corpus(settings, progress=lambda p: marks.append((p.name, time.monotonic())))
    marks.append(("", time.monotonic()))
    took = {name: marks[i + 1][1] - t for i, (name, t) in enumerate(marks[:-1])}
    slow = {n: round(s, 1) for n, s in took.items() if s > BOUND}
    assert not slow, f"over {BOUND} s: {slow}"
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    for name, reason in reasons.items():
        assert reason and "\n" not in reason and "Traceback" not in reason, (name, reason)
    for name, start in EXPECTED_ERRORS.items():
        assert reasons.get(name, "").startswith(start), (name, reasons.get(name), start)
    ingested = {d.path.name for d in result.documents}
    assert "good.md" in ingested, reasons.get("good.md")
    assert ingested | set(reasons) == {p.name for p in hostile_corpus.iterdir()}


def test_a_pdf_bomb_hits_the_memory_cap(monkeypatch):
    monkeypatch.setattr(loaders, "EXTRACT_MEMORY_MB", 120)
    monkeypatch.setattr(loaders, "PDF_SECONDS", 30.0)
    start = time.monotonic()
    with pytest.raises(IngestError, match=r"needs more than 120 MB of memory"):
        load_bytes(flate_bomb(70), ".pdf", max_pages=10)
    assert time.monotonic() - start < 25
    assert "undersea cables" in load_bytes(text_pdf(), ".pdf", max_pages=10).text  # a normal PDF fits


def test_a_worker_that_dies_is_an_ingest_error():
    """A crash of the extraction process (SIGKILL from outside, as the OOM killer sends it) is a reason,
    not a traceback."""
    me, killed = psutil.Process(), []

    def kill_the_worker():
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            for child in me.children():
                with contextlib.suppress(psutil.Error):
                    child.send_signal(signal.SIGKILL)
                    killed.append(child.pid)
            time.sleep(0.002)  # the worker's interpreter start takes far longer than this

    killer = threading.Thread(target=kill_the_worker)
    killer.start()
    try:
        with pytest.raises(IngestError, match=r"PDF text extraction crashed or ran out of memory") as exc:
            load_bytes(text_pdf(), ".pdf", max_pages=10)
    finally:
        killed.append(0)  # stops the killer if extraction ended first
        killer.join()
    assert killed[0] != 0, "the worker was never seen"
    one_line(exc.value)


def test_a_normal_pdf_reads_as_before(tmp_path):
    """The worker changes nothing for an ordinary PDF: pages, form feeds, text."""
    from tests.ingest.conftest import build_pdf

    p = build_pdf(tmp_path / "two.pdf", [[["Recalling the resolution on undersea cables,"]],
                                        [["1. Decides to remain seized of the matter."]]])
    from pypdf import PdfReader

    expected = "\f".join((pg.extract_text() or "").replace("\f", " ") for pg in PdfReader(p).pages)
    loaded = load(p, max_bytes=1 << 20, max_pages=10)
    assert loaded.has_pages and loaded.text == expected


# -- the configured limits ---------------------------------------------------------

@pytest.mark.slow
def test_size_and_page_limits_come_from_the_settings(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(GOOD_TEXT, encoding="utf-8")
    (corpus / "big.txt").write_text("Recalling its resolution on cables. " * 1000, encoding="utf-8")  # 36 kB
    (corpus / "long.pdf").write_bytes(many_pages(5))
    (corpus / "short.pdf").write_bytes(many_pages(2))
    env = {"NORMBASE_MAX_FILE_MB": "0.03", "NORMBASE_MAX_PAGES": "3"}
    settings = Settings.from_env(env, corpus=[corpus], index=tmp_path / "index", sources=tmp_path / "absent.toml")
    assert (settings.max_file_mb, settings.max_pages) == (0.03, 3)
    start = time.monotonic()
    result = ingest_corpus(settings)
    assert time.monotonic() - start < 30
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert reasons == {"big.txt": "file is 0.0343 MB, over the 0.03 MB limit",
                       "long.pdf": "PDF has 5 pages, over the 3-page limit"}
    assert sorted(d.path.name for d in result.documents) == ["good.md", "short.pdf"]
    # the same limits given as flags override the environment
    roomy = Settings.from_env(env, corpus=[corpus], max_file_mb=1.0, max_pages=10)
    assert (roomy.max_file_mb, roomy.max_pages) == (1.0, 10)


def test_load_refuses_a_huge_file_from_its_size_alone(tmp_path, monkeypatch):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:  # 64 GiB, sparse
        fh.truncate(64 << 30)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(IngestError, match=r"file is 65536\.0 MB, over the 50\.0 MB limit"):
        load(huge, max_bytes=50 << 20, max_pages=10)


def test_the_corpus_scan_refuses_a_huge_file_without_reading_it(tmp_path, monkeypatch):
    import ingest.pipeline as pipeline

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(GOOD_TEXT, encoding="utf-8")
    with open(corpus / "huge.txt", "wb") as fh:
        fh.truncate(64 << 30)
    read = []
    real = pipeline.file_sha256
    monkeypatch.setattr(pipeline, "file_sha256", lambda p: read.append(p.name) or real(p) if p.name != "huge.txt"
                        else read.append(p.name) or "0" * 64)
    result = ingest_corpus(Settings.from_env({}, corpus=[corpus], sources=tmp_path / "absent.toml"))
    assert [Path(s.path).name for s in result.skipped] == ["huge.txt"]
    assert "huge.txt" not in read, "the over-limit file was read in full to hash it"


# -- hypothesis: random and mutated input -----------------------------------------------

SUFFIXES = st.sampled_from([".txt", ".md", ".html", ".htm", ".pdf"])
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORKER = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(data=st.binary(max_size=4000), suffix=SUFFIXES)
def test_random_bytes_under_any_name(data, suffix):
    assert outcome(data, suffix)[1] < BOUND + 50  # the default 60 s limit applies here


@FAST
@given(text=st.text(max_size=2000), suffix=st.sampled_from([".txt", ".md"]))
def test_random_unicode_text_files(text, suffix):
    data = text.encode("utf-8", "surrogatepass")
    result, _ = outcome(data, suffix)
    if "\x00" in text and result == "text":
        pytest.fail("a file with NUL bytes was read as text")


@WORKER
@given(junk=st.binary(max_size=3000))
def test_random_bytes_after_a_pdf_signature(junk):
    with short_limit():
        result, took = outcome(b"%PDF-1.7\n" + junk, ".pdf")
    assert took < BOUND and (result == "text" or result.startswith("error: "))


@WORKER
@given(cut=st.floats(0.0, 0.999), flips=st.lists(st.tuples(st.floats(0, 0.999), st.integers(0, 255)), max_size=8))
def test_truncated_and_mutated_pdfs(cut, flips):
    data = bytearray(text_pdf())
    for where, byte in flips:
        data[int(where * len(data))] = byte
    data = truncated(bytes(data), cut) if cut > 0.05 else bytes(data)
    with short_limit():
        result, took = outcome(data, ".pdf")
    assert took < BOUND


HTML_TOKENS = list("<>/!?-[]'\"=& ;#abpx\n") + ["<p>", "</p>", "<!--", "-->", "<script>", "</script>", "&amp;",
                                               "<title>", "</title>", "<br/>", "<![CDATA[", "]]>", "&#", "<?"]
HTMLISH = st.lists(st.sampled_from(HTML_TOKENS) | st.text(max_size=3), max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(markup=HTMLISH)
def test_html_guard_changes_no_output(markup):
    """Escaping `<` after the last `>` (the linear-time guard) gives exactly html.parser's own result
    wherever html.parser reads the markup."""
    assert guard_is_transparent(markup)


def test_a_file_ending_in_a_marked_section_html_parser_cannot_name_keeps_its_text():
    """html.parser raises on a trailing "<![<" (hypothesis found it): the whole file would be refused. After
    the last `>` the guard reads it as text, so the statement's words are kept."""
    markup = "<p>Words of the statement.</p><![<"
    with pytest.raises(IngestError, match="unreadable HTML"):
        loaders._parse_html(markup)
    text, _ = loaders.html_to_text(markup)
    assert text.startswith("Words of the statement.")
    assert guard_is_transparent(markup)


@WORKER
@given(markup=HTMLISH)
def test_random_markup_through_the_worker(markup):
    with short_limit():
        result, took = outcome(markup.encode(), ".html")
    assert took < BOUND


# -- beyond the loader: the rest of the pipeline on hostile text ---------------------------

def test_many_short_paragraphs_are_cleaned_in_linear_time():
    """15,000 one-line paragraphs (270 kB): a linear pass takes well under a second."""
    code = ("from ingest.clean import clean; "
            "c = clean('Word of the day.\\n\\n' * 15000, symbol='', title='x', has_pages=False); "
            "print(len(c.paragraphs))")
    try:
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=cli_env(), capture_output=True,
                              text=True, timeout=4)
    except subprocess.TimeoutExpired:
        pytest.fail("cleaning 15,000 short paragraphs took over 4 s")
    assert proc.returncode == 0 and proc.stdout.strip() == "15000", proc.stderr[-1000:]

