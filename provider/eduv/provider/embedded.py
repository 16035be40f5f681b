"""The reference provider embedded in a process, on a free loopback port.

:func:`start` (and :func:`running`, its context manager) runs the provider in a thread
of this process on 127.0.0.1 and a port the operating system picks, with a fresh SQLite
file (or the PostgreSQL database given), loads a generated dataset with every
flexibility case, plus one more PO school that gives no client consent, and a generated
chain dataset for the same schools (catalogue, delivery orders, entitlements), and registers
two clients sharing one secret: ``conformance`` with every scope and consent for every
school but that one, ``conformance-no-consent`` with every scope and no consent, plus a
provisioning token. ``eduv conformance run`` without a target uses it.
"""

from __future__ import annotations

import logging
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START_SECONDS = 30.0
# The two clients :func:`start` registers (both with every scope and the same secret).
CLIENT = "conformance"
CLIENT_WITHOUT_CONSENT = "conformance-no-consent"


@dataclass
class Embedded:
    url: str
    dataset: Any
    secret: str
    provisioning_token: str
    server: Any
    thread: threading.Thread
    engine: Any = None
    # Schools of the dataset that gave no client consent (the source answers 403/22).
    without_consent: tuple[str, ...] = ()
    # The chain dataset served beside ``dataset``, for the same schools.
    chain: Any = None

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        if self.engine is not None:
            self.engine.dispose()


def default_dataset(seed: int) -> Any:
    """Two PO and two VO schools with every expressible flexibility case, and last a PO
    school that :func:`start` registers without consent."""
    from eduv.testing.build import build_dataset
    from eduv.testing.chooser import RandomChooser
    from eduv.testing.scenarios import SCENARIOS

    return build_dataset(RandomChooser(seed), ["PO", "VO"], cases=sorted(SCENARIOS), after=["PO"])


def without_consent(dataset: Any) -> tuple[str, ...]:
    """The schools of a :func:`default_dataset` that give no client consent: its last."""
    return (dataset.schools[-1].key,)


def provider_config(
    secret: str,
    provisioning_token: str,
    without_consent: Sequence[str] = (),
    confirmations: Mapping[str, Any] | None = None,
) -> Any:
    """The embedded configuration; ``confirmations`` is where both clients take the
    confirmations of their chain requests (the suite's callback listener)."""
    from eduv.provider.config import config_from_json
    from eduv.provider.versions import served_scopes

    scopes = served_scopes()
    doc: dict[str, Any] = {
        "configVersion": 1,
        "clients": [
            {
                "clientId": CLIENT,
                "secret": secret,
                "scopes": scopes,
                # '*' also covers the schools scenario mode provisions during the run.
                "consents": [
                    {"school": "*"},
                    *({"school": k, "apis": []} for k in without_consent),
                ],
            },
            {
                "clientId": CLIENT_WITHOUT_CONSENT,
                "secret": secret,
                "scopes": scopes,
                "consents": [],
            },
        ],
        "provisioning": {"token": provisioning_token},
        "delivery": {"pollInterval": 0.05, "initialBackoff": 0.1, "maxBackoff": 1, "timeout": 5},
    }
    if confirmations is not None:
        for entry in doc["clients"]:
            entry["confirmations"] = dict(confirmations)
    return config_from_json(doc, "embedded configuration")


def serve_in_thread(
    config: Any, sock: socket.socket, what: str = "the server"
) -> tuple[Any, threading.Thread]:
    """Run a ``uvicorn.Config`` on a bound socket in a daemon thread; return once it listens.

    Returns the ``uvicorn.Server`` (set ``should_exit`` to stop it) and its thread.
    """
    import uvicorn

    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.01)
    return server, thread


def loopback_socket() -> socket.socket:
    """A socket bound to a free port on 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Answers go out in two writes (head, body); without TCP_NODELAY every answer would
    # wait for a delayed acknowledgement. Accepted sockets inherit the option.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def start(
    folder: Path,
    *,
    database: str | None = None,
    faults: Sequence[str] = (),
    seed: int = 0,
    dataset: Any = None,
    confirmations: Mapping[str, Any] | None = None,
) -> Embedded:
    import uvicorn

    from eduv.provider import Settings, create_app, load_dataset, make_engine, migrate
    from eduv.provider.chain.sample import chain_for
    from eduv.provider.chain.store import load_chain

    engine = make_engine(database or f"sqlite:///{folder / 'provider.db'}")
    migrate(engine)
    data = dataset if dataset is not None else default_dataset(seed)
    refusing = () if dataset is not None else without_consent(data)
    load_dataset(engine, data)
    chain = chain_for(data, seed)
    load_chain(engine, chain)
    secret, token = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    sock = loopback_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config_ = provider_config(secret, token, refusing, confirmations)
    settings = Settings(config_, url, tuple(faults), True, False)
    app = create_app(engine, settings)
    # The suite refuses some confirmations on purpose (to see them sent again) and
    # reports what came; the sender's warnings about them would only be noise here.
    logging.getLogger("eduv.provider.confirmations").setLevel(logging.ERROR)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server, thread = serve_in_thread(config, sock, "the embedded reference provider")
    return Embedded(url, data, secret, token, server, thread, engine, refusing, chain)


@contextmanager
def running(
    *,
    database: str | None = None,
    faults: Sequence[str] = (),
    seed: int = 0,
    confirmations: Mapping[str, Any] | None = None,
) -> Iterator[Embedded]:
    with tempfile.TemporaryDirectory(prefix="eduv-conformance-") as folder:
        embedded = start(
            Path(folder),
            database=database,
            faults=faults,
            seed=seed,
            confirmations=confirmations,
        )
        try:
            yield embedded
        finally:
            embedded.stop()
