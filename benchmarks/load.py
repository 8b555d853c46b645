"""Load test: the search API and the Streamlit app's server under concurrent clients, and memory over many queries.

    .venv/bin/python benchmarks/load.py [--index DIR] [--clients 20] [--duration 60] [--queries 10000]
                                        [--app | --no-app | --app-url URL] [--torch-threads N] [--json]

Two servers are started on 127.0.0.1 (nothing else is contacted):

* the search API, `python -m index serve` (FastAPI on uvicorn, index/api/) on a free port, in its own
  process; the clients call GET /search?q=&k=&mode=&body=&year_from= and read the answer's hits;
* the app: `streamlit run app.py` on a free port (or --app-url for one already running), whose
  page (GET /) and health endpoint (GET /_stcore/health) the clients fetch between searches.

Phase 1, throughput: --clients threads for --duration seconds (or --max-requests in all, whichever
comes first); 80% searches (distinct queries made from words of the index, all modes, some filters,
some hostile), 10% app page, 10% app health. Reported per kind: requests, requests/s, p50/p95/p99
and max latency, errors. A hostile query longer than the API's limit must get its 422; any other
answer than the expected one is an error.

Phase 2, memory: --queries distinct searches (or --memory-timeout seconds), the server's RSS sampled
with psutil after a warm-up, at the middle and at the end. The Searcher's query cache holds 512
vectors, so RSS must stay flat.

The CI runs a tiny budget (tests/reliability/test_benchmarks.py: 4 clients, 5 s, 300 queries);
docs/reliability.md has the figures of a full run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench.servers import free_port, stop  # noqa: E402

MAX_QUERY_CHARS = 1000  # Settings.max_query_chars: longer queries are refused by the API with 422
HOSTILE = ["", "   ", "\x00\x01", "🔒🛡️", '"', "NEAR(", "'; DROP TABLE passages; --", "<script>alert(1)</script>",
           "\u202bالأمن السيبراني\u202c", "x" * 5000, "supply chain " * 400]


# -- the client side -----------------------------------------------------------------

def http(method: str, url: str, payload: dict | None = None, timeout: float = 60,
         params: dict | None = None) -> tuple[int, bytes]:
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    if params:
        url += "?" + urllib.parse.urlencode(params, doseq=True)
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_for(url: str, proc: subprocess.Popen | None, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the server for {url} exited with code {proc.returncode}")
        try:
            if http("GET", url, timeout=5)[0] == 200:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def start_api(index: Path, torch_threads: int, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """`python -m index serve` on a free loopback port, once it is ready (model loaded, index open)."""
    port = port or free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    env.pop("NORMBASE_API_TOKEN", None)  # the load never writes
    if torch_threads:
        env["OMP_NUM_THREADS"] = str(torch_threads)  # torch's intra-op threads (and BLAS's)
    proc = subprocess.Popen([sys.executable, "-m", "index", "serve", "--index", str(index), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/ready", proc, 300)
    return proc, url


def start_app(index: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    streamlit = Path(sys.executable).with_name("streamlit")
    cmd = [str(streamlit), "run", str(ROOT / "app.py"), "--server.port", str(port)]  # + .streamlit/config.toml
    env = {**os.environ, "NORMBASE_INDEX": str(index), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/_stcore/health", proc, 120)
    return proc, url


def query_pool(index: Path, n: int, seed: int) -> list[dict]:
    """n distinct GET /search parameters: 2-6 words of the index's own passages, every mode, some filtered, some hostile."""
    from index.manifest import current_version

    folder = current_version(index)
    conn = sqlite3.connect(f"file:{folder / 'passages.sqlite'}?mode=ro", uri=True)
    texts = [r[0] for r in conn.execute("SELECT text FROM passages")]
    bodies = [r[0] for r in conn.execute("SELECT DISTINCT body FROM documents")]
    conn.close()
    words = sorted({w.strip(".,;:()\"'").lower() for t in texts for w in t.split() if len(w) > 3})
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        if rng.random() < 0.03:
            q = rng.choice(HOSTILE) + ("" if len(out) < len(HOSTILE) else f" {len(out)}")
        else:
            q = " ".join(rng.sample(words, rng.randint(2, min(6, len(words)))))
        if q in seen:
            continue
        seen.add(q)
        req = {"q": q, "k": rng.choice([5, 10, 20]), "mode": rng.choice(["hybrid", "hybrid", "dense", "lexical"])}
        if rng.random() < 0.2 and bodies:
            req["body"] = [rng.choice(bodies)]
            year = rng.choice([None, 2015, 2020])
            if year:
                req["year_from"] = year
        out.append(req)
    return out


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows: list[tuple[str, float, bool]] = []  # (kind, seconds, ok)
        self.samples: list[str] = []

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.rows.append((kind, seconds, ok))
            if not ok and len(self.samples) < 10:
                self.samples.append(f"{kind}: {detail[:200]}")

    def summary(self, elapsed: float) -> dict:
        out = {}
        for kind in sorted({r[0] for r in self.rows}) + ["total"]:
            rows = [r for r in self.rows if kind == "total" or r[0] == kind]
            lat = sorted(r[1] for r in rows)
            out[kind] = {"requests": len(rows), "per_second": round(len(rows) / elapsed, 1),
                         "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95), "p99_ms": pct(lat, 99),
                         "max_ms": round(lat[-1] * 1000, 1) if lat else None,
                         "errors": sum(not r[2] for r in rows)}
        out["error_samples"] = self.samples
        return out


