"""Fixtures of the conformance suite's tests: servers on 127.0.0.1, started in-process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from eduv.conformance.suite import embedded
from eduv.conformance.suite.config import RunConfig

START_SECONDS = 30.0


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
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
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
