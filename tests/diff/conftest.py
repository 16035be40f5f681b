"""Fixture pairs for the diff: one folder per change kind (or family) with old and new.

A folder holds either two whole OpenAPI documents, or two schemas; a schema pair is
put into the same small document three times, as a request body, as an object query
parameter and as a response, so one pair shows the change in every direction.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED: dict[str, list[str]] = json.loads((FIXTURES / "expected.json").read_text())


def load_yaml(path: Path) -> Any:
    yaml = pytest.importorskip("ruamel.yaml", reason="the fixtures are YAML (eduv[dev])")
    return yaml.YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def document_around(schema: Any, version: str = "1.0.0") -> dict[str, Any]:
    """A small OpenAPI 3.0 document that uses ``schema`` in all three directions."""
    ref = {"$ref": "#/components/schemas/Thing"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Fixture", "version": version},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "list-things",
                    "parameters": [
                        {"name": "filter", "in": "query", "style": "deepObject", "schema": ref}
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": ref}},
                        }
                    },
                },
                "post": {
                    "operationId": "add-thing",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": ref}},
                    },
                    "responses": {"204": {"description": "Done"}},
                },
            }
        },
        "components": {"schemas": {"Thing": schema}},
    }


def fixture_pair(name: str, folder: Path) -> tuple[Path, Path]:
    """The two documents of a fixture, as files ``eduv diff FILE FILE`` can read."""
    paths = []
    for side in ("old", "new"):
        source = FIXTURES / name / f"{side}.yaml"
        data = load_yaml(source)
        if "openapi" in data:
            paths.append(source)
            continue
        target = folder / f"{name}-{side}.json"
        target.write_bytes(orjson.dumps(document_around(data)))
        paths.append(target)
    return paths[0], paths[1]
