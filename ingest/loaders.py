"""Reading one file into text: TXT/MD (with an optional `---` header), PDF, HTML.

Each loader returns the raw text exactly as extracted, with form feeds
between PDF pages so that later stages can keep page numbers. Every failure
is an `IngestError` whose message names the problem; the caller adds the file.

PDF and HTML are parsed in a short-lived worker process (`sandboxed`): a
hostile file (a FlateDecode bomb, a content stream of millions of operators,
markup that drives html.parser quadratic) can then cost at most
`PDF_SECONDS` of time and `EXTRACT_MEMORY_MB` of memory, and ends in an
`IngestError` for that file only. The worker gets the bytes on stdin and
answers with JSON (never pickle). The app's upload preview (`ingest.upload`)
runs in the same worker, so an upload cannot take the server's memory or time.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

from charset_normalizer import from_bytes

from .records import IngestError

SUFFIXES = (".txt", ".md", ".pdf", ".html", ".htm")
PAGE_BREAK = "\f"
PDF_SECONDS = 60.0  # a PDF (or HTML file) that takes longer than this to extract is abandoned
EXTRACT_MEMORY_MB = 2048  # address-space cap of the extraction worker process
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Loaded:
    """Raw text of one file; `header` holds the `---` block's key/values, if any."""

    text: str
    header: dict[str, str] = field(default_factory=dict)
    has_pages: bool = False


def load(path: Path, *, max_bytes: int, max_pages: int) -> Loaded:
    check_file(path, max_bytes)
    return load_bytes(path.read_bytes(), path.suffix.lower(), max_pages=max_pages)


def check_file(path: Path, max_bytes: int) -> None:
    """Refuse a file from its name and size alone, before a single byte of it is read."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'} (supported: {', '.join(SUFFIXES)})")
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty file")
    if size > max_bytes:
        raise IngestError(over_limit("file", size, max_bytes))


def file_sha256(path: Path) -> str:
    """The content's identity: what the index manifest, the fetch lock and duplicate checks compare."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def mb(n: int) -> str:
    """Sizes in MiB, as the limits are set, with enough digits to tell two sizes apart."""
    return f"{n / 1048576:.3g}" if n < 1048576 else f"{n / 1048576:.1f}"


def over_limit(what: str, size: int, limit: int, kind: str = "") -> str:
    """"file is 0.0343 MB, over the 0.03 MB limit"; in exact bytes when the two would read alike."""
    big, cap = mb(size), mb(limit)
    if big == cap:
        big, cap = f"{big} MB ({size:,} bytes)", f"{cap} MB ({limit:,} bytes)"
    else:
        big, cap = f"{big} MB", f"{cap} MB"
    return f"{what} is {big}, over the {cap} {kind}limit"


def load_bytes(data: bytes, suffix: str, *, max_pages: int) -> Loaded:
    """Dispatch on the declared type, after checking the content agrees with it."""
    if not data.strip():
        raise IngestError("empty file")
    if suffix == ".pdf":
        return _load_pdf(data, max_pages)
    if data.startswith(b"%PDF-"):
        raise IngestError(f"content is a PDF but the file is named {suffix}")
    text = decode_text(data, declared=_declared_charset(data) if suffix in (".html", ".htm") else None)
    if suffix in (".html", ".htm"):
        result = sandboxed("html", text.encode("utf-8", "surrogatepass"), 0)
        body, title = result["text"], result["title"]
        return Loaded(body, {"title": title} if title else {})
    header, body = split_header(text)
    if not body.strip():  # Unicode spaces (NBSP, ideographic space) count as empty too
        raise IngestError("no text" + (" after the header block" if header else ""))
    return Loaded(body, header)


