"""What every bench output starts with: the machine, its BLAS, and the code measured."""
from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

from ingest.settings import ROOT


def machine_info() -> dict:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "python": platform.python_version(),
                            "platform": platform.platform()}
    try:
        text = Path("/proc/cpuinfo").read_text()
        m = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        info["cpu_model"] = m.group(1).strip() if m else None
        flags = re.search(r"^flags\s*:\s*(.+)$", text, re.M)
        fl = set(flags.group(1).split()) if flags else set()
        info["cpu_flags"] = sorted(f for f in fl if f in {"avx", "avx2", "fma", "avx512f", "avx512_vnni",
                                                          "avx_vnni", "amx_tile", "sse4_2"})
    except OSError:
        info["cpu_model"] = None
    try:
        mem = Path("/proc/meminfo").read_text()
        kb = int(re.search(r"^MemTotal:\s*(\d+)", mem, re.M).group(1))
        info["memory_gb"] = round(kb / 1024 / 1024, 1)
    except (OSError, AttributeError):
        info["memory_gb"] = None
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        info["load_average"] = None
    return info


def git_state() -> dict:
    """The commit measured, and which tracked files differed from it (figures belong to that tree)."""
    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""
    return {"commit": git("rev-parse", "HEAD").strip() or None,
            "modified": [l[3:] for l in git("status", "--porcelain", "--untracked-files=no").splitlines() if l]}


def run_header(obc: Optional[str], machine: dict) -> dict:
    """What every bench output starts with: OPENBLAS_CORETYPE, date, command line, machine, code."""
    return {"openblas_coretype": obc, "openblas_coretype_set": obc is not None,
            "date": _dt.date.today().isoformat(),
            "command": "python -m index bench " + " ".join(sys.argv[sys.argv.index("bench") + 1:]
                                                            if "bench" in sys.argv else []),
            "machine": machine, "code": git_state()}


def blas_info() -> list[dict]:
    """Which BLAS/OpenMP libraries are loaded and which OpenBLAS kernel they picked."""
    try:
        import faiss  # noqa: F401  (loads its own OpenBLAS)
        import numpy  # noqa: F401
        from threadpoolctl import threadpool_info

        return [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
                for d in threadpool_info()]
    except Exception as exc:  # informational only
        return [{"error": str(exc)[:120]}]


def worker_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORMBASE_")}
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
                "PYTHONPATH": str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")})
    env.update(extra)
    return env
