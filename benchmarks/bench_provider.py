"""Requests per second and latency of the reference provider, SQLite beside PostgreSQL.

The workload is the one integrators hit hardest: the groups of one school with 1,000
students (``GET /association-api/v1/groups/school``). For each database the dataset is
loaded, the provider is started as its own process (``eduv serve``), warmed up, and then
called by concurrent clients over loopback HTTP (keep-alive connections and a minimal
client, so that the figures measure the server rather than the client).

    python benchmarks/bench_provider.py                          # SQLite only
    python benchmarks/bench_provider.py --postgres postgresql://user@127.0.0.1/eduv
    EDUV_TEST_POSTGRES_URL=postgresql://... python benchmarks/bench_provider.py

PostgreSQL runs in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from eduv.dataset.model import Dataset
from eduv.provider import load_dataset, make_engine, migrate
from eduv.provider.db import scratch_schema
from eduv.testing.build import build_dataset
from eduv.testing.chooser import RandomChooser
from eduv.testing.schools import REALISTIC_VO, Scale

SECRET = "benchmark-secret"
PATH = "/association-api/v1/groups/school"


@dataclass(frozen=True)
class Result:
    backend: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    groups: int
    bytes_per_answer: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def school_dataset(students: int, seed: int) -> Dataset:
    """One VO school of exactly ``students`` pupils, with realistic classes and subjects."""
    scale = Scale(
        students=(students, students),
        class_size=REALISTIC_VO.class_size,
        vo_levels=REALISTIC_VO.vo_levels,
        vo_years=REALISTIC_VO.vo_years,
        subjects=REALISTIC_VO.subjects,
        coach_percent=REALISTIC_VO.coach_percent,
    )
    return build_dataset(RandomChooser(seed), ["VO"], scale=scale)


@contextmanager
def sqlite_url(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'bench.db'}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def provider(
    url: str, extra: Sequence[str] = (), env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """A provider process on a free port with the development client, until the block ends."""
    port = free_port()
    env = {**os.environ, "EDUV_DEV_SECRET": SECRET, **(env or {})}
    command = [
        sys.executable, "-m", "eduv.provider.cli", "serve", "--dev", "--no-deliver", "--no-docs",
        "--database", url, "--port", str(port), "--log-level", "warning", *extra,
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the provider did not start")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """One keep-alive HTTP/1.1 exchange; a light client, so that the figures are the server's."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        (int(x.split(":", 1)[1]) for x in lines if x.lower().startswith("content-length:")), 0
    )
    return status, await reader.readexactly(length)


async def hammer(
    base: str, school: str, requests: int, concurrency: int
) -> tuple[float, list[float], int, int]:
    token = httpx.post(
        base + "/oauth2/token", data={"grant_type": "client_credentials"}, auth=("dev", SECRET)
    ).json()["access_token"]
    host, port = base.removeprefix("http://").split(":")
    request = (
        f"GET {PATH}?orgMasterId={school} HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    first: list[bytes] = []
    todo = iter(range(requests))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, int(port), limit=1 << 24)
        try:
            for _ in todo:
                started = time.perf_counter()
                status, body = await exchange(reader, writer, request)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    raise RuntimeError(f"{status}: {body[:200]!r}")
                if not first:
                    first.append(body)
                elif len(body) != len(first[0]):
                    raise RuntimeError("answers differ in size")
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - began
    return wall, latencies, len(orjson.loads(first[0])), len(first[0])


def measure(backend: str, url: str, dataset: Dataset, args: argparse.Namespace) -> Result:
    engine = make_engine(url)
    migrate(engine)
    load_dataset(engine, dataset, notify=False)
    engine.dispose()
    school = dataset.schools[0].key
    with provider(url) as base:
        asyncio.run(hammer(base, school, args.warmup, args.concurrency))
        wall, latencies, groups, size = asyncio.run(
            hammer(base, school, args.requests, args.concurrency)
        )
    ordered = sorted(latencies)
    return Result(
        backend=backend,
        requests=len(latencies),
        seconds=wall,
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        groups=groups,
        bytes_per_answer=size,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default=os.environ.get("EDUV_TEST_POSTGRES_URL"))
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()

    dataset = school_dataset(args.students, args.seed)
    results = []
    with tempfile.TemporaryDirectory() as folder, sqlite_url(Path(folder)) as url:
        results.append(measure("sqlite", url, dataset, args))
    if args.postgres:
        with scratch_schema(args.postgres, "bench") as url:
            results.append(measure("postgresql", url, dataset, args))
    else:
        print(
            "PostgreSQL skipped: pass --postgres URL or set EDUV_TEST_POSTGRES_URL", file=sys.stderr
        )

    counts = dataset.count()
    print(
        f"groups of one school: {counts['students']} students, {counts['groups']} groups; "
        f"{args.requests} requests, {args.concurrency} concurrent clients"
    )
    print(f"{'backend':<12}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'groups':>8}{'KiB':>8}")
    for r in results:
        kib = r.bytes_per_answer // 1024
        print(
            f"{r.backend:<12}{r.rps:>10.1f}{r.p50_ms:>10.1f}{r.p99_ms:>10.1f}{r.groups:>8}{kib:>8}"
        )
    if args.json:
        print(orjson.dumps([{**r.__dict__, "rps": r.rps} for r in results]).decode())


if __name__ == "__main__":
    main()
