"""Running the provider for tests: real HTTP on 127.0.0.1, real databases.

A provider runs under uvicorn in a background thread of the test process, on a port
the operating system picks. PostgreSQL tests get a schema of their own per test.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import uvicorn
from fastapi import FastAPI, Request, Response
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy import Engine

from eduv.dataset.chain import ChainDataset
from eduv.dataset.model import Dataset
from eduv.provider import Settings, create_app, make_engine, migrate
from eduv.provider.chain.sample import chain_for
from eduv.provider.config import ProviderConfig, config_from_json
from eduv.provider.db import scratch_schema
from eduv.provider.embedded import serve_in_thread
from eduv.provider.store import load_dataset
from eduv.provider.versions import served_scopes
from eduv.testing.build import build_dataset
from eduv.testing.chooser import RandomChooser
from eduv.testing.scenarios import SCENARIOS

POSTGRES_ENV = "EDUV_TEST_POSTGRES_URL"
PROVISIONING_TOKEN = "provisioning-token-for-tests"
SECRET = "secret-for-tests"
ALL_SCOPES = served_scopes()
SEED = 7


def small_dataset(seed: int = SEED) -> Dataset:
    """A fixed-seed dataset: two PO and two VO schools with every flexibility case."""
    return build_dataset(RandomChooser(seed), ["PO", "VO"], cases=sorted(SCENARIOS))


def small_chain(dataset: Dataset, seed: int = SEED) -> ChainDataset:
    """A fixed-seed chain dataset for the schools of ``dataset``."""
    return chain_for(dataset, seed)


def free_port_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def bound_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@dataclass
class Served:
    """A server running in this process."""

    url: str
    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def serve_app(make: Callable[[str], FastAPI], sock: socket.socket | None = None) -> Served:
    """Start ``make(base_url)`` under uvicorn on a free (or the given) loopback socket."""
    sock = sock or free_port_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = make(url)
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server, thread = serve_in_thread(config, sock, "the test server")
    return Served(url, app, server, thread)


# -- databases ---------------------------------------------------------------------------


@contextmanager
def database(backend: str, folder: Any) -> Iterator[Engine]:
    """An empty, migrated database of the backend (``sqlite`` or ``postgres``)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder}/provider.db")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:  # pragma: no cover - the fixture skips before this
        raise RuntimeError(f"{POSTGRES_ENV} is not set")
    with scratch_schema(base, "t") as url:
        engine = make_engine(url)
        try:
            migrate(engine)
            yield engine
        finally:
            engine.dispose()


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


# -- clients and configuration -----------------------------------------------------------


@dataclass
class Keys:
    """A client's EC key pair for private_key_jwt."""

    key: ECKey = field(default_factory=lambda: ECKey.generate_key("P-256", auto_kid=True))

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def assertion(
        self,
        client_id: str,
        audience: str,
        *,
        jti: str | None = None,
        lifetime: int = 120,
        issuer: str | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer or client_id,
            "sub": client_id,
            "aud": audience,
            "iat": now,
            "exp": now + lifetime,
            "jti": jti or str(uuid.uuid4()),
        }
        return jwt.encode({"alg": "ES256", "kid": self.key.kid}, claims, self.key)


def client(
    client_id: str,
    scopes: Sequence[str] = ALL_SCOPES,
    consents: Sequence[Mapping[str, Any]] = ({"school": "*"},),
    **extra: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "clientId": client_id,
        "scopes": list(scopes),
        "consents": list(consents),
    }
    if not {"jwks", "jwksUri", "secret"} & set(extra):
        doc["secret"] = SECRET
    doc.update(extra)
    return doc


def config(clients: Sequence[Mapping[str, Any]], **extra: Any) -> ProviderConfig:
    doc: dict[str, Any] = {
        "configVersion": 1,
        "clients": list(clients),
        "provisioning": {"token": PROVISIONING_TOKEN},
        "delivery": {"pollInterval": 0.05, "initialBackoff": 0.1, "maxBackoff": 0.4, "timeout": 5},
    }
    doc.update(extra)
    return config_from_json(doc, "test configuration")


@dataclass
class Provider:
    """A running provider with helpers to call it."""

    served: Served
    engine: Engine

    @property
    def url(self) -> str:
        return self.served.url

    def token(self, client_id: str = "full", scope: str | None = None) -> str:
        form = {"grant_type": "client_credentials"}
        if scope is not None:
            form["scope"] = scope
        answer = httpx.post(
            self.url + "/oauth2/token", data=form, auth=(client_id, SECRET), timeout=30
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def http(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def provisioning(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {PROVISIONING_TOKEN}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@contextmanager
def running(
    engine: Engine,
    cfg: ProviderConfig,
    *,
    dataset: Dataset | None = None,
    faults: Sequence[str] = (),
    provisioning: bool = True,
    deliver: bool = True,
) -> Iterator[Provider]:
    if dataset is not None:
        load_dataset(engine, dataset)
    served = serve_app(
        lambda url: create_app(engine, Settings(cfg, url, tuple(faults), provisioning, deliver))
    )
    try:
        yield Provider(served, engine)
    finally:
        served.stop()


# -- a notification receiver ---------------------------------------------------------------


@dataclass
class Receiver:
    """The receiving side of the Notifications API, recording what it gets."""

    batches: list[list[dict[str, Any]]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    served: Served | None = None

    def app(self, _url: str) -> FastAPI:
        app = FastAPI()

        async def notifications(request: Request) -> Response:
            body = orjson.loads(await request.body())
            with self.lock:
                if self.fail_next > 0:
                    self.fail_next -= 1
                    return Response(status_code=503)
                self.batches.append(body)
                self.headers.append(dict(request.headers))
            answer = [{"id": n["id"], "status": 0} for n in body]
            return Response(orjson.dumps(answer), media_type="application/json")

        app.add_api_route("/notifications", notifications, methods=["POST"])
        return app

    def start(self, port: int = 0) -> str:
        sock = free_port_socket() if port == 0 else bound_socket(port)
        self.served = serve_app(self.app, sock)
        return self.served.url

    def stop(self) -> None:
        if self.served is not None:
            self.served.stop()

    def notifications(self) -> list[dict[str, Any]]:
        with self.lock:
            return [n for batch in self.batches for n in batch]

    def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], seconds: float = 20
    ) -> list[dict[str, Any]]:
        """Wait until the received notifications satisfy ``predicate`` (a bound, not a timing)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            got = self.notifications()
            if predicate(got):
                return got
            time.sleep(0.02)
        count = len(self.notifications())
        raise AssertionError(f"the receiver did not get what was expected; got {count}")
