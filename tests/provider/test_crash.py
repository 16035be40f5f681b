"""Crash safety: a provider killed mid-load or with an undelivered outbox loses nothing.

The provider and the loader run as separate processes here and are killed with SIGKILL,
as a power cut or an out-of-memory kill would stop them.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import Engine, func, select, text

from eduv.dataset.model import Dataset
from eduv.provider import schema
from eduv.provider.store import load_dataset
from eduv.testing.bulk import write_bulk_dataset
from tests.provider.harness import (
    PROVISIONING_TOKEN,
    SECRET,
    Receiver,
    free_port_socket,
)

BOUND = 60.0  # an upper bound for things that take a second or two, not a timing


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _cli(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "eduv.provider.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"gave up waiting: {what}")


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(
                conn.execute(
                    select(func.count()).select_from(schema.metadata.tables[name])
                ).scalar_one()
            )
            for name in ("schools", "groups", "enrollments", "persons", "outbox")
        }


def _writing(engine: Engine, backend: str, before: int) -> Callable[[], bool]:
    """Whether another process is in the middle of writing the load."""
    if backend == "sqlite":
        wal = Path(str(engine.url.database) + "-wal")
        return lambda: wal.exists() and wal.stat().st_size > before + 1_000_000
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ILIKE 'INSERT%'"
    )

    def busy() -> bool:
        with engine.connect() as conn:
            return bool(conn.execute(query).scalar())

    return busy


@pytest.fixture(scope="module")
def big_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    write_bulk_dataset(folder, 4000, seed=11)
    return folder


def test_killed_load_keeps_the_previous_data(
    engine: Engine, backend: str, dataset: Dataset, big_dataset: Path
) -> None:
    load_dataset(engine, dataset)
    before = _counts(engine)
    wal = Path(str(engine.url.database) + "-wal") if backend == "sqlite" else None
    size = wal.stat().st_size if wal and wal.exists() else 0
    loader = _cli("load", str(big_dataset), "--database", _url(engine))
    try:
        _wait(_writing(engine, backend, size), "the loader starts writing")
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait()
    assert loader.returncode == -signal.SIGKILL
    assert _counts(engine) == before
    # The database is still usable: the same load now completes.
    done = _cli("load", str(big_dataset), "--database", _url(engine), "--no-notify")
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""
    assert _counts(engine)["schools"] > before["schools"]


# -- the outbox survives a kill ------------------------------------------------------------


def _config_file(folder: Path, callback: str) -> Path:
    doc = {
        "configVersion": 1,
        "clients": [
            {
                "clientId": "subscriber",
                "secret": SECRET,
                "scopes": ["eduv.association"],
                "consents": [{"school": "*"}],
                "notifications": {"callbackUrl": callback},
            }
        ],
        "provisioning": {"token": PROVISIONING_TOKEN},
        "delivery": {"pollInterval": 0.05, "initialBackoff": 0.1, "maxBackoff": 0.3, "timeout": 5},
    }
    path = folder / "provider.json"
    path.write_bytes(orjson.dumps(doc))
    return path


def _start_provider(engine: Engine, config: Path) -> tuple[subprocess.Popen[bytes], str]:
    sock = free_port_socket()
    port = sock.getsockname()[1]
    sock.close()
    process = _cli(
        "serve",
        "--database",
        _url(engine),
        "--config",
        str(config),
        "--port",
        str(port),
        "--provisioning",
        "--log-level",
        "warning",
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
        try:
            return httpx.get(url + "/", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    _wait(ready, "the provider answers")
    return process, url


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()


def test_undelivered_notifications_survive_a_kill(
    engine: Engine, dataset: Dataset, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    load_dataset(engine, dataset)
    closed = free_port_socket()
    callback_port = closed.getsockname()[1]
    closed.close()  # nobody listens yet: every delivery fails
    config = _config_file(tmp_path, f"http://127.0.0.1:{callback_port}")
    provider, url = _start_provider(engine, config)
    processes.append(provider)
    token = httpx.post(
        url + "/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=("subscriber", SECRET),
    ).json()["access_token"]
    subscribed = httpx.post(
        url + "/notifications-api/v0/subscribe/association-api",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert subscribed.status_code == 200
    changes = _changes(dataset)
    answer = httpx.post(
        url + "/provisioning/changes",
        json={"changes": changes},
        headers={"Authorization": f"Bearer {PROVISIONING_TOKEN}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    _wait(lambda: _failed_attempts(url) > 0, "a delivery attempt fails")
    provider.send_signal(signal.SIGKILL)
    provider.wait()

    receiver = Receiver()
    receiver.start(callback_port)
    try:
        restarted, _ = _start_provider(engine, config)
        processes.append(restarted)
        got = receiver.wait_for(lambda found: len(found) >= len(changes), seconds=BOUND)
    finally:
        receiver.stop()
    assert len({n["id"] for n in got}) == len(changes)
    for batch in receiver.batches:
        assert [n["created"] for n in batch] == sorted(n["created"] for n in batch)
    first_seen = [n for i, n in enumerate(got) if n["id"] not in {m["id"] for m in got[:i]}]
    assert [n["isDeleteNotification"] for n in first_seen] == [False, False, True]


def _failed_attempts(url: str) -> int:
    state = httpx.get(
        url + "/provisioning/deliveries", headers={"Authorization": f"Bearer {PROVISIONING_TOKEN}"}
    ).json()
    return sum(c["attempts"] for c in state["cursors"])


def _changes(dataset: Dataset) -> list[dict[str, Any]]:
    school = dataset.schools[1]
    group = {**school.groups[0], "groupId": "7d0e7e57-0000-4000-8000-0000000000cc"}
    return [
        {"op": "add", "collection": "groups", "school": school.key, "object": group},
        {
            "op": "update",
            "collection": "groups",
            "school": school.key,
            "object": {**group, "groupName": "z"},
        },
        {"op": "delete", "collection": "groups", "school": school.key, "id": group["groupId"]},
    ]