def decode_text(data: bytes, declared: str | None = None) -> str:
    """UTF-8 first, then a declared charset, then detection; binary is refused."""
    if b"\x00" in data:  # anywhere: the size limit bounds the scan, and a NUL is never text
        raise IngestError("binary content (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:  # control characters are valid UTF-8 too
        if _control_ratio(text) > 0.05:
            raise IngestError("binary content, not text")
        return text
    if declared:
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            _refuse_mixed(data, declared)
            return text
    readings = list(from_bytes(data))
    candidates = [m for m in readings if m.chaos <= 0.2]
    if not candidates:
        _refuse_mixed(data, min(readings, key=lambda m: m.chaos).encoding if readings else "")
        raise IngestError("not UTF-8 and no text encoding could be detected")
    # Among equally clean readings prefer the more coherent one, then Western encodings,
    # which is what a non-UTF-8 document in this field almost always is.
    best = min(candidates, key=lambda m: (round(m.chaos, 2), -round(m.coherence, 2),
                                          m.encoding not in ("cp1252", "latin_1", "iso8859_15")))
    _refuse_mixed(data, best.encoding)
    text = str(best)
    if _control_ratio(text) > 0.05:
        raise IngestError("binary content, not text")
    return text


# The one-byte encodings a paragraph is tried in: a short paragraph guessed among all codecs
# comes out as Big5 or Shift-JIS as easily as Latin-1.
_ONE_BYTE = ["cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1256", "latin_1", "iso8859_2", "iso8859_5",
             "iso8859_7", "iso8859_15", "koi8_r", "mac_cyrillic"]
_PARAGRAPH_RE = re.compile(rb"(?:\r?\n[ \t]*){2,}")
_JUDGED = 5  # non-ASCII bytes a paragraph needs before its own encoding is guessed
_MAX_JUDGED = 200  # paragraphs guessed at most, so that a long file costs a bounded time


def _script(text: str) -> str:
    """The writing system most of the non-ASCII letters belong to ("LATIN", "CYRILLIC"), or ""."""
    counts: dict[str, int] = {}
    for ch in text:
        if ord(ch) > 127 and ch.isalpha():
            script = unicodedata.name(ch, "?").split(" ")[0]
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else ""


_LETTERS_RE = re.compile(r"[^\W\d_]+")


def _mojibake_word(text: str) -> bool:
    """A word of Latin letters with a Cyrillic, Greek or Arabic one inside ("fьr", "Vцlker"): what a
    Latin-1 word read as CP1251 looks like; real words keep to one script."""
    for word in _LETTERS_RE.findall(text):
        if not word.isascii() and any(c.isascii() for c in word) and \
                any(ord(c) > 127 and not unicodedata.name(c, "LATIN").startswith("LATIN") for c in word):
            return True
    return False


def _refuse_mixed(data: bytes, encoding: str) -> None:
    """A file whose paragraphs are in different encodings would be read as mojibake: refuse it.

    A paragraph that is valid UTF-8 (with non-ASCII letters) in a file that is not is
    UTF-8; a paragraph whose own best one-byte encoding writes another script than the
    file's encoding gives it (Latin-1 French inside CP1251 Russian) is another encoding.
    """
    utf8, judged, reference = "", 0, ""
    for par in _PARAGRAPH_RE.split(data):
        if par.isascii():
            continue
        try:
            par.decode("utf-8")
            utf8 = "UTF-8"
            continue
        except UnicodeDecodeError:
            pass
        if encoding and _mojibake_word(par.decode(encoding, "replace")):
            raise IngestError(f"mixed text encodings (paragraphs in {encoding} and in another); "
                              "save the file in one encoding (UTF-8) first")
        if judged >= _MAX_JUDGED or sum(b > 127 for b in par) < _JUDGED:
            continue
        judged += 1
        own = from_bytes(par, cp_isolation=_ONE_BYTE).best()
        if own is None:
            continue
        mine = _script(str(own))
        if not encoding:  # nothing reads the whole file: the first judged paragraph is the reference
            encoding, reference = own.encoding, mine
        if mine != (reference if reference else _script(par.decode(encoding, "replace"))):
            raise IngestError(f"mixed text encodings (paragraphs in {encoding} and in {own.encoding}); "
                              "save the file in one encoding (UTF-8) first")
    if utf8:
        raise IngestError(f"mixed text encodings (paragraphs in UTF-8 and in {encoding or 'another'}); "
                          "save the file in one encoding (UTF-8) first")


_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def _control_ratio(text: str) -> float:
    """The larger of the head's and the whole text's (a binary tail after a text head is still binary)."""
    def ratio(t: str) -> float:
        return sum(1 for _ in _CONTROL_RE.finditer(t)) / max(1, len(t))
    return max(ratio(text[:20000]), ratio(text))


def _declared_charset(data: bytes) -> str | None:
    m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", data[:4096], re.I)
    return m.group(1).decode("ascii") if m else None


HEADER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Split a leading `---` block of `key: value` lines from the body.

    The body is returned with the header replaced by blank lines of equal
    length, so offsets into it are offsets into the file's text.
    """
    m = HEADER_RE.match(text)
    if not m:
        return {}, text
    header = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            header[key.strip().lower()] = value.strip()
    blank = re.sub(r"[^\n]", " ", m.group(0))
    return header, blank + text[m.end():]


def _load_pdf(data: bytes, max_pages: int) -> Loaded:
    if not data.startswith(b"%PDF-"):
        raise IngestError("not a PDF (no %PDF- signature)")
    pages = sandboxed("pdf", data, max_pages)["pages"]
    if sum(len(p.strip()) for p in pages) < 20:
        raise IngestError("PDF has no text layer (image-only or scanned?)")
    return Loaded(PAGE_BREAK.join(pages), has_pages=True)


def pdf_pages(data: bytes, max_pages: int, seconds: float = PDF_SECONDS) -> list[str]:
    """The text of each page, in this process (the worker runs this; callers use `load_bytes`)."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise IngestError("encrypted PDF (a password is needed)")
            except (IngestError, MemoryError):
                raise
            except Exception:
                raise IngestError("encrypted PDF (cannot be decrypted)") from None
        count = len(reader.pages)
        if count > max_pages:
            raise IngestError(f"PDF has {count} pages, over the {max_pages}-page limit")
        pages, deadline = [], time.monotonic() + seconds
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise IngestError(f"PDF text extraction took over {seconds:.0f} s")
            # NUL is never document text: some CID fonts map each glyph to a NUL and its letter.
            pages.append((page.extract_text() or "").replace(PAGE_BREAK, " ").replace("\x00", ""))
    except (IngestError, MemoryError):
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises many types on broken input
        raise IngestError(f"corrupt PDF ({type(exc).__name__}: {str(exc)[:120]})") from None
    return pages


# -- the extraction worker -------------------------------------------------------

_KINDS = {"pdf": "PDF", "html": "HTML", "preview": "upload"}
_TASKS = {"pdf": "PDF text extraction", "html": "HTML text extraction", "preview": "the upload's preview"}
_WORKER = "import sys; sys.path.insert(0, sys.argv[1]); from ingest.loaders import _worker_main; _worker_main()"


def sandboxed(kind: str, data: bytes, max_pages: int, job: Optional[dict] = None,
              seconds: Optional[float] = None) -> dict:
    """Run one extraction (or, kind "preview", one upload's preview) in a child process with a
    time limit and a memory cap; `job` is what else the child needs, as JSON.

    The parent waits at most `seconds` (PDF_SECONDS by default, plus start-up grace) and kills the
    child after that; the child caps its own address space (RLIMIT_AS) and
    CPU time, so a stray worker cannot outlive a dead parent for long either.
    """
    label, task = _KINDS[kind], _TASKS[kind]
    seconds = float(PDF_SECONDS if seconds is None else seconds)
    cmd = [sys.executable, "-I", "-c", _WORKER, str(ROOT), kind, str(max_pages), str(seconds),
           str(int(EXTRACT_MEMORY_MB)), json.dumps(job or {})]
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=seconds + 2, cwd=str(ROOT))
    except subprocess.TimeoutExpired:
        raise IngestError(f"{task} took over {seconds:.0f} s") from None
    except OSError as exc:
        raise IngestError(f"cannot start the {label} reader ({exc.strerror or exc})") from None
    lines = proc.stdout.rstrip(b"\n").rsplit(b"\n", 1)
    try:
        answer = json.loads(lines[-1].decode("utf-8", "surrogatepass"))
    except (ValueError, UnicodeDecodeError):
        answer = None
    if proc.returncode == 0 and isinstance(answer, dict):
        if "error" in answer:
            raise IngestError(str(answer["error"]))
        return answer
    if proc.returncode in (-signal.SIGKILL, -signal.SIGXCPU, -signal.SIGSEGV, -signal.SIGABRT):
        how = {-signal.SIGXCPU: "used too much CPU time"}.get(proc.returncode, "crashed or ran out of memory")
    else:
        how = f"failed with exit code {proc.returncode}"
    raise IngestError(f"{task} {how} (limit {EXTRACT_MEMORY_MB} MB, {seconds:.0f} s)")


