"""The ONNX Runtime embedder (the default): a sentence-transformers model exported once, queries without PyTorch.

Importing torch and sentence-transformers and loading the model costs a fresh process
seconds of CPU; a query's forward pass through them about 20 ms. The same model exported
to ONNX loads in a fraction of a second and encodes a query in a third of the time, with
sentence-transformers' vectors (cosine >= 0.9999, tests/index/test_onnx.py), so indexes of
either backend hold interchangeable vectors and `name` is the model's, as for the
sentence-transformers backend.

The export is made once per model, with PyTorch, by the first build (or the first
process that needs it), into `Settings.model_cache`: `model.onnx` (the transformer with
mean pooling and L2 normalisation inside the graph), its weights beside it in `model.onnx.data`
(ONNX external data: ONNX Runtime maps the file instead of parsing 90 MB of protobuf and copying
it, which halves the session's start, 0.35 -> 0.15 s of CPU) and `export.json` (both files'
SHA-256, the source files they were made from, the tokenizer limits). Loading checks all three:
a changed model or a damaged file is exported again, and a model this backend cannot export
raises ModelUnavailable.

Builds' batches go through ONNX Runtime too, on every core: measured against
sentence-transformers on the same passages it is as fast or faster (benchmarks/onnx_backend.py,
docs/performance.md), so once a model is exported neither a build nor a search imports PyTorch.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from ingest.loaders import file_sha256
from ingest.settings import ModelUnavailable, resolve_model

from .base import ProgressFn

EXPORT_FORMAT = 2  # 2: the weights in model.onnx.data
WEIGHTS = "model.onnx.data"
OPSET = 17
SOURCE_FILES = ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json",
                "model.safetensors", "pytorch_model.bin", "1_Pooling/config.json")
Notice = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def export_folder(cache: Path, model: str, model_path: str) -> Path:
    """One folder per model: its name for people, a hash of its path so two models never share one."""
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(model).name)[:40] or "model"
    return cache / f"{slug}-{hashlib.sha1(model_path.encode()).hexdigest()[:10]}"


def source_stamp(model_path: str) -> dict[str, list[int]]:
    """Size and mtime of the files an export is made from: a changed model is exported again."""
    stamp = {}
    for name in SOURCE_FILES:
        path = Path(model_path) / name
        if path.is_file():
            st = path.stat()
            stamp[name] = [st.st_size, st.st_mtime_ns]
    return stamp


def read_export(folder: Path, model_path: str) -> Optional[dict]:
    """The export's record if its model file matches its checksum and was made from this model, else None."""
    try:
        meta = json.loads((folder / "export.json").read_text(encoding="utf-8"))
        if (meta.get("format") != EXPORT_FORMAT or meta.get("source") != source_stamp(model_path)
                or file_sha256(folder / "model.onnx") != meta.get("sha256")
                or file_sha256(folder / WEIGHTS) != meta.get("weights_sha256")):
            return None
        return meta
    except (OSError, ValueError, AttributeError):
        return None


def ensure_export(model: str, cache: Path, notice: Notice = _stderr) -> tuple[Path, dict]:
    """The checked export of `model`, made now (with PyTorch) if missing, stale or damaged."""
    model_path = resolve_model(model)
    folder = export_folder(cache, model, model_path)
    meta = read_export(folder, model_path)
    if meta is None:
        notice(f"exporting model {model} to ONNX (once, about a minute) into {folder}")
        export(model_path, folder)
        meta = read_export(folder, model_path)
        if meta is None:
            raise ModelUnavailable(f"the ONNX export of {model!r} in {folder} does not verify; delete the folder")
    return folder, meta


