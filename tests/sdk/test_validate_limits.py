"""Input limits of validation: endless or huge input ends as one input error, not as a
machine out of memory; findings are kept per message up to a cap."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from eduv.validation import inputs, validate_paths
from eduv.validation.parallel import Options, run
from tests.sdk.conftest import Cli, envelope, example


class Endless(io.RawIOBase):
    """Standard input that never ends (like /dev/zero), counting what was read."""

    def __init__(self, byte: bytes = b"\0") -> None:
        self.byte = byte
        self.given = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            raise AssertionError("an endless stream was read to its end")
        self.given += size
        return self.byte * size


LIMIT = 1 << 20


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("byte", [b"\0", b"{", b"1"])
def test_endless_standard_input_stops_at_the_limit(jobs: int, byte: bytes) -> None:
    stream = Endless(byte)
    options = Options(rules=False, max_document_bytes=LIMIT)
    report = run(["-"], options, jobs=jobs, stdin=stream)  # type: ignore[arg-type]
    assert report.exit_code == 2
    [error] = report.input_errors
    assert "--max-document-bytes" in error.message and f"{LIMIT:,}" in error.message
    assert stream.given < 3 * LIMIT + 2 * inputs.BLOCK_SIZE


def test_endless_device_stops_at_the_limit() -> None:
    report = validate_paths(["/dev/zero"], max_document_bytes=LIMIT)
    assert report.exit_code == 2
    assert "larger than 1,048,576 bytes" in report.input_errors[0].message


def test_a_long_ndjson_line_is_skipped_and_the_next_lines_are_read(tmp_path: Path) -> None:
    group = example("association-api", "1.1.0", "Group")
    path = tmp_path / "in.ndjson"
    path.write_bytes(envelope(group) + b"[" + b"0," * LIMIT + b"0]\n" + envelope(group))
    for jobs in (1, 2):
        report = validate_paths([str(path)], max_document_bytes=LIMIT, jobs=jobs, rules=False)
        assert report.messages == 2 and report.exit_code == 2
        [error] = report.input_errors
        assert error.line == 2 and "the rest of the line was skipped" in error.message


def test_too_many_values_are_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "objects.json"
    path.write_bytes(b"[" + b"{}," * 5000 + b"{}]")
    report = validate_paths([str(path)], max_json_values=1000)
    [error] = report.input_errors
    assert "more than 1,000 JSON values" in error.message and "--max-json-values" in error.message
    line = tmp_path / "objects.ndjson"
    line.write_bytes(b"{}\n" + path.read_bytes() + b"\n")
    report = validate_paths([str(line)], max_json_values=1000)
    assert [e.line for e in report.input_errors if "JSON values" in e.message] == [2]


def test_commas_inside_strings_do_not_count_as_values() -> None:
    text = orjson.dumps({"groupName": "," * 5000, "list": [[], {}, [1]]})
    assert not inputs.too_many_values(text, 100)
    assert inputs.too_many_values(b"[" + b"1," * 200 + b"1]", 100)


def test_the_command_names_the_option(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b'{"a": "' + b"x" * 5000 + b'"}')
    result = cli("validate", str(path), "--max-document-bytes", "1000")
    assert result.code == 2 and "--max-document-bytes" in result.out
    assert "Traceback" not in result.out + result.err


def test_dev_zero_as_a_command_keeps_memory_bounded() -> None:
    # The whole command, so that nothing of this process is measured: its peak stays
    # near the limit although /dev/zero never ends.
    code = (
        "import resource, sys\n"
        "from eduv.cli import main\n"
        "try:\n    main(['validate', '/dev/zero', '--max-document-bytes', '8000000'])\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(code, int(peak.split()[1]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    code_seen, peak_kb = done.stdout.split()[-2:]
    assert code_seen == "2", done.stdout + done.stderr
    assert int(peak_kb) < 250_000, peak_kb


def test_a_huge_message_lists_its_first_error_at_once() -> None:
    from eduv import validate

    group = example("association-api", "1.1.0", "Group")
    group["students"] = [{"userMasterIdentifier": 5, "userIds": []}] * 50_000
    report = validate(group, api="association", message="Group", rules=False)
    [first] = report.findings
    assert first.instance_path == "/students/0/userMasterIdentifier"
    assert "only its first schema error is listed" in first.message
    assert not report.valid


def test_findings_are_kept_per_message_up_to_a_cap() -> None:
    from eduv.findings import Finding
    from eduv.validation.report import MAX_ITEM_FINDINGS, Item, Report

    report = Report(max_items=10)
    warnings = [Finding("rule", f"w{n}", severity="warning") for n in range(MAX_ITEM_FINDINGS)]
    errors = [Finding("rule", f"e{n}") for n in range(500)]
    report.add(Item("a", "1", "M", warnings + errors))
    [item] = report.items
    assert len(item.findings) == MAX_ITEM_FINDINGS
    assert item.findings[0].message == "e0"  # errors are kept first
    assert "500 more findings" in item.findings[-1].message
    assert not item.valid
    assert report.finding_counts["rule"] == MAX_ITEM_FINDINGS + 500


def test_the_command_line_defaults_are_the_library_limits() -> None:
    import inspect

    from eduv.cli.validate import validate as command

    parameters = inspect.signature(command).parameters
    assert parameters["max_document_bytes"].default == inputs.MAX_DOCUMENT_BYTES
    assert parameters["max_json_values"].default == inputs.MAX_JSON_VALUES
