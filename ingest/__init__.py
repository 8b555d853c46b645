"""From source documents to exact, citable passages (see README: Ingest)."""
from .records import AlsoIn, Hit, IngestError, Passage, Skipped, SourceEntry
from .settings import Settings

__all__ = ["AlsoIn", "Hit", "IngestError", "Passage", "Settings", "Skipped", "SourceEntry"]
