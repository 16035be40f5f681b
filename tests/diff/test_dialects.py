"""OpenAPI 3.0 and 3.1 say the same things differently; a document and its 3.1
conversion must diff as equal, for the fixtures and for every official Edu-V file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from eduv.diff import diff_files
from tests.diff.conftest import EXPECTED, fixture_pair, load_yaml


def to_31(node: Any) -> Any:
    """A 3.0 document rewritten the 3.1 way (nullable, exclusive bounds, examples)."""
    if isinstance(node, list):
        return [to_31(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_31(value) for key, value in node.items()}
    if out.get("openapi", "").startswith("3.0"):
        out["openapi"] = "3.1.0"
    for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(key), bool):
            flag = out.pop(key)
            if flag and bound in out:
                out[key] = out.pop(bound)
    if "example" in out and isinstance(out.get("type"), str | list):
        out["examples"] = [out.pop("example")]
    if out.pop("nullable", False) is True:
        _nullable(out)
    return out


def _nullable(schema: dict[str, Any]) -> None:
    if isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        return
    ref = schema.pop("$ref", None)
    branch = {"$ref": ref} if ref else {}
    schema["anyOf"] = [branch, {"type": "null"}]


def _diff_with_conversion(source: Path, tmp_path: Path) -> list[str]:
    data = load_yaml(source) if source.suffix == ".yaml" else orjson.loads(source.read_bytes())
    converted = tmp_path / f"{source.stem}-3.1.json"
    converted.write_bytes(orjson.dumps(to_31(data)))
    return [f"{c.id} {c.message('en')}" for c in diff_files(source, converted).changes]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixtures_equal_their_31_conversion(name: str, tmp_path: Path) -> None:
    for side in fixture_pair(name, tmp_path):
        assert _diff_with_conversion(side, tmp_path) == []


def test_official_files_equal_their_31_conversion(reference: Path, tmp_path: Path) -> None:
    files = sorted((reference / "edu-v-openapi").glob("*/*.yaml"))
    assert files
    for source in files:
        assert _diff_with_conversion(source, tmp_path) == [], source


def test_nullable_is_one_thing_in_both_dialects(tmp_path: Path) -> None:
    old = {"type": "object", "properties": {"a": {"type": "string", "nullable": True}}}
    new = {"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}
    from tests.diff.conftest import document_around

    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_bytes(orjson.dumps(document_around(old)))
    doc = document_around(new)
    doc["openapi"] = "3.1.0"
    second.write_bytes(orjson.dumps(doc))
    assert diff_files(first, second).changes == ()
