"""The ONNX Runtime embedder against sentence-transformers (PyTorch), both as the engine runs them.

    nice -n 10 .venv/bin/python benchmarks/onnx_backend.py [--sample N] [--rounds 2] [--json]

Measures, on the real corpus's embedding texts (Passage.embed_text, as index.build makes them):
1. batch encoding (what a build does): `encode_passages` in batches of 32 sorted by length, ONNX
   Runtime on every core against sentence-transformers on torch's threads, alternating rounds
   so that a busy moment of the machine hits both; wall and CPU time per passage;
2. one query on one thread: `encode_query` of 100 SciFact claims, wall and CPU p50;
3. the cosine between the two backends' vectors, passages and queries;
4. a fresh process importing the backend, loading the model and encoding one query.

Decides which backend `OnnxEmbedder.encode_passages` uses (index/backends/onnx.py). The int8
variants measured earlier, and why they were rejected, are in docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact"


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def corpus_texts(settings) -> list[str]:
    from ingest.passages import tokenizer_counter
    from ingest.pipeline import ingest_corpus
    from ingest.settings import resolve_model

    c = ingest_corpus(settings, tokenizer_counter(resolve_model(settings.model)))
    return [p.embed_text(d.source) for d in c.documents for p in d.passages]


def throughput(encode, texts: list[str]) -> dict:
    encode(texts[:32])
    t, c = time.perf_counter(), cpu_s()
    encode(texts)
    wall, cpu = time.perf_counter() - t, cpu_s() - c
    return {"per_s": round(len(texts) / wall, 1), "cpu_ms_per_passage": round(1000 * cpu / len(texts), 2)}


def query_latency(encode, queries: list[str]) -> dict:
    for q in queries[:5]:
        encode(q)
    wall, cpu = [], []
    for q in queries:
        t, c = time.perf_counter(), time.thread_time()
        encode(q)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    wall.sort()
    cpu.sort()
    return {"p50_ms": round(wall[len(wall) // 2], 2), "cpu_p50_ms": round(cpu[len(cpu) // 2], 2)}


FRESH = ("import sys, time; sys.path.insert(0, {root!r}); t = time.perf_counter()\n"
         "from ingest.settings import Settings\nfrom index import backends\n"
         "e = backends.embedder(Settings.from_env(embedder={name!r}))\ne.encode_query('warm')\n"
         "print(time.perf_counter() - t, 'torch' in sys.modules)\n")


def fresh_process(name: str) -> dict:
    """A new process: import the backend, load the model, encode one query."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", FRESH.format(root=str(ROOT), name=name)], check=True,
                         capture_output=True, text=True).stdout.split()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": round(float(out[0]), 2), "torch_imported": out[1] == "True",
            "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=int, default=400, help="corpus texts to encode (0 = all; default 400)")
    ap.add_argument("--rounds", type=int, default=2, help="alternating throughput rounds (default 2)")
    ap.add_argument("--json", action="store_true", help="one JSON line instead of an indented document")
    args = ap.parse_args()
    import numpy as np
    import torch

    from index.backends.onnx import OnnxEmbedder
    from index.backends.sentence_transformers import SentenceTransformerEmbedder
    from ingest.settings import Settings

    settings = Settings.from_env()
    result: dict = {"load_average_start": [round(x, 2) for x in os.getloadavg()],
                    "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"), "torch_threads": torch.get_num_threads()}
    onnx = OnnxEmbedder(settings.model, settings.model_cache)  # ONNX Runtime for batches too
    st = SentenceTransformerEmbedder(settings.model)
    texts = corpus_texts(settings)
    if args.sample and args.sample < len(texts):
        texts = random.Random(0).sample(texts, args.sample)
    result["passages"] = len(texts)
    runs: dict = {"onnxruntime": [], "sentence-transformers": []}
    for _ in range(args.rounds):
        runs["onnxruntime"].append(throughput(onnx.encode_passages, texts))
        runs["sentence-transformers"].append(throughput(st.encode_passages, texts))
        print(json.dumps({k: v[-1] for k, v in runs.items()}), file=sys.stderr, flush=True)
    result["batch"] = {k: {"per_s": max(r["per_s"] for r in v),
                           "cpu_ms_per_passage": min(r["cpu_ms_per_passage"] for r in v), "runs": v}
                       for k, v in runs.items()}
    queries = [json.loads(line)["text"] for line in (SCIFACT / "queries.jsonl").read_text().splitlines()[:100]]
    result["query_1_thread"] = {"onnxruntime": query_latency(onnx.encode_query, queries),
                                "sentence-transformers": query_latency(st.encode_query, queries)}
    a, b = onnx.encode_passages(texts), st.encode_passages(texts)
    qa = np.stack([onnx.encode_query(q) for q in queries])
    qb = np.stack([st.encode_query(q) for q in queries])
    cos = np.concatenate([(a * b).sum(1), (qa * qb).sum(1)])
    result["cosine"] = {"min": round(float(cos.min()), 6), "mean": round(float(cos.mean()), 6), "texts": len(cos)}
    result["fresh_process"] = {n: fresh_process(n) for n in ("onnx", "sentence-transformers")}
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
