"""The HTTP API, through a real uvicorn server on a loopback port, over the synthetic fixture index.

The contract (the CLI's JSON), the committed schema and schemathesis against the served one, the
write token and rate limit, oversized and hostile input, and a rebuild swapped in under load.
"""
from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, replace
from pathlib import Path

import httpx
import pytest

from index import Searcher
from index.api.app import create_app
from index.api.guard import TokenBucket, token_matches
from index.api.serve import SCHEMA_PATH, schema_text
from tests.index.api_helpers import assert_json_error, client, free_port, serving
from tests.index.index_helpers import (FIXTURE_CORPUS, ROOT, cli_env, copy_corpus, copy_index, live_folder,
                                       popen_cli, run_cli)
from tests.index.lineage_corpus import series  # noqa: F401  (the fixture: an invented resolution series)
from tests.reliability.helpers import NEW_DOCUMENT

TOKEN = "correct horse battery staple"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def api(small_index, small_searcher):
    """A read-only server (no token) over the shared small index."""
    with serving(create_app(small_index, searcher=small_searcher)) as url:
        yield url


def writable_settings(tmp_path: Path, small_index, **kw):
    """A private corpus and index copy; uploads go into the corpus copy; writing opened by TOKEN."""
    corpus = copy_corpus(tmp_path / "corpus")
    index = copy_index(small_index, tmp_path / "index")
    return replace(small_index, corpus=(corpus,), index=index, upload_dir=corpus, api_token=TOKEN, **kw)


@pytest.fixture(scope="module")
def series_api(series):
    """A read-only server over the invented harbour-radar series (edits, splits, a French text)."""
    settings, searcher = series
    with serving(create_app(settings, searcher=searcher)) as url:
        yield url


@pytest.fixture
def writable(tmp_path, small_index, embedder):
    settings = writable_settings(tmp_path, small_index)
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    app = create_app(settings, searcher=searcher, bucket=TokenBucket(burst=50))  # the rate limit: its own test
    with serving(app) as url:
        yield url, settings


