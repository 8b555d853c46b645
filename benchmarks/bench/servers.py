"""Servers the benchmarks (and the browser tests) start: a free port, and a clean stop."""
from __future__ import annotations

import socket
import subprocess


def free_port() -> int:
    """A loopback port nobody listens on now (for the app and API servers the benchmarks start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, grace: float) -> None:
    """Terminate a server we started; kill it if it has not exited after `grace` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