def export(model_path: str, folder: Path) -> None:
    """Write model.onnx, its weights and export.json into `folder`, atomically (a crash leaves the old one or none)."""
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelUnavailable(f"exporting a model to ONNX needs PyTorch and sentence-transformers ({exc})") from None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        st = SentenceTransformer(model_path, device="cpu")
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"cannot load model {model_path!r} ({exc})") from None
    transformer, width = _mean_pooled_transformer(st, model_path)
    wrapper = _pooled(transformer).eval()
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if wrapper.token_types else [])
    ids = torch.ones(2, 8, dtype=torch.long)
    sample = (ids, torch.ones_like(ids)) + ((torch.zeros_like(ids),) if wrapper.token_types else ())
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        with torch.no_grad():
            torch.onnx.export(wrapper, sample, str(tmp / "model.onnx"), dynamo=False, opset_version=OPSET,
                              input_names=names, output_names=["sentence_embedding"],
                              dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names},
                                            "sentence_embedding": {0: "batch"}})
        _weights_apart(tmp / "model.onnx")
        tok = json.loads((Path(model_path) / "tokenizer.json").read_text(encoding="utf-8"))
        meta = {"format": EXPORT_FORMAT, "sha256": file_sha256(tmp / "model.onnx"),
                "weights_sha256": file_sha256(tmp / WEIGHTS), "source": source_stamp(model_path),
                "model_path": model_path, "inputs": names, "dimension": int(width),
                "max_tokens": int(st.max_seq_length), "pad_id": int((tok.get("padding") or {}).get("pad_id", 0)),
                "opset": OPSET, "torch": torch.__version__}
        (tmp / "export.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _weights_apart(model: Path) -> None:
    """Rewrite `model` with its weights in WEIGHTS beside it (the graph and the numbers are unchanged)."""
    import onnx

    graph = onnx.load(str(model))
    onnx.save_model(graph, str(model), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=WEIGHTS, size_threshold=1024)


def _mean_pooled_transformer(st, model_path: str):
    """The Hugging Face transformer of a (Transformer, mean Pooling[, Normalize]) model, and its width.

    Modules are known by class name and pooling by its config, which read the same across
    sentence-transformers versions (6.x writes `pooling_mode: mean`, older ones a flag per mode)."""
    kinds = [type(m).__name__ for m in st]
    config = st[1].get_config_dict() if kinds[:2] == ["Transformer", "Pooling"] else {}
    flags = {k for k, v in config.items() if k.startswith("pooling_mode_") and v is True}
    mean = config.get("pooling_mode") == "mean" or flags == {"pooling_mode_mean_tokens"}
    if not (mean and kinds[2:] in ([], ["Normalize"]) and hasattr(st[0], "auto_model")):
        raise ModelUnavailable(f"the ONNX embedder exports mean-pooled transformer models only; {model_path!r} "
                               "is not one: use the sentence-transformers embedder (NORMBASE_EMBEDDER)")
    width = st.get_embedding_dimension() if hasattr(st, "get_embedding_dimension") else \
        st.get_sentence_embedding_dimension()
    return st[0].auto_model, width


def _pooled(transformer):
    """The export wrapper, its class defined on first use so that importing this module needs no torch."""
    import inspect

    import torch

    class Pooled(torch.nn.Module):
        """Transformer, mean over the attended tokens, L2 normalisation: sentence-transformers' pipeline."""

        def __init__(self, transformer):
            super().__init__()
            self.transformer = transformer
            self.token_types = "token_type_ids" in inspect.signature(transformer.forward).parameters

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            extra = {"token_type_ids": token_type_ids} if self.token_types else {}
            hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask, **extra)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return Pooled(transformer)


class OnnxEmbedder:
    """Queries on one thread, passage batches on every core; `calls` and `encoded` count the work (tests)."""

    def __init__(self, model: str, cache: Path, notice: Notice = _stderr):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from tokenizers import Tokenizer

        self.name = model
        self.folder, meta = ensure_export(model, cache, notice)
        self.dimension = int(meta["dimension"])
        self.max_tokens = int(meta["max_tokens"])
        self._inputs = list(meta["inputs"])
        self._pad = int(meta["pad_id"])
        self._tokenizer = Tokenizer.from_file(str(Path(meta["model_path"]) / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer.no_padding()  # the bundled tokenizer.json pads every text to 128 tokens
        self._lock = threading.Lock()
        self._sessions: dict[int, object] = {}  # made at first use: a build needs only the batch one
        self.calls = 0
        self.encoded = 0

    def session(self, threads: int):
        """An ONNX Runtime session on `threads` threads (0: one per core), made once."""
        try:
            import onnxruntime as ort
        except ImportError:
            raise ModelUnavailable("the ONNX embedder needs onnxruntime: pip install -r requirements.txt") from None

        with self._lock:
            if threads not in self._sessions:
                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                self._sessions[threads] = ort.InferenceSession(str(self.folder / "model.onnx"), options,
                                                               providers=["CPUExecutionProvider"])
            return self._sessions[threads]

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode(self, texts: Sequence[str], session=None) -> np.ndarray:
        """ONNX Runtime on these texts as one batch, padded to the longest of them."""
        enc = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in enc)
        ids = np.full((len(enc), width), self._pad, dtype=np.int64)
        mask = np.zeros((len(enc), width), dtype=np.int64)
        for row, e in enumerate(enc):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        self.calls += 1
        self.encoded += len(enc)
        # one thread for queries: a second gains nothing on one query and spins on a busy core
        out = (session or self.session(1)).run(None, {n: feed[n] for n in self._inputs})[0]
        return out.astype(np.float32, copy=False)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        progress: ProgressFn = lambda done, total: None) -> np.ndarray:
        batch_session = self.session(0)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # batches pad to similar lengths
        for lo in range(0, len(order), batch_size):
            idx = order[lo:lo + batch_size]
            out[idx] = self.encode([texts[i] for i in idx], batch_session)
            progress(min(lo + batch_size, len(order)), len(order))
        return out
