"""Fixtures of the conformance suite's tests: servers on 127.0.0.1, started in-process."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from eduv.conformance.config import RunConfig, load
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


@dataclass(frozen=True)
class Callback:
    """Where a tester's run listens for confirmations, fixed before the target starts
    (the target is configured with it, as a real one would be)."""

    port: int
    secret: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def confirmations(self) -> dict[str, Any]:
        """The target's side: its ``confirmations`` entry for the tester's client."""
        auth = {
            "type": "client-credentials",
            "tokenUrl": self.url + "/oauth2/token",
            "clientId": "eduv-conformance",
            "secret": self.secret,
        }
        return {"url": self.url, "auth": auth}


def free_callback() -> Callback:
    sock = embedded.loopback_socket()
    port = sock.getsockname()[1]
    sock.close()
    return Callback(port, secrets.token_urlsafe(18))


def natural_config(
    provider: embedded.Embedded, folder: Path, callback: Callback | None = None
) -> RunConfig:
    """The configuration a tester writes by hand for ``provider``: one credential, every
    school listed, the school without consent marked on its own entry, and the quick
    profile's numbers; read back through the strict loader, as ``--config`` reads it.
    With ``callback`` the run also sends the chain's requests: consumer mode on, the
    pre-1.0 chain APIs opted in, confirmations awaited three seconds."""
    schools = "".join(
        f'[[schools]]\nid = "{s.key}"\nsector = "{provider.dataset.facts[s.key].sector}"\n'
        + ("consent = false\n" if s.key in provider.without_consent else "")
        + "\n"
        for s in provider.dataset.schools
    )
    # The register is asked about the supplier whose agreements it holds, and its boards.
    registered = provider.chain.objects["agreements"]
    boards = ", ".join(sorted({f'"{a["boardId"]}"' for a in registered}))
    text = (
        f'[target]\nroot = "{provider.url}"\ntoken_url = "{provider.url}/oauth2/token"\n\n'
        f'[[credentials]]\nname = "tester"\nclient_id = "{embedded.CLIENT}"\n'
        f'secret = "{provider.secret}"\n\n'
        f"{schools}"
        f'[provisioning]\nurl = "{provider.url}"\ntoken = "{provider.provisioning_token}"\n\n'
        f'[agreements]\nsupplier_oin = "{registered[0]["supplierOin"]}"\nboards = [{boards}]\n\n'
        f"[run]\nexamples = {QUICK.examples}\nsteps = {QUICK.steps}\nsample = {QUICK.sample}\n"
    )
    if callback is None:
        # The Consent and DPA APIs have only pre-1.0 versions; a tester who serves them
        # opts in.
        text += 'pre_release = ["consent-api", "dpa-api"]\n'
    else:
        early = '"consent-api", "dpa-api", "order-api", "activationcode-api", "progress-api"'
        text += (
            f'modes = ["preflight", "observe", "scenario", "consumer"]\npre_release = [{early}]\n\n'
            f'[callback]\nlisten = "127.0.0.1:{callback.port}"\n'
            f'secret = "{callback.secret}"\ntimeout = 3\n'
        )
    path = folder / "target.toml"
    path.write_text(text, encoding="utf-8")
    return load(path)
