"""The session's embedder (the configured default, onnx): a query vector (one thread) is the batch vector, in the caller's order."""
from __future__ import annotations

import numpy as np
import torch

TEXTS = ["Protection of critical infrastructure from ICT threats.",
         "States should not conduct or knowingly support ICT activity contrary to their obligations.",
         "CBM"]


def test_a_query_vector_is_the_batch_vector_and_threads_are_restored(embedder):
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        batch = embedder.encode_passages(TEXTS, batch_size=2)
        for text, row in zip(TEXTS, batch):
            q = embedder.encode_query(text)
            assert q.dtype == np.float32 and abs(float(np.linalg.norm(q)) - 1.0) < 1e-5
            assert float(q @ row) > 0.9999, text
        assert torch.get_num_threads() == 2, "encode_query put the thread count back"
    finally:
        torch.set_num_threads(before)


def test_length_sorted_batches_return_vectors_in_the_callers_order(embedder):
    alone = np.stack([embedder.encode_passages([t])[0] for t in TEXTS])
    together = embedder.encode_passages(TEXTS, batch_size=2)
    assert np.allclose(alone, together, atol=1e-5)
    assert not np.allclose(together[0], together[1], atol=1e-2)