def wait_for_build(http: httpx.Client, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = http.get("/documents").json()["index"]["build"]
        if state["state"] in ("done", "failed") and not state["pending"]:
            return state
        time.sleep(0.2)
    raise AssertionError("the build did not finish")


def cli_json(answer) -> dict:
    """What `python -m index search --json` prints for an answer."""
    from index.__main__ import _answer_json

    return json.loads(json.dumps(_answer_json(answer), ensure_ascii=False))


# -- the contract ---------------------------------------------------------------------

@pytest.mark.slow
def test_search_json_is_the_command_lines(api, small_index):
    args = ["cables", "--mode", "lexical", "--k", "5", "--body", "UNGA", "--year-from", "2019", "--year-to", "2021"]
    proc = run_cli("search", *args, "--json", "--index", str(small_index.index))
    assert proc.returncode == 0, proc.stderr
    with client(api) as http:
        resp = http.get("/search", params={"q": "cables", "mode": "lexical", "k": 5, "body": "UNGA",
                                           "year_from": 2019, "year_to": 2021})
    assert resp.status_code == 200, resp.text
    assert resp.json() == json.loads(proc.stdout)
    assert resp.json()["hits"] and {h["symbol"] for h in resp.json()["hits"]} <= {"A/RES/91/11", "A/RES/93/24"}


def test_hybrid_search_and_batch_equal_the_searcher(api, small_searcher):
    queries = ["undersea data cables", "sécurité des réseaux portuaires", '"cable repair vessel"']
    with client(api) as http:
        singles = [http.get("/search", params={"q": q, "k": 3}).json() for q in queries]
        batch = http.post("/search", json={"queries": queries, "k": 3})
    assert batch.status_code == 200, batch.text
    expected = [cli_json(small_searcher.answer(q, 3)) for q in queries]
    assert singles == expected
    assert batch.json() == {"answers": expected}
    hit = singles[0]["hits"][0]
    assert hit["citation"] and hit["url"].startswith("https://") and hit["text"] and hit["rank"] == 1


def test_repeatable_filters(api):
    with client(api) as http:
        both = http.get("/search", params=[("q", "cooperation"), ("body", "OSCE"), ("body", "Paris Call"),
                                           ("k", 10)]).json()
        french = http.get("/search", params={"q": "sécurité des ports", "language": "fr"}).json()
        one_doc = http.get("/search", params={"q": "cables", "doc": "A/RES/93/24", "mode": "lexical"}).json()
        batch = http.post("/search", json={"queries": ["cables"], "mode": "lexical",
                                           "filters": {"documents": ["A/RES/93/24"]}}).json()
    assert both["hits"] and {h["body"] for h in both["hits"]} <= {"OSCE", "Paris Call"}
    assert french["hits"] and {h["language"] for h in french["hits"]} == {"fr"}
    assert one_doc["hits"] and {h["symbol"] for h in one_doc["hits"]} == {"A/RES/93/24"}
    assert batch["answers"][0] == one_doc


def test_passage_has_its_context_and_also_in(api, small_searcher):
    hit = small_searcher.search("voluntary exchange of repair calendars", k=1, mode="lexical")[0]
    assert hit.also_in, "the fixture repeats this paragraph in two resolutions"
    with client(api) as http:
        resp = http.get(f"/passages/{hit.passage_id}", params={"context": 1})
        missing = http.get("/passages/987654321")
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert out["passage"]["passage_id"] == hit.passage_id and out["passage"]["text"] == hit.text
    assert out["passage"]["also_in"] == [asdict(a) for a in hit.also_in]
    ordinals = [c["ordinal"] for c in out["context"]]
    assert hit.ordinal in ordinals and ordinals == sorted(ordinals) and len(ordinals) <= 3
    assert next(c for c in out["context"] if c["id"] == hit.passage_id)["text"] == hit.text
    assert_json_error(missing, 404, "no passage 987654321")


def test_documents_health_and_ready(api, small_index):
    with client(api) as http:
        docs, health, ready = http.get("/documents"), http.get("/health"), http.get("/ready")
    assert docs.status_code == health.status_code == ready.status_code == 200
    out = docs.json()
    version = live_folder(small_index.index).name
    assert out["index"]["version"] == ready.json()["version"] == version
    assert out["index"]["documents"] == len(out["documents"]) == 4 and out["index"]["writable"] is False
    assert out["index"]["build"]["state"] == "idle"
    assert {d["symbol"] for d in out["documents"]} >= {"A/RES/91/11", "A/RES/93/24", "PC.DEC/9901"}
    assert all("path" not in d for d in out["documents"]), "server paths are not published"
    assert health.json() == {"status": "ok"}


def test_no_index_yet_is_503_and_health_still_answers(tmp_path, small_index):
    settings = replace(small_index, index=tmp_path / "nothing-here")
    with serving(create_app(settings)) as url, client(url) as http:
        assert http.get("/health").status_code == 200
        assert_json_error(http.get("/ready"), 503, "no index at")
        assert_json_error(http.get("/search", params={"q": "cables"}), 503, "python -m index build")


# -- comparison and lineage: the JSON of `python -m index compare|lineage --json` ---------------

@pytest.mark.slow
def test_compare_and_lineage_json_are_the_command_lines(series_api, series):
    settings, searcher = series
    cli = [run_cli(*args, "--json", "--index", str(settings.index))
           for args in (["compare", "A/RES/91/40", "A/RES/95/40"], ["lineage", "A/RES/95/40, PP 2"])]
    assert all(p.returncode == 0 for p in cli), [p.stderr for p in cli]
    passage_id = searcher.lineage("A/RES/95/40, PP 2").passage.passage_id
    with client(series_api) as http:
        compared = http.get("/compare", params={"a": "A/RES/91/40", "b": "A/RES/95/40"})
        by_name = http.get("/lineage/A/RES/95/40, PP 2")
        by_id = http.get(f"/lineage/{passage_id}")
    for resp in (compared, by_name, by_id):
        assert resp.status_code == 200, resp.text
    assert compared.json() == json.loads(cli[0].stdout)
    assert by_name.json() == by_id.json() == json.loads(cli[1].stdout)


def test_compare_rows_summary_and_diffs(series_api, series):
    _, searcher = series
    with client(series_api) as http:
        out = http.get("/compare", params={"a": "A/RES/91/40", "b": "harbour-2021"}).json()  # symbol, then doc id
        itself = http.get("/compare", params={"a": "A/RES/93/40", "b": "A/RES/93/40"}).json()
    assert out == searcher.compare("A/RES/91/40", "A/RES/93/40").to_json()
    assert out["a"]["symbol"] == "A/RES/91/40" and out["b"]["symbol"] == "A/RES/93/40"
    counts = {s: sum(r["status"] == s for r in out["rows"]) for s in ("same", "changed", "added", "removed")}
    assert {k: out["summary"][k] for k in counts} == counts and out["summary"]["rows"] == len(out["rows"])
    assert counts["changed"] and counts["added"], counts
    for row in out["rows"]:  # the contract: the diff rebuilds both texts
        assert "".join(d["text"] for d in row["diff"] if d["op"] != "insert") == row["a_text"]
        assert "".join(d["text"] for d in row["diff"] if d["op"] != "delete") == row["b_text"]
    assert any("<safety> &" in r["b_text"] for r in out["rows"]), "document text is returned verbatim (JSON)"
    assert {r["status"] for r in itself["rows"]} == {"same"} and itself["summary"]["compared_by"] == "wording"


def test_compare_documents_in_different_languages_by_labels(series_api):
    with client(series_api) as http:
        out = http.get("/compare", params={"a": "A/RES/93/40", "b": "A/RES/93/40/FR"}).json()
    assert out["summary"]["compared_by"] == "labels" and "paired by label only" in out["summary"]["notice"]
    assert out["b"]["language"] == "fr"
    for row in out["rows"]:  # no word diff between translations: the whole text out, the whole text in
        if row["status"] == "changed":
            assert [d["op"] for d in row["diff"]] == ["delete", "insert"], row["diff"]


def test_lineage_versions_oldest_first_with_the_first_marked(series_api, series):
    _, searcher = series
    with client(series_api) as http:
        out = http.get("/lineage/A/RES/95/40, OP 1").json()
        sentence = http.get("/lineage/A/RES/95/40, PP 2").json()
    assert out == searcher.lineage("A/RES/95/40, OP 1").to_json()
    dates = [v["date"] for v in out["versions"]]
    assert len(dates) >= 2 and dates == sorted(dates)
    assert [v["first"] for v in out["versions"]] == [True] + [False] * (len(dates) - 1)
    assert [v["status"] for v in out["versions"]].count("self") == 1
    reused = [v for v in sentence["versions"] if v["only_sentence"]]
    assert reused and reused[0]["symbol"] == "A/RES/91/40" and reused[0]["shared"], sentence["versions"]


def test_unknown_documents_and_passages_are_404_with_near_matches(series_api):
    with client(series_api) as http:
        assert_json_error(http.get("/compare", params={"a": "A/RES/91/41", "b": "A/RES/93/40"}), 404,
                          "no document 'A/RES/91/41'", "did you mean", "A/RES/91/40")
        assert_json_error(http.get("/lineage/A/RES/93/40, OP 9"), 404, "has no paragraph 'OP 9'", "did you mean OP 4")
        assert_json_error(http.get("/lineage/A/RES/93/41, OP 1"), 404, "did you mean", "A/RES/93/40")
        assert_json_error(http.get("/lineage/987654321"), 404, "no passage with id 987654321")
        assert_json_error(http.get("/lineage/A/RES/93/40"), 404, "SYMBOL, LABEL")
        assert_json_error(http.get("/compare", params={"a": "A/RES/93/40"}), 422, "query b")
        assert_json_error(http.get("/compare", params={"a": "A/RES/93/40", "b": "x" * 201}), 422, "query b")


@pytest.mark.slow
def test_the_serve_command_binds_loopback_and_answers(small_index):
    port = free_port()
    proc = popen_cli("serve", "--port", str(port), "--index", str(small_index.index), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.3)
        hits = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "navigation beacons"}, timeout=60).json()
        assert hits["hits"][0]["symbol"] == "PC.DEC/9901"
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        if listening.strip():  # ss is there: the socket is on loopback only
            assert [line.split()[3] for line in listening.splitlines()] == [f"127.0.0.1:{port}"], listening
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- the schema -----------------------------------------------------------------------

