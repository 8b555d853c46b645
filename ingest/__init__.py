"""From source documents to exact, citable passages (see README: Ingest)."""
from .records import IngestError, Passage, Skipped, SourceEntry
from .settings import Settings

__all__ = ["IngestError", "Passage", "Settings", "Skipped", "SourceEntry"]
