"""Tests for `ingest fetch` against a real HTTP server on 127.0.0.1.

The server runs in a thread for each test and serves bytes made here (a tiny
PDF from fpdf2), so every network behaviour the fetcher promises (redirects,
no retry on 4xx, retry on 5xx, timeouts, truncation, size limit, content
check) is exercised over a real socket without leaving the machine.
"""
from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]

from ingest import fetch
from ingest.catalog import load_catalog
from ingest.records import SourceEntry

SHARED_MIRROR = ROOT.parent / "shared" / "corpus"


# --------------------------------------------------------------------------- fixtures


def make_pdf(text: str = "normbase test document") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


PDF = make_pdf()
HTML = b"<!DOCTYPE html><html><head><title>Error</title></head><body>Not found</body></html>"


@dataclass
class Route:
    body: bytes = PDF
    status: int = 200
    content_type: str = "application/pdf"
    location: Optional[str] = None
    delay: float = 0.0
    fail_first: int = 0  # answer the first N requests with 500
    truncate_to: Optional[int] = None  # declare the full length, send only this many bytes
    no_length: bool = False  # no Content-Length: the body ends when the connection closes


@dataclass
class Server:
    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    user_agents: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        srv: Server = self.server.owner  # type: ignore[attr-defined]
        with srv.lock:
            srv.hits[self.path] += 1
            n = srv.hits[self.path]
            srv.user_agents.append(self.headers.get("User-Agent", ""))
        route = srv.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if route.delay:
            time.sleep(route.delay)
        try:
            if n <= route.fail_first:
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(route.status)
            if route.location:
                self.send_header("Location", route.location)
            self.send_header("Content-Type", route.content_type)
            if not route.no_length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            body = route.body if route.truncate_to is None else route.body[: route.truncate_to]
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that tries to reach beyond 127.0.0.1 fails instead of touching the network."""
    real = socket.create_connection

    def guarded(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        if address[0] not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"test tried to connect to {address}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    httpd.owner = srv  # type: ignore[attr-defined]
    srv.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    yield srv
    httpd.shutdown()
    httpd.server_close()


def client(**overrides: object) -> fetch.HttpClient:
    settings: dict = {"timeout": 2.0, "tries": 3, "backoff": 0.0, "pause": 0.0, "proxies": {}}
    settings.update(overrides)
    return fetch.HttpClient(**settings)


def entry(id: str, url: str = "", file: str = "doc.pdf", symbol: str = "", sha256: str = "") -> SourceEntry:
    return SourceEntry(id=id, title=f"Title of {id}", body="other", date="2020-01-01",
                       type="report", symbol=symbol, url=url, file=file, sha256=sha256)


def files_in(folder: Path) -> list[str]:
    """Every name in the folder, hidden temp files included."""
    return sorted(p.name for p in folder.iterdir())


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "documents"


@pytest.fixture
def lock(tmp_path: Path) -> Path:
    return tmp_path / "sources.lock"


# --------------------------------------------------------------------------- network


def test_success_saves_checked_file_and_records_hash(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/doc.pdf"] = Route()
    report = fetch.fetch_all([entry("d1", server.url("/doc.pdf"))], dest, client=client(), lock_path=lock)

    row = report.by_id("d1")
    assert row.status == "fetched", row.reason
    assert (dest / "doc.pdf").read_bytes() == PDF
    assert row.sha256 == sha(PDF) and row.path == str(dest / "doc.pdf")
    assert files_in(dest) == ["doc.pdf"]
    assert json.loads(lock.read_text())["files"]["d1"]["sha256"] == sha(PDF)
    assert server.user_agents[0].startswith("normbase-fetch/") and "(+README)" in server.user_agents[0]
    assert report.ok and report.counts()["fetched"] == 1


def test_redirect_is_followed(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/old"] = Route(status=302, location="/new.pdf", body=b"", content_type="text/html")
    server.routes["/new.pdf"] = Route()
    report = fetch.fetch_all([entry("d1", server.url("/old"))], dest, client=client(), lock_path=lock)

    assert report.by_id("d1").status == "fetched"
    assert server.hits["/old"] == 1 and server.hits["/new.pdf"] == 1
    assert (dest / "doc.pdf").read_bytes() == PDF


def test_404_is_not_retried(server: Server, dest: Path, lock: Path) -> None:
    report = fetch.fetch_all([entry("d1", server.url("/missing.pdf"))], dest, client=client(), lock_path=lock)

    row = report.by_id("d1")
    assert row.status == "failed" and "404" in row.reason
    assert server.hits["/missing.pdf"] == 1
    assert files_in(dest) == []
    assert not report.ok and not lock.exists()


def test_500_then_success_is_retried(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/doc.pdf"] = Route(fail_first=1)
    report = fetch.fetch_all([entry("d1", server.url("/doc.pdf"))], dest, client=client(), lock_path=lock)

    assert report.by_id("d1").status == "fetched"
    assert server.hits["/doc.pdf"] == 2
    assert files_in(dest) == ["doc.pdf"]


def test_persistent_500_gives_up_after_tries(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/doc.pdf"] = Route(fail_first=99)
    report = fetch.fetch_all([entry("d1", server.url("/doc.pdf"))], dest, client=client(tries=3),
                             lock_path=lock)

    row = report.by_id("d1")
    assert row.status == "failed" and "500" in row.reason and "3 tries" in row.reason
    assert server.hits["/doc.pdf"] == 3
    assert files_in(dest) == []


def test_backoff_doubles_between_tries(server: Server, dest: Path, lock: Path) -> None:
    """The waits are what make retries polite, so check them without really sleeping."""
    server.routes["/doc.pdf"] = Route(fail_first=99)
    waits: list[float] = []
    slow = client(tries=3, backoff=0.5, sleep=waits.append)
    fetch.fetch_all([entry("d1", server.url("/doc.pdf"))], dest, client=slow, lock_path=lock)
    assert waits == [0.5, 1.0]


def test_timeout_fails_cleanly(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/slow.pdf"] = Route(delay=1.0)
    started = time.monotonic()
    report = fetch.fetch_all([entry("d1", server.url("/slow.pdf"))], dest,
                             client=client(timeout=0.2, tries=2), lock_path=lock)

    row = report.by_id("d1")
    assert row.status == "failed" and "timed out" in row.reason
    assert server.hits["/slow.pdf"] == 2  # timeouts are retried
    assert time.monotonic() - started < 1.5
    assert files_in(dest) == []


def test_html_page_where_pdf_expected_is_rejected(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/doc.pdf"] = Route(body=HTML, content_type="text/html; charset=utf-8")
    report = fetch.fetch_all([entry("d1", server.url("/doc.pdf"))], dest, client=client(), lock_path=lock)

    row = report.by_id("d1")
    assert row.status == "failed" and "HTML page" in row.reason
    assert server.hits["/doc.pdf"] == 1  # a wrong body is not retried
    assert files_in(dest) == []


def test_pdf_with_wrong_content_type_is_rejected(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/doc.pdf"] = Route(content_type="text/html")
    report = fetch.fetch_all([entry("d1", server.url("/doc.pdf"))], dest, client=client(), lock_path=lock)
    assert report.by_id("d1").status == "failed" and "content-type" in report.by_id("d1").reason
    assert files_in(dest) == []


def test_truncated_body_is_detected(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/doc.pdf"] = Route(truncate_to=len(PDF) // 2)
    report = fetch.fetch_all([entry("d1", server.url("/doc.pdf"))], dest, client=client(tries=2),
                             lock_path=lock)

    row = report.by_id("d1")
    assert row.status == "failed" and "shorter than Content-Length" in row.reason
    assert f"of {len(PDF)} bytes" in row.reason
    assert server.hits["/doc.pdf"] == 2
    assert files_in(dest) == []


def test_oversized_download_is_aborted_mid_stream(server: Server, dest: Path, lock: Path) -> None:
    big = b"%PDF-1.4\n" + b"0" * 300_000
    server.routes["/big.pdf"] = Route(body=big, no_length=True)
    report = fetch.fetch_all([entry("d1", server.url("/big.pdf"))], dest,
                             client=client(max_bytes=100_000), lock_path=lock)

    row = report.by_id("d1")
    assert row.status == "failed" and "too large" in row.reason and "aborted" in row.reason
    assert server.hits["/big.pdf"] == 1
    assert files_in(dest) == []


def test_oversized_declared_length_is_refused_before_reading(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/big.pdf"] = Route(body=b"%PDF-1.4\n" + b"0" * 300_000)
    report = fetch.fetch_all([entry("d1", server.url("/big.pdf"))], dest,
                             client=client(max_bytes=100_000), lock_path=lock)
    assert "declared" in report.by_id("d1").reason
    assert files_in(dest) == []


def test_text_and_html_files_are_checked(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/a.txt"] = Route(body="Résolution\n".encode(), content_type="text/plain; charset=utf-8")
    server.routes["/b.txt"] = Route(body=HTML, content_type="text/html")
    server.routes["/c.html"] = Route(body=HTML, content_type="text/html")
    server.routes["/d.html"] = Route(body=b"%PDF-1.4 not html", content_type="application/octet-stream")
    entries = [entry("a", server.url("/a.txt"), "a.txt"), entry("b", server.url("/b.txt"), "b.txt"),
               entry("c", server.url("/c.html"), "c.html"), entry("d", server.url("/d.html"), "d.html")]
    report = fetch.fetch_all(entries, dest, client=client(), lock_path=lock)

    assert [report.by_id(i).status for i in "abcd"] == ["fetched", "failed", "fetched", "failed"]
    assert files_in(dest) == ["a.txt", "c.html"]


def test_present_file_is_not_fetched_again(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/doc.pdf"] = Route()
    entries = [entry("d1", server.url("/doc.pdf"))]
    fetch.fetch_all(entries, dest, client=client(), lock_path=lock)
    report = fetch.fetch_all(entries, dest, client=client(), lock_path=lock)

    assert report.by_id("d1").status == "present" and report.by_id("d1").sha256 == sha(PDF)
    assert server.hits["/doc.pdf"] == 1


def test_only_limits_the_run_and_rejects_unknown_ids(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/a.pdf"] = Route()
    entries = [entry("a", server.url("/a.pdf"), "a.pdf"), entry("b", server.url("/b.pdf"), "b.pdf")]
    report = fetch.fetch_all(entries, dest, only=["a"], client=client(), lock_path=lock)
    assert [r.id for r in report.rows] == ["a"] and server.hits["/b.pdf"] == 0

    with pytest.raises(fetch.FetchError, match="nope"):
        fetch.fetch_all(entries, dest, only=["nope"], client=client(), lock_path=lock)


def test_entry_without_url_is_unavailable(dest: Path, lock: Path) -> None:
    report = fetch.fetch_all([entry("d1", "")], dest, client=client(), lock_path=lock)
    assert report.by_id("d1").status == "unavailable" and report.ok


def test_un_documents_are_fetched_by_symbol(server: Server, dest: Path, lock: Path) -> None:
    """undocs.org answers with a web page, so a UN entry goes to the ODS template instead."""
    server.routes["/ods?s=A/RES/70/237&l=fr&t=pdf"] = Route()
    entries = [entry("res", "https://undocs.org/A/RES/70/237", "A_RES_70_237.pdf", "A/RES/70/237"),
               entry("txt", "https://undocs.org/A/RES/73/27", "res.txt", "A/RES/73/27")]
    report = fetch.fetch_all(entries, dest, client=client(), lock_path=lock, language="fr",
                             ods_url=server.url("/ods?s={symbol}&l={lang}&t=pdf"))

    # --language fr fetches the French version beside the catalogued one, under its own id and name
    assert report.by_id("res-fr").status == "fetched"
    assert (dest / "A_RES_70_237.fr.pdf").read_bytes() == PDF and not (dest / "A_RES_70_237.pdf").exists()
    assert report.by_id("txt-fr").status == "unavailable" and "--mirror" in report.by_id("txt-fr").reason
    assert sum(server.hits.values()) == 1


def test_a_language_version_has_its_own_entry_and_link() -> None:
    e = entry("res", "https://undocs.org/A/RES/78/16", "A_RES_78_16.pdf", "A/RES/78/16")
    es = fetch.language_version(e, "es")
    assert (es.id, es.file, es.language, es.url) == (
        "res-es", "A_RES_78_16.es.pdf", "es", "https://undocs.org/es/A/RES/78/16")
    assert fetch.language_version(e, "en") is e and fetch.language_version(e, "") is e
    url, _ = fetch.network_source(es, ods_url="https://ods/{symbol}?l={lang}")
    assert url == "https://ods/A/RES/78/16?l=es"


def test_an_unknown_language_is_refused(dest: Path, lock: Path) -> None:
    with pytest.raises(fetch.FetchError, match="--language xx"):
        fetch.fetch_all([entry("d1", "")], dest, client=client(), lock_path=lock, language="xx")


def test_pause_between_requests_to_the_same_host(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/a.pdf"] = Route()
    server.routes["/b.pdf"] = Route()
    waits: list[float] = []
    polite = client(pause=5.0, sleep=waits.append)
    fetch.fetch_all([entry("a", server.url("/a.pdf"), "a.pdf"), entry("b", server.url("/b.pdf"), "b.pdf")],
                    dest, client=polite, lock_path=lock)
    assert len(waits) == 1 and 4.0 < waits[0] <= 5.0


def test_non_http_url_is_refused(dest: Path, lock: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)
    report = fetch.fetch_all([entry("d1", secret.as_uri())], dest, client=client(), lock_path=lock)
    assert report.by_id("d1").status == "failed" and files_in(dest) == []


# --------------------------------------------------------------------------- lock file


def test_force_refetch_detects_changed_upstream(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/doc.pdf"] = Route()
    entries = [entry("d1", server.url("/doc.pdf"))]
    fetch.fetch_all(entries, dest, client=client(), lock_path=lock)

    same = fetch.fetch_all(entries, dest, force=True, client=client(), lock_path=lock)
    assert same.by_id("d1").status == "fetched"

    changed_pdf = make_pdf("revised text")
    server.routes["/doc.pdf"] = Route(body=changed_pdf)
    changed = fetch.fetch_all(entries, dest, force=True, client=client(), lock_path=lock)
    row = changed.by_id("d1")
    assert row.status == "changed-upstream" and "lock" in row.reason
    assert changed.ok  # a change is news, not a failure
    assert (dest / "doc.pdf").read_bytes() == changed_pdf
    assert json.loads(lock.read_text())["files"]["d1"]["sha256"] == sha(changed_pdf)
    assert files_in(lock.parent) == sorted(["documents", "sources.lock"])  # no temp lock left


def test_catalogue_hash_mismatch_is_reported(server: Server, dest: Path, lock: Path) -> None:
    server.routes["/doc.pdf"] = Route()
    report = fetch.fetch_all([entry("d1", server.url("/doc.pdf"), sha256="0" * 64)], dest,
                             client=client(), lock_path=lock)
    assert report.by_id("d1").status == "changed-upstream"
    assert "catalogue" in report.by_id("d1").reason


def test_unreadable_lock_is_a_setup_error(dest: Path, lock: Path) -> None:
    lock.write_text("{not json")
    with pytest.raises(fetch.FetchError, match="lock"):
        fetch.fetch_all([entry("d1", "")], dest, client=client(), lock_path=lock)


# --------------------------------------------------------------------------- mirror


def test_shared_mirror_copies_every_catalogued_file(tmp_path: Path) -> None:
    if not SHARED_MIRROR.is_dir():
        pytest.skip("no shared mirror on this machine")
    before = {p.name: p.stat().st_mtime_ns for p in SHARED_MIRROR.iterdir()}
    entries = load_catalog(ROOT / "corpus" / "sources.toml")
    dest = tmp_path / "documents"
    report = fetch.fetch_all(entries, dest, mirror=SHARED_MIRROR, lock_path=tmp_path / "sources.lock")

    assert report.ok, report.format_table()
    with_copy = [e for e in entries if e.sha256]
    assert with_copy
    for e in with_copy:
        row = report.by_id(e.id)
        assert row.status == "fetched", (e.id, row.reason)
        assert row.sha256 == e.sha256
    for e in entries:
        if not e.sha256:
            assert report.by_id(e.id).status == "unavailable"
    assert sorted(files_in(dest)) == sorted(e.file for e in with_copy)
    assert {p.name: p.stat().st_mtime_ns for p in SHARED_MIRROR.iterdir()} == before


def test_tmp_mirror_matches_by_name_then_symbol(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "exact.txt").write_text("plain text\n", encoding="utf-8")
    (mirror / "A-RES-70-237.pdf").write_bytes(PDF)
    (mirror / "compendium.txt").write_text(
        "---\nsymbol: A/AC.292/2025/INF/5/Rev.1\ntitle: x\n---\nbody text\n", encoding="utf-8")
    (mirror / "A_65_201.html").write_bytes(HTML)
    (mirror / "A_RES_73_27.pdf").write_bytes(PDF)  # must not match A/RES/73/2
    (mirror / "broken.pdf").write_bytes(HTML)
    snapshot = {p.name: p.read_bytes() for p in mirror.iterdir()}

    entries = [
        entry("exact", file="exact.txt"),
        entry("by-name-symbol", file="A_RES_70_237.pdf", symbol="A/RES/70/237"),
        entry("by-header", file="oewg.txt", symbol="A/AC.292/2025/INF/5/Rev.1"),
        entry("wrong-type", file="A_65_201.pdf", symbol="A/65/201"),
        entry("prefix-only", file="A_RES_73_2.pdf", symbol="A/RES/73/2"),
        entry("broken", file="broken.pdf"),
        entry("absent", file="absent.pdf", symbol="A/1/2"),
    ]
    dest = tmp_path / "documents"
    report = fetch.fetch_all(entries, dest, mirror=mirror, lock_path=tmp_path / "sources.lock")
    status = {r.id: r.status for r in report.rows}

    assert status == {"exact": "fetched", "by-name-symbol": "fetched", "by-header": "fetched",
                      "wrong-type": "unavailable", "prefix-only": "unavailable",
                      "broken": "failed", "absent": "unavailable"}
    assert "as .html" in report.by_id("wrong-type").reason
    assert (dest / "A_RES_70_237.pdf").read_bytes() == PDF
    assert (dest / "oewg.txt").read_bytes() == snapshot["compendium.txt"]
    assert files_in(dest) == ["A_RES_70_237.pdf", "exact.txt", "oewg.txt"]
    assert {p.name: p.read_bytes() for p in mirror.iterdir()} == snapshot


def test_dest_inside_mirror_is_refused(tmp_path: Path) -> None:
    with pytest.raises(fetch.FetchError, match="never written"):
        fetch.fetch_all([entry("a", file="a.txt")], tmp_path / "sub", mirror=tmp_path, lock_path=None)


# --------------------------------------------------------------------------- CLI


def cli(argv: list[str]) -> int:
    """Run the registered sub-command the way ingest/__main__.py will."""
    parser = argparse.ArgumentParser(prog="python -m ingest")
    sub = parser.add_subparsers(dest="command", required=True)
    fetch.register_cli(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def write_catalogue(path: Path, docs: list[dict[str, str]]) -> Path:
    lines = []
    for doc in docs:
        lines.append("[[document]]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in doc.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def doc(id: str, url: str, file: str) -> dict[str, str]:
    return {"id": id, "title": "T", "body": "other", "date": "2020-01-01", "type": "report",
            "language": "en", "url": url, "file": file}


FAST = ["--pause", "0", "--backoff", "0", "--timeout", "2"]


def test_cli_json_summary_and_exit_status(server: Server, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/ok.pdf"] = Route()
    sources = write_catalogue(tmp_path / "sources.toml", [doc("ok", server.url("/ok.pdf"), "ok.pdf"),
                                                          doc("gone", server.url("/gone.pdf"), "gone.pdf")])
    dest = tmp_path / "documents"
    rc = cli(["fetch", "--sources", str(sources), "--dest", str(dest), "--json", *FAST])
    out = json.loads(capsys.readouterr().out)

    assert rc == 1
    assert out["counts"]["fetched"] == 1 and out["counts"]["failed"] == 1 and out["ok"] is False
    assert {r["id"]: r["status"] for r in out["rows"]} == {"ok": "fetched", "gone": "failed"}
    assert (tmp_path / "sources.lock").exists()  # default lock sits beside the catalogue
    assert files_in(dest) == ["ok.pdf"]

    rc = cli(["fetch", "--sources", str(sources), "--dest", str(dest), "--only", "ok", *FAST])
    table = capsys.readouterr().out
    assert rc == 0
    assert "Already present (1):" in table and table.strip().splitlines()[-1].startswith("Summary:")


def test_cli_bad_catalogue_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_catalogue(tmp_path / "sources.toml", [{**doc("x", "", "x.pdf"), "body": "Nobody"}])
    rc = cli(["fetch", "--sources", str(bad), "--dest", str(tmp_path / "d")])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and "entry x" in err and "'body'" in err


def test_cli_unknown_only_id_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = write_catalogue(tmp_path / "sources.toml", [doc("x", "", "x.pdf")])
    assert cli(["fetch", "--sources", str(sources), "--dest", str(tmp_path / "d"), "--only", "y"]) == 2
    assert "y" in capsys.readouterr().err


def test_cli_help_explains_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli(["fetch", "--help"])
    text = capsys.readouterr().out
    assert exc.value.code == 0
    for word in ("--mirror", "--only", "--force", "--json", "undocs.org", "lock", "Exit status"):
        assert word in text


def test_entry_point_runs_fetch_from_the_mirror(tmp_path: Path) -> None:
    """The real `python -m ingest fetch`, once ingest/__main__.py registers it."""
    import subprocess

    if not SHARED_MIRROR.is_dir():
        pytest.skip("no shared mirror on this machine")
    dest, lock_file = tmp_path / "documents", tmp_path / "sources.lock"
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "fetch", "--mirror", str(SHARED_MIRROR), "--dest", str(dest),
         "--lock", str(lock_file), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 and "invalid choice" in proc.stderr:
        pytest.skip("ingest/__main__.py does not register `fetch` yet")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["ok"] and out["counts"]["fetched"] == len(list(dest.iterdir()))
    assert json.loads(lock_file.read_text())["files"]


def test_unwritable_lock_is_reported_not_lost(server: Server, dest: Path, tmp_path: Path) -> None:
    """The documents are in place either way; the run must say the hashes were not recorded."""
    server.routes["/doc.pdf"] = Route()
    (tmp_path / "not-a-dir").write_text("")
    report = fetch.fetch_all([entry("d1", server.url("/doc.pdf"))], dest, client=client(),
                             lock_path=tmp_path / "not-a-dir" / "sources.lock")
    assert report.by_id("d1").status == "fetched"
    assert not report.ok and "lock" in report.errors[0]
