"""The OpenAPI 3.1 documents: valid, offline-loadable, and declaring API-Version."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from eduv import spec

VERSIONS = [(a.id, v) for a in spec.apis() for v in a.versions]


@pytest.mark.parametrize(("api", "version"), VERSIONS)
def test_openapi_document_is_valid_3_1(api: str, version: str) -> None:
    path = spec.openapi_path(api, version)
    document, base_uri = read_from_filename(str(path))
    assert document["openapi"] == "3.1.0"
    validate(document, base_uri=base_uri)
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert len(operations) == len(spec.operations(api, version))
    for op in operations:
        assert {"$ref": "#/components/parameters/API-Version"} in op["parameters"]
        for response in op["responses"].values():
            assert "API-Version" in response["headers"]


def test_schemathesis_loads_the_documents_offline() -> None:
    schemathesis = pytest.importorskip("schemathesis")
    for api, version in VERSIONS:
        path = spec.openapi_path(api, version)
        loaded = schemathesis.openapi.from_path(str(path))
        assert len(list(loaded.get_all_operations())) == len(spec.operations(api, version))


def test_operation_scopes_match_the_index() -> None:
    for api, version in VERSIONS:
        document = json.loads(spec.openapi_path(api, version).read_text(encoding="utf-8"))
        for op in spec.operations(api, version):
            entry = document["paths"][op.path][op.method.lower()]
            scopes = entry.get("security", [{"OAuth2": []}])[0]["OAuth2"]
            assert scopes == list(op.scopes)