def test_served_schema_is_the_committed_one(api):
    committed = json.loads((ROOT / SCHEMA_PATH).read_text(encoding="utf-8"))
    with client(api) as http:
        served = http.get("/openapi.json").json()
    assert served == committed, (f"{SCHEMA_PATH} is out of date: regenerate it with "
                                 f"`.venv/bin/python -m index serve --write-openapi {SCHEMA_PATH}`")
    assert (ROOT / SCHEMA_PATH).read_text(encoding="utf-8") == schema_text(), "regenerate it (same command)"
    assert set(served["paths"]) >= {"/search", "/passages/{passage_id}", "/lineage/{passage}", "/compare",
                                    "/documents", "/health", "/ready", "/build"}


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_schema_violation(api, tmp_path):
    """Bounded for CI; docs/api/README.md has the longer run."""
    cmd = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{api}/openapi.json",
           "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                       "response_schema_conformance",
           "--max-examples", "12", "--seed", "21", "--workers", "1", "--generation-database", "none",
           "--request-timeout", "60", "--no-color", "--suppress-health-check", "too_slow"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "passed" in proc.stdout.lower()
    operations = sum(len(methods) for methods in httpx.get(f"{api}/openapi.json").json()["paths"].values())
    assert operations >= 10  # /compare and /lineage/{passage} among them
    assert re.search(rf"Tested:\s+{operations}\b", proc.stdout), proc.stdout[-3000:]  # every endpoint is exercised


