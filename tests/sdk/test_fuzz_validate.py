"""Fuzzing ``eduv validate`` and the library: whatever arrives, a report and no traceback.

Inputs are mutated valid documents (a Group, NDJSON envelopes, a HAR file, a dataset)
and arbitrary JSON values, fed as files, NDJSON, HAR, datasets and standard input. The
properties: nothing is raised but the documented lookup errors, the exit code follows
its contract (0 valid, 1 findings, 2 input errors or usage), the report is consistent
and matches its schema, text output holds no control character, and memory stays
bounded (a few whole commands with small limits, measured by the kernel).

The number of examples scales with the hypothesis profile: ``ci`` runs 2,000 in
process (500 files, 400 standard inputs, 500 library values, 250 HAR logs, 200
datasets, 150 whole command lines), ``deep`` fifty times as many
(``HYPOTHESIS_PROFILE=deep``).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eduv import spec, validate
from eduv.validation import DetectionError, report_schema, validate_dataset, validate_paths
from eduv.validation.parallel import Options, run
from eduv.validation.render import text_lines
from eduv.validation.report import MAX_ITEM_FINDINGS, Report
from tests.sdk.conftest import envelope, example

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")


def examples(ci: int) -> Any:
    """Settings for ``ci`` examples in the ci profile, scaled for the others."""
    count = {"deep": ci * 50, "dev": max(ci // 20, 5)}.get(PROFILE, ci)
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@cache
def _report_checker() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(dict(report_schema()), validate_formats=True)


def _consistent(report: Report) -> None:
    """What must hold of any report, whatever the input was."""
    expected = 2 if report.input_error_count else 1 if report.invalid else 0
    assert report.exit_code == expected
    assert report.messages >= report.invalid >= 0
    if report.sources:  # a value given in code has no source
        assert sum(s.messages for s in report.sources) == report.messages
        assert sum(s.input_errors for s in report.sources) == report.input_error_count
    assert all(len(item.findings) <= MAX_ITEM_FINDINGS + 1 for item in report.items)
    document = report.to_json()
    errors = [e.message for e in _report_checker().iter_errors(document)]
    assert not errors, errors
    for _, line in text_lines(report):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in line), line


# -- what goes in ----------------------------------------------------------------------


def _seeds() -> list[bytes]:
    group = example("association-api", "1.1.0", "Group")
    url = "https://las.example.org/association-api/v1/groups/school/abc?orgMasterId=104A158"
    entry = {
        "request": {"method": "GET", "url": url, "headers": []},
        "response": {
            "status": 200,
            "headers": [{"name": "API-Version", "value": "1.1.0"}],
            "content": {"mimeType": "application/json", "text": orjson.dumps(group).decode()},
        },
    }
    from eduv.dataset import save_dataset
    from tests.sdk.test_validation import _tiny_dataset

    with tempfile.TemporaryDirectory() as scratch:
        save_dataset(_tiny_dataset(), Path(scratch) / "d.json")
        dataset = (Path(scratch) / "d.json").read_bytes()
    return [
        orjson.dumps(group),
        orjson.dumps(group, option=orjson.OPT_INDENT_2),
        envelope(group) * 2 + envelope(example("association-api", "1.1.0", "SchoolPeriod")),
        orjson.dumps({"log": {"version": "1.2", "entries": [entry]}}),
        dataset,
        orjson.dumps([group, group]),
    ]


SEEDS = _seeds()
# Bytes that matter to a JSON reader and to this validator's own checks.
SPECIAL = [b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b"\n", b"\x00", b"\xff", b"\x1b",
           b"\\u003a", b"NaN", b"1e999", b"-0", b"\xef\xbb\xbf", b'"a":1,"a":2']  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed document with a few byte-level edits: flips, cuts, copies, inserts."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        edit = draw(st.sampled_from(["flip", "cut", "copy", "insert", "special"]))
        if edit == "flip":
            data[at] = draw(st.integers(0, 255))
        elif edit == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif edit == "copy":
            end = min(len(data), at + draw(st.integers(1, 256)))
            data[at:at] = data[at:end]
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            data[at:at] = draw(st.sampled_from(SPECIAL))
    return bytes(data)


inputs_bytes = st.one_of(mutated(), st.binary(max_size=256), st.sampled_from(SEEDS))


def _values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    )


_text_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["2024-13-45", "\x1b[2J", "\u202e"])
)
# What JSON text can hold, and what only a payload given in code can: NaN, the
# infinities and whole numbers of thousands of digits (made lazily: hypothesis would
# print them, and Python refuses to write out more than 4,300 digits).
json_values = _values(_text_scalars)
code_values = _values(
    _text_scalars | st.floats() | st.sampled_from([5000, 400, 20]).map(lambda digits: -(10**digits))
)
SUFFIXES = [".json", ".ndjson", ".har", ".jsonl", ".txt"]
SMALL = {"max_document_bytes": 4096, "max_json_values": 200}


# -- in process ------------------------------------------------------------------------


@examples(500)
@given(data=inputs_bytes, suffix=st.sampled_from(SUFFIXES), small=st.booleans())
def test_files(data: bytes, suffix: str, small: bool) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"input{suffix}"
        path.write_bytes(data)
        limits: dict[str, Any] = SMALL if small else {}
        report = validate_paths([str(path)], rules=small, **limits)
    _consistent(report)


@examples(400)
@given(data=inputs_bytes, jobs=st.sampled_from([1, 1, 1, 2]), small=st.booleans())
def test_standard_input(data: bytes, jobs: int, small: bool) -> None:
    limits: dict[str, Any] = SMALL if small else {}
    options = Options(rules=False, **limits)
    _consistent(run(["-"], options, jobs=jobs, stdin=io.BytesIO(data)))


@examples(500)
@given(value=code_values, message=st.sampled_from(["Group", "StatusResponse", None]))
def test_library_values(value: Any, message: str | None) -> None:
    try:
        report = validate(value, api="association", message=message, rules=message != "Group")
    except DetectionError:
        assert message is None  # only a message left to be recognised may not be
        return
    _consistent(report)


@examples(250)
@given(
    entries=st.lists(
        st.one_of(
            json_values,
            st.fixed_dictionaries(
                {"request": st.fixed_dictionaries({"method": json_values, "url": json_values}),
                 "response": st.fixed_dictionaries({"status": json_values})}
            ),
        ),
        max_size=4,
    )
)  # fmt: skip
def test_har_entries(entries: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "traffic.har"
        path.write_bytes(orjson.dumps({"log": {"entries": entries}}))
        report = validate_paths([str(path)], rules=False)
    _consistent(report)
    # An entry is matched, skipped or an input error: never silently dropped.
    assert report.skipped + report.input_error_count + report.messages >= len(entries) > 0 or (
        not entries
    )


@examples(200)
@given(data=mutated(), as_of=st.sampled_from([None, "2024-10-01"]))
def test_datasets(data: bytes, as_of: str | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "dataset.json"
        path.write_bytes(data)
        report = validate_dataset(path, as_of=as_of, rules=False)
    _consistent(report)


def _main(args: list[str], stdin: bytes) -> tuple[int, bytes, bytes]:
    """``eduv ARGS`` in this process with its standard streams replaced."""
    from eduv.cli import main

    streams = (sys.stdin, sys.stdout, sys.stderr)
    out, err = io.BytesIO(), io.BytesIO()
    # Held here: a wrapper that is dropped closes the buffer it wraps.
    replaced = (io.TextIOWrapper(io.BytesIO(stdin)), io.TextIOWrapper(out), io.TextIOWrapper(err))
    sys.stdin, sys.stdout, sys.stderr = replaced
    code: Any = 0
    try:
        main(args)
    except SystemExit as exit:
        code = exit.code
    finally:
        replaced[1].flush()
        replaced[2].flush()
        sys.stdin, sys.stdout, sys.stderr = streams
    return code, out.getvalue(), err.getvalue()


@examples(150)
@given(
    data=inputs_bytes,
    suffix=st.sampled_from(SUFFIXES),
    output=st.sampled_from(["json", "text"]),
    through=st.sampled_from(["file", "stdin"]),
    options=st.lists(
        st.sampled_from([["--no-rules"], ["--strict"], ["--lang", "nl"], ["--max-items", "1"],
                         ["--max-document-bytes", "2000"], ["--max-json-values", "50"],
                         ["--api", "association"], ["--as-of", "2024-02-30"]]),
        max_size=3,
    ),
)  # fmt: skip
def test_command_line(
    data: bytes, suffix: str, output: str, through: str, options: list[list[str]]
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"input{suffix}"
        path.write_bytes(data)
        target = str(path) if through == "file" else "-"
        args = ["validate", target, "-f", output, *(o for option in options for o in option)]
        code, out, err = _main(args, data)
    assert code in (0, 1, 2), (code, err)
    assert b"Traceback" not in out + err
    if output == "json" and out:
        report = orjson.loads(out)
        inputs, invalid = report["summary"]["inputErrors"], report["summary"]["invalid"]
        assert code == (2 if inputs else 1 if invalid else 0)
    elif out:
        assert not any(b < 32 and b not in b"\n" for b in out), out[-500:]
    if code == 2 and not out:
        assert err.startswith(b"eduv: "), err  # a usage error: one line, no traceback


# -- whole commands --------------------------------------------------------------------

_MEASURED = """
import sys
from eduv.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(code, int(peak.split()[1]), file=sys.stderr)
"""


def _command(args: list[str], stdin: bytes | None = None) -> tuple[int, int, str]:
    """Exit code, peak resident kilobytes and output of ``eduv ARGS`` in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    err = done.stderr.decode(errors="replace")
    code, peak = err.strip().splitlines()[-1].split()
    return int(code), int(peak), done.stdout.decode(errors="replace") + err


_BOUNDED = [
    ("endless device", ["validate", "/dev/zero", "--max-document-bytes", "4000000"], None),
    ("zeros on stdin", ["validate", "-", "--max-document-bytes", "4000000"], b"\0" * 12_000_000),
    ("many values", ["validate", "-", "--max-json-values", "100000"], b"[" + b"{}," * 4_000_000),
    (
        "long lines",
        ["validate", "-", "--max-document-bytes", "1000000", "-f", "json"],
        (b"[" + b"1," * 1_500_000 + b"1]\n") * 4,
    ),
]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory from /proc")
@pytest.mark.parametrize(("name", "args", "stdin"), _BOUNDED)
def test_commands_keep_memory_bounded(name: str, args: list[str], stdin: bytes | None) -> None:
    code, peak_kb, shown = _command(args, stdin)
    assert code == 2, shown[-1000:]
    assert "Traceback" not in shown
    # An interpreter with eduv loaded takes about 60 MB; the limits bound the rest.
    assert peak_kb < 200_000, (name, peak_kb)


def test_the_profile_scales() -> None:
    assert spec.apis()  # the registry answers before the fuzzing leans on it
    assert examples(2000).max_examples == {"deep": 100_000, "dev": 100}.get(PROFILE, 2000)
