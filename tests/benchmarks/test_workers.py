"""What the bench's raw encode encodes: exactly the build's embedding inputs."""
from __future__ import annotations

import sqlite3

import pytest

from benchmarks.bench.workers import embedding_inputs
from index.manifest import current_version
from ingest.records import short_heading
from tests.index.index_helpers import copy_corpus, make_settings


@pytest.mark.slow
def test_raw_encode_texts_are_the_build_inputs_heading_path_included(tmp_path, embedder) -> None:
    from index.build import build

    settings = make_settings(tmp_path, copy_corpus(tmp_path / "corpus"))
    build(settings, embedder=embedder)
    folder = current_version(settings.index)
    texts = embedding_inputs(folder, settings.model)  # checked against the build's stored hashes
    conn = sqlite3.connect(folder / "passages.sqlite")
    rows = conn.execute("SELECT heading, text FROM passages ORDER BY id").fetchall()
    assert len(texts) == len(rows)
    with_heading = [(t, h) for t, (h, _) in zip(texts, rows) if h]
    assert with_heading, "the fixture corpus has headings"
    for text, heading in with_heading:
        first = short_heading(heading.split(" > ")[0])
        assert not first or text.startswith(first), (heading, text[:80])
    # a passage embedded from another text than its record gives now: refused, not measured
    conn.execute("UPDATE passages SET heading = 'Changed heading' WHERE id = (SELECT MIN(id) FROM passages)")
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="embedded from another text"):
        embedding_inputs(folder, settings.model)


@pytest.mark.slow
def test_two_rounds_build_encode_encode_build_and_report_the_means(tmp_path) -> None:
    """The build share is judged on means over build, raw, raw, build, so a steady drift of the machine
    weighs on both sides alike; each run's figure is kept beside the means."""
    from benchmarks.bench.workers import worker_build

    corpus = copy_corpus(tmp_path / "corpus")
    out = worker_build({"corpus": [str(corpus)], "index": str(tmp_path / "index"), "rounds": 2})
    rounds = out["rounds"]
    assert rounds["order"] == ["build", "raw", "raw", "build"]
    assert len(rounds["build_s"]) == 2 and len(rounds["raw_s"]) == 2 and min(rounds["build_s"] + rounds["raw_s"]) > 0
    assert out["build_s"] == pytest.approx(sum(rounds["build_s"]) / 2, abs=0.02)
    assert out["raw_s"] == pytest.approx(sum(rounds["raw_s"]) / 2, abs=0.02)
    assert out["raw_texts"] == out["passages"] > 0
    # the second build encoded every passage again, in a folder of its own that is gone afterwards
    assert rounds["embedded"] == [out["passages"], out["passages"]], rounds
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "index"]
    with pytest.raises(ValueError, match="rounds must be 1 or 2"):
        worker_build({"corpus": [str(corpus)], "index": str(tmp_path / "index"), "rounds": 3})
