"""`python -m tests.reliability.crash POINT -- <python -m index arguments>`

Runs the index CLI with one fault planted at a named point of the build, so that a kill -9 or a
full disk happens exactly there rather than at a time that depends on the machine:

    embed          SIGKILL in the first embedding batch (the model is never loaded)
    sqlite         SIGKILL after half of the passages are inserted, before the commit
    embeddings     SIGKILL with embeddings.npy half written
    vectors        SIGKILL with vectors.faiss half written
    before-swap    SIGKILL with the version complete and fsynced, not yet moved into place
    swap           SIGKILL between moving the version folder into place and replacing CURRENT
    after-swap     SIGKILL after CURRENT names the new version, before old versions are pruned
    enospc-sqlite, enospc-embeddings, enospc-vectors, enospc-manifest, enospc-current
                   the write fails as on a full disk (OSError ENOSPC / SQLITE_FULL)
"""
from __future__ import annotations

import errno
import os
import signal
import sqlite3
import sys


def die() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def full(path: object = "") -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def half_write(path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data[: len(data) // 2])
        fh.flush()
        os.fsync(fh.fileno())


def plant(point: str) -> None:
    import faiss
    import numpy as np

    import index.build as build
    import index.manifest as manifest
    import index.store as store
    from index import backends
    from index.backends.faiss_tiers import FaissTiers
    from ingest.settings import Settings

    if point == "embed":
        class DyingEmbedder:
            """An Embedder that dies in its first batch, registered as the configured one (this process only)."""

            dimension = 384

            def __init__(self, model: str, settings: Settings):
                self.name = model

            def encode_passages(self, texts, batch_size=32, progress=lambda done, total: None):
                progress(0, len(texts))
                die()

            def encode_query(self, text):
                die()

        backends.register_embedder(Settings().embedder, DyingEmbedder)
    elif point in ("sqlite", "enospc-sqlite"):
        real_insert = store.insert_passages

        def insert(conn, rows):
            real_insert(conn, rows[: len(rows) // 2])
            if point == "sqlite":
                die()
            raise sqlite3.OperationalError("database or disk is full")

        store.insert_passages = insert
    elif point in ("embeddings", "enospc-embeddings"):
        def save(path, arr, allow_pickle=False):
            import io

            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=False)
            half_write(path, buf.getvalue())
            if point == "embeddings":
                die()
            raise full(path)

        np.save = save
    elif point in ("vectors", "enospc-vectors"):
        class HalfWritten(FaissTiers):
            """The FAISS backend, writing half of its file, registered as the configured one."""

            def save(self, path):
                half_write(path, faiss.serialize_index(self.index).tobytes())
                if point == "vectors":
                    die()
                raise full(path)

        backends.register_vector_index(Settings().vector_backend, HalfWritten)
    elif point == "enospc-manifest":
        import pathlib

        real_write_text = pathlib.Path.write_text

        def write_text(self, data, *a, **kw):
            if self.name == "manifest.json":
                raise full(self)
            return real_write_text(self, data, *a, **kw)

        pathlib.Path.write_text = write_text
    elif point == "before-swap":
        build.publish = lambda *a, **kw: die()
    elif point == "swap":
        real_replace = os.replace
        calls = []

        def replace(src, dst):
            calls.append(dst)
            if len(calls) == 2:  # the first call moves the version folder, the second replaces CURRENT
                die()
            return real_replace(src, dst)

        manifest.os.replace = replace
    elif point == "enospc-current":
        real_open = open

        def open_current(path, mode="r", *a, **kw):
            fh = real_open(path, mode, *a, **kw)
            if os.path.basename(str(path)).startswith(".CURRENT"):
                fh.close()
                raise full(path)
            return fh

        manifest.open = open_current
    elif point == "after-swap":
        build.prune = lambda *a, **kw: die()
    else:
        raise SystemExit(f"unknown point {point!r}")


def main(argv: list[str]) -> int:
    point, rest = argv[0], argv[1:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    plant(point)
    from index.__main__ import main as cli

    return cli(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
