"""`python -m ingest fetch`: download the catalogued documents into the corpus folder.

Every `[[document]]` in corpus/sources.toml that has a URL and no copy at
`<dest>/<file>` is downloaded, checked and moved into place; nothing partial
is ever left in `dest`. UN documents (catalogued as `https://undocs.org/<symbol>`)
are fetched by symbol from the UN Official Document System as PDF, because
undocs.org itself answers with a web page. `--mirror DIR` copies from a local
folder instead of the network and never writes into it.

The SHA-256 of each file obtained is recorded in a lock file (JSON, default
corpus/sources.lock) so that a later `--force` run can tell a document that
changed upstream from one that did not.

Only the standard library is used: one request at a time, a pause between
requests to the same host, timeouts, bounded retries with exponential backoff
on 5xx and network errors (never on 4xx), a size limit enforced while reading,
and a content check (magic bytes, content type) before anything is kept.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Optional, Sequence

from .catalog import CatalogError, load_catalog
from .terminal import visible
from .families import UNDOCS, language_url
from .loaders import file_sha256
from .records import IngestError, SourceEntry
from .settings import FETCH, ROOT, USER_CORPUS, SettingsError, add_common_flags, settings_from_args

try:  # the distribution may not be installed (running from a checkout)
    from importlib.metadata import version as _dist_version

    VERSION = _dist_version("normbase")
except Exception:  # PackageNotFoundError, or metadata unavailable
    VERSION = "0.1.0"

USER_AGENT = f"normbase-fetch/{VERSION} (+README)"
ODS_URL = "https://documents.un.org/api/symbol/access?s={symbol}&l={lang}&t=pdf"
DEFAULT_LOCK = ROOT / "corpus" / "sources.lock"
MB = 1024 * 1024
CHUNK = 64 * 1024

FETCHED, PRESENT, FAILED, UNAVAILABLE, CHANGED = (
    "fetched", "present", "failed", "unavailable", "changed-upstream")
STATUSES = (FETCHED, CHANGED, PRESENT, FAILED, UNAVAILABLE)

# Content types a server may legitimately send for each kind of file we keep.
_GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream",
                  "application/download", "application/force-download"}
_PDF_TYPES = {"application/pdf", "application/x-pdf", "application/acrobat"} | _GENERIC_TYPES
_HTML_TYPES = {"text/html", "application/xhtml+xml"} | _GENERIC_TYPES
_TEXT_SUFFIXES = {".txt", ".md"}
_HTML_SUFFIXES = {".html", ".htm"}


class FetchError(IngestError):
    """The fetch cannot start (bad flags, unreadable lock file); shown as one line."""


class _Failed(Exception):
    """This entry cannot be obtained; the message is the reason shown to the user."""


class _Retryable(_Failed):
    """A failure that may go away on a later try (5xx, timeout, dropped connection)."""


# --------------------------------------------------------------------------- report


@dataclass
class FetchRow:
    """What happened to one catalogue entry."""

    id: str
    status: str
    reason: str = ""
    path: str = ""
    sha256: str = ""
    source: str = ""
    size: int = 0


@dataclass
class FetchReport:
    rows: list[FetchRow] = field(default_factory=list)
    lock_path: str = ""
    errors: list[str] = field(default_factory=list)  # problems not tied to one entry

    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in STATUSES}
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        """Only a failure makes a run unsuccessful; unavailable is not a failure."""
        return not self.errors and not any(r.status == FAILED for r in self.rows)

    def by_id(self, entry_id: str) -> FetchRow:
        return next(r for r in self.rows if r.id == entry_id)

    def to_json(self) -> dict:
        return {"ok": self.ok, "counts": self.counts(), "lock": self.lock_path,
                "errors": list(self.errors), "rows": [asdict(r) for r in self.rows]}

    def format_table(self) -> str:
        """Per-entry lines grouped by status, then the one-line totals."""
        lines: list[str] = []
        width = max([len(r.id) for r in self.rows] + [2])
        titles = {FETCHED: "Fetched", CHANGED: "Fetched, changed upstream since the lock",
                  PRESENT: "Already present", FAILED: "Failed", UNAVAILABLE: "Not available"}
        for status in STATUSES:
            rows = [r for r in self.rows if r.status == status]
            if not rows:
                continue
            lines.append(f"{titles[status]} ({len(rows)}):")
            for r in rows:
                detail = r.reason if status in (FAILED, UNAVAILABLE, CHANGED) else r.path
                if status == CHANGED and r.path:
                    detail = f"{r.path}: {r.reason}"
                lines.append(visible(f"  {r.id:<{width}}  {detail}"))
        lines += [visible(f"Error: {e}") for e in self.errors]
        c = self.counts()
        lines.append(
            f"Summary: {c[FETCHED] + c[CHANGED]} fetched ({c[CHANGED]} changed upstream), "
            f"{c[PRESENT]} already present, {c[FAILED]} failed, {c[UNAVAILABLE]} not available")
        return "\n".join(lines)


# --------------------------------------------------------------------------- checks


def _media_type(content_type: Optional[str]) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _looks_like_html(head: bytes) -> bool:
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return h.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in h[:1024]


def check_content(path: Path, name: str, content_type: Optional[str] = None) -> None:
    """Refuse a body that is not what `name`'s suffix promises (e.g. an HTML error page as .pdf)."""
    suffix = Path(name).suffix.lower()
    ctype = _media_type(content_type)
    size = path.stat().st_size
    if size == 0:
        raise _Failed("empty response")
    with path.open("rb") as fh:
        head = fh.read(4096)
    if suffix == ".pdf":
        if not head.startswith(b"%PDF-"):
            what = "an HTML page" if (_looks_like_html(head) or ctype == "text/html") else "not a PDF"
            raise _Failed(f"expected a PDF, got {what} (content-type {ctype or 'none'}, "
                          f"starts with {head[:16]!r})")
        if ctype not in _PDF_TYPES:
            raise _Failed(f"expected a PDF, server says content-type {ctype}")
    elif suffix in _TEXT_SUFFIXES:
        if ctype and not (ctype.startswith("text/") or ctype in _GENERIC_TYPES):
            raise _Failed(f"expected text, server says content-type {ctype}")
        if ctype == "text/html" or _looks_like_html(head):
            raise _Failed(f"expected plain text for {name}, got an HTML page")
        data = path.read_bytes()
        if b"\x00" in data:
            raise _Failed("expected text, body contains NUL bytes")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Failed(f"expected UTF-8 text, cannot decode at byte {exc.start}") from None
    elif suffix in _HTML_SUFFIXES:
        if ctype not in _HTML_TYPES:
            raise _Failed(f"expected HTML, server says content-type {ctype}")
        if not _looks_like_html(head) and b"<html" not in path.read_bytes()[:65536].lower():
            raise _Failed("expected an HTML page, body does not look like HTML")
    elif suffix == ".docx":
        if not head.startswith(b"PK\x03\x04"):
            raise _Failed("expected a .docx (zip) file, magic bytes do not match")


