"""Measuring retrieval quality, apart from search: the domain gold set, BEIR datasets, the naive recipe.

`metrics` holds the scoring rules as pure functions; `gold`, `beir` and `naive`
run a system over queries and hand rankings to them. The command line is
`python -m index evaluate` / `evaluate-beir` (index/evaluate.py).
"""
from __future__ import annotations


class EvaluationError(Exception):
    """An evaluation input cannot be used; the message names the file (and line) and the problem."""