# -- the token ------------------------------------------------------------------------

def test_writing_is_off_without_a_token(api):
    with client(api) as http:
        build = http.post("/build", headers=AUTH)
        upload = http.post("/documents", headers=AUTH, files={"file": ("a.txt", b"The General Assembly,\n\n1. Notes.")})
    for resp in (build, upload):
        assert_json_error(resp, 403, "writing is off", "NORMBASE_API_TOKEN")


def test_token_missing_wrong_and_right(writable):
    url, _ = writable
    with client(url) as http:
        assert_json_error(http.post("/build"), 401, "Authorization: Bearer")
        assert http.post("/build").headers["www-authenticate"] == "Bearer"
        assert_json_error(http.post("/build", headers={"Authorization": "Basic " + TOKEN}), 401)
        assert_json_error(http.post("/build", headers={"Authorization": "Bearer " + TOKEN[:-1]}), 403, "wrong")
        assert_json_error(http.post("/build", headers={"Authorization": "Bearer " + TOKEN + "x"}), 403, "wrong")
        accepted = http.post("/build", headers=AUTH)
        assert accepted.status_code == 202 and accepted.json()["state"] == "running", accepted.text
        state = wait_for_build(http)
    # the corpus copy has other paths: a new version, every vector reused from the live one
    assert state["state"] == "done" and state["report"]["documents"] == 4 and state["report"]["embedded"] == 0, state


def test_a_non_ascii_token_is_refused_not_a_crash(writable):
    url, _ = writable
    with client(url) as http:  # latin-1 bytes in a header: compare_digest would refuse a non-ASCII str
        resp = http.post("/build", headers={"Authorization": "Bearer café-ünïcode".encode("latin-1")})
    assert_json_error(resp, 403, "wrong")


def test_token_comparison():
    assert token_matches(TOKEN, TOKEN)
    for other in ("", TOKEN[:-1], TOKEN + " ", TOKEN.upper(), "é" + TOKEN[1:]):
        assert not token_matches(other, TOKEN)


def test_token_bucket_per_client():
    now = [1000.0]
    bucket = TokenBucket(burst=3, per_second=0.5, clock=lambda: now[0], max_clients=2)
    assert [bucket.take("a") for _ in range(3)] == [0, 0, 0]
    assert bucket.take("a") == pytest.approx(2.0)  # one token every 2 s
    assert bucket.take("b") == 0, "another client has its own bucket"
    now[0] += 2.0
    assert bucket.take("a") == 0 and bucket.take("a") > 0
    bucket.take("c")  # a third client: the least recently seen ("b") is forgotten, memory stays bounded
    assert len(bucket._buckets) == 2 and "b" not in bucket._buckets


def test_writes_are_rate_limited_even_with_a_wrong_token(tmp_path, small_index, small_searcher):
    settings = replace(small_index, api_token=TOKEN, upload_dir=tmp_path / "not-a-corpus-folder")
    app = create_app(settings, searcher=small_searcher, bucket=TokenBucket(burst=2, per_second=0.01))
    with serving(app) as url, client(url) as http:
        wrong = {"Authorization": "Bearer guess"}
        assert [http.post("/build", headers=wrong).status_code for _ in range(2)] == [403, 403]
        limited = http.post("/build", headers=AUTH)
        assert_json_error(limited, 429, "too many")
        assert int(limited.headers["retry-after"]) >= 1
        assert http.get("/search", params={"q": "cables"}).status_code == 200, "reading is not limited"