def pct(sorted_values: list[float], p: float):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return round(sorted_values[i] * 1000, 1)


def one_request(kind: str, api: str, app: str | None, req: dict | None, rec: Recorder) -> None:
    start = time.perf_counter()
    try:
        if kind == "search":
            status, body = http("GET", api + "/search", params=req)
            if len(req["q"]) > MAX_QUERY_CHARS:  # refused by the API's limit, with its JSON error
                ok = status == 422 and "query q" in json.loads(body).get("error", "")
            else:
                ok = status == 200 and isinstance(json.loads(body).get("hits"), list)
        elif kind == "app_page":
            status, body = http("GET", app + "/")
            ok = status == 200 and b"<html" in body.lower()
        else:
            status, body = http("GET", app + "/_stcore/health")
            ok = status == 200
        detail = "" if ok else f"HTTP {status}: {body[:150]!r}"
    except Exception as exc:  # a refused or timed-out connection is an error of the run
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    rec.add(kind, time.perf_counter() - start, ok, detail)


def throughput(api: str, app: str | None, pool: list[dict], clients: int, duration: float,
               max_requests: int) -> dict:
    rec, stop = Recorder(), threading.Event()
    counter = iter(range(max_requests))
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            with lock:
                i = next(counter, None)
            if i is None:
                return
            roll = rng.random()
            kind = "search" if app is None or roll < 0.8 else ("app_page" if roll < 0.9 else "app_health")
            one_request(kind, api, app, pool[i % len(pool)], rec)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, duration - (time.monotonic() - start)))
    stop.set()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.monotonic() - start
    out = rec.summary(elapsed)
    out["seconds"] = round(elapsed, 1)
    out["clients"] = clients
    return out


