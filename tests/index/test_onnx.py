"""The ONNX Runtime embedder (index/backends/onnx.py): sentence-transformers' vectors, a checked export,
and a query path that never imports PyTorch."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.backends.onnx import WEIGHTS, OnnxEmbedder, ensure_export, export_folder, read_export
from ingest.settings import BUNDLED_MODEL, ModelUnavailable, Settings, resolve_model

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ["Protection of critical infrastructure from ICT threats.",
          "States should not conduct or knowingly support ICT activity contrary to their obligations "
          "under international law that intentionally damages critical infrastructure. " * 12,  # past 256 tokens
          "CBM", "due diligence", "Les États devraient coopérer – обязательства государств – 国家责任",
          "The General Assembly, Recalling its resolutions 53/70 of 4 December 1998 and 54/49 of 1 December 1999,"]


@pytest.fixture(scope="module")
def onnx(embedder) -> OnnxEmbedder:
    """The session's embedder is the configured default, this backend; its export is in Settings().model_cache."""
    assert isinstance(embedder, OnnxEmbedder), "onnx is the default embedder"
    return embedder


@pytest.mark.slow
def test_vectors_are_sentence_transformers_vectors(onnx):
    from index.backends.sentence_transformers import SentenceTransformerEmbedder

    reference = SentenceTransformerEmbedder(BUNDLED_MODEL).encode_passages(SAMPLE, batch_size=4)
    batch = onnx.encode_passages(SAMPLE, batch_size=4)
    queries = np.stack([onnx.encode_query(t) for t in SAMPLE])
    assert batch.dtype == np.float32 and batch.shape == (len(SAMPLE), onnx.dimension) == reference.shape
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    assert float((batch * reference).sum(1).min()) >= 0.9999
    assert float((queries * reference).sum(1).min()) >= 0.9999, "a query unpadded is its batch vector"
    assert float(batch[0] @ batch[3]) < 0.9, "different texts, different vectors"


@pytest.mark.slow
def test_the_export_is_checked_by_its_sha256_and_a_damaged_one_is_exported_again(onnx, tmp_path):
    model_path = resolve_model(BUNDLED_MODEL)
    copy = export_folder(tmp_path, BUNDLED_MODEL, model_path)
    shutil.copytree(onnx.folder, copy)
    assert read_export(copy, model_path) is not None
    assert (copy / WEIGHTS).stat().st_size > 50 * (copy / "model.onnx").stat().st_size, "the weights apart"
    for name in (WEIGHTS, "model.onnx"):  # one byte of the weights, then of the graph
        with open(copy / name, "r+b") as fh:
            fh.seek(-1000, os.SEEK_END)
            byte = fh.read(1)
            fh.seek(-1000, os.SEEK_END)
            fh.write(bytes([byte[0] ^ 0xFF]))
        assert read_export(copy, model_path) is None
        shutil.copy2(onnx.folder / name, copy / name)
        assert read_export(copy, model_path) is not None
    (copy / WEIGHTS).unlink()
    assert read_export(copy, model_path) is None
    notices: list[str] = []
    folder, meta = ensure_export(BUNDLED_MODEL, tmp_path, notices.append)
    assert folder == copy and len(notices) == 1 and "exporting" in notices[0]
    assert read_export(folder, model_path) == meta
    assert ensure_export(BUNDLED_MODEL, tmp_path, notices.append)[0] == folder and len(notices) == 1, "once"


def test_a_model_that_is_not_mean_pooled_is_refused_by_name(tmp_path):
    model = tmp_path / "cls-pooled"
    shutil.copytree(resolve_model(BUNDLED_MODEL), model)
    config = json.loads((model / "1_Pooling" / "config.json").read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (model / "1_Pooling" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelUnavailable, match="mean-pooled.*sentence-transformers embedder"):
        ensure_export(str(model), tmp_path / "cache", lambda message: None)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir()), "nothing half-written"


QUERY_PATH = """
import sys
sys.path.insert(0, {root!r})
from index.__main__ import main
from index.api.app import create_app
from fastapi.testclient import TestClient
from ingest.settings import Settings
from index.manifest import current_version
from ui.resources import get_searcher

settings = Settings.from_env()
assert main(["search", "critical infrastructure", "--k", "3", "--json"]) == 0
with TestClient(create_app(settings)) as client:
    answer = client.get("/search", params={{"q": "confidence-building measures", "k": 3}}).json()
assert answer["hits"], answer
searcher = get_searcher(str(settings.index), current_version(settings.index).name, settings.model,
                        settings.multilingual)
assert searcher.answer("diligencia debida", 3).hits and searcher.multi_vectors is not None
print("MODULES", [m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules])
"""


@pytest.mark.slow
def test_cli_api_and_app_search_without_torch(mirror_index, onnx):
    """A real hybrid search through each front end, in a fresh process, encodes its query with ONNX Runtime."""
    env = {**os.environ, "NORMBASE_INDEX": str(mirror_index.index),
           "NORMBASE_CORPUS": os.pathsep.join(map(str, mirror_index.corpus)),
           "NORMBASE_MODEL_CACHE": str(Settings().model_cache)}
    run = subprocess.run([sys.executable, "-c", QUERY_PATH.format(root=str(ROOT))], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "MODULES []" in run.stdout, run.stdout[-500:]
    assert "exporting" not in run.stderr, "the export is made once, by the first build"
