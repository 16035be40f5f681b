"""``eduv validate FOLDER --dask`` against ``--jobs 2`` on the same folder, side by side.

    python -m benchmarks.bench_dask                    # 100,000 pupils, 3 rounds
    python -m benchmarks.bench_dask --pupils 200000 --rounds 5 --folder /tmp/schools

The folder holds one dataset file per school, built from a seed by
:mod:`eduv.testing.bulk` (kept in ``--folder`` when given, so that a second run skips
building it). The benchmark starts a scheduler and two single-threaded worker processes
on this machine (:class:`eduv.testing.cluster.LocalCluster`), checks that both commands
give the same report, then times both whole commands in interleaved rounds, the order
switching every round. It prints:

- the throughput ratio dask/jobs, the median of the ratios of each round (goal from the
  issue: at least 0.9);
- the overhead per task: a folder of ``--tiny`` files of one message each, minus a
  folder of one such file, per file: wall-clock time of both commands, and the CPU time
  the client, the scheduler and the workers spend on it under ``--dask``;
- the cost of one school's task in one process (its files validated here, warm), the
  figure the time model of docs/scale.md starts from.
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from eduv.dataset.io import save_dataset
from eduv.testing.bulk import bulk_batches
from eduv.testing.cluster import LocalCluster

# Commands run as from an installed package, with its bytecode cached.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
_MARKER = "bench-dask.txt"  # no .json: the folder is validated whole
MESSAGE = b'{"api": "association-api", "message": "SchoolPeriod", "payload": {}}\n'


def school_folder(folder: Path, pupils: int, seed: int) -> list[Path]:
    """One dataset file per school; built again only when the pupils or seed differ."""
    marker = folder / _MARKER
    wanted = {"pupils": pupils, "seed": seed}
    if marker.is_file() and orjson.loads(marker.read_bytes()) == wanted:
        return sorted(folder.glob("school-*.json"))
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("school-*.json"):
        old.unlink()
    started = time.perf_counter()
    for index, dataset in enumerate(bulk_batches(pupils, seed, batch_schools=1)):
        save_dataset(dataset, folder / f"school-{index:05}.json")
    marker.write_bytes(orjson.dumps(wanted))
    files = sorted(folder.glob("school-*.json"))
    print(f"built {len(files)} school datasets in {time.perf_counter() - started:.1f} s")
    return files


def tiny_folder(folder: Path, count: int) -> Path:
    """``count`` files of one message each: tasks that cost almost nothing to do."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"m{index:05}.ndjson").write_bytes(MESSAGE)
    return folder


def eduv(*args: str) -> list[str]:
    code = "import sys; from eduv.cli import main; main(sys.argv[1:])"
    return [sys.executable, "-c", code, "validate", *args]


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=_ENV, stdout=subprocess.DEVNULL, check=False)
    took = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[3:])} ended with exit code {done.returncode}")
    return took


def same_report(folder: Path, address: str) -> bool:
    def report(*mode: str) -> bytes:
        done = subprocess.run(
            eduv(str(folder), "-f", "json", *mode), env=_ENV, capture_output=True, check=False
        )
        return done.stdout

    return report("--jobs", "2") == report("--dask", address)


def interleaved(modes: dict[str, list[str]], rounds: int) -> dict[str, list[float]]:
    """Seconds per round for every mode, the order of the modes turning every round."""
    names = list(modes)
    times: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        turn = names[index % len(names) :] + names[: index % len(names)]
        for name in turn:
            times[name].append(seconds(modes[name]))
    return times


