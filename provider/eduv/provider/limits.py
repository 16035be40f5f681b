"""Limits that protect the provider from oversized and too frequent requests.

The body limit is ASGI middleware in front of everything else: a request whose
``Content-Length`` is over the limit is refused without being kept, and a body sent
without a length (chunked) is counted as it streams in and refused the moment it passes
the limit. A modest excess is read and dropped before the answer so that the client
gets to see it; a large one is not read at all. Only a body within the limit reaches
routing, authentication and parsing, so an unauthenticated client cannot make the
provider hold more than the limit in memory. The token endpoint gets a small limit of
its own: a token request is a short form.

The token endpoint also has a rate limit (a token bucket per client id and source
address), so that it cannot be used to try secrets at speed.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

from eduv.provider.errors import OTHER

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_BODY_LIMIT = 64 * 1024
MAX_BUCKETS = 10_000
# How much of a refused body is still read (and thrown away) before the answer. A
# server that closes a connection with unread bytes in it makes the kernel reset the
# connection, and the reset can reach the client before the 413 does; reading a
# modest excess lets the client see why it was refused. Beyond this the connection
# is closed at once, reset or not: a refusal must not cost the reading of gigabytes.
DRAIN_BYTES = 1024 * 1024


class BodyLimit:
    """Refuse request bodies over the limit of their path with ``413``."""

    def __init__(self, app: ASGIApp, *, default: int, limits: dict[str, int]) -> None:
        self.app = app
        self.default = default
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default)
        declared = _content_length(scope)
        if declared is None:
            await _refuse(send, 400, "the Content-Length header is not a whole number")
            return
        if declared > limit:
            if declared <= limit + DRAIN_BYTES:
                await _drain(receive, limit + DRAIN_BYTES)
            await _refuse(send, 413, _too_large(limit))
            return
        # Read the whole body before the application sees the request: authentication
        # and parsing then never start on a body that turns out to be too large.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                if message.get("more_body", False):
                    await _drain(receive, limit + DRAIN_BYTES - size)
                await _refuse(send, 413, _too_large(limit))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, None, receive), send)


async def _drain(receive: Receive, budget: int) -> None:
    """Read and drop the rest of a refused body, up to ``budget`` bytes."""
    while budget >= 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _replay(chunks: list[bytes], last: Message | None, receive: Receive | None = None) -> Receive:
    """A ``receive`` that hands the buffered body over as one message, then waits on the
    client as before (for a disconnect)."""
    pending: list[Message] = []
    if last is not None:
        pending.append(last)
    else:
        pending.append({"type": "http.request", "body": b"".join(chunks), "more_body": False})

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        if receive is None:
            return {"type": "http.disconnect"}
        return await receive()

    return replay


def _content_length(scope: Scope) -> int | None:
    """The declared body length; 0 when there is none, ``None`` when it is malformed."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else None
    return 0


def _too_large(limit: int) -> str:
    return f"the request body is larger than this endpoint accepts ({limit} bytes)"


async def _refuse(send: Send, status: int, message: str) -> None:
    body = orjson.dumps({"status": OTHER, "statusMessage": message})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The body may not have been read to its end; the connection cannot be reused.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """Token buckets of ``per_minute`` requests, refilled continuously, one per key.

    ``per_minute`` 0 switches the limit off. The oldest buckets are forgotten beyond
    ``MAX_BUCKETS`` keys, so that made-up client ids cannot fill the memory.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()

    def retry_after(self, key: tuple[str, str]) -> int:
        """0 when the request may proceed (and is counted), else seconds to wait."""
        if self.capacity <= 0:
            return 0
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            wait = 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.rate))
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        return wait
