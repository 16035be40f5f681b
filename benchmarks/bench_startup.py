"""How long the eduv command takes to start, and what the command extensions cost.

The provider and the suite add their commands through the ``eduv.commands`` entry point
group. Own commands (``validate``, ``spec``, ...) never look the group up; ``eduv --help``
must, to list every command. Each figure is a whole process, started fresh, measured in
interleaved rounds (every command once per round), reported as the median over rounds
with the range, and as ratios measured in the same rounds:

- ``--help`` over ``validate --help``: what finding and registering the extensions adds;
- ``validate FILE`` over the bare validation it runs (the same work from Python, without
  the command line): what the command line adds;
- each command over ``python -c pass``: start-up above the interpreter's own.

    python -m benchmarks.bench_startup [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

# Installed packages cache their bytecode; an environment that forbids it would charge
# every start with compiling eduv from source.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
MESSAGE = b'{"api": "association-api", "message": "SchoolPeriod", "payload": {}}\n'


def _eduv(*args: str) -> list[str]:
    code = "import sys; from eduv.cli import main; main(sys.argv[1:])"
    return [sys.executable, "-c", code, *args]


def commands(sample: Path) -> dict[str, list[str]]:
    bare = (
        "import sys; from eduv.validation import validate_paths; "
        "sys.exit(validate_paths(sys.argv[1:]).exit_code)"
    )
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "eduv --help": _eduv("--help"),
        "eduv validate --help": _eduv("validate", "--help"),
        "eduv spec list": _eduv("spec", "list"),
        "eduv validate FILE": _eduv("validate", str(sample)),
        "bare validate_paths(FILE)": [sys.executable, "-c", bare, str(sample)],
    }


def _seconds(command: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=_ENV, capture_output=True, check=False)
    return time.perf_counter() - started


def measure(rounds: int, sample: Path) -> dict[str, list[float]]:
    table = commands(sample)
    for command in table.values():  # warm the bytecode and the file cache
        _seconds(command)
    found: dict[str, list[float]] = {name: [] for name in table}
    for _ in range(rounds):
        for name, command in table.items():
            found[name].append(_seconds(command))
    return found


def _ratio(found: dict[str, list[float]], top: str, bottom: str) -> str:
    ratios = [a / b for a, b in zip(found[top], found[bottom], strict=True)]
    return f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "one.ndjson"
        sample.write_bytes(MESSAGE)
        found = measure(args.rounds, sample)
    print(f"{'command':<28}{'median s':>10}{'min':>8}{'max':>8}{'x python':>10}")
    floor = statistics.median(found["python -c pass"])
    for name, times in found.items():
        median = statistics.median(times)
        print(
            f"{name:<28}{median:>10.3f}{min(times):>8.3f}{max(times):>8.3f}{median / floor:>10.1f}"
        )
    print()
    print("ratios per round, median (range):")
    extensions = _ratio(found, "eduv --help", "eduv validate --help")
    command = _ratio(found, "eduv validate FILE", "bare validate_paths(FILE)")
    print(f"  --help / validate --help (the extensions):     {extensions}")
    print(f"  validate FILE / bare validation (the command): {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
