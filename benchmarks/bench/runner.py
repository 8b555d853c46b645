"""The bench run: the parent process that prepares corpora, starts one child per measurement and
gathers their JSON lines into one result."""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Optional

from index.manifest import IndexError_, current_version
from ingest.settings import MIRROR, ROOT

from .browser import app_session
from .data import (APP_QUERY, FIXTURE_CORPUS, LARGE_ANN_FROM, QUICK_APP_QUERY, SCIFACT, append_reingest_paragraph,
                   app_render_queries, load_queries, write_scifact_docs)
from .environment import blas_info, machine_info, run_header, worker_env
from .figures import size_label
from .report import check_targets

REAL_MAX = 2_000  # sizes up to this many passages: the real corpus
SCIFACT_MAX = 20_000  # up to this: real corpus + SciFact abstracts, embedded by the real model


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
    cmd = [sys.executable, "-m", "benchmarks.bench.workers", task, json.dumps(params)]
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
            write_scifact_docs(dest, max(1, int((size - real_passages) / per_doc)))
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
        # two rounds (build, raw, raw, build) where the build share is judged; a smoke test needs one
        real_build = run_worker("build", {"corpus": [str(real)], "index": str(real_root),
                                          "rounds": 1 if self.quick else 2})
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
            "raw_models": b.get("raw_models") if encoded else None,
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
            "serve_models_loaded": s.get("models_loaded"),
            "query_lexical_p95_ms": s.get("lexical_p95_ms"),
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
        append_reingest_paragraph(target)
        secs, rep, _ = timed_cli("build", "--json", "--corpus", str(real), "--index", str(real_root), env=env)
        self.checkpoint({k: out[k] for k in ("unchanged_rebuild_s", "unchanged_rebuild")})
        out["one_document_reingest_s"] = round(secs, 2)
        out["one_document_reingest"] = {"process_s": round(secs, 2), "reported_s": rep.get("seconds"),
                                        "embedded": rep.get("embedded"), "reused": rep.get("reused"),
                                        "cpu_s": rep.get("_cpu_s"),
                                        "changed_file": target.name, "includes_model_load": True}
        self.checkpoint({k: out[k] for k in ("one_document_reingest_s", "one_document_reingest")})
        # 2b. One-shot search: a fresh `python -m index search`, launch to exit (imports, both models, one query).
        self.log("one-shot search")
        query = self.queries[0]
        runs = [timed_cli("search", query, "--json", "--index", str(real_root), env=env)
                for _ in range(1 if self.quick else 3)]
        secs, rep, _ = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        out["one_shot_search_s"] = round(secs, 2)
        out["one_shot_search"] = {"runs_s": [round(r[0], 2) for r in runs], "cpu_s": rep.get("_cpu_s"),
                                  "query": query, "hits": len(rep.get("hits", []))}
        self.checkpoint({k: out[k] for k in ("one_shot_search_s", "one_shot_search")})
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
        m = json.loads((current_version(index_root) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, IndexError_):  # TypeError: no CURRENT yet
        return None
    return {k: m.get(k) for k in ("format_version", "model", "passages", "documents", "vector_index", "built_at")}

