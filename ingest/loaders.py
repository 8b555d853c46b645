"""Reading one file into text: TXT/MD (with an optional `---` header), PDF, HTML.

Each loader returns the raw text exactly as extracted, with form feeds
between PDF pages so that later stages can keep page numbers. Every failure
is an `IngestError` whose message names the problem; the caller adds the file.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from charset_normalizer import from_bytes

from .records import IngestError

SUFFIXES = (".txt", ".md", ".pdf", ".html", ".htm")
PAGE_BREAK = "\f"
PDF_SECONDS = 60.0  # a PDF that takes longer than this to extract is abandoned


@dataclass
class Loaded:
    """Raw text of one file; `header` holds the `---` block's key/values, if any."""

    text: str
    header: dict[str, str] = field(default_factory=dict)
    has_pages: bool = False


def load(path: Path, *, max_bytes: int, max_pages: int) -> Loaded:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'} (supported: {', '.join(SUFFIXES)})")
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty file")
    if size > max_bytes:
        raise IngestError(f"file is {mb(size)} MB, over the {mb(max_bytes)} MB limit")
    data = path.read_bytes()
    return load_bytes(data, suffix, max_pages=max_pages)


def mb(n: int) -> str:
    """Sizes in MiB, as the limits are set, with enough digits to tell two sizes apart."""
    return f"{n / 1048576:.3g}" if n < 1048576 else f"{n / 1048576:.1f}"


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
        body, title = html_to_text(text)
        return Loaded(body, {"title": title} if title else {})
    header, body = split_header(text)
    return Loaded(body, header)


def decode_text(data: bytes, declared: str | None = None) -> str:
    """UTF-8 first, then a declared charset, then detection; binary is refused."""
    if b"\x00" in data[:65536]:
        raise IngestError("binary content (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    candidates = [m for m in from_bytes(data) if m.chaos <= 0.2]
    if not candidates:
        raise IngestError("not UTF-8 and no text encoding could be detected")
    # Among equally clean readings prefer the more coherent one, then Western encodings,
    # which is what a non-UTF-8 document in this field almost always is.
    best = min(candidates, key=lambda m: (round(m.chaos, 2), -round(m.coherence, 2),
                                          m.encoding not in ("cp1252", "latin_1", "iso8859_15")))
    text = str(best)
    if _control_ratio(text) > 0.05:
        raise IngestError("binary content, not text")
    return text


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / max(1, len(sample))


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
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF-"):
        raise IngestError("not a PDF (no %PDF- signature)")
    import io
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise IngestError("encrypted PDF (a password is needed)")
            except IngestError:
                raise
            except Exception:
                raise IngestError("encrypted PDF (cannot be decrypted)") from None
        count = len(reader.pages)
        if count > max_pages:
            raise IngestError(f"PDF has {count} pages, over the {max_pages}-page limit")
        pages, deadline = [], time.monotonic() + PDF_SECONDS
        for page in reader.pages:
            if time.monotonic() > deadline:
                raise IngestError(f"PDF text extraction took over {PDF_SECONDS:.0f} s")
            pages.append((page.extract_text() or "").replace(PAGE_BREAK, " "))
    except IngestError:
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises many types on broken input
        raise IngestError(f"corrupt PDF ({type(exc).__name__}: {str(exc)[:120]})") from None
    if sum(len(p.strip()) for p in pages) < 20:
        raise IngestError("PDF has no text layer (image-only or scanned?)")
    return Loaded(PAGE_BREAK.join(pages), has_pages=True)


_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
               "article", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "header", "footer"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _TextExtractor(HTMLParser):
    """Visible text, with a blank line at each block boundary; no recursion, so depth is harmless."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.in_head = self.in_title = False
        self.title: list[str] = []

    def handle_starttag(self, tag, attrs):
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
        if tag == "head":
            self.in_head = False
        elif tag == "title":
            self.in_title = False
        elif tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append("\n\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.skip and not self.in_head:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> tuple[str, str]:
    """(visible text, page title)."""
    parser = _TextExtractor()
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
