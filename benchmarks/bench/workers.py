"""What a bench child process measures: one task, one JSON line on stdout.

    python -m benchmarks.bench.workers TASK PARAMS_JSON

Each task runs in its own process so that its peak RSS is its own. The engine is reached through
its public functions; what a measurement needs to see (when embedding starts, which vectors a
synthetic build indexes, which ANN variant) is handed in as an embedder or a vector-index choice.
"""
from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from pathlib import Path
from statistics import fmean
from typing import Optional

from index.manifest import current_version

from .data import WARMUP_TEXTS, pristine_text
from .figures import files_mb, folder_mb, percentile


def _cpu_s() -> float:
    """CPU seconds of this process, all threads: steadier than wall time on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _settings(corpus: list[str], index: str, **kw):
    from ingest.settings import Settings

    return Settings.from_env({}, corpus=corpus, index=index, **kw)


class TimedEmbedder:
    """The build's embedder, timed: when the build first asks for vectors and how long encoding takes."""

    def __init__(self, embedder):
        self.inner, self.name, self.dimension = embedder, embedder.name, embedder.dimension
        self.embed_start: Optional[float] = None
        self.embed_s = 0.0

    def encode_query(self, text: str):
        return self.inner.encode_query(text)

    def encode_passages(self, *a, **kw):
        start = time.perf_counter()
        if self.embed_start is None:
            self.embed_start = start
        try:
            return self.inner.encode_passages(*a, **kw)
        finally:
            self.embed_s += time.perf_counter() - start


def worker_build(p: dict) -> dict:
    """A full build with the real models (their loading timed apart), and raw encoding of the same texts.

    The build encodes every passage with MiniLM and, when the multilingual setting is on, with the
    multilingual model too (index/build.py `_multilingual`): "raw encode" is both models encoding the
    same texts with nothing around them, so the build's share of it is what the rest of the build costs.
    A shared machine drifts by a fifth within minutes, so with `rounds` 2 the four runs go build, raw,
    raw, build (a drift that grows steadily weighs the same on both sides; the second build goes to a
    folder of its own, removed afterwards, so that it encodes everything again) and the means are reported."""
    t = time.perf_counter()
    from index import backends

    settings = _settings(p["corpus"], p["index"])
    embedder = backends.embedder(settings)
    multilingual = (backends.multilingual_embedder(settings) if settings.multilingual != backends.OFF else None)
    model_load = time.perf_counter() - t
    for model in (embedder, multilingual):
        if model is not None:
            model.encode_passages(WARMUP_TEXTS, settings.batch_size)
    rounds = int(p.get("rounds") or 1)
    if rounds not in (1, 2):
        raise ValueError(f"rounds must be 1 or 2, not {rounds}")
    builds = [_timed_build(settings, embedder, multilingual)]
    report = builds[0]["report"]
    folder = current_version(Path(p["index"]))
    texts = embedding_inputs(folder, settings.model)
    sample = int(p.get("raw_sample") or 0)
    if 0 < sample < len(texts):  # a random sample of the same texts keeps their length distribution
        import random

        texts = random.Random(0).sample(texts, sample)
    models = [m for m in (embedder, multilingual if report.multilingual else None) if m is not None]
    raws = [_raw_encode(models, texts, settings.batch_size) for _ in range(rounds)]
    if rounds == 2:  # into a fresh folder: a build beside the first would reuse its vectors
        second = Path(p["index"]).with_name(Path(p["index"]).name + "-round-2")
        try:
            builds.append(_timed_build(_settings(p["corpus"], str(second)), embedder, multilingual))
        finally:
            shutil.rmtree(second, ignore_errors=True)
    build_s = fmean(b["s"] for b in builds)
    build_cpu = fmean(b["cpu"] for b in builds)
    raw = {name: (fmean(r[name][0] for r in raws), fmean(r[name][1] for r in raws)) for name in raws[0]}
    raw_s, raw_cpu = sum(w for w, _ in raw.values()), sum(c for _, c in raw.values())
    n = report.passages
    return {"passages": n, "documents": report.documents, "embedded": report.embedded,
            "build_s": round(build_s, 2), "build_passages_per_s": round(n / build_s, 1),
            "raw_s": round(raw_s, 2), "raw_encode_per_s": round(len(texts) / raw_s, 1), "raw_texts": len(texts),
            "raw_models": {name: {"s": round(w, 2), "per_s": round(len(texts) / w, 1),
                                  "cpu_ms_per_passage": round(1000 * c / len(texts), 2)}
                           for name, (w, c) in raw.items()},
            "rounds": {"order": ["build", "raw", "raw", "build"] if rounds == 2 else ["build", "raw"],
                       "build_s": [round(b["s"], 2) for b in builds],
                       "raw_s": [round(sum(w for w, _ in r.values()), 2) for r in raws],
                       "embedded": [b["report"].embedded for b in builds]},
            "build_cpu_ms_per_passage": round(1000 * build_cpu / n, 2),
            "raw_cpu_ms_per_passage": round(1000 * raw_cpu / len(texts), 2),
            "model_load_s": round(model_load, 2), "stages_s": builds[0]["stages"],
            "peak_rss_mb": max(b["peak"] for b in builds),
            "index_mb": folder_mb(folder), "index_files_mb": files_mb(folder),
            "torch_threads": _torch_threads()}


