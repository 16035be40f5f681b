"""Scopes: an operation's scopes come from its security requirements; a property's from
``x-eduv-scopes`` when the schema states them (the registry does), otherwise from the
operation that serves it. A scope added to or taken from the operation is reported once,
on the operation, not again on every property it reaches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from eduv.diff import diff_files


def document(op_scopes: list[str], props: dict[str, list[str] | None]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, scopes in props.items():
        properties[name] = {"type": "string"}
        if scopes is not None:
            properties[name]["x-eduv-scopes"] = scopes
    body = {"type": "object", "properties": properties}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Scopes", "version": "1.0.0"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "list-things",
                    "security": [{"OAuth2": op_scopes}],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": body}},
                        }
                    },
                }
            }
        },
    }


def changes(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any]]:
    paths = []
    for name, doc in (("old", old), ("new", new)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_bytes(orjson.dumps(doc))
    result = diff_files(*paths)
    return sorted((c.id, c.before if c.after is None else c.after) for c in result.changes)


def test_scopes_from_security_requirements_are_reported_on_the_operation(tmp_path: Path) -> None:
    old = document(["eduv.x", "eduv.y"], {"a": None, "b": None})
    new = document(["eduv.x"], {"a": None, "b": None})
    assert changes(tmp_path, old, new) == [("operation-scope-removed", "eduv.y")]


def test_stated_property_scopes_are_compared_beyond_the_operations_own(tmp_path: Path) -> None:
    old = document(["eduv.x"], {"a": ["eduv.x"], "b": ["eduv.x", "eduv.z"]})
    new = document(["eduv.x", "eduv.y"], {"a": ["eduv.x", "eduv.y"], "b": ["eduv.x"]})
    assert changes(tmp_path, old, new) == [
        ("operation-scope-added", "eduv.y"),  # a gains it with the operation: said once
        ("response-property-scope-removed", "eduv.z"),
    ]


def test_a_property_that_starts_stating_its_scope_is_compared_with_the_operations(
    tmp_path: Path,
) -> None:
    old = document(["eduv.x", "eduv.y"], {"a": None})
    new = document(["eduv.x", "eduv.y"], {"a": ["eduv.y"]})
    assert changes(tmp_path, old, new) == [("response-property-scope-removed", "eduv.x")]