def school_cost(files: list[Path], sample: int) -> tuple[float, int]:
    """Seconds of one school's task in this process, warm, and its pupils on average."""
    from eduv.validation.dispatch import Options
    from eduv.validation.parallel import Task, run_task

    chosen = files[:: max(1, len(files) // sample)][:sample]
    options = Options()
    run_task(Task("path", str(chosen[0])), options)  # compile the validators first
    started = time.perf_counter()
    for path in chosen:
        run_task(Task("path", str(path)), options)
    took = (time.perf_counter() - started) / len(chosen)
    pupils = sum(len(orjson.loads(p.read_bytes())["students"]) for p in chosen)
    return took, pupils // len(chosen)


def _cpu(pids: list[int]) -> list[float]:
    """CPU seconds used so far by each process (psutil comes with Dask's distributed)."""
    psutil = importlib.import_module("psutil")
    return [sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def overheads(
    many: Path, one: Path, cluster: LocalCluster, rounds: int, count: int
) -> dict[str, float]:
    """What one more task costs, in milliseconds, the median over rounds: wall-clock time
    of both commands, and CPU time of the client, the scheduler and the workers (``--dask``).
    Each figure is the folder of ``count`` files minus the folder of one, per file."""
    rows: dict[str, list[float]] = {
        k: [] for k in ("jobs", "dask", "client", "scheduler", "workers")
    }
    rows |= {"jobs start": [], "dask start": []}  # seconds for the folder of one file
    for _ in range(rounds):
        seen: dict[str, list[float]] = {}
        for mode, folder in (("many", many), ("one", one)):
            jobs = seconds(eduv(str(folder), "--jobs", "2"))
            client, (scheduler, *workers) = _children_cpu(), _cpu(cluster.pids)
            wall = seconds(eduv(str(folder), "--dask", cluster.address))
            after, (scheduler_after, *workers_after) = _children_cpu(), _cpu(cluster.pids)
            seen[mode] = [
                jobs,
                wall,
                after - client,
                scheduler_after - scheduler,
                sum(workers_after) - sum(workers),
            ]
        for name, big, small in zip(list(rows)[:5], seen["many"], seen["one"], strict=True):
            rows[name].append((big - small) / (count - 1) * 1000)
        rows["jobs start"].append(seen["one"][0])
        rows["dask start"].append(seen["one"][1])
    return {name: statistics.median(values) for name, values in rows.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tiny", type=int, default=400, help="files in the overhead folder")
    parser.add_argument("--folder", type=Path, default=None, help="keep the schools here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as scratch:
        place = Path(scratch)
        schools = args.folder or place / "schools"
        files = school_folder(schools, args.pupils, args.seed)
        many, one = tiny_folder(place / "tiny", args.tiny), tiny_folder(place / "one", 1)
        with LocalCluster(place / "cluster", workers=2, threads=1) as cluster:
            address = cluster.address
            print(f"{len(files)} schools, {args.pupils:,} pupils; scheduler at {address}")
            # The first run also warms the workers: imports, compiled validators.
            print("same report from --jobs 2 and --dask:", same_report(schools, address))
            big = interleaved(
                {
                    "jobs": eduv(str(schools), "--jobs", "2"),
                    "dask": eduv(str(schools), "--dask", address),
                },
                args.rounds,
            )
            small = overheads(many, one, cluster, args.rounds, args.tiny)
        cost, pupils = school_cost(files, sample=40)
    _show(big, small, args.tiny, len(files), cost, pupils)
    return 0


def _show(
    big: dict[str, list[float]],
    small: dict[str, float],
    tiny: int,
    schools: int,
    cost: float,
    pupils: int,
) -> None:
    ratios = [j / d for j, d in zip(big["jobs"], big["dask"], strict=True)]
    for name, times in big.items():
        median = statistics.median(times)
        print(
            f"  {name:5} {median:7.2f} s  ({min(times):.2f}-{max(times):.2f}), "
            f"{schools / median:6.1f} schools/s"
        )
    print(
        f"throughput dask/jobs: {statistics.median(ratios):.2f} "
        f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}; goal at least 0.9)"
    )
    print(
        f"one more task (over {tiny} one-message files): --jobs 2 {small['jobs']:.2f} ms, "
        f"--dask {small['dask']:.2f} ms wall-clock; --dask CPU: client "
        f"{small['client']:.2f} ms, scheduler {small['scheduler']:.2f} ms, "
        f"workers {small['workers']:.2f} ms"
    )
    print(
        f"a folder of one file: --jobs 2 {small['jobs start']:.2f} s, "
        f"--dask {small['dask start']:.2f} s"
    )
    print(
        f"one school's task in one process: {cost * 1000:.0f} ms "
        f"({pupils} pupils on average, {cost / max(pupils, 1) * 1e6:.0f} µs a pupil)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
