"""Names repeated in a JSON object: a warning with the pointer of each, wherever read."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from eduv.validation import duplicates, validate_dataset, validate_paths
from tests.sdk.conftest import Cli, envelope, example


def _group_text() -> bytes:
    group = orjson.dumps(example("association-api", "1.1.0", "Group"))
    # the same name twice, at the top and in a nested object
    return group.replace(b'{"groupId"', b'{"groupName":"X","groupId"', 1).replace(
        b'"userIdType":"NEPPI"', b'"userIdType":"NEPPI","userIdType":"NEPPI"', 1
    )


def test_a_file_with_repeated_names_is_valid_with_warnings(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "group.json").write_bytes(_group_text())
    result = cli("validate", str(tmp_path / "group.json"), "-f", "json")
    assert result.code == 0, result.out
    document = result.json()
    [item] = document["items"]
    found = [(f["instancePath"], f["severity"], f["kind"]) for f in item["findings"]]
    assert found == [
        ("/groupName", "warning", "protocol"),
        ("/students/0/userIds/0/userIdType", "warning", "protocol"),
    ]
    assert document["summary"]["messages"] == 1  # the JSON text is not a message


def test_ndjson_lines_and_text_output(cli: Cli, tmp_path: Path) -> None:
    group = example("association-api", "1.1.0", "Group")
    line = envelope(group).replace(b'"payload":{', b'"payload":{"status":"active",', 1)
    (tmp_path / "in.ndjson").write_bytes(envelope(group) + line)
    for rules in ("--rules", "--no-rules"):
        result = cli("validate", str(tmp_path / "in.ndjson"), rules)
        assert result.code == 0
        assert f"{tmp_path / 'in.ndjson'}:2: the JSON text: valid, with warnings" in result.out
        assert 'warning: /payload/status: the name "status" appears more than once' in result.out


@pytest.mark.parametrize(
    "text",
    [
        b'{"a":"\\u003a","a":1}',  # an escaped colon hides the dropped one from the count
        b'{"a": 1, "a" : 1}',  # spaces make the lengths differ
        b'[{"b":[{"c":{"d":1,"d":{"e":":"}}}]}]',
    ],
)
def test_suspect_and_locate_agree(text: bytes) -> None:
    assert duplicates.suspect(text, orjson.loads(text))
    assert len(duplicates.locate(text)) == 1


def test_no_repeat_no_suspicion() -> None:
    for text in (b'{"a":"x:y","b":[1,2]}', b'{"a" : 1e5, "b": "\\u00e9"}', b"[]", b"1"):
        doc = orjson.loads(text)
        assert not duplicates.suspect(text, doc) or duplicates.locate(text) == []


def test_har_bodies_and_dataset_files(tmp_path: Path) -> None:
    from eduv.dataset import save_dataset
    from tests.sdk.test_validation import _tiny_dataset

    save_dataset(_tiny_dataset(), tmp_path / "dataset.json")
    text = (tmp_path / "dataset.json").read_bytes()
    (tmp_path / "dataset.json").write_bytes(text.replace(b"{", b'{"x": 1, "x": 2,', 1))
    for report in (
        validate_dataset(tmp_path / "dataset.json", rules=False),
        validate_paths([str(tmp_path / "dataset.json")], rules=False),
    ):
        assert [f.instance_path for f in report.findings if f.kind == "protocol"] == ["/x"]
