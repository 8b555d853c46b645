"""What stands between a client and the endpoints that write: the token, a rate limit, body sizes.

Writing (upload, rebuild) is off unless a token is configured (NORMBASE_API_TOKEN); the token is
compared in constant time. Write requests are rate-limited per client before the token is even
looked at, so guessing it is as slow as using it. Request bodies are capped while they stream in,
so a client cannot make the server hold more than the cap, whatever Content-Length it claims.
"""
from __future__ import annotations

import hmac
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Optional

from starlette.exceptions import HTTPException


class WriteRefused(Exception):
    """A write request turned away; `status` is the HTTP status, the message is shown as is."""

    def __init__(self, status: int, message: str, headers: Optional[dict[str, str]] = None):
        super().__init__(message)
        self.status, self.headers = status, headers or {}


def token_matches(given: str, expected: str) -> bool:
    """Constant time in the contents; bytes, because compare_digest refuses non-ASCII str."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


@dataclass
class TokenBucket:
    """`burst` requests at once, then one every `1 / per_second` seconds, per client.

    In-process: each server process (each uvicorn worker, each replica) counts on its own.
    Behind a proxy the client is the X-Forwarded-For address uvicorn trusts from loopback.
    """

    burst: float = 5.0
    per_second: float = 0.1  # 6 a minute
    max_clients: int = 10_000  # the least recently seen are forgotten beyond this
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self):
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 if the request may go ahead, else the seconds to wait before the next one will."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.per_second)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.per_second
            self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait


def authorize(token: str, given: Optional[str], client: str, bucket: TokenBucket) -> None:
    """Raise WriteRefused unless writing is on, the client is within its rate, and the token is right."""
    if not token:
        raise WriteRefused(403, "writing is off on this server: uploads and rebuilds need NORMBASE_API_TOKEN "
                                "to be set where the server starts")
    wait = bucket.take(client)
    if wait:
        raise WriteRefused(429, f"too many write requests; retry in {wait:.0f} s",
                           {"Retry-After": str(max(1, round(wait)))})
    if not given:
        raise WriteRefused(401, "this endpoint needs the header `Authorization: Bearer <NORMBASE_API_TOKEN>`",
                           {"WWW-Authenticate": "Bearer"})
    if not token_matches(given, token):
        raise WriteRefused(403, "the token is wrong")


class BodyLimit:
    """ASGI middleware: a request body over `limit_for(scope)` bytes gets 413 and is not read further."""

    def __init__(self, app, limit_for: Callable[[dict], int]):
        self.app, self.limit_for = app, limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")  # not a number: the server refused it
        if declared.isdigit() and int(declared) > limit:
            return await _reply(send, 413, f"the request body is over {limit} bytes")
        seen = 0
        started = False

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:
            if not started:
                await _reply(send, 413, exc.detail)


class BodyTooLarge(HTTPException):
    """An HTTPException, so that the framework's body readers pass it on instead of wrapping it as a 400."""

    def __init__(self, limit: int):
        super().__init__(413, f"the request body is over {limit} bytes")


async def _reply(send, status: int, message: str) -> None:
    body = json.dumps({"error": message, "details": []}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