# -- uploads --------------------------------------------------------------------------

@pytest.mark.slow
def test_upload_checks_saves_and_indexes(writable):
    url, settings = writable
    with client(url, headers=AUTH) as http:
        resp = http.post("/documents", files={"file": ("../../walrus relays.txt", NEW_DOCUMENT.encode())})
        assert resp.status_code == 201, resp.text
        assert resp.json()["saved"] == "walrus-relays.txt"
        assert (settings.upload_dir / "walrus-relays.txt").read_text(encoding="utf-8") == NEW_DOCUMENT
        state = wait_for_build(http)
        assert state["state"] == "done" and state["report"]["documents"] == 5, state
        hits = http.get("/search", params={"q": "telemetry relays walrus"}).json()["hits"]
        assert hits[0]["symbol"] == "A/RES/99/77"
        again = http.post("/documents", files={"file": ("copy.txt", NEW_DOCUMENT.encode())})
        assert_json_error(again, 422, "already in the corpus as walrus-relays.txt")


def test_upload_refusals(writable):
    url, settings = writable
    before = sorted(p.name for p in settings.upload_dir.iterdir())
    twin = (FIXTURE_CORPUS / "cables-2019.txt").read_bytes()
    with client(url, headers=AUTH) as http:
        cases = [
            (http.post("/documents", files={"file": ("tool.exe", b"MZ\x00\x00")}), 422, "unsupported file type"),
            (http.post("/documents", files={"file": ("notes.txt", b"%PDF-1.4 not really")}), 422, "is a PDF"),
            (http.post("/documents", files={"file": ("page.md", b"<!DOCTYPE html><html></html>")}), 422, "HTML"),
            (http.post("/documents", files={"file": ("cables.txt", twin)}), 422, "already in the corpus as cables-2019"),
            (http.post("/documents", data={"other": "x"}), 422, "`file`"),
            (http.post("/documents", content=b"not multipart", headers={"Content-Type": "text/plain"}), 422, "`file`"),
        ]
    for resp, status, needle in cases:
        assert_json_error(resp, status, needle)
    assert sorted(p.name for p in settings.upload_dir.iterdir()) == before, "nothing was written"


def test_upload_over_the_size_limit(tmp_path, small_index, small_searcher):
    settings = replace(writable_settings(tmp_path, small_index), max_upload_mb=0.01)  # 10 kB
    with serving(create_app(settings, searcher=small_searcher)) as url, client(url, headers=AUTH) as http:
        just_over = http.post("/documents", files={"file": ("big.txt", b"word " * 2200)})
        far_over = http.post("/documents", files={"file": ("huge.txt", b"word " * 400_000)})
    assert_json_error(just_over, 413, "limited to 0.01 MB")
    assert_json_error(far_over, 413, "over")


# -- oversized and hostile input ------------------------------------------------------

def test_hostile_queries_are_answered(api):
    with client(api) as http:
        for q in ["", "   ", "\x00\x01", "🔒🛡️", '"', "NEAR(", "'; DROP TABLE passages; --",
                  "<script>alert(1)</script>", "\u202bالأمن السيبراني\u202c", "a" * 1000, "cables OR 1=1 --"]:
            resp = http.get("/search", params={"q": q})
            assert resp.status_code == 200, (q, resp.text[:300])
            assert isinstance(resp.json()["hits"], list)
        assert http.get("/search", params={"q": "cables", "year_from": 9999}).json()["hits"] == []


@pytest.mark.parametrize("params, needle", [
    ({"q": "a" * 1001}, "query q"),
    ({"q": "cables", "k": 0}, "query k"),
    ({"q": "cables", "k": 101}, "query k"),
    ({"q": "cables", "k": "ten"}, "query k"),
    ({"q": "cables", "mode": "psychic"}, "query mode"),
    ({"q": "cables", "year_from": 10 ** 30}, "query year_from"),
    ({"q": "cables", "body": ["x"] * 51}, "query body"),
    ({"q": "cables", "doc": "x" * 201}, "query doc"),
    ({}, "query q"),
])
def test_invalid_search_parameters_are_422(api, params, needle):
    with client(api) as http:
        body = assert_json_error(http.get("/search", params=params), 422, needle)
    assert body["details"] and body["details"][0]["loc"][0] == "query"


