"""Hostile files, written byte by byte: PDFs that bomb, lie or loop; HTML that nests or drives
html.parser quadratic; text that is not text. Shared by the reliability tests and benchmarks/fuzz.py.

Nothing here is taken from a real document; every file is generated.
"""
from __future__ import annotations

import zlib

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT_OPS = b"BT /F1 12 Tf 72 700 Td (Protecting undersea cables is a shared responsibility.) Tj ET"


def raw_pdf(objects: list[bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF with a correct cross-reference table over `objects` (object i+1 is objects[i])."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, root, trailer_extra, xref))
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def flate(data: bytes) -> bytes:
    return stream(zlib.compress(data, 9), b"/Filter /FlateDecode ")


def one_page(content: bytes, *, count: int = 1, kids: bytes = b"[3 0 R]") -> bytes:
    """Catalog, Pages (claiming `count` pages), one Page whose content is object 4, a font."""
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids %s /Count %d >>" % (kids, count),
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    b"/Resources << /Font << /F1 5 0 R >> >> >>",
                    content, FONT])


def text_pdf() -> bytes:
    """A small, valid, one-page PDF with a text layer."""
    return one_page(stream(TEXT_OPS))


def flate_bomb(megabytes: int = 70) -> bytes:
    """A ~200 kB file whose one content stream inflates to `megabytes` MB of text operators."""
    unit = b"BT /F1 12 Tf 72 700 Td (abcdefgh) Tj ET\n"
    return one_page(flate(unit * (megabytes * 1_000_000 // len(unit))))


def shared_bomb_pages(pages: int = 500, megabytes: int = 2) -> bytes:
    """Hundreds of pages that all point at one inflating content stream (a "billion laughs")."""
    unit = b"BT /F1 12 Tf 72 700 Td (abcdefgh) Tj ET\n"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
               flate(unit * (megabytes * 1_000_000 // len(unit))), FONT]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
                b"/Resources << /Font << /F1 4 0 R >> >> >>"] * pages
    return raw_pdf(objects)


def claims_pages(count: int = 10_000_000) -> bytes:
    """One real page, a page tree that claims millions."""
    return one_page(stream(TEXT_OPS), count=count)


def many_pages(pages: int) -> bytes:
    """A real page tree of `pages` pages (for the page limit)."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
               stream(TEXT_OPS), FONT]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
                b"/Resources << /Font << /F1 4 0 R >> >> >>"] * pages
    return raw_pdf(objects)


def cyclic_pages() -> bytes:
    """The page tree lists itself as its own kid."""
    return one_page(stream(TEXT_OPS), kids=b"[2 0 R]")


def deep_arrays(depth: int = 100_000) -> bytes:
    """A content stream (and a dictionary value) nested `depth` arrays deep."""
    nested = b"[" * depth + b"]" * depth
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R /Deep %s >>" % nested,
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                    stream(nested + b" " + TEXT_OPS)])


def object_stream_bomb() -> bytes:
    """An object stream that claims ten million objects at absurd offsets."""
    header = b" ".join(b"%d %d" % (10 + i, i * 7) for i in range(2000))
    body = zlib.compress(header + b" " + b"<< /A 1 >> " * 2000)
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                    b"/Resources << /Font << /F1 5 0 R >> >> >>",
                    stream(TEXT_OPS), FONT,
                    b"<< /Type /ObjStm /N 10000000 /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
                    % (len(header) + 1, len(body)) + body + b"\nendstream"])


def xref_loop() -> bytes:
    """A trailer whose /Prev points back at its own cross-reference table."""
    good = text_pdf()
    xref = int(good.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    return good.replace(b"trailer\n<< ", b"trailer\n<< /Prev %d " % xref)


def truncated(data: bytes, fraction: float) -> bytes:
    return data[: max(6, int(len(data) * fraction))]


HOSTILE_PDFS = {
    "flate bomb (70 MB of operators in 200 kB)": lambda: flate_bomb(70),
    "500 pages sharing one inflating stream": lambda: shared_bomb_pages(500, 2),
    "claims ten million pages": lambda: claims_pages(),
    "cyclic page tree": cyclic_pages,
    "arrays nested 100,000 deep": lambda: deep_arrays(),
    "object stream claiming 10M objects": object_stream_bomb,
    "xref /Prev loop": xref_loop,
    "truncated at 50%": lambda: truncated(text_pdf(), 0.5),
    "truncated after the header": lambda: truncated(text_pdf(), 0.02),
    "signature only": lambda: b"%PDF-1.7\n",
    "NUL bytes after the signature": lambda: b"%PDF-1.4\n" + b"\x00" * 5000,
}

# html.parser (CPython 3.11) rescans to the end of the buffer for constructs that never close.
HOSTILE_HTML = {
    "nested 100,000 divs": lambda: b"<div>" * 100_000 + b"Deeply nested words." + b"</div>" * 100_000,
    "x< repeated (quadratic in html.parser)": lambda: b"x<" * 100_000,
    "</ repeated": lambda: b"</" * 100_000,
    "<? repeated": lambda: b"<?" * 100_000,
    "unclosed comments with >": lambda: b"<p>Words.</p>" + b"<!--a>" * 30_000 + b">",
    "unclosed marked sections": lambda: b"<p>Words.</p>" + b"<![if x>" * 30_000 + b">",
    "unclosed attribute quote": lambda: b"<p title='" + b"x" * 1_000_000,
    "1.5 MB of one paragraph": lambda: b"<p>" + b"words " * 250_000 + b"</p>",
    "only script": lambda: b"<script>" + b"alert(1);" * 10_000 + b"</script>",
    "NUL bytes": lambda: b"<p>text\x00</p>" * 100,
    "invalid UTF-8": lambda: b"<p>" + bytes(range(128, 256)) * 50 + b"</p>",
}

HOSTILE_TEXT = {
    "NUL bytes": lambda: b"Some text\x00 with a NUL byte.\n" * 10,
    "invalid UTF-8, not any encoding": lambda: bytes(range(1, 32)) * 400,
    "lone surrogates encoded": lambda: b"Statement \xed\xa0\x80 text.\n",
    "UTF-16 without BOM": lambda: "Statement by the delegation of Ruritania.".encode("utf-16-le"),
    "only control characters": lambda: b"\x01\x02\x03\x04" * 1000,
    "an ELF binary named .txt": lambda: b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 20,
}


def guard_is_transparent(markup: str) -> bool:
    """Does the linear-time guard of html_to_text give exactly html.parser's own result (text or error)?

    Where html.parser itself fails ("<![<": a marked section it cannot name), the guard may read the
    unclosed tail as text instead: it never changes what a successful parse gives."""
    from ingest import loaders
    from ingest.records import IngestError

    def run(f):
        try:
            return f(markup)
        except IngestError as exc:
            return str(exc)

    guarded, plain = run(loaders.html_to_text), run(loaders._parse_html)
    return guarded == plain or (isinstance(plain, str) and plain.startswith("unreadable HTML"))
