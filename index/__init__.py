"""The engine: embeddings in FAISS beside SQLite FTS5, hybrid search with citations.

    from index import Searcher
    hits = Searcher.open("data/index").search("supply chain integrity", k=5)
"""
from .backends import ModelUnavailable
from .manifest import IndexError_ as IndexUnavailable
from .records import Answer, Filters, Hit
from .search import Searcher

__all__ = ["Answer", "Filters", "Hit", "IndexUnavailable", "ModelUnavailable", "Searcher"]