def _timed_build(settings, embedder, multilingual) -> dict:
    """One forced build: wall and CPU seconds, its stages and the peak RSS so far."""
    from index.build import build

    timed = TimedEmbedder(embedder)
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        marks.setdefault(stage + "_first", now)
        marks[stage + "_last"] = now

    t, c = time.perf_counter(), _cpu_s()
    report = build(settings, embedder=timed, force=True, progress=progress, multilingual=multilingual)
    build_s, build_cpu = time.perf_counter() - t, _cpu_s() - c
    stages = {}
    if timed.embed_start is not None:
        stages["before_embed"] = round(timed.embed_start - t, 2)  # fingerprint, ingest, tokenizer, hashing
        stages["embed"] = round(timed.embed_s, 2)
    if "write_first" in marks:
        stages["write"] = round(marks["write_last"] - marks["write_first"], 2)  # multilingual encode included
    stages["other"] = round(build_s - sum(stages.values()), 2)
    return {"report": report, "s": build_s, "cpu": build_cpu, "stages": stages, "peak": _peak_rss_mb()}


def _raw_encode(models: list, texts: list[str], batch_size: int) -> dict[str, tuple[float, float]]:
    """Per model: (wall s, CPU s) of encoding the texts, the configured backends without the build around them."""
    out = {}
    for model in models:
        t, c = time.perf_counter(), _cpu_s()
        model.encode_passages(texts, batch_size)
        out[model.name] = (time.perf_counter() - t, _cpu_s() - c)
    return out


def _torch_threads() -> Optional[int]:
    """torch's threads if the backend imported it (the onnx embedder does not): measuring must not import it."""
    torch = sys.modules.get("torch")
    return torch.get_num_threads() if torch else None


def embedding_inputs(folder: Path, model: str) -> list[str]:
    """The texts the build embedded, rebuilt from the index with Passage.embed_text, and checked against
    the embedding-input hash the build stored for each passage: raw encode must encode exactly them."""
    from index import store
    from index.build import embed_hash
    from ingest.records import Passage, SourceEntry

    conn = store.open_readonly(folder / "passages.sqlite")
    rows = conn.execute("SELECT p.doc_id, p.ordinal, p.label, p.text, p.start, p.\"end\", p.heading, p.context, "
                        "p.embed_hash, d.title FROM passages p JOIN documents d USING(doc_id) ORDER BY p.id").fetchall()
    conn.close()
    out = []
    for r in rows:
        src = SourceEntry(id=r["doc_id"], title=r["title"] or "", body="", date="", type="")
        text = Passage(r["doc_id"], r["ordinal"], r["label"], r["text"], r["start"], r["end"],
                       heading=r["heading"] or "", context=r["context"] or "").embed_text(src)
        if embed_hash(model, text) != r["embed_hash"]:
            raise RuntimeError(f"{folder}: passage {r['doc_id']} #{r['ordinal']} was embedded from another text "
                               "than Passage.embed_text gives now; the raw encode would measure other texts")
        out.append(text)
    return out


def _single_thread() -> None:
    """One thread for faiss, BLAS and (when a backend has imported it, as the naive recipe does) torch."""
    import faiss
    from threadpoolctl import threadpool_limits

    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
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
        t, c = time.perf_counter(), time.process_time()
        ans = searcher.answer(q, 10)
        times.append((time.perf_counter() - t) * 1000)
        # every thread's: the multilingual vector and the lexical lists are made beside the MiniLM encode
        cpu.append((time.process_time() - c) * 1000)
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
            "peak_rss_mb": peak, "open_s": round(open_s, 2), "vector_index": vi,
            # what the peak RSS holds: MiniLM always, the multilingual model when the index has its vectors
            "models_loaded": [searcher.manifest.model] + ([searcher.manifest.multilingual["model"]]
                                                          if searcher.multi_vectors is not None else [])}


