"""What a one-shot search (a fresh process, as `python -m index search` is) loads once the first process has
made its derived files in `Settings.model_cache`: the multilingual weights memory-mapped, the thesaurus read
as JSON, and the Chinese rendering of an English question cut ahead, so that rjieba is not loaded for it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import Searcher
from index.translate import renderings
from ingest.thesaurus import load_thesaurus

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "due diligence to protect critical infrastructure"
SEARCH = """
import json, sys
sys.path.insert(0, {root!r})
from index import Searcher
from index.translate import renderings
searcher = Searcher.open()
answer = searcher.answer({question!r}, 5)
print(json.dumps({{"hits": [h.passage_id for h in answer.hits], "multilingual": searcher.multi_vectors is not None,
                  "rendered": sorted(renderings(searcher.thesaurus, answer.query, "en")),
                  "loaded": [m for m in ("rjieba", "torch") if m in sys.modules]}}))
"""


def one_shot(settings) -> dict:
    env = {**os.environ, "NORMBASE_INDEX": str(settings.index), "NORMBASE_MODEL_CACHE": str(settings.model_cache)}
    run = subprocess.run([sys.executable, "-c", SEARCH.format(root=str(ROOT), question=QUESTION)], env=env,
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_second_one_shot_search_reads_the_caches_and_does_not_load_rjieba_for_an_english_question(
        small_index, embedder):
    first = one_shot(small_index)  # makes whatever derived file is missing (rjieba may load here)
    second = one_shot(small_index)
    assert second["multilingual"] and "zh" in second["rendered"], "the question has a Chinese rendering"
    assert second["loaded"] == [], second
    assert (small_index.model_cache / "zh-segments.json").is_file()
    assert list(small_index.model_cache.glob("thesaurus-*.json")) and list(small_index.model_cache.glob("usem3-*"))
    # the same results as a search that parsed the TOML and cut the Chinese with rjieba
    reference = Searcher.open(small_index.index, settings=small_index, embedder=embedder, thesaurus=load_thesaurus())
    assert "zh" in renderings(reference.thesaurus, QUESTION, "en")
    assert first["hits"] == second["hits"] == [h.passage_id for h in reference.answer(QUESTION, 5).hits]
