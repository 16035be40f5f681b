"""A soak run of the reference provider: many readers and one writer for minutes on end.

For each database (SQLite, and PostgreSQL when a URL is given) a dataset is loaded, the
provider is started as its own process (``eduv serve`` with the provisioning API), and
then for ``--minutes``:

* 50 readers (``--readers``) call the everyday operations in turn over keep-alive
  connections: the groups, enrolments, students and employees of a school, one group
  and one school period by id, the organisation, and the notifications;
* one writer sends provisioning changes without pause: each renames a group (and so
  writes a notification), as a school's administration does all day.

Every answer must be 200. The figures, per database side by side: requests, throughput,
p50 and p99 latency and errors, for readers and the writer. The goal is 0 errors.

    python -m benchmarks.bench_soak --minutes 5
    python -m benchmarks.bench_soak --minutes 1 --postgres postgresql://user@127.0.0.1/eduv_soak

PostgreSQL runs in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

from benchmarks import bench_provider
from eduv.dataset.model import Dataset
from eduv.provider import load_dataset, make_engine, migrate
from eduv.provider.db import scratch_schema
from eduv.testing.build import build_dataset
from eduv.testing.chooser import RandomChooser

SECRET = "soak-benchmark-secret"
PROVISIONING_TOKEN = "soak-benchmark-provisioning-token"
ERRORS_SHOWN = 5


@dataclass
class Side:
    """What one kind of caller (readers or the writer) saw."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    examples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.examples) < ERRORS_SHOWN:
            self.examples.append(what)

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


@dataclass
class Result:
    backend: str
    seconds: float
    reads: Side
    writes: Side


def provider(url: str) -> Any:
    """The provider process of bench_provider, with the provisioning API for the writer."""
    return bench_provider.provider(
        url,
        ["--provisioning"],
        {"EDUV_DEV_SECRET": SECRET, "EDUV_PROVISIONING_TOKEN": PROVISIONING_TOKEN},
    )


def read_paths(dataset: Dataset) -> list[str]:
    """The readers' round: the everyday operations, over every school."""
    paths: list[str] = []
    for school in dataset.schools:
        q = "?" + urlencode({"orgMasterId": school.key})
        paths += [
            f"/association-api/v1/groups/school{q}",
            f"/association-api/v1/enrollments/school{q}",
            f"/association-api/v1/schoolperiods/school{q}",
            f"/students-api/v1/students/school{q}",
            f"/employees-api/v1/employees/school{q}",
            f"/education-api/v1/organisations{q}",
            f"/education-api/v1/studyofferings/school{q}",
        ]
        if school.groups:
            paths.append(f"/association-api/v1/groups/school/{school.groups[0]['groupId']}{q}")
        if school.schoolPeriods:
            period = school.schoolPeriods[0]["schoolPeriodId"]
            paths.append(f"/association-api/v1/schoolperiods/school/{period}{q}")
    paths.append("/notifications-api/v0/notifications")
    return paths


async def _reader(host: str, port: int, requests: Iterator[bytes], stop: float, side: Side) -> None:
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.monotonic() < stop:
        request = next(requests)
        started = time.perf_counter()
        try:
            if connection is None:
                connection = await asyncio.open_connection(host, port, limit=1 << 25)
            status, body = await bench_provider.exchange(*connection, request)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            side.error(f"{type(exc).__name__}: {exc}")
            if connection is not None:
                connection[1].close()
            connection = None
            continue
        side.latencies.append(time.perf_counter() - started)
        if status != 200:
            side.error(f"{status} {request.split(b' ')[1].decode()[:80]}: {body[:160]!r}")
    if connection is not None:
        connection[1].close()


def _renames(dataset: Dataset) -> Iterator[bytes]:
    """Provisioning bodies that rename groups, in turn, back and forth."""
    groups = [(s.key, g) for s in dataset.schools for g in s.groups]
    for turn in itertools.count():
        school, group = groups[turn % len(groups)]
        renamed = {**group, "groupName": f"{group['groupName']} ({turn % 2})"}
        change = {"op": "update", "collection": "groups", "school": school, "object": renamed}
        yield orjson.dumps({"changes": [change]})


