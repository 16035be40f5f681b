"""Validation and import benchmarks, run by hand; every figure is a ratio measured side by side.

    python -m benchmarks.bench_validate              # corpus from benchmarks/corpus.json
    python -m benchmarks.bench_validate --repeat 5   # best of 5 instead of 3
    python -m benchmarks.bench_validate --memory 1024  # also peak memory on a 1 GB file

Schema validation only (rules off). Compared on the same corpus file:

* orjson parsing alone (the floor any validator pays),
* a bare loop: orjson parsing plus a compiled jsonschema-rs validator per message type,
* ``eduv validate`` in one process and with two jobs,
* python-jsonschema on a fixed sample (the first ``sampleSize`` lines), against eduv
  on the same sample;

and ``import eduv`` / loading one API version's models against ``import pydantic``.
Targets from the issue: eduv at least 0.8 of the bare loop per core, at least 100x
python-jsonschema, two jobs at least 1.7x one job; the check for names repeated in an
object (run side by side with it switched off) at most 5 % of the time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from benchmarks import corpus
from eduv import spec

Timer = Callable[[], object]

# Commands run as from an installed package, which has its bytecode cached: with
# PYTHONDONTWRITEBYTECODE set, every eduv module would be compiled from source on each
# start while pydantic and the standard library load from their caches.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def best(repeat: int, run: Timer) -> float:
    """The fastest of ``repeat`` runs in wall-clock seconds (the least disturbed one)."""
    return measure(repeat, run)[0]


def measure(repeat: int, run: Timer) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds (this process and its children) of ``repeat`` runs.

    Per-core comparisons use CPU time: on a shared machine it is far less disturbed by
    other processes than wall-clock time, which only the multi-job speed-up needs.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu, wall = time.process_time(), time.perf_counter()
        run()
        walls.append(time.perf_counter() - wall)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        cpus.append(time.process_time() - cpu + spent)
    return min(walls), min(cpus)


def parse_only(path: Path) -> int:
    loads = orjson.loads
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            loads(line)
            count += 1
    return count


def bare_loop(path: Path) -> int:
    """What a hand-written validator would do: parse, pick the validator, check."""
    loads = orjson.loads
    validators: dict[tuple[str, str, str], Any] = {}
    valid = 0
    with path.open("rb") as handle:
        for line in handle:
            doc = loads(line)
            key = (doc["api"], doc["version"], doc["message"])
            validator = validators.get(key)
            if validator is None:
                validator = validators[key] = spec.validator(*key)
            valid += validator.is_valid(doc["payload"])
    return valid


def bare_range(path: Path, start: int, end: int) -> None:
    """The bare loop over the lines that start in [start, end)."""
    validators: dict[tuple[str, str, str], Any] = {}
    with path.open("rb") as handle:
        handle.seek(start)
        if start:
            handle.readline()  # that line belongs to the range before
        position = handle.tell()
        for line in handle:
            if position >= end:
                break
            position += len(line)
            doc = orjson.loads(line)
            key = (doc["api"], doc["version"], doc["message"])
            validator = validators.get(key) or validators.setdefault(key, spec.validator(*key))
            validator.is_valid(doc["payload"])


def bare_two_processes(path: Path) -> None:
    """The machine's own limit: the bare loop on two halves in two processes."""
    import multiprocessing

    size = path.stat().st_size
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=bare_range, args=(path, 0, size // 2)),
        context.Process(target=bare_range, args=(path, size // 2, size)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def eduv_run(path: Path, jobs: int, duplicate_keys: bool = True) -> Any:
    from eduv.validation.parallel import Options, run

    options = Options(rules=False, max_items=100, duplicate_keys=duplicate_keys)
    return run([str(path)], options, jobs=jobs)


def _python_jsonschema() -> Callable[[str, str, str, Any], bool]:
    import referencing
    from jsonschema import Draft202012Validator
    from referencing.jsonschema import DRAFT202012

    cache: dict[tuple[str, str, str], Any] = {}

    def validator(api: str, version: str, message: str) -> Any:
        key = (api, version, message)
        if key not in cache:
            docs = [spec.schema(api, version, m) for m in spec.messages(api, version)]
            registry: Any = referencing.Registry().with_resources(
                (d["$id"], DRAFT202012.create_resource(dict(d))) for d in docs
            )
            cache[key] = Draft202012Validator(
                dict(spec.schema(api, version, message)),
                registry=registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        return cache[key]

    def is_valid(api: str, version: str, message: str, payload: Any) -> bool:
        return bool(validator(api, version, message).is_valid(payload))

    return is_valid


def python_jsonschema_loop(path: Path, is_valid: Callable[..., bool] | None = None) -> int:
    """python-jsonschema over a file; without ``is_valid`` its validators are built on the way."""
    is_valid = is_valid or _python_jsonschema()
    valid = 0
    with path.open("rb") as handle:
        for line in handle:
            doc = orjson.loads(line)
            valid += is_valid(doc["api"], doc["version"], doc["message"], doc["payload"])
    return valid


def sample(path: Path, size: int) -> Path:
    target = path.with_name(path.stem + f"-sample-{size}.ndjson")
    if not target.is_file():
        with path.open("rb") as source, target.open("wb") as out:
            for index, line in enumerate(source):
                if index >= size:
                    break
                out.write(line)
    return target


def import_seconds(code: str, repeat: int) -> float:
    """Wall time of a fresh interpreter running ``code``, best of ``repeat``."""
    command = [sys.executable, "-c", code]
    return best(repeat, lambda: subprocess.run(command, check=True, env=_ENV))


# Linux carries ru_maxrss across fork and exec, so a child started from this (large)
# benchmark process would report this process's peak; VmHWM belongs to the child alone.
_MEASURED_RUN = """
import resource, sys
from eduv.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
try:
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak, file=sys.stderr)
"""


def peak_memory(path: Path) -> tuple[float, int]:
    """Seconds and peak resident memory (bytes) of ``eduv validate`` on a file.

    The command runs in a fresh interpreter that reports its own peak, so nothing of
    this benchmark process is counted.
    """
    command = [
        sys.executable,
        "-c",
        _MEASURED_RUN,
        "validate",
        "--no-rules",
        "-f",
        "json",
        "--max-items",
        "100",
        str(path),
    ]
    start = time.perf_counter()
    done = subprocess.run(
        command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    seconds = time.perf_counter() - start
    return seconds, int(done.stderr.strip().splitlines()[-1]) * 1024


def big_file(path: Path, megabytes: int) -> Path:
    target = Path(tempfile.gettempdir()) / "eduv-bench" / f"big-{megabytes}mb.ndjson"
    if target.is_file():
        return target
    data = path.read_bytes()
    with target.open("wb") as out:
        written = 0
        while written < megabytes * 1024 * 1024:
            out.write(data)
            written += len(data)
    return target


def _line(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")


def _paired(rounds: dict[str, list[tuple[float, float]]], a: str, b: str, cpu: bool) -> str:
    """Median of the per-round ratios ``a / b`` (seconds of b per second of a), with range.

    Every round runs all contenders back to back, so a ratio compares runs that met the
    same machine; the median of those ratios is what drift on a shared machine moves least.
    """
    index = 1 if cpu else 0
    ratios = sorted(x[index] / y[index] for x, y in zip(rounds[a], rounds[b], strict=True))
    return f"{statistics.median(ratios):10.2f}   ({ratios[0]:.2f} to {ratios[-1]:.2f})"


def _rate(rounds: dict[str, list[tuple[float, float]]], name: str, lines: int, cpu: bool) -> str:
    seconds = statistics.median(times[1 if cpu else 0] for times in rounds[name])
    return f"{lines / seconds:>10,.0f} msg/s"


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


_BARE_SCRIPT = """
import sys, orjson
from eduv import spec
validators = {}
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        doc = orjson.loads(line)
        key = (doc["api"], doc["version"], doc["message"])
        validator = validators.get(key) or validators.setdefault(key, spec.validator(*key))
        validator.is_valid(doc["payload"])
"""


def _eduv_command(path: Path, jobs: int) -> list[str]:
    return _command(
        "eduv.cli", "validate", "--no-rules", "-f", "json", "--max-items", "100",
        "--jobs", str(jobs), str(path),
    )  # fmt: skip


def _subprocess(command: list[str]) -> Timer:
    return lambda: subprocess.run(command, check=False, stdout=subprocess.DEVNULL, env=_ENV)


def validation(path: Path, repeat: int, sample_size: int) -> None:
    lines = parse_only(path)
    report = eduv_run(path, 1)
    assert report.messages == lines and report.input_error_count == 0
    assert report.messages - report.invalid == bare_loop(path), "eduv and the bare loop disagree"
    load = os.getloadavg()[0]
    # Interleaved rounds, so that a burst of outside load hurts all contenders alike.
    rounds: dict[str, list[tuple[float, float]]] = {}
    contenders: dict[str, Timer] = {
        "floor": lambda: parse_only(path),
        "bare": lambda: bare_loop(path),
        "one": lambda: eduv_run(path, 1),
        # The same run without looking for names repeated in an object: what that costs.
        "one_no_duplicates": lambda: eduv_run(path, 1, duplicate_keys=False),
        "two": lambda: eduv_run(path, 2),
        "bare_two": lambda: bare_two_processes(path),
        # The same work as whole commands: interpreter start, imports and validator
        # compilation included, as a user running `eduv validate` pays them.
        "cmd_bare": _subprocess([sys.executable, "-c", _BARE_SCRIPT, str(path)]),
        "cmd_one": _subprocess(_eduv_command(path, 1)),
        "cmd_two": _subprocess(_eduv_command(path, 2)),
    }
    for _ in range(repeat):
        for name, run in contenders.items():
            rounds.setdefault(name, []).append(measure(1, run))
    print(
        f"corpus: {path} ({lines} messages, {path.stat().st_size / 1e6:.0f} MB), "
        f"{report.invalid} invalid; {repeat} interleaved rounds, medians (range); "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print("in one process (the validation loop itself, validators compiled once):")
    _line("orjson parsing alone (CPU)", _rate(rounds, "floor", lines, cpu=True))
    _line("bare loop: orjson + jsonschema-rs (CPU)", _rate(rounds, "bare", lines, cpu=True))
    _line("eduv validate, 1 job (CPU)", _rate(rounds, "one", lines, cpu=True))
    _line("eduv validate, 2 jobs (wall)", _rate(rounds, "two", lines, cpu=False))
    _line("eduv / bare loop, per core (target >= 0.8)", _paired(rounds, "bare", "one", cpu=True))
    _line(
        "eduv / orjson parsing alone, per core (the floor)", _paired(rounds, "floor", "one", True)
    )
    _line(
        "duplicate-key check: time with / without (target <= 1.05)",
        _paired(rounds, "one", "one_no_duplicates", cpu=True),
    )
    _line("2 jobs / 1 job, wall clock (target >= 1.7)", _paired(rounds, "one", "two", cpu=False))
    _line("CPU spent by 2 jobs / by 1 job (parallel overhead)", _paired(rounds, "two", "one", True))
    _line(
        "machine reference: bare loop, 2 processes / 1", _paired(rounds, "bare", "bare_two", False)
    )
    print("whole commands (a fresh interpreter each run):")
    _line(
        "eduv validate / bare loop script, per core", _paired(rounds, "cmd_bare", "cmd_one", True)
    )
    _line(
        "eduv validate --jobs 2 / --jobs 1, wall clock",
        _paired(rounds, "cmd_one", "cmd_two", False),
    )
    versus_python_jsonschema(sample(path, sample_size), repeat, sample_size)


def _clear_eduv_caches() -> None:
    from eduv.validation import engine

    for cached in (spec.validator, spec.registry, spec.schema, engine._validator):
        cached.cache_clear()


def versus_python_jsonschema(small: Path, repeat: int, size: int) -> None:
    """Both cold (validators built during the run, as a command pays) and warm.

    The cold runs come first, before either library has validated anything here.
    """
    is_valid = _python_jsonschema()
    python_cold = measure(1, lambda: python_jsonschema_loop(small, is_valid))[1]
    _clear_eduv_caches()
    eduv_cold = measure(1, lambda: eduv_run(small, 1))[1]
    rounds: dict[str, list[tuple[float, float]]] = {"python": [], "eduv": [], "floor": []}
    for _ in range(repeat):
        rounds["python"].append(measure(1, lambda: python_jsonschema_loop(small, is_valid)))
        rounds["eduv"].append(measure(1, lambda: eduv_run(small, 1)))
        rounds["floor"].append(measure(1, lambda: parse_only(small)))
    print(f"python-jsonschema (format checks on) on the first {size} messages, per core:")
    _line("python-jsonschema, validators built (CPU)", _rate(rounds, "python", size, cpu=True))
    _line("eduv / python-jsonschema, cold (target >= 100)", f"{python_cold / eduv_cold:10.1f}")
    _line("eduv / python-jsonschema, validators built", _paired(rounds, "python", "eduv", True))
    _line(
        "orjson parsing alone / python-jsonschema (ceiling)",
        _paired(rounds, "python", "floor", True),
    )


def imports(repeat: int) -> None:
    baseline = import_seconds("pass", repeat)
    pydantic = import_seconds("import pydantic", repeat) - baseline
    eduv = import_seconds("import eduv", repeat) - baseline
    models = import_seconds("import eduv.models.association_api.v1_1_0", repeat) - baseline
    client = import_seconds("import eduv.client", repeat) - baseline
    print(f"imports (fresh interpreter, best of {repeat}, interpreter start subtracted)")
    _line("import pydantic", f"{pydantic * 1000:8.1f} ms")
    _line("import eduv / import pydantic", f"{eduv / pydantic:10.2f}")
    _line("association-api 1.1.0 models / import pydantic", f"{models / pydantic:10.2f}")
    _line("import eduv.client / import pydantic", f"{client / pydantic:10.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument(
        "--memory",
        type=int,
        default=0,
        metavar="MB",
        help="also measure peak memory on a file of this size",
    )
    parser.add_argument("--skip-imports", action="store_true")
    args = parser.parse_args(argv)
    path = corpus.ensure(args.corpus)
    validation(path, args.repeat, corpus.recipe()["sampleSize"])
    if not args.skip_imports:
        imports(max(args.repeat, 5))
    if args.memory:
        big = big_file(path, args.memory)
        seconds, peak = peak_memory(big)
        print(
            f"memory: {big.stat().st_size / 1e9:.2f} GB validated in {seconds:.0f} s, "
            f"peak resident memory {peak / 1e6:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
