"""A real uvicorn server on a free loopback port, in a thread of the test process.

In-process so that the app can be given the session's Searcher (the model is loaded once per
test session); over a real socket so that what is tested is what a client gets.
"""
from __future__ import annotations

import contextlib
import socket
import threading
import time

import httpx
import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(app):
    """Yield the base URL of `app` served by uvicorn; stop the server (and wait for it) afterwards."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def client(url: str, **kw) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=120, **kw)


def assert_json_error(resp: httpx.Response, status: int, *needles: str) -> dict:
    """The status, a JSON {"error", "details"} body naming the problem, and no traceback."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["content-type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert isinstance(body["error"], str) and body["error"], body
    assert "Traceback" not in resp.text and 'File "' not in resp.text
    for needle in needles:
        assert needle in body["error"], (needle, body)
    return body