async def _writer(base: str, dataset: Dataset, stop: float, side: Side) -> None:
    headers = {"Authorization": f"Bearer {PROVISIONING_TOKEN}", "Content-Type": "application/json"}
    bodies = _renames(dataset)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                answer = await http.post("/provisioning/changes", content=next(bodies))
            except httpx.HTTPError as exc:
                side.error(f"{type(exc).__name__}: {exc}")
                continue
            side.latencies.append(time.perf_counter() - started)
            if answer.status_code != 200:
                side.error(f"{answer.status_code}: {answer.text[:160]}")


async def soak(base: str, dataset: Dataset, seconds: float, readers: int) -> tuple[Side, Side]:
    token = httpx.post(
        base + "/oauth2/token", data={"grant_type": "client_credentials"}, auth=("dev", SECRET)
    ).json()["access_token"]
    host, port = base.removeprefix("http://").split(":")
    requests = [
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        for path in read_paths(dataset)
    ]
    reads, writes = Side(), Side()
    stop = time.monotonic() + seconds
    tasks = [
        _reader(host, int(port), itertools.cycle(requests[i:] + requests[:i]), stop, reads)
        for i in range(readers)
    ]
    await asyncio.gather(*tasks, _writer(base, dataset, stop, writes))
    return reads, writes


def measure(backend: str, url: str, dataset: Dataset, args: argparse.Namespace) -> Result:
    engine = make_engine(url)
    migrate(engine)
    load_dataset(engine, dataset, notify=False)
    engine.dispose()
    seconds = args.minutes * 60
    print(f"{backend}: soaking for {seconds:.0f} s ...", file=sys.stderr)
    with provider(url) as base:
        began = time.monotonic()
        reads, writes = asyncio.run(soak(base, dataset, seconds, args.readers))
        wall = time.monotonic() - began
    return Result(backend, wall, reads, writes)


def table(results: list[Result]) -> str:
    rows: list[tuple[str, ...]] = [("", *(r.backend for r in results))]

    def add(label: str, value: Any) -> None:
        rows.append((label, *(value(r) for r in results)))

    add("seconds", lambda r: f"{r.seconds:.0f}")
    for name in ("reads", "writes"):
        add(f"{name}", lambda r, n=name: f"{len(getattr(r, n).latencies)}")
        add(f"{name}/s", lambda r, n=name: f"{len(getattr(r, n).latencies) / r.seconds:.1f}")
        add(f"{name} p50 ms", lambda r, n=name: f"{getattr(r, n).percentile(0.5):.1f}")
        add(f"{name} p99 ms", lambda r, n=name: f"{getattr(r, n).percentile(0.99):.1f}")
        add(f"{name} errors", lambda r, n=name: f"{getattr(r, n).errors}")
    width = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(width[0])]
        cells += [cell.rjust(width[i]) for i, cell in enumerate(row) if i > 0]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5.0, help="per database (0.5 = 30 s)")
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--schools", type=int, default=4, help="half PO, half VO")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default=os.environ.get("EDUV_TEST_POSTGRES_URL"))
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()

    sectors = ["PO" if i % 2 == 0 else "VO" for i in range(args.schools)]
    dataset = build_dataset(RandomChooser(args.seed), sectors)
    results: list[Result] = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'soak.db'}"
            results.append(measure("sqlite", url, dataset, args))
    if args.postgres:
        with scratch_schema(args.postgres, "soak") as url:
            results.append(measure("postgresql", url, dataset, args))
    else:
        print("PostgreSQL skipped: pass --postgres URL or EDUV_TEST_POSTGRES_URL", file=sys.stderr)
    counts = dataset.count()
    print(
        f"soak: {args.readers} readers and 1 writer, {args.minutes:g} min per database; "
        f"{counts['organisations']} schools, {counts['students']} students, "
        f"{counts['groups']} groups"
    )
    print(table(results))
    for r in results:
        for name, side in (("reads", r.reads), ("writes", r.writes)):
            for example in side.examples:
                print(f"{r.backend} {name} error: {example}")
    if any(r.reads.errors or r.writes.errors for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
