"""`eduv validate`: inputs, formats, languages, exit codes and error messages."""

from __future__ import annotations

import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema_rs
import orjson
import pytest

from eduv.validation import inputs, report_schema
from eduv.validation.parallel import Options, run
from tests.sdk.conftest import Cli, envelope, example


def _group(**changes: object) -> dict[str, object]:
    group = example("association-api", "1.1.0", "Group")
    group.update(changes)
    return group


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "good.json").write_bytes(orjson.dumps(_group(), option=orjson.OPT_INDENT_2))
    (tmp_path / "bad.json").write_bytes(orjson.dumps(_group(beginDate="someday")))
    (tmp_path / "broken.json").write_bytes(b'{\n  "groupId": "x",\n}\n')
    lines = [envelope(_group()) for _ in range(3)]
    lines.insert(1, envelope(_group(status="gone")))
    (tmp_path / "mixed.ndjson").write_bytes(b"".join(lines))
    return tmp_path


def _schema_errors(document: object) -> list[str]:
    checker = jsonschema_rs.validator_for(dict(report_schema()), validate_formats=True)
    return [e.message for e in checker.iter_errors(document)]


def test_valid_input_exits_0(cli: Cli, files: Path) -> None:
    result = cli("validate", str(files / "good.json"))
    assert result.code == 0, result
    assert "1 messages: 1 valid, 0 invalid" in result.out
    assert result.err == ""


def test_invalid_input_exits_1_and_says_where(cli: Cli, files: Path) -> None:
    result = cli("validate", str(files / "good.json"), str(files / "bad.json"))
    assert result.code == 1
    assert f"{files / 'bad.json'}: association-api 1.1.0 Group (detected): invalid" in result.out
    assert '/beginDate: "someday" is not a date as YYYY-MM-DD' in result.out


def test_malformed_json_exits_2_with_line_and_column(cli: Cli, files: Path) -> None:
    result = cli("validate", str(files / "broken.json"))
    assert result.code == 2
    assert f"{files / 'broken.json'}:2:17: malformed JSON: trailing comma" in result.out


