"""The files of a dataset folder are read like any input: within the limits, with
repeated names found, in both dataset formats."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from eduv.dataset import load_dataset, save_dataset
from eduv.dataset.files import Guard, read_ndjson
from eduv.testing.chain_bulk import write_chain_dataset
from eduv.validation import validate_dataset, validate_paths
from tests.sdk.test_validation import _tiny_dataset

LIMIT = 1 << 16


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    save_dataset(_tiny_dataset(), folder, folder=True)
    return folder


def _chain_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "chain"
    write_chain_dataset(folder, seed=3, size=2)
    return folder


def _first_ndjson(folder: Path) -> Path:
    return next(p for p in sorted(folder.rglob("*.ndjson")) if p.read_bytes().strip())


def _repeat_a_name(path: Path) -> int:
    """Give the first object of the file a repeated name; returns its line."""
    lines = path.read_bytes().splitlines(keepends=True)
    lines[0] = lines[0].replace(b"{", b'{"x":1,"x":2,', 1)
    path.write_bytes(b"".join(lines))
    return 1


@pytest.mark.parametrize("make", [_folder, _chain_folder])
def test_repeated_names_in_a_folder_file_are_found_at_their_line(
    tmp_path: Path, make: object
) -> None:
    folder = make(tmp_path)  # type: ignore[operator]
    path = _first_ndjson(folder)
    line = _repeat_a_name(path)
    for report in (
        validate_dataset(folder, rules=False),
        validate_paths([str(folder)], rules=False),
    ):
        found = [
            (item.source, item.line, f.instance_path)
            for item in report.items
            for f in item.findings
            if f.kind == "protocol"
        ]
        assert found == [(str(path), line, "/x")]


@pytest.mark.parametrize("make", [_folder, _chain_folder])
def test_a_line_over_the_byte_limit_is_refused_with_the_option(
    tmp_path: Path, make: object
) -> None:
    folder = make(tmp_path)  # type: ignore[operator]
    path = _first_ndjson(folder)
    with path.open("ab") as handle:
        handle.write(b'{"long": "' + b"a" * (2 * LIMIT) + b'"}\n')
    report = validate_dataset(folder, rules=False, max_document_bytes=LIMIT)
    assert report.exit_code == 2
    [error] = report.input_errors
    lines = len(path.read_bytes().splitlines())
    assert (error.source, error.line) == (str(path), lines)
    assert "--max-document-bytes" in error.message and f"{LIMIT:,}" in error.message


def test_a_line_with_too_many_values_is_refused_before_parsing(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    path = _first_ndjson(folder)
    with path.open("ab") as handle:
        handle.write(b"[" + b"0," * 5000 + b"0]\n")
    report = validate_dataset(folder, rules=False, max_json_values=1000)
    assert report.exit_code == 2
    [error] = report.input_errors
    assert error.source == str(path) and "--max-json-values" in error.message


def test_a_header_over_the_limit_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    header = folder / "dataset.json"
    doc = orjson.loads(header.read_bytes())
    doc["padding"] = "a" * (2 * LIMIT)
    header.write_bytes(orjson.dumps(doc))
    report = validate_dataset(folder, rules=False, max_document_bytes=LIMIT)
    assert report.exit_code == 2
    assert report.input_errors[0].source == str(header)
    assert "larger than" in report.input_errors[0].message


def test_reading_skips_a_long_line_without_holding_it(tmp_path: Path) -> None:
    path = tmp_path / "x.ndjson"
    path.write_bytes(b'{"a":1}\n' + b"9" * (10 * LIMIT) + b'\n\n{"b":2}\n')
    problems: list[object] = []
    values, lines = read_ndjson(path, problems, Guard(max_bytes=LIMIT))  # type: ignore[arg-type]
    assert values == [{"a": 1}, {"b": 2}] and lines == [1, 4]
    assert [(p.line, p.message) for p in problems] == [(2, Guard().too_long)]  # type: ignore[attr-defined]


def test_the_library_reader_without_a_guard_reads_everything(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert load_dataset(folder).to_json() == _tiny_dataset().to_json()
