"""Files derived from others, kept as JSON under a key of what they were made from.

A one-shot search cannot afford to parse the thesaurus or load a Chinese segmenter for words it
already cut last time; so the result is written once and read back while its key (a hash of the
sources and of the code that made it) matches. A file that is missing, unreadable or of another
key reads as None and is made again; it is written aside and renamed, so a reader never sees half
of one; a folder that cannot be written only costs the next process the work again.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any, Optional


def read_keyed(file: Path, key: str) -> Optional[Any]:
    """The value stored under `key`, or None when the file is missing, damaged or made from other sources."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("value") if isinstance(data, dict) and data.get("key") == key else None


def write_keyed(file: Path, key: str, value: Any) -> None:
    tmp = file.with_name(f".{file.name}-{os.getpid()}-{threading.get_ident()}")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"key": key, "value": value}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, file)
    except OSError:  # a read-only folder: the next process makes it again
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