def test_missing_files_and_empty_folders_exit_2(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("validate", str(tmp_path / "nope.json"), str(tmp_path / "empty"))
    assert result.code == 2
    assert "nope.json: no such file or folder" in result.out
    assert "holds no .json, .ndjson, .jsonl or .har files" in result.out


def test_wrong_encodings_exit_2(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "utf16.json").write_bytes(orjson.dumps(_group()).decode().encode("utf-16"))
    (tmp_path / "latin.ndjson").write_bytes(b'{"name": "Jos\xe9"}\n')
    result = cli("validate", str(tmp_path / "utf16.json"), str(tmp_path / "latin.ndjson"))
    assert result.code == 2
    assert "utf16.json: the input is UTF-16 encoded; eduv reads UTF-8 JSON" in result.out
    assert "latin.ndjson:1: not valid UTF-8" in result.out


def test_a_utf8_byte_order_mark_is_tolerated(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + orjson.dumps(_group()))
    assert cli("validate", str(tmp_path / "bom.json")).code == 0


def test_ndjson_lines_and_envelopes(cli: Cli, files: Path) -> None:
    result = cli("validate", str(files / "mixed.ndjson"), "--format", "json")
    document = result.json()
    assert result.code == 1
    assert document["summary"]["messages"] == 4 and document["summary"]["invalid"] == 1
    assert [(i["line"], i["message"]) for i in document["items"]] == [(2, "Group")]
    assert _schema_errors(document) == []


def test_bare_ndjson_lines_with_named_message(cli: Cli, tmp_path: Path) -> None:
    lines = [orjson.dumps(_group()), orjson.dumps(_group(groupType="club")), b""]
    (tmp_path / "groups.jsonl").write_bytes(b"\n".join(lines))
    result = cli(
        "validate",
        str(tmp_path / "groups.jsonl"),
        "--api",
        "association",
        "--message",
        "Group",
        "--version",
        "t-1",
        "-f",
        "json",
    )
    items = result.json()["items"]
    assert [(i["line"], i["version"], i["detected"]) for i in items] == [(2, "1.0.2", False)]


def test_unknown_names_are_one_line_errors(cli: Cli, files: Path) -> None:
    result = cli("validate", str(files / "good.json"), "--api", "nope")
    assert result.code == 2
    assert result.err.startswith("eduv: unknown Edu-V API 'nope'")
    assert "Traceback" not in result.err + result.out
    (files / "odd.ndjson").write_bytes(envelope(_group(), message="Grop"))
    result = cli("validate", str(files / "odd.ndjson"))
    assert result.code == 2 and "has no message 'Grop'" in result.out


def test_usage_errors_exit_2(cli: Cli) -> None:
    result = cli("validate", "--format", "yaml", "x.json")
    assert result.code == 2 and "yaml" in result.err
    assert cli("validate", "--jobs", "0", "x.json").code == 2


def test_standard_input_as_json_document(cli: Cli) -> None:
    data = orjson.dumps(_group(groupType="club"), option=orjson.OPT_INDENT_2)
    result = cli("validate", "-", stdin=data)
    assert result.code == 1 and "-: association-api 1.1.0 Group" in result.out


def test_standard_input_as_ndjson(cli: Cli) -> None:
    data = envelope(_group()) + b"not json\n" + envelope(_group())
    result = cli("validate", "-f", "json", stdin=data)
    document = result.json()
    assert result.code == 2
    assert document["summary"]["messages"] == 2
    assert document["inputErrors"][0]["line"] == 2
    assert document["inputErrors"][0]["source"] == "-"


def test_dutch_text_report(cli: Cli, files: Path) -> None:
    result = cli("validate", str(files / "bad.json"), "--lang", "nl")
    assert '"someday" is niet een datum als JJJJ-MM-DD' in result.out
    assert "1 berichten: 0 geldig, 1 ongeldig" in result.out


def test_junit_report(cli: Cli, files: Path) -> None:
    result = cli("validate", str(files / "mixed.ndjson"), str(files / "broken.json"), "-f", "junit")
    root = ET.fromstring(result.out.encode())
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    mixed = suites[str(files / "mixed.ndjson")]
    assert (mixed.get("tests"), mixed.get("failures"), mixed.get("errors")) == ("2", "1", "0")
    failure = mixed.find("testcase/failure")
    assert failure is not None and "/status" in (failure.text or "")
    assert suites[str(files / "broken.json")].get("errors") == "1"
    assert root.get("failures") == "1" and root.get("errors") == "1"


def test_folders_are_walked(cli: Cli, files: Path) -> None:
    (files / "broken.json").unlink()
    result = cli("validate", str(files), "-f", "json")
    assert result.json()["summary"]["messages"] == 6
    assert len(result.json()["sources"]) == 3


def test_strict_flag(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "extra.json").write_bytes(orjson.dumps(_group(colour="blue")))
    assert cli("validate", str(tmp_path / "extra.json")).code == 0
    strict = cli("validate", str(tmp_path / "extra.json"), "--strict")
    assert strict.code == 1 and '"colour"' in strict.out


def test_max_items_caps_the_listing_not_the_counts(cli: Cli, tmp_path: Path) -> None:
    lines = b"".join(envelope(_group(status="gone")) for _ in range(5))
    (tmp_path / "many.ndjson").write_bytes(lines)
    document = cli(
        "validate", str(tmp_path / "many.ndjson"), "--max-items", "2", "-f", "json"
    ).json()
    assert len(document["items"]) == 2
    assert document["summary"]["invalid"] == 5 and document["summary"]["truncated"] == 3


def test_no_color_is_respected(cli: Cli, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = cli("validate", str(files / "bad.json"))
    assert "\x1b[" in coloured.out
    monkeypatch.setenv("NO_COLOR", "1")
    plain = cli("validate", str(files / "bad.json"))
    assert "\x1b[" not in plain.out


def _big_ndjson(path: Path, count: int) -> None:
    bad = envelope(_group(groupType="club"))
    good = envelope(_group())
    with path.open("wb") as handle:
        for index in range(count):
            handle.write(bad if index % 97 == 5 else good)
        handle.write(b"{broken\n")


def test_two_jobs_give_the_same_report_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "BLOCK_SIZE", 4096)  # many ranges from a small file
    _big_ndjson(tmp_path / "big.ndjson", 3000)
    options = Options(rules=False)
    one = run([str(tmp_path / "big.ndjson")], options, jobs=1)
    two = run([str(tmp_path / "big.ndjson")], options, jobs=2)
    assert one.to_json() == two.to_json()
    assert one.invalid == 31 and one.input_error_count == 1
    assert [i.line for i in one.items][:2] == [6, 103]
    assert one.input_errors[0].line == 3001


def test_standard_input_in_blocks_keeps_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(inputs, "BLOCK_SIZE", 2048)
    _big_ndjson(tmp_path / "in.ndjson", 400)
    data = (tmp_path / "in.ndjson").read_bytes()
    options = Options(rules=False)
    one = run(["-"], options, jobs=1, stdin=io.BytesIO(data))
    two = run(["-"], options, jobs=2, stdin=io.BytesIO(data))
    from_file = run([str(tmp_path / "in.ndjson")], options)
    assert [i.line for i in one.items] == [i.line for i in two.items]
    assert [i.line for i in one.items] == [i.line for i in from_file.items]
    assert one.input_errors[0].line == two.input_errors[0].line == 401


def test_streaming_keeps_memory_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "BLOCK_SIZE", 64 * 1024)
    path = tmp_path / "stream.ndjson"
    _big_ndjson(path, 6000)
    size = path.stat().st_size
    assert size > 4 * 1024 * 1024
    run([str(path)], Options(rules=False, max_items=10), jobs=1)  # warm the caches
    tracemalloc.start()
    report = run([str(path)], Options(rules=False, max_items=10), jobs=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.messages == 6000
    assert peak < size / 8, (peak, size)


def test_progress_callback_sees_every_byte(tmp_path: Path) -> None:
    path = tmp_path / "p.ndjson"
    _big_ndjson(path, 200)
    seen: list[int] = []
    run([str(path)], Options(rules=False), progress=seen.append)
    assert sum(seen) == path.stat().st_size


def test_help_everywhere(cli: Cli) -> None:
    for args in (
        ["--help"],
        ["validate", "--help"],
        ["spec", "--help"],
        ["rules", "--help"],
        ["keys", "--help"],
        ["spec", "show", "--help"],
    ):
        result = cli(*args)
        assert result.code == 0 and "Usage" in result.out, args


def test_the_installed_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    lines = b"".join(envelope(_group(status="gone" if i == 3 else "active")) for i in range(9))
    (tmp_path / "m.ndjson").write_bytes(lines)
    command = [
        sys.executable,
        "-m",
        "eduv.cli",
        "validate",
        "--jobs",
        "2",
        "-f",
        "json",
        str(tmp_path / "m.ndjson"),
        str(tmp_path / "missing.json"),
    ]
    result = subprocess.run(command, capture_output=True, check=False)
    assert result.returncode == 2, result.stderr
    document = orjson.loads(result.stdout)
    assert document["summary"]["invalid"] == 1 and document["summary"]["inputErrors"] == 1
    assert b"Traceback" not in result.stderr


def test_dataset_folders_and_files(cli: Cli, tmp_path: Path) -> None:
    from eduv.dataset import save_dataset
    from tests.sdk.test_validation import _tiny_dataset

    save_dataset(_tiny_dataset(), tmp_path / "folder", folder=True)
    save_dataset(_tiny_dataset(), tmp_path / "dataset.json")
    for target in (tmp_path / "folder", tmp_path / "dataset.json"):
        result = cli("validate", str(target), "--no-rules", "-f", "json")
        document = result.json()
        assert result.code == 1, result.out
        assert document["summary"]["messages"] == 3
        assert [i["location"] for i in document["items"]] == ["/schools/0/schoolPeriods/1"]
    (tmp_path / "folder" / "students.ndjson").write_bytes(b"{oops\n")
    broken = cli("validate", str(tmp_path / "folder"))
    assert broken.code == 2 and "students.ndjson:1" in broken.out


def test_input_errors_in_dutch(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "kapot.json").write_bytes(b'{"a": }')
    result = cli(
        "validate", str(tmp_path / "kapot.json"), str(tmp_path / "weg.json"), "--lang", "nl"
    )
    assert "invoerfout" in result.out and "ongeldige JSON" in result.out
    assert "bestand of map bestaat niet" in result.out
