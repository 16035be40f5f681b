"""Each recorded deviation is needed: the literal official form rejects a payload
the standard documents, and the form eduv ships accepts it."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema_rs
import pytest

from eduv import spec

DEVIATIONS = [
    d
    for d in spec.deviations()["deviations"]
    if d["kind"] != "format-normalisation" and d["kind"] != "pattern-portability"
]


def _locate(pointer: str) -> tuple[str, list[str]]:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]
    assert tokens[:2] == ["components", "schemas"], pointer
    return tokens[2], tokens[3:]


def _literal(document: dict[str, Any], path: list[str], entry: dict[str, Any]) -> dict[str, Any]:
    literal = copy.deepcopy(document)
    node = literal
    for token in path[:-1]:
        node = node[token]
    if entry["kind"] == "overlapping-oneOf":
        node[entry["official"]] = node.pop(entry["ours"])
    else:
        node[path[-1]] = entry["official"]
    return literal


def _payloads(entry: dict[str, Any], api: str, version: str, message: str) -> list[Any]:
    return [spec.schema(api, version, message)["examples"][0]]


@pytest.mark.parametrize(
    "entry",
    DEVIATIONS,
    ids=[f"{d['api']}{d['pointer']}:{','.join(d['versions'])}" for d in DEVIATIONS],
)
def test_literal_form_rejects_a_documented_payload_and_ours_accepts_it(
    entry: dict[str, Any],
) -> None:
    for version in entry["versions"]:
        api = entry["api"]
        component, path = _locate(entry["pointer"])
        document = dict(spec.schema(api, version, component))
        registry = spec.registry(api, version)
        ours = jsonschema_rs.validator_for(document, registry=registry, validate_formats=True)
        if entry["kind"] == "prose-requirement":
            _check_prose_requirement(document, path, entry, registry)
            continue
        if entry["kind"] == "example-fails-schema":
            field = path[:-1]
            assert field[-1] in ("studyLevelId", "studyLevelPrefix")
            sub: Any = document
            for token in field:
                sub = sub[token]
            check = jsonschema_rs.validator_for(sub, validate_formats=True)
            assert not check.is_valid(entry["official"]) and check.is_valid(entry["ours"])
            continue
        payload = spec.schema(api, version, component)["examples"][0]
        literal_document = _literal(document, path, entry)
        literal = jsonschema_rs.validator_for(
            literal_document, registry=registry, validate_formats=True
        )
        assert ours.is_valid(payload), (api, version, component)
        assert not literal.is_valid(payload), (api, version, component, entry["pointer"])


def test_generic_normalisations_are_recorded_per_occurrence() -> None:
    kinds = {d["kind"] for d in spec.deviations()["deviations"]}
    assert {"format-normalisation", "pattern-portability"} <= kinds
    for entry in spec.deviations()["deviations"]:
        assert entry["reason"] and entry["pointer"].startswith("/")


def test_conventions_are_recorded() -> None:
    ids = {c["id"] for c in spec.deviations()["conventions"]}
    assert {
        "scope-any-of",
        "person-basic-scope",
        "unauthenticated-401",
        "missing-scope-403",
        "status-codes-integers",
    } <= ids


def _check_prose_requirement(
    document: dict[str, Any], path: list[str], entry: dict[str, Any], registry: Any
) -> None:
    """The literal form lets a payload without either identifier through; ours does not."""
    sub: Any = document
    example: Any = document["examples"][0]
    tokens = path[:-1]
    for index, token in enumerate(tokens):
        sub = sub[int(token)] if isinstance(sub, list) else sub[token]
        if token == "items":
            example = example[0]
        elif index and tokens[index - 1] == "properties":
            example = example[token]
    literal = copy.deepcopy(sub)
    del literal[path[-1]]
    first, second = (branch["required"][0] for branch in entry["ours"])
    neither = {k: v for k, v in example.items() if k not in (first, second)}
    options = {"registry": registry, "base_uri": document["$id"], "validate_formats": True}
    ours = jsonschema_rs.validator_for(sub, **options)
    loose = jsonschema_rs.validator_for(literal, **options)
    assert ours.is_valid(example), entry["pointer"]
    assert loose.is_valid(neither) and not ours.is_valid(neither), entry["pointer"]
