"""Fixtures of the conformance suite's tests: servers on 127.0.0.1, started in-process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn

from eduv.conformance.config import RunConfig
from eduv.provider import embedded


@dataclass
class Served:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def serve(app: Any) -> Served:
    """Serve an ASGI app under uvicorn on a free loopback port, in a background thread."""
    sock = embedded.loopback_socket()
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server, thread = embedded.serve_in_thread(config, sock, "the test server")
    return Served(f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread)


@pytest.fixture
def served() -> Iterator[Any]:
    """Call with an ASGI app; every server is stopped after the test."""
    running: list[Served] = []

    def start(app: Any) -> Served:
        found = serve(app)
        running.append(found)
        return found

    yield start
    for item in running:
        item.stop()


@pytest.fixture(scope="module")
def reference() -> Iterator[embedded.Embedded]:
    """The reference provider without faults, shared by the tests of a module."""
    with embedded.running(seed=0) as found:
        yield found


# A quick profile: the explicit every-case example only, a small sample of lookups.
QUICK = RunConfig(examples=0, steps=4, sample=2)