def memory(api: str, api_pid: int, app_proc, pool: list[dict], clients: int, timeout: float, warmup: int) -> dict:
    import psutil

    proc = psutil.Process(api_pid)
    app_ps = psutil.Process(app_proc.pid) if app_proc is not None else None

    def mb(p) -> float:
        return round(p.memory_info().rss / 1048576, 1) if p is not None else None

    rec = Recorder()
    for req in pool[:warmup]:  # the first queries allocate the model's buffers
        one_request("search", api, None, req, Recorder())
    samples = {"start": mb(proc)}
    app_start = mb(app_ps)
    todo = pool[warmup:]
    half = len(todo) // 2
    lock, position = threading.Lock(), [0]
    deadline = time.monotonic() + timeout

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                i = position[0]
                if i >= len(todo):
                    return
                position[0] += 1
                if i == half:
                    samples["middle"] = mb(proc)
            one_request("search", api, None, todo[i], rec)

    start = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    samples["end"] = mb(proc)
    samples.setdefault("middle", samples["end"])
    done = len(rec.rows)
    return {"queries": done + warmup, "warmup": warmup, "completed": done == len(todo),
            "seconds": round(elapsed, 1), "per_second": round(done / max(elapsed, 1e-9), 1),
            "errors": sum(not r[2] for r in rec.rows), "error_samples": rec.samples,
            "rss_mb": samples, "growth_mb": {"start_to_end": round(samples["end"] - samples["start"], 1),
                                             "middle_to_end": round(samples["end"] - samples["middle"], 1)},
            "app_rss_mb": None if app_ps is None else {"start": app_start, "end": mb(app_ps)}}


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    import psutil

    return {"cpu": cpu, "cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def run(args: argparse.Namespace) -> int:
    from index.manifest import current_version, read_manifest
    from ingest.settings import Settings

    index = Settings.from_env(index=args.index).index
    folder = current_version(index)
    if folder is None:
        raise SystemExit(f"no index at {index}: build it first with `python -m index build`")
    manifest = read_manifest(folder)
    report = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
              "index": {"path": str(index), "documents": manifest.documents, "passages": manifest.passages},
              "config": {"clients": args.clients, "duration": args.duration, "max_requests": args.max_requests,
                         "queries": args.queries, "memory_timeout": args.memory_timeout,
                         "torch_threads": args.torch_threads or "library default",
                         "app": args.app_url or ("started" if args.app else "off")}}
    pool = query_pool(index, args.queries + args.max_requests_pool, args.seed)
    api_proc, api = start_api(index, args.torch_threads)
    app_proc, app_url = None, args.app_url
    try:
        if args.app and not args.app_url:
            app_proc, app_url = start_app(index)
        report["throughput"] = throughput(api, app_url, pool[args.queries:], args.clients, args.duration,
                                          args.max_requests)
        report["memory"] = memory(api, api_proc.pid, app_proc, pool[:args.queries], args.clients,
                                  args.memory_timeout, min(args.warmup, args.queries // 4))
    finally:
        for p in (api_proc, app_proc):
            if p is not None:
                stop(p, 20)
    errors = report["throughput"]["total"]["errors"] + report["memory"]["errors"]
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        print(human(report))
    return 1 if errors else 0


def human(r: dict) -> str:
    lines = [f"{r['date']}  {r['machine']['cpu']} x{r['machine']['cpus']}, {r['machine']['memory_gb']} GB, "
             f"Python {r['machine']['python']}; index {r['index']['passages']} passages",
             f"throughput: {r['throughput']['clients']} clients, {r['throughput']['seconds']} s"]
    for kind, s in r["throughput"].items():
        if isinstance(s, dict):
            lines.append(f"  {kind:10s} {s['requests']:6d} req  {s['per_second']:7.1f}/s  p50 {s['p50_ms']} ms  "
                         f"p95 {s['p95_ms']} ms  p99 {s['p99_ms']} ms  max {s['max_ms']} ms  errors {s['errors']}")
    m = r["memory"]
    lines.append(f"memory: {m['queries']} queries in {m['seconds']} s ({m['per_second']}/s), errors {m['errors']}, "
                 f"RSS {m['rss_mb']} MB, growth {m['growth_mb']} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="benchmarks/load.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, help="index folder (default: NORMBASE_INDEX or data/index)")
    p.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    p.add_argument("--duration", type=float, default=60.0, help="seconds of the throughput phase (default 60)")
    p.add_argument("--max-requests", type=int, default=1_000_000, help="cap on requests in the throughput phase")
    p.add_argument("--queries", type=int, default=10_000, help="searches in the memory phase (default 10000)")
    p.add_argument("--memory-timeout", type=float, default=1800.0, help="cap on seconds of the memory phase")
    p.add_argument("--warmup", type=int, default=50, help="searches before the first RSS sample (default 50)")
    app = p.add_mutually_exclusive_group()
    app.add_argument("--app", dest="app", action="store_true", default=True,
                     help="start the Streamlit app on a free loopback port and load it too (default)")
    app.add_argument("--no-app", dest="app", action="store_false", help="search API only")
    app.add_argument("--app-url", help="load an app that is already running here instead of starting one")
    p.add_argument("--torch-threads", type=int, default=0,
                   help="torch intra-op threads in the API server, as OMP_NUM_THREADS (default: the library's)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    args = p.parse_args(argv)
    if args.app_url and not args.app_url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        p.error("--app-url must be a loopback address")
    args.max_requests_pool = 5000
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
