"""How the rule engine scales: datasets of 10k and 100k pupils, checked as a whole.

The datasets come from the seeded bulk generator (eduv.testing.bulk) in Dutch
proportions: PO schools of about 225 pupils, VO schools of about 1500 with classes,
lesson groups per subject, subject enrolments in the upper years and the teachers'
assignments. The engine is linear, so ten times the pupils should take about ten times
as long; the script prints the ratio and exits with 1 when it strays too far.

The ratio is taken over processor time, not wall time: on a shared machine other
processes stretch wall time by varying amounts, which says nothing about the engine.
Both are printed.

    python benchmarks/bench_rules.py                  # 10k against 100k
    python benchmarks/bench_rules.py --small 1000 --large 10000
"""

from __future__ import annotations

import argparse
import gc
import time

from eduv.dataset import Dataset
from eduv.rules import check_dataset
from eduv.testing.bulk import bulk_dataset


def _timed(dataset: Dataset, repeat: int) -> tuple[float, float, int]:
    """Best processor and wall time of ``repeat`` full checks (all rules, whole year)."""
    assert dataset.as_of is not None
    year = int(dataset.as_of[:4])
    span = (f"{year}-08-01", f"{year + 1}-08-01")
    best_cpu, best_wall, found = float("inf"), float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        found = len(check_dataset(dataset, date_range=span))
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall, found


def _describe(pupils: int, dataset: Dataset, cpu: float, wall: float, found: int) -> str:
    counts = dataset.count()
    objects = sum(counts.values())
    parts = ", ".join(f"{k} {v}" for k, v in counts.items())
    return (
        f"{pupils:>7} pupils: {objects:>8} objects ({parts})\n"
        f"{'':>16}{cpu:8.2f} s processor ({objects / cpu:,.0f} objects/s), "
        f"{wall:.2f} s wall, {found} violations"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    parser.add_argument("--tolerance", type=float, default=0.35, help="allowed relative drift")
    args = parser.parse_args()
    times = []
    for pupils in (args.small, args.large):
        dataset = bulk_dataset(pupils, seed=args.seed)
        cpu, wall, found = _timed(dataset, args.repeat)
        print(_describe(pupils, dataset, cpu, wall, found), flush=True)
        times.append(cpu)
        del dataset
    expected = args.large / args.small
    ratio = times[1] / times[0]
    print(
        f"processor time ratio {ratio:.2f} for {expected:.0f}x the pupils (linear: {expected:.0f})"
    )
    if abs(ratio / expected - 1) > args.tolerance:
        print(f"not linear: the ratio strays more than {args.tolerance:.0%} from {expected:.0f}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