def _worker_main() -> None:
    """The child: argv = root kind max_pages seconds memory_mb job; bytes on stdin; one JSON line out."""
    import logging
    import resource
    import warnings

    kind, max_pages, seconds, memory_mb = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    limit = memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = int(seconds) + 10
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    except (ValueError, OSError):  # pragma: no cover - a platform without these limits
        pass
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    data = sys.stdin.buffer.read()
    try:
        if kind == "pdf":
            answer: dict = {"pages": pdf_pages(data, max_pages, seconds)}
        elif kind == "preview":
            from .upload import preview_answer

            answer = preview_answer(data, json.loads(sys.argv[6]))
        else:
            body, title = html_to_text(data.decode("utf-8", "surrogatepass"))
            answer = {"text": body, "title": title}
    except IngestError as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        answer = {"error": f"{_TASKS[kind]} needs more than {memory_mb} MB of memory"}
    except RecursionError:
        answer = {"error": f"{_KINDS[kind]} is nested too deeply to read"}
    try:
        out = json.dumps(answer, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except MemoryError:  # a preview's answer holds every passage: it can be the largest object
        out = json.dumps({"error": f"{_TASKS[kind]} needs more than {memory_mb} MB of memory"}).encode()
    for part in (b"\n", out, b"\n"):  # written apart: one more copy of a large answer could not fit
        sys.stdout.buffer.write(part)
    sys.stdout.buffer.flush()
    os._exit(0)  # no interpreter teardown: the answer is out


_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
               "article", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "header", "footer"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_HIDING_RE = re.compile(r"(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))", re.I)
_STYLE_RE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)
_RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def hidden_selectors(markup: str) -> set[str]:
    """`.class` and `#id` selectors that a `<style>` block hides (display:none, visibility:hidden)."""
    out: set[str] = set()
    for block in _STYLE_RE.findall(markup):
        for selectors, body in _RULE_RE.findall(block):
            if _HIDING_RE.search(body):
                out.update(sel.strip() for sel in selectors.split(",") if re.fullmatch(r"[.#][\w-]+", sel.strip()))
    return out


