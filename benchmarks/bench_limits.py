"""Peak memory of ``eduv validate`` on hostile input, with the default limits.

    python -m benchmarks.bench_limits            # the three cases of the hardening issue
    python -m benchmarks.bench_limits --seconds 8  # how long the endless input runs at most

Each case runs the whole command in a fresh interpreter, which reports its own peak
resident memory (VmHWM from /proc, else ru_maxrss); nothing of this process is
counted. The large inputs are generated into the system's temporary folder on demand
and removed afterwards, never committed:

* endless input: ``/dev/zero`` named as a file, and piped into standard input;
* 64 MiB of ``{},`` in one document (2 GB once parsed without the value limit);
* a Group of 200,000 broken members (9 MB; jsonschema-rs collects every error);
* 200,000 invalid NDJSON messages (the report keeps 1,000 and counts the rest).

Target from the issue: every peak under 1 GB.
"""

from __future__ import annotations

import argparse
import copy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from eduv import spec

_MEASURED = """
import resource, sys
from eduv.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
try:
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(code, peak, file=sys.stderr)
"""

TARGET = 1 << 30


def measure(args: list[str], stdin: Path | str | None, timeout: float) -> tuple[int, int, float]:
    """Exit code, peak resident bytes and seconds of ``eduv ARGS``."""
    command = [sys.executable, "-c", _MEASURED, *args]
    start = time.perf_counter()
    with open(stdin if stdin is not None else "/dev/null", "rb") as source:
        done = subprocess.run(
            command,
            stdin=source,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
        )
    seconds = time.perf_counter() - start
    code, peak = done.stderr.decode(errors="replace").strip().splitlines()[-1].split()
    return int(code), int(peak) * 1024, seconds


def _braces(folder: Path) -> Path:
    path = folder / "braces-64mib.json"
    with path.open("wb") as out:
        out.write(b"[")
        chunk = b"{}," * (1 << 20)
        for _ in range(64 * (1 << 20) // len(chunk)):
            out.write(chunk)
        out.write(b"{}]")
    return path


def _broken_group(folder: Path) -> Path:
    group = copy.deepcopy(spec.schema("association-api", "1.1.0", "Group")["examples"][0])
    group["students"] = [{"userMasterIdentifier": 5, "userIds": []}] * 200_000
    path = folder / "group-200000-broken.json"
    path.write_bytes(orjson.dumps(group))
    return path


def _invalid_lines(folder: Path) -> Path:
    group = copy.deepcopy(spec.schema("association-api", "1.1.0", "Group")["examples"][0])
    del group["groupName"]
    envelope = {"api": "association-api", "version": "1.1.0", "message": "Group", "payload": group}
    path = folder / "invalid-200000.ndjson"
    path.write_bytes((orjson.dumps(envelope) + b"\n") * 200_000)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="timeout per case")
    args = parser.parse_args(argv)
    print(f"peak resident memory of eduv validate, default limits (target < {TARGET >> 20} MiB)")
    worst = 0
    with tempfile.TemporaryDirectory(prefix="eduv-bench-limits-") as scratch:
        folder = Path(scratch)
        cases: list[tuple[str, list[str], Path | str | None]] = [
            ("endless file: eduv validate /dev/zero", ["validate", "/dev/zero"], None),
            ("endless pipe: eduv validate - < /dev/zero", ["validate", "-"], "/dev/zero"),
            ("64 MiB of {} in one document", ["validate", str(_braces(folder))], None),
            (
                "Group of 200,000 broken members (rules on)",
                ["validate", str(_broken_group(folder))],
                None,
            ),
            (
                "200,000 invalid NDJSON messages (rules on)",
                ["validate", str(_invalid_lines(folder))],
                None,
            ),
        ]
        baseline = measure(["validate", "--help"], None, args.seconds)
        for label, command, stdin in cases:
            code, peak, seconds = measure(command, stdin, args.seconds)
            worst = max(worst, peak)
            print(f"  {label:<46} exit {code}  {peak / 2**20:7.0f} MiB  {seconds:6.1f} s")
    print(f"  {'interpreter with eduv loaded (validate --help)':<46} exit {baseline[0]}  "
          f"{baseline[1] / 2**20:7.0f} MiB")  # fmt: skip
    verdict = "under" if worst < TARGET else "OVER"
    print(f"worst peak {worst / 2**20:.0f} MiB: {verdict} the 1 GiB target")
    return 0 if worst < TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
