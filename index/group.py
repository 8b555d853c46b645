"""Grouping identical and near-identical passages across documents.

The same norm wording recurs in resolution after resolution. Passages whose
letters and digits are identical form a group; so do passages from different
documents whose vectors are nearly parallel and whose word sets nearly match.
Search then shows one hit per group, with the others listed as `also_in`.
"""
from __future__ import annotations

import re

import numpy as np

from ingest.clean import normal_key

NEAR_COSINE = 0.95
NEAR_JACCARD = 0.85
NEAR_LIMIT = 50_000  # above this many passages only exact duplicates are grouped


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group_ids(texts: list[str], doc_ids: list[str], vectors: np.ndarray) -> list[int]:
    """A group id per passage: the smallest passage id in its group."""
    n = len(texts)
    uf = _UnionFind(n)
    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        key = normal_key(t)
        if len(key) >= 40:  # short strings ("(a) None;") are not "the same language"
            if key in first:
                uf.union(first[key], i)
            else:
                first[key] = i
    if 1 < n <= NEAR_LIMIT:
        import faiss

        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        scores, neighbours = index.search(vectors, min(8, n))
        words = [None] * n
        for i in range(n):
            for j, s in zip(neighbours[i], scores[i]):
                if j <= i or s < NEAR_COSINE or doc_ids[i] == doc_ids[j]:
                    continue
                words[i] = words[i] or _words(texts[i])
                words[j] = words[j] or _words(texts[j])
                inter = len(words[i] & words[j])
                if inter / max(1, len(words[i] | words[j])) >= NEAR_JACCARD:
                    uf.union(i, int(j))
    return [uf.find(i) for i in range(n)]