def _hides(attrs: list[tuple[str, Optional[str]]], selectors: set[str]) -> bool:
    """Is an element hidden from readers: the `hidden` attribute, an inline or stylesheet display:none?"""
    for name, value in attrs:
        value = value or ""
        if name == "hidden" or (name == "style" and _HIDING_RE.search(value)):
            return True
        if name == "class" and any(f".{c}" in selectors for c in value.split()):
            return True
        if name == "id" and f"#{value.strip()}" in selectors:
            return True
    return False


class _TextExtractor(HTMLParser):
    """Visible text, with a blank line at each block boundary; no recursion, so depth is harmless.

    Text hidden by CSS or the `hidden` attribute is dropped: it is never quoted as what a
    reader of the page sees. `hiding` holds the open elements inside a hidden one.
    """

    def __init__(self, hidden: set[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.in_head = self.in_title = False
        self.title: list[str] = []
        self.hidden, self.hiding = hidden, []

    def handle_starttag(self, tag, attrs):
        if tag not in _VOID_TAGS and (self.hiding or _hides(attrs, self.hidden)):
            self.hiding.append(tag)
        if self.hiding:
            return
        if tag == "head":
            self.in_head = True
        elif tag == "title":
            self.in_title = True
        elif tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.out.append("\n\n")
        if tag in _HEADINGS:  # kept as a Markdown heading, so structure sees a heading
            self.out.append("#" * _HEADINGS[tag] + " ")
        if tag == "li":
            self.out.append("- ")

    def handle_endtag(self, tag):
        if self.hiding:
            if tag in self.hiding:  # close up to the matching element (html.parser does not balance tags)
                del self.hiding[len(self.hiding) - 1 - self.hiding[::-1].index(tag):]
            return
        if tag == "head":
            self.in_head = False
        elif tag == "title":
            self.in_title = False
        elif tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append("\n\n")

    def handle_data(self, data):
        if self.hiding:
            return
        if self.in_title:
            self.title.append(data)
        elif not self.skip and not self.in_head:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> tuple[str, str]:
    """(visible text, page title).

    html.parser rescans to the end of the document for every tag opener that
    is never closed (`x<x<x<...` takes minutes for 200 kB). After the last
    `>` no construct can be complete, so `<` there is escaped first: the same
    text comes out, in linear time. (Other quadratic inputs are bounded by the
    worker's time limit, see `sandboxed`.)
    """
    last = markup.rfind(">")
    if "<" in markup[last + 1:]:
        markup = markup[:last + 1] + markup[last + 1:].replace("<", "&lt;")
    return _parse_html(markup)


def _parse_html(markup: str) -> tuple[str, str]:
    parser = _TextExtractor(hidden_selectors(markup))
    try:
        parser.feed(markup)
        parser.close()
    except Exception as exc:  # html.parser is lenient; this is a last resort
        raise IngestError(f"unreadable HTML ({exc})") from None
    text = "".join(parser.out)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    text = re.sub(r"^(#+ )\n+", r"\1", text, flags=re.M)
    if not re.sub(r"[#\s-]", "", text):
        raise IngestError("HTML has no visible text")
    return text, re.sub(r"\s+", " ", "".join(parser.title)).strip()
