"""``eduv validate`` over the national corpus, as a whole command, run by hand.

    python -m benchmarks.bench_national                    # 2,500,000 pupils
    python -m benchmarks.bench_national --pupils 250000    # a tenth, extrapolated
    python -m benchmarks.bench_national --jobs 2 --seed 7

The corpus (``eduv.testing.national``: one dataset file per school) is generated into
the system's temporary folder on demand, in a folder named after the proportions file,
the generator's code, the seed and the size, and reused while those are unchanged; it
is never committed.

The command runs with schemas and every rule, and ``--timings``: the validator adds up
per stage the processor seconds its jobs spend (reading and parsing, schemas, rules,
the cross-school pass), so the shares come from the same run as the wall time, not from
variants run side by side, and other work on the machine does not shift them. Peak
memory is the largest sum, over the samples taken every 0.1 s, of the resident memory
of the command and all its worker processes: pages the workers share with their parent
after fork count twice, so the figure errs on the high side.

Goals from the issue for 2,500,000 pupils on a machine of two cores: at most three
minutes and at most 2 GB. A smaller corpus is extrapolated linearly in pupils (the
work per school does not depend on the number of schools).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from eduv.testing import national
from eduv.testing.national import PROPORTIONS, Proportions, write_national

FULL_SIZE = 2_500_000
GOAL_SECONDS = 180
GOAL_BYTES = 2 * 1024**3
_PAGE = os.sysconf("SC_PAGE_SIZE")


def corpus_folder(pupils: int, seed: int) -> Path:
    # Named after the proportions and the generator's code: a change to either makes
    # another corpus.
    recipe = PROPORTIONS.read_bytes() + Path(national.__file__).read_bytes()
    digest = hashlib.sha256(recipe).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / "eduv-bench" / f"national-{digest}-{seed}-{pupils}"


def ensure_corpus(pupils: int, seed: int) -> tuple[Path, float | None]:
    """The corpus folder, generated first when missing; and how long that took."""
    folder = corpus_folder(pupils, seed)
    if folder.is_dir():
        return folder, None
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    started = time.perf_counter()
    write_national(partial, pupils, seed)
    partial.rename(folder)  # only a complete corpus gets the final name
    return folder, time.perf_counter() - started


def _tree(root: int) -> list[int]:
    """The process and all its descendants, from /proc."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except OSError:
            continue  # the process ended between two reads
    return found


def _resident(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    cpu: float  # seconds of processor time, the command and its workers together
    peak: int  # bytes resident, the command and its workers together
    parent: int  # bytes resident at most in the command's own process
    worker: int  # bytes resident at most in any one worker
    stderr: str


def run_measured(command: list[str], out: Path) -> Measured:
    """Run ``command`` with its standard output into ``out``, measuring it as a whole."""
    peak = parent = worker = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with out.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, parent, worker
            while not done.wait(0.1):
                sizes = [_resident(pid) for pid in _tree(process.pid)]
                peak = max(peak, sum(sizes))
                parent = max(parent, sizes[0])
                worker = max([worker, *sizes[1:]])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, errors = process.communicate()
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Measured(wall, cpu, peak, parent, worker, errors.decode(errors="replace"))


def _timings(stderr: str) -> dict[str, float]:
    line = next((x for x in stderr.splitlines() if x.startswith("timings: ")), "")
    return {name: float(value) for name, value in re.findall(r"([a-z-]+) ([0-9.]+) s", line)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_national")
    parser.add_argument("--pupils", type=int, default=FULL_SIZE)
    parser.add_argument("--seed", type=int, default=Proportions.load().seed)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if args.pupils < 1 or args.jobs < 1:
        parser.error("--pupils and --jobs must be at least 1")
    folder, generated = ensure_corpus(args.pupils, args.seed)
    files = sum(1 for _ in folder.glob("*.json"))
    size = sum(p.stat().st_size for p in folder.glob("*.json"))
    print(f"corpus: {folder.name}: {files} school files, {size / 1e9:.2f} GB")
    if generated is not None:
        print(f"  generated in {generated:.0f} s")
    command = [sys.executable, "-m", "eduv.cli", "validate", str(folder)]
    command += ["--jobs", str(args.jobs), "--timings", "--format", "json"]
    with tempfile.TemporaryDirectory(prefix="eduv-national-") as scratch:
        report_path = Path(scratch) / "report.json"
        run = run_measured(command, report_path)
        report = orjson.loads(report_path.read_bytes())
    wall, peak = run.wall, run.peak
    summary = report["summary"]
    crossing = sum(
        1
        for item in report["items"]
        for f in item["findings"]
        if str(f.get("rule", "")).startswith("EDUV-XSCHOOL")
    )
    print(f"eduv validate FOLDER --jobs {args.jobs} (schemas and all rules)")
    print(f"  messages {summary['messages']:,}, findings {summary['findings']}")
    print(f"  cross-school warnings listed: {crossing}")
    print(f"  wall {wall:.1f} s, processor {run.cpu:.1f} s (all processes)")
    print(
        f"  peak memory: all processes {peak / 1024**2:.0f} MiB, the command's own "
        f"{run.parent / 1024**2:.0f} MiB, the largest worker {run.worker / 1024**2:.0f} MiB"
    )
    spent = _timings(run.stderr)
    total = sum(spent.values()) or 1.0
    shares = ", ".join(f"{k} {100 * v / total:.0f} %" for k, v in spent.items())
    print(f"  share of work: {shares}")
    scale = FULL_SIZE / args.pupils
    # On a machine that others share, wall time depends on them; processor time over
    # the jobs is what the same run would take with the cores to itself.
    alone = run.cpu / args.jobs
    label = "measured" if scale == 1 else "extrapolated, linear in pupils"
    print(f"{FULL_SIZE:,} pupils ({label}; goal {GOAL_SECONDS} s):")
    print(f"  wall: {wall * scale:.0f} s, {wall * scale / GOAL_SECONDS:.2f} of the goal")
    print(
        f"  processor time / jobs: {alone * scale:.0f} s, "
        f"{alone * scale / GOAL_SECONDS:.2f} of the goal"
    )
    # A worker holds one school at a time and the largest school is capped by the
    # proportions; the command's own process grows only by a summary line per file.
    print(f"  peak memory: {peak / GOAL_BYTES:.0%} of the 2 GB goal")
    return 0 if "timings: " in run.stderr else 1


if __name__ == "__main__":
    raise SystemExit(main())