def worker_recall(p: dict) -> dict:
    """recall@10 (and @100, the candidates fusion sees) of the index's vectors against exact search."""
    import faiss
    import numpy as np

    from index import backends
    from index.manifest import read_manifest
    from ingest.settings import Settings

    folder = current_version(Path(p["index"]))
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
    from index.evaluation.naive import CHUNK_OVERLAP, CHUNK_SIZE
    from ingest.settings import Settings

    model = backends.embedder(Settings.from_env({}, embedder="sentence-transformers")).model  # as the recipe has it
    model.encode(WARMUP_TEXTS, batch_size=32)
    src = Path(p["source"])
    t, c = time.perf_counter(), _cpu_s()
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks = []
    for f in sorted(src.iterdir()):
        if f.suffix == ".txt":
            chunks += splitter.split_text(pristine_text(f))
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
        t, c = time.perf_counter(), time.process_time()
        search(q)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {"chunks": len(chunks), "build_s": round(build_s, 2), "build_cpu_s": round(build_cpu, 2),
            "chunks_per_s": round(len(chunks) / build_s, 1),
            "p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "p99_ms": round(percentile(times, 99), 2), "cpu_p50_ms": round(percentile(cpu, 50), 2),
            "cpu_p95_ms": round(percentile(cpu, 95), 2), "peak_rss_mb_build": build_peak,
            "peak_rss_mb_serve": _peak_rss_mb()}



def worker_synth(p: dict) -> dict:
    """`size` synthetic passages indexed by build_documents, vectors mixed from a real index."""
    import dataclasses

    import numpy as np

    from index import store
    from index.build import build_documents

    from .synthetic import Precomputed, ann_variant, synthetic_documents, synthetic_multilingual, synthetic_vectors

    size, root = int(p["size"]), Path(p["index"])
    base = current_version(Path(p["base"]))
    conn = store.open_readonly(base / "passages.sqlite")
    rows = conn.execute("SELECT p.text, p.heading, p.context, d.title FROM passages p "
                        "JOIN documents d USING(doc_id) ORDER BY p.id").fetchall()
    conn.close()
    base_vecs = np.load(base / "embeddings.npy", allow_pickle=False)

    t0 = time.perf_counter()
    vecs, a, b, rng = synthetic_vectors(base_vecs, size)
    docs = synthetic_documents(rows, a, b, rng, size)
    multi = synthetic_multilingual(base, a, b)
    make_s = time.perf_counter() - t0

    exact_limit = p.get("exact_limit")
    settings = _settings([], str(root))
    if exact_limit:
        settings = dataclasses.replace(settings, exact_search_limit=int(exact_limit))
    spec = p.get("ann") or "project"
    variant, desc = None, None
    if spec != "project":  # the parent asks for a variant only above --ann-large-from
        variant, desc = ann_variant(spec, int(p["nprobe"])), f"{spec}, nprobe {p['nprobe']}"
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks[f"{stage}{done}"] = time.perf_counter()

    t = time.perf_counter()
    report = build_documents(settings, docs, embedder=Precomputed(settings.model, vecs), progress=progress,
                             vector_cls=variant, multilingual=multi)
    write_s = marks["write3"] - t  # the write itself, as before the manifest, checksums and swap
    peak = _peak_rss_mb()
    folder = current_version(root)
    stages = {"make_synthetic": round(make_s, 2)}
    if "write0" in marks:
        stages["hash_and_group"] = round(marks["write0"] - t, 2)
        if "write1" in marks:
            stages["sqlite_fts5"] = round(marks["write1"] - marks["write0"], 2)
            stages["npy_and_faiss"] = round(marks["write3"] - marks["write1"], 2)
    return {"passages": report.passages, "documents": report.documents, "base_passages": len(rows),
            "build_s": round(write_s, 2), "write_passages_per_s": round(size / write_s, 1),
            "stages_s": stages, "peak_rss_mb": peak, "index_mb": folder_mb(folder),
            "index_files_mb": files_mb(folder), "vector_index_desc": desc}


WORKERS = {"build": worker_build, "serve": worker_serve, "recall": worker_recall, "naive": worker_naive,
           "synth": worker_synth}


def main(argv: list[str]) -> int:
    task, params = argv[0], json.loads(argv[1])
    result = WORKERS[task](params)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
