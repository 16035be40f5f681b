"""How long a default conformance run takes, and where the time goes.

Starts the reference provider on a free loopback port (SQLite in a temporary folder,
or the PostgreSQL database given) with the suite's callback listener, as
``eduv conformance run`` without a target does, runs the default suite (preflight,
observe, scenario with the default budget, consumer with the chain's writing side) and
prints the wall-clock time, the requests sent, requests per
second, and the share of time spent in the suite versus waiting on the server. The dataset
replaces what the given database holds: use a database of its own. The
provider runs in the same process, so "waiting" includes the provider's own work.

    python benchmarks/bench_conformance.py
    python benchmarks/bench_conformance.py --postgres postgresql://user@127.0.0.1/eduv
"""

from __future__ import annotations

import argparse
import time

from eduv.conformance.config import RunConfig
from eduv.conformance.embedded import embedded
from eduv.conformance.runner import run_suite

LIMIT_SECONDS = 120.0  # the default run must stay within two minutes


def measure(database: str | None, cfg: RunConfig) -> dict[str, float]:
    with embedded(cfg, database=database) as (ready, listener):
        started = time.perf_counter()
        run = run_suite(ready, listener=listener)
        seconds = time.perf_counter() - started
    waiting = run.info.waiting_seconds
    return {
        "seconds": seconds,
        "requests": float(run.info.requests),
        "requests_per_second": run.info.requests / seconds,
        "suite_share": max(0.0, seconds - waiting) / seconds,
        "waiting_share": waiting / seconds,
        "passed": float(run.passed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="also run against this PostgreSQL database")
    parser.add_argument("--examples", type=int, default=RunConfig().examples)
    args = parser.parse_args()
    cfg = RunConfig(examples=args.examples)
    targets: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres:
        targets.append(("postgres", args.postgres))
    print(f"{'database':<10}{'seconds':>9}{'requests':>10}{'req/s':>8}{'suite':>8}{'waiting':>9}")
    for name, url in targets:
        f = measure(url, cfg)
        print(
            f"{name:<10}{f['seconds']:>9.1f}{f['requests']:>10.0f}{f['requests_per_second']:>8.1f}"
            f"{f['suite_share']:>8.0%}{f['waiting_share']:>9.0%}"
            + ("" if f["passed"] else "   (the run did not pass)")
        )
        if f["seconds"] > LIMIT_SECONDS:
            print(f"  over the limit of {LIMIT_SECONDS:.0f} s for a default run")


if __name__ == "__main__":
    main()
