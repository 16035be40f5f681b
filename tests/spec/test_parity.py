"""The spec against the official documents: components, operations, versions."""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import pytest

from eduv import spec

from .parity import Parity, read_official


def _semver(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _parity(
    reference: Path, api: str, version: str, override: dict[str, Any] | None = None
) -> Parity:
    official = read_official(reference / "edu-v-openapi" / api / f"{version}.yaml")
    files = {spec.schema_path(api, version, m).name: m for m in spec.messages(api, version)}

    def ours(filename: str) -> Any:
        if override and filename in override:
            return override[filename]
        return spec.schema(api, version, files[filename]) if filename in files else {}

    return Parity(api, version, official, ours, list(spec.deviations()["deviations"]))


def _files(api: str, version: str) -> dict[str, str]:
    return {m: spec.schema_path(api, version, m).name for m in spec.messages(api, version)}


def test_supported_versions_are_t_and_t_minus_one_by_semver(reference: Path) -> None:
    by_api: dict[str, list[str]] = {}
    with (reference / "edu-v-openapi" / "INDEX.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            by_api.setdefault(row["api"], []).append(row["version"])
    expected = {
        api: tuple(sorted(vs, key=_semver)[-2:][::-1])
        for api, vs in by_api.items()
        if api != "sis-api"
    }
    assert {a.id: a.versions for a in spec.apis()} == expected
    assert len(expected) == 16


def _all_versions() -> list[tuple[str, str]]:
    return [(a.id, v) for a in spec.apis() for v in a.versions]


@pytest.mark.parametrize(("api", "version"), _all_versions())
def test_parity_with_the_official_document(reference: Path, api: str, version: str) -> None:
    parity = _parity(reference, api, version)
    parity.components()
    files = _files(api, version)
    index_ops = [
        {
            "method": op.method,
            "path": op.path,
            "operationId": op.operation_id,
            "scopes": list(op.scopes),
            "parameters": op.parameters,
            "requestBody": None if op.request is None else vars(op.request),
            "responses": {s: None if r is None else vars(r) for s, r in op.responses.items()},
        }
        for op in spec.operations(api, version)
    ]
    parity.operations(index_ops, lambda m: files[m])
    assert parity.differences == []
    assert parity.checks > 20


MUTATIONS = [
    ("enum", lambda s: s["properties"]["groupType"]["enum"].pop()),
    ("required", lambda s: s["required"].remove("groupName")),
    ("property", lambda s: s["properties"].pop("schoolPeriod")),
]


@pytest.mark.parametrize(("what", "mutate"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_parity_check_catches_a_mutated_spec(reference: Path, what: str, mutate: Any) -> None:
    api, version = "association-api", spec.versions("association-api")[0]
    group = copy.deepcopy(dict(spec.schema(api, version, "Group")))
    mutate(group)
    parity = _parity(reference, api, version, {"Group.json": group})
    parity.components()
    assert any("/components/schemas/Group" in d for d in parity.differences), what


def test_counts_of_the_covered_message_set() -> None:
    versions = _all_versions()
    components = sum(
        1
        for api, v in versions
        for m in spec.messages(api, v)
        if spec.message_kind(api, v, m) == "component"
    )
    operations = sum(len(spec.operations(api, v)) for api, v in versions)
    assert len(versions) == 32
    assert 280 <= components <= 300
    assert operations == 140