# --------------------------------------------------------------------------- http


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but only to http(s): a catalogue URL must not lead to file: or ftp:."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[override]
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"refused redirect to {newurl}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class HttpClient:
    """A polite, bounded HTTP GET that streams into a file object.

    One request at a time; `pause` seconds between requests to the same host;
    `tries` attempts with backoff `backoff * 2**n` on 5xx, timeouts and dropped
    connections; no retry on 4xx; `max_bytes` enforced from Content-Length and
    again while reading.
    """

    def __init__(self, *, timeout: float = 30.0, tries: int = 3, backoff: float = 1.0,
                 pause: float = 1.0, max_bytes: int = 50 * MB, deadline: float = 600.0,
                 user_agent: str = USER_AGENT,
                 proxies: Optional[dict[str, str]] = None,
                 sleep: Callable[[float], None] = time.sleep,
                 stop: Optional[threading.Event] = None) -> None:
        handlers: list = [_HttpOnlyRedirects()]
        if proxies is not None:
            handlers.append(urllib.request.ProxyHandler(proxies))
        self._opener = urllib.request.build_opener(*handlers)
        self.timeout, self.tries, self.backoff, self.pause = timeout, max(1, tries), backoff, pause
        self.max_bytes, self.user_agent, self._sleep = max_bytes, user_agent, sleep
        self.deadline = deadline  # seconds for one document, all tries: `timeout` bounds each wait only
        self._last_request: dict[str, float] = {}
        self.requests = 0
        self.stop = stop  # see terminated_unwinds: read between chunks

    def download(self, url: str, out: BinaryIO, accept: str = "*/*") -> tuple[str, str]:
        """Write the body of `url` to `out`; return (final URL, content type) or raise _Failed."""
        last: Optional[_Retryable] = None
        self._until = time.monotonic() + self.deadline
        for attempt in range(self.tries):
            halt_if(self.stop)
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            out.seek(0)
            out.truncate()
            try:
                return self._once(url, out, accept)
            except _Retryable as exc:
                last = exc
        raise _Failed(f"{last} (gave up after {self.tries} tries)")

    def _wait_turn(self, url: str) -> None:
        host = urllib.parse.urlsplit(url).netloc.lower()
        before = self._last_request.get(host)
        if before is not None and self.pause > 0:
            wait = self.pause - (time.monotonic() - before)
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = time.monotonic()

    def _once(self, url: str, out: BinaryIO, accept: str) -> tuple[str, str]:
        if urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
            raise _Failed(f"not an http(s) URL: {url}")
        try:
            request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                           "Accept": accept})
        except ValueError as exc:
            raise _Failed(f"invalid URL {url!r}: {exc}") from None
        self._wait_turn(url)
        self.requests += 1
        try:
            response = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            message = f"HTTP {exc.code} {exc.reason} from {exc.url or url}"
            if 500 <= exc.code < 600:
                raise _Retryable(message) from None
            raise _Failed(message) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise _Retryable(f"timed out after {self.timeout:g} s connecting to {url}") from None
            raise _Retryable(f"cannot connect to {url}: {reason}") from None
        except (TimeoutError, socket.timeout):
            raise _Retryable(f"timed out after {self.timeout:g} s waiting for {url}") from None
        except (http.client.HTTPException, OSError) as exc:
            raise _Retryable(f"connection error for {url}: {exc}") from None
        with response:
            final_url = response.geturl()
            ctype = response.headers.get("Content-Type", "")
            declared = response.headers.get("Content-Length")
            expected = int(declared) if declared and declared.strip().isdigit() else None
            if expected is not None and expected > self.max_bytes:
                raise _Failed(f"too large: {expected} bytes declared, limit is {self.max_bytes}")
            received = 0
            try:
                while True:  # read1: one socket read, so a server sending 1 byte/s meets the deadline
                    chunk = response.read1(CHUNK)
                    if not chunk:
                        break
                    halt_if(self.stop)
                    if time.monotonic() > self._until:
                        raise _Failed(f"took over {self.deadline:g} s (the deadline for one document), "
                                      "download aborted")
                    received += len(chunk)
                    if received > self.max_bytes:
                        raise _Failed(f"too large: more than {self.max_bytes} bytes, download aborted")
                    out.write(chunk)
            except http.client.IncompleteRead as exc:
                received += len(exc.partial)
                expected = expected if expected is not None else received + (exc.expected or 0)
            except (TimeoutError, socket.timeout):
                raise _Retryable(f"timed out after {self.timeout:g} s reading {url}") from None
            except (http.client.HTTPException, OSError) as exc:
                raise _Retryable(f"connection dropped while reading {url}: {exc}") from None
            if expected is not None and received < expected:
                raise _Retryable(f"truncated: body shorter than Content-Length "
                                 f"({received} of {expected} bytes)")
        return final_url, ctype


