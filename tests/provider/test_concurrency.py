"""50 clients read while the provisioning API rewrites the school they read.

The writer switches one school between two complete states, A and B, again and again.
Every read must succeed and return exactly A's or exactly B's groups: never an error,
never a mixture (a partial read).
"""

from __future__ import annotations

import copy
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import Engine

from eduv.dataset.model import Dataset
from tests.provider.harness import Provider, client, config, running

READERS = 50
READS_EACH = 8
SWITCHES = 4


def _state(dataset: Dataset, index: int, suffix: str) -> dict[str, Any]:
    """A dataset document with only school ``index``, its groups renamed with ``suffix``."""
    doc = dataset.to_json()
    school = copy.deepcopy(doc["schools"][index])
    for group in school["groups"]:
        group["groupName"] = f"{group['groupName']}{suffix}"
    if suffix == "-B":
        school["groups"].pop()
    key = dataset.schools[index].key
    return {**doc, "schools": [school], "facts": {"schools": {key: doc["facts"]["schools"][key]}}}


def _fingerprint(groups: list[dict[str, Any]]) -> frozenset[tuple[str, str]]:
    return frozenset((g["groupId"], g["groupName"]) for g in groups)


def test_parallel_reads_during_writes(engine: Engine, dataset: Dataset) -> None:
    index = max(range(len(dataset.schools)), key=lambda i: len(dataset.schools[i].groups))
    key = dataset.schools[index].key
    states = {name: _state(dataset, index, f"-{name}") for name in "AB"}
    expected = {name: _fingerprint(doc["schools"][0]["groups"]) for name, doc in states.items()}
    with running(engine, config([client("full")]), dataset=dataset, deliver=False) as provider:
        _put(provider, key, states["A"])
        token = provider.token()
        stop = threading.Event()
        seen: list[str] = []
        problems: list[str] = []
        lock = threading.Lock()

        def reader() -> None:
            with httpx.Client(
                base_url=provider.url, timeout=120, headers={"Authorization": f"Bearer {token}"}
            ) as http:
                for _ in range(READS_EACH):
                    answer = http.get(
                        "/association-api/v1/groups/school", params={"orgMasterId": key}
                    )
                    with lock:
                        if answer.status_code != 200:
                            problems.append(f"{answer.status_code}: {answer.text[:200]}")
                            continue
                        found = _fingerprint(answer.json())
                        match = [name for name, fp in expected.items() if fp == found]
                        if match:
                            seen.append(match[0])
                        else:
                            problems.append(f"a partial read of {len(found)} groups")

        def writer() -> int:
            """Switch states for as long as the readers read (at least SWITCHES times)."""
            turn = 0
            while turn < SWITCHES or not stop.is_set():
                _put(provider, key, states["B" if turn % 2 == 0 else "A"])
                turn += 1
            return turn

        with ThreadPoolExecutor(max_workers=READERS + 1) as pool:
            writing = pool.submit(writer)
            readers = [pool.submit(reader) for _ in range(READERS)]
            for future in readers:
                future.result()
            stop.set()
            switches = writing.result()
    assert not problems, problems[:5]
    assert switches >= SWITCHES
    assert len(seen) == READERS * READS_EACH


def _put(provider: Provider, key: str, doc: dict[str, Any]) -> None:
    with provider.provisioning() as http:
        answer = http.put(f"/provisioning/schools/{key}", json=doc)
    assert answer.status_code == 200, answer.text