@pytest.mark.parametrize("payload, needle", [
    ({"queries": []}, "body queries"),
    ({"queries": ["q"] * 101}, "body queries"),
    ({"queries": ["a" * 1001]}, "body queries"),
    ({"queries": ["cables"], "k": 1000}, "body k"),
    ({"queries": ["cables"], "filters": {"bodies": "UNGA"}}, "body filters"),
    ({"queries": ["cables"], "filters": {"sql": "1=1"}}, "body filters"),
    ({"queries": ["cables"], "admin": True}, "body admin"),
    ({"queries": "cables"}, "body queries"),
    ([], "body"),
])
def test_invalid_batches_are_422(api, payload, needle):
    with client(api) as http:
        assert_json_error(http.post("/search", json=payload), 422, needle)


def test_malformed_and_oversized_bodies(api):
    with client(api) as http:
        surrogate = http.post("/search", content=b'{"queries": ["\\ud800 cables"]}',
                              headers={"Content-Type": "application/json"})
        broken = http.post("/search", content=b'{"queries": [', headers={"Content-Type": "application/json"})
        big = http.post("/search", json={"queries": ["cables"], "pad": "x" * (2 << 20)})

        def chunks():  # no Content-Length: the limit holds while the body streams in
            for _ in range(64):
                yield b" " * 65536

        streamed = http.post("/search", content=chunks(), headers={"Content-Type": "application/json"})
    assert_json_error(surrogate, 422, "surrogate")
    assert_json_error(broken, 422)
    for resp in (big, streamed):
        assert_json_error(resp, 413, "over")


@pytest.mark.parametrize("length, status", [(str(10 ** 12), 413), ("12abc", 400), ("-5", 400)])
def test_a_declared_length_is_refused_before_the_body_is_read(api, length, status):
    """A client claiming a terabyte (or nonsense) is answered at once; httpx will not send such a request."""
    host, port = api.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"POST /search HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {length}\r\n\r\n{{}}".encode())
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == str(status).encode(), reply[:300]
    if status == 413:  # a malformed header is refused by uvicorn's HTTP parser, before the app
        assert "over" in json.loads(body)["error"]


def test_unknown_paths_and_methods_are_json(api):
    with client(api) as http:
        assert_json_error(http.get("/nope"), 404)
        assert_json_error(http.get("/passages/-1"), 422, "path passage_id")
        assert_json_error(http.get("/passages/abc"), 422, "path passage_id")
        assert_json_error(http.get("/passages/" + "9" * 40), 422)
        assert_json_error(http.get("/../../etc/passwd"), 404)
        assert_json_error(http.delete("/search"), 405)
        assert http.get("/docs").status_code == 404, "no page that loads scripts from a CDN"


# -- a rebuild under load -------------------------------------------------------------

@pytest.mark.slow
def test_a_rebuild_is_swapped_in_while_clients_query(writable):
    """Four clients search and check readiness in a loop while the server rebuilds with a new document."""
    url, settings = writable
    (settings.corpus[0] / "walrus.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    stop, lock = threading.Event(), threading.Lock()
    failures, versions, counts = [], set(), [0]

    def query(i: int) -> None:
        with client(url) as http:
            while not stop.is_set():
                for resp in (http.get("/search", params={"q": ["undersea data cables", "telemetry relays walrus",
                                                               "navigation beacons", "ports"][i], "k": 5}),
                             http.get("/ready")):
                    with lock:
                        counts[0] += 1
                        if resp.status_code != 200:
                            failures.append((resp.status_code, resp.text[:200]))
                        elif resp.url.path == "/ready":
                            versions.add(resp.json()["version"])

    threads = [threading.Thread(target=query, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        with client(url, headers=AUTH) as http:
            old = http.get("/ready").json()["version"]
            assert http.post("/build").status_code == 202
            state = wait_for_build(http)
            time.sleep(1.5)  # clients keep querying the swapped-in version
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert state["state"] == "done" and state["report"]["documents"] == 5, state
    assert failures == [], failures[:5]
    new = live_folder(settings.index).name
    assert new != old and {old, new} <= versions, (old, new, versions)
    assert counts[0] > 20
    with client(url) as http:
        assert http.get("/search", params={"q": "telemetry relays walrus"}).json()["hits"][0]["symbol"] == "A/RES/99/77"