# --------------------------------------------------------------------------- lock


def load_lock(path: Optional[Path]) -> dict:
    if path is None or not path.exists():
        return {"version": 1, "files": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FetchError(f"{path}: not a readable JSON lock file: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("files", {}), dict):
        raise FetchError(f"{path}: lock file has no 'files' object")
    data.setdefault("files", {})
    return data


def save_lock(path: Path, data: dict) -> None:
    """Write to a temporary file beside the lock, fsync, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": 1, "generated_by": USER_AGENT,
            "files": dict(sorted(data.get("files", {}).items()))}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=False, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- mirror


def _header_symbol(path: Path) -> str:
    """The `symbol:` line of a mirror file's leading `---` header block, if any."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            if fh.readline().strip() != "---":
                return ""
            for _ in range(40):
                line = fh.readline()
                if not line or line.strip() == "---":
                    break
                key, _, value = line.partition(":")
                if key.strip().lower() == "symbol":
                    return value.strip()
    except OSError:
        pass
    return ""


class Mirror:
    """A read-only folder of documents, matched by file name, then by symbol."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("."))
        self._by_name = {p.name: p for p in self.files}
        self._by_header: dict[str, list[Path]] = {}
        for p in self.files:
            if p.suffix.lower() in _TEXT_SUFFIXES:
                symbol = _header_symbol(p)
                if symbol:
                    self._by_header.setdefault(symbol.upper(), []).append(p)

    def candidates(self, entry: SourceEntry) -> list[Path]:
        if entry.file and entry.file in self._by_name:
            return [self._by_name[entry.file]]
        if not entry.symbol:
            return []
        found = list(self._by_header.get(entry.symbol.upper(), []))
        variants = {entry.symbol.replace("/", "_"), entry.symbol.replace("/", "-")}
        patterns = [re.compile(r"(?<![A-Za-z0-9])" + re.escape(v) + r"(?![A-Za-z0-9])", re.I)
                    for v in variants]
        for p in self.files:
            if p not in found and any(rx.search(p.name) for rx in patterns):
                found.append(p)
        return found

    def find(self, entry: SourceEntry) -> tuple[Optional[Path], str]:
        """The mirror file for `entry`, or None and why not."""
        found = self.candidates(entry)
        want = Path(entry.file).suffix.lower()
        same = [p for p in found if p.suffix.lower() == want]
        if same:
            return same[0], ""
        if found:
            return None, (f"mirror has {found[0].name} for {entry.symbol}, but as "
                          f"{found[0].suffix or 'no suffix'}, not {want or 'no suffix'}")
        return None, f"not in the mirror {self.root}"


# --------------------------------------------------------------------------- fetching


def online(host: str = "documents.un.org", port: int = 443, timeout: float = 3.0) -> bool:
    """Can this machine reach the UN's document server? (One connection, nothing downloaded.)"""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def _safe_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name \
        and "\x00" not in name and not name.startswith(".")


LANGUAGES = ("en", "es", "fr", "ru", "ar", "zh")  # the UN's six, as undocs.org and ODS name them


def language_version(entry: SourceEntry, language: str) -> SourceEntry:
    """The catalogue entry of another language version of a document: its own id, file and link.

    `unga-res-78-16` in Spanish is `unga-res-78-16-es`, fetched to `<file stem>.es.pdf`
    from `https://undocs.org/es/A/RES/78/16`; ingesting that file reads its masthead,
    and the catalogue then knows it as the Spanish version (`A/RES/78/16 (Spanish)`).
    """
    if not language or language == entry.language:
        return entry
    name = Path(entry.file)
    return replace(entry, id=f"{entry.id}-{language}", language=language, sha256="",
                   file=f"{name.stem}.{language}{name.suffix}" if entry.file else "",
                   url=language_url(entry.url, language) if entry.url else "")


def network_source(entry: SourceEntry, *, language: str = "", ods_url: str = ODS_URL
                   ) -> tuple[Optional[str], str]:
    """The URL to download `entry` from, or None and why there is none (ODS in the entry's language)."""
    language = language or entry.language
    if not entry.url:
        return None, "no URL in the catalogue"
    if entry.url.startswith(UNDOCS) and entry.symbol:
        if Path(entry.file).suffix.lower() != ".pdf":
            return None, (f"the UN publishes {entry.symbol} as PDF, but the catalogue names a "
                          f"{Path(entry.file).suffix or 'suffix-less'} file ({entry.file}); "
                          "copy it with --mirror DIR")
        quoted = urllib.parse.quote(entry.symbol, safe="/.")
        return ods_url.format(symbol=quoted, lang=urllib.parse.quote(language)), ""
    return entry.url, ""


def _accept_for(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        return "application/pdf,application/octet-stream;q=0.5,*/*;q=0.1"
    if suffix in _HTML_SUFFIXES:
        return "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
    if suffix in _TEXT_SUFFIXES:
        return "text/plain,text/markdown;q=0.9,*/*;q=0.1"
    return "*/*"


def _install(dest: Path, name: str, write: Callable[[BinaryIO], Optional[str]]) -> tuple[Path, str, int]:
    """Write via `write` into a temp file in `dest`, check it, fsync, rename it to `name`.

    `write` fills the file and returns the content type (or None). On any
    error the temp file is removed, so `dest` never holds a partial file.
    """
    target = dest / name
    fd, tmp_name = tempfile.mkstemp(dir=dest, prefix=f".{name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w+b") as fh:
            os.fchmod(fh.fileno(), 0o666 & ~_umask())  # mkstemp makes 0600; a document is as readable as any file
            ctype = write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        check_content(tmp, name, ctype)
        sha = file_sha256(tmp)
        size = tmp.stat().st_size
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:  # make the rename durable; not every platform can open a directory
        dir_fd = os.open(dest, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
    return target, sha, size


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _copy_limited(src: Path, max_bytes: int,
                  stop: Optional[threading.Event]) -> Callable[[BinaryIO], Optional[str]]:
    def write(out: BinaryIO) -> Optional[str]:
        size = src.stat().st_size
        if size > max_bytes:
            raise _Failed(f"too large: {size} bytes, limit is {max_bytes}")
        with src.open("rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                halt_if(stop)
                out.write(chunk)
        return None
    return write


def halt_if(stop: Optional[threading.Event]) -> None:
    if stop is not None and stop.is_set():
        raise KeyboardInterrupt


@contextmanager
def terminated_unwinds() -> Iterator[threading.Event]:
    """Make SIGTERM unwind like Ctrl-C, so `_install` removes its partial file.

    The handler raises KeyboardInterrupt, but that alone can be lost: Python
    discards an exception raised in a weakref callback or `__del__`, and the
    signal may land in one (an import lock's callback, seen in CI). So it also
    sets the event it yields, which the copy and download loops read between
    chunks, and the discarded interrupt is not printed as a traceback
    (`sys.unraisablehook`). Only the first signal raises: a second one must not
    cut short the cleanup the first started. Only the main thread can install
    a handler.
    """
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            return
        stop.set()
        raise KeyboardInterrupt

    def unraisable(info) -> None:  # type: ignore[no-untyped-def]
        if not (stop.is_set() and isinstance(info.exc_value, KeyboardInterrupt)):
            hook(info)

    previous, hook = signal.signal(signal.SIGTERM, handler), sys.unraisablehook
    sys.unraisablehook = unraisable
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = hook


def _select(entries: Sequence[SourceEntry], only: Iterable[str]) -> list[SourceEntry]:
    wanted = list(dict.fromkeys(only))
    if not wanted:
        return list(entries)
    known = {e.id for e in entries}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise FetchError(f"--only: no catalogue entry with id {', '.join(unknown)}")
    return [e for e in entries if e.id in wanted]


def fetch_all(entries: Sequence[SourceEntry], dest: Path, *, mirror: Optional[Path] = None,
              only: Iterable[str] = (), force: bool = False, client: Optional[HttpClient] = None,
              lock_path: Optional[Path] = DEFAULT_LOCK, language: str = "",
              ods_url: str = ODS_URL, max_bytes: int = 50 * MB,
              log: Optional[Callable[[str], None]] = None,
              stop: Optional[threading.Event] = None) -> FetchReport:
    """Obtain every selected entry that has no copy at `dest/<file>`; report what happened.

    Network mode downloads (UN documents by symbol from ODS); mirror mode
    copies from `mirror` and touches no network. `lock_path=None` keeps no lock.
    Raises FetchError for an unusable setup (unknown --only id, dest inside the
    mirror, unreadable lock); every per-document problem becomes a report row.
    Raises KeyboardInterrupt once `stop` is set (see terminated_unwinds).
    """
    say = log or (lambda _msg: None)
    if language and language not in LANGUAGES:
        raise FetchError(f"--language {language}: not one of {', '.join(LANGUAGES)}")
    selected = [language_version(e, language) for e in _select(entries, only)]
    dest = Path(dest)
    mirror_index: Optional[Mirror] = None
    if mirror is not None:
        mirror = Path(mirror)
        if not mirror.is_dir():
            raise FetchError(f"--mirror {mirror}: not a folder")
        if dest.resolve() == mirror.resolve() or mirror.resolve() in dest.resolve().parents:
            raise FetchError(f"--dest {dest} is inside the mirror {mirror}; the mirror is never written")
        mirror_index = Mirror(mirror)
    elif client is None:
        client = HttpClient(max_bytes=max_bytes)
    lock = load_lock(lock_path)
    locked: dict = lock["files"]
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"--dest {dest}: cannot create the folder: {exc}") from None
    report = FetchReport(lock_path=str(lock_path) if lock_path else "")
    lock_dirty = False

    for entry in selected:
        halt_if(stop)
        if not _safe_name(entry.file):
            report.rows.append(FetchRow(entry.id, FAILED if entry.file else UNAVAILABLE,
                                        f"unusable file name {entry.file!r}" if entry.file
                                        else "no file name in the catalogue"))
            continue
        target = dest / entry.file
        if target.exists() and not force:
            sha = file_sha256(target)
            note = ""
            if entry.sha256 and sha != entry.sha256:
                note = "differs from the catalogue's sha256"
            report.rows.append(FetchRow(entry.id, PRESENT, note, str(target), sha))
            continue

        if mirror_index is not None:
            src, why = mirror_index.find(entry)
            if src is None:
                report.rows.append(FetchRow(entry.id, UNAVAILABLE, why))
                continue
            source = str(src)
            write = _copy_limited(src, max_bytes, stop)
            say(f"copying {entry.id} from {src}")
        else:
            url, why = network_source(entry, ods_url=ods_url)
            if url is None:
                report.rows.append(FetchRow(entry.id, UNAVAILABLE, why))
                continue
            source = url
            assert client is not None
            http_client = client

            def write(out: BinaryIO, _url: str = url, _name: str = entry.file) -> Optional[str]:
                _final, ctype = http_client.download(_url, out, _accept_for(_name))
                return ctype
            say(f"fetching {entry.id} from {url}")

        try:
            path, sha, size = _install(dest, entry.file, write)
        except _Failed as exc:
            report.rows.append(FetchRow(entry.id, FAILED, str(exc), source=source))
            say(f"  failed: {exc}")
            continue
        except OSError as exc:
            report.rows.append(FetchRow(entry.id, FAILED, f"cannot write {target}: {exc}", source=source))
            continue

        status, reasons = FETCHED, []
        previous = locked.get(entry.id, {}).get("sha256")
        if previous and previous != sha:
            status = CHANGED
            reasons.append(f"sha256 {previous[:12]}… in the lock, now {sha[:12]}…")
        if entry.sha256 and entry.sha256 != sha:
            status = CHANGED
            reasons.append(f"sha256 differs from the catalogue ({entry.sha256[:12]}…)")
        locked[entry.id] = {"file": entry.file, "sha256": sha, "size": size, "source": source,
                            "fetched_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        lock_dirty = True
        report.rows.append(FetchRow(entry.id, status, "; ".join(reasons), str(path), sha, source, size))

    if lock_dirty and lock_path is not None:
        try:
            save_lock(lock_path, lock)
        except OSError as exc:  # the files are in place; say the hashes were not recorded
            report.errors.append(f"could not write the lock file {lock_path}: {exc}")
    return report


# --------------------------------------------------------------------------- CLI

_DESCRIPTION = """\
Download the documents listed in the catalogue (corpus/sources.toml) into the
corpus folder, so that `ingest` and `index` can read them.

For each [[document]] with a url and no file at DEST/<file>:
  * UN documents (url https://undocs.org/<symbol>) are fetched by symbol from the
    UN Official Document System as PDF (--language picks the language);
  * anything else is fetched from its catalogued url.
Each download goes to a temporary file, is checked (a .pdf must really be a PDF,
an HTML error page is refused; .txt must be UTF-8 text; size limit; complete
body) and only then renamed into place. Nothing partial is left behind.

The SHA-256 of every file obtained is written to the lock file (JSON). With
--force, a file whose hash differs from the lock is reported as changed upstream.
"""

_EPILOG = """\
examples:
  python -m ingest fetch                         fetch whatever is missing
  python -m ingest fetch --only a-70-174         just the 2015 GGE report
  python -m ingest fetch --mirror ../shared/corpus
                                                 copy from a local folder, no network
  python -m ingest fetch --force --json          refetch all, check for upstream changes

statuses: fetched, changed-upstream, present (already there), failed (with the
reason), unavailable (no URL, not in the mirror, or no PDF-able source).
Exit status: 0 unless something failed (1); 2 for a bad catalogue or bad flags.
"""


def register_cli(subparsers: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    """Add the `fetch` sub-command; `args.func(args)` runs it and returns the exit status."""
    p = subparsers.add_parser(
        "fetch", help="download catalogued documents into the corpus folder",
        description=_DESCRIPTION, epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dest", metavar="DIR", type=Path, default=None,
                   help="folder to save documents in (default corpus/documents)")
    p.add_argument("--mirror", metavar="DIR", type=Path, default=None,
                   help="copy from this local folder instead of the network; matched by file "
                        "name, else by symbol (header 'symbol:' line or symbol in the file name); "
                        "the mirror is never written")
    p.add_argument("--only", metavar="ID", action="append", default=None,
                   help="fetch only this catalogue id (repeatable)")
    p.add_argument("--force", action="store_true",
                   help="fetch again even if the file is present; reports changed-upstream files")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--language", metavar="LANG", default="",
                   help="fetch this language version of the UN documents: en, fr, es, ru, ar, zh "
                        "(default: the catalogue's language of each). Another language's copy is saved as "
                        "<file>.<LANG>.pdf beside it, with its own lock entry <id>-<LANG>")
    p.add_argument("--lock", metavar="FILE", type=Path, default=None,
                   help="lock file recording sha256 per document (default: sources.lock "
                        "beside the catalogue)")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=30.0,
                   help="network timeout per connect/read (default 30)")
    p.add_argument("--deadline", metavar="SECONDS", type=float, default=600.0,
                   help="most time one document may take, all tries included; a server that drips "
                        "bytes just fast enough to beat --timeout is cut off here (default 600)")
    p.add_argument("--tries", metavar="N", type=int, default=3,
                   help="attempts per document on 5xx, timeouts and network errors (default 3)")
    p.add_argument("--backoff", metavar="SECONDS", type=float, default=1.0,
                   help="first retry delay, doubled on each retry (default 1)")
    p.add_argument("--pause", metavar="SECONDS", type=float, default=1.0,
                   help="pause between requests to the same host (default 1)")
    p.add_argument("--ods-url", metavar="TEMPLATE", default=ODS_URL,
                   help="UN document URL template with {symbol} and {lang} (default: ODS)")
    add_common_flags(p, FETCH)
    p.set_defaults(func=run_cli)
    return p


def run_cli(args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args)
        sources, max_mb = settings.sources, settings.max_file_mb
        dest: Path = args.dest or USER_CORPUS
        lock: Path = args.lock or sources.with_suffix(".lock")
        max_bytes = int(max_mb * MB)
        if (args.tries < 1 or args.timeout <= 0 or args.deadline <= 0 or args.backoff < 0 or args.pause < 0
                or max_mb <= 0):
            raise FetchError("--tries must be >= 1; --timeout, --deadline and --max-file-mb > 0; "
                             "--backoff and --pause >= 0")
        try:
            args.ods_url.format(symbol="A/1/1", lang="en")
        except (KeyError, IndexError, ValueError):
            raise FetchError("--ods-url: use only the placeholders {symbol} and {lang}") from None
        if not sources.exists():
            raise FetchError(f"{sources}: no such catalogue")
        entries = load_catalog(sources)
        with terminated_unwinds() as stop:
            client = None
            if args.mirror is None:
                client = HttpClient(timeout=args.timeout, tries=args.tries, backoff=args.backoff,
                                    pause=args.pause, max_bytes=max_bytes, deadline=args.deadline, stop=stop)
            report = fetch_all(entries, dest, mirror=args.mirror, only=args.only or (),
                               force=args.force, client=client, lock_path=lock,
                               language=args.language, ods_url=args.ods_url, max_bytes=max_bytes,
                               log=None if args.json else lambda m: print(visible(m), file=sys.stderr, flush=True),
                               stop=stop)
            halt_if(stop)  # a raise lost after the last document's last check
    except (CatalogError, FetchError, SettingsError) as exc:
        print(visible(f"error: {exc}"), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(report.format_table())
    return 0 if report.ok else 1
