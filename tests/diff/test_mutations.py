"""Mutate a real message schema in one known way; the diff must name exactly that aspect.

The schemas come from the registry (every API version), the message is one that an
operation sends or returns, and the mutation touches one top-level property. Whatever
direction the message travels in (request, response or both), every change reported
must be of the mutated aspect.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from eduv import spec
from eduv.diff.core import Side, compare
from eduv.diff.model import load_api

Prop = dict[str, Any]
# (aspect, applies to this property?, mutate the message schema in place)
Mutation = tuple[str, Callable[[dict[str, Any], str], bool], Callable[[dict[str, Any], str], None]]


def _prop(schema: dict[str, Any], name: str) -> Prop:
    found: Prop = schema["properties"][name]
    return found


def _is_string(schema: dict[str, Any], name: str) -> bool:
    return _prop(schema, name).get("type") == "string"


def _plain_string(key: str) -> Callable[[dict[str, Any], str], bool]:
    return lambda s, n: _is_string(s, n) and key not in _prop(s, n)


def _required(schema: dict[str, Any], name: str) -> bool:
    return name in schema.get("required", [])


def _remove(schema: dict[str, Any], name: str) -> None:
    del schema["properties"][name]
    if _required(schema, name):
        schema["required"].remove(name)


def _add(schema: dict[str, Any], name: str) -> None:
    schema["properties"]["zzNew"] = {"type": "string"}


def _require(schema: dict[str, Any], name: str) -> None:
    schema.setdefault("required", []).append(name)


def _unrequire(schema: dict[str, Any], name: str) -> None:
    schema["required"].remove(name)


MUTATIONS: list[Mutation] = [
    ("required-property-removed", _required, _remove),
    ("optional-property-removed", lambda s, n: not _required(s, n), _remove),
    ("optional-property-added", lambda s, n: True, _add),
    ("property-became-required", lambda s, n: not _required(s, n), _require),
    ("property-became-optional", _required, _unrequire),
    ("type-changed", _is_string, lambda s, n: _prop(s, n).update(type="boolean")),
    ("nullable-added", _is_string, lambda s, n: _prop(s, n).update(type=["string", "null"])),
    ("format-added", _plain_string("format"), lambda s, n: _prop(s, n).update(format="date")),
    ("pattern-added", _plain_string("pattern"), lambda s, n: _prop(s, n).update(pattern="^x")),
    ("length-narrowed", _plain_string("maxLength"), lambda s, n: _prop(s, n).update(maxLength=9)),
    ("default-added", _plain_string("default"), lambda s, n: _prop(s, n).update(default="x")),
    ("property-deprecated", lambda s, n: True, lambda s, n: _prop(s, n).update(deprecated=True)),
    (
        "enum-value-added",
        lambda s, n: isinstance(_prop(s, n).get("enum"), list),
        lambda s, n: _prop(s, n)["enum"].append("ZZ_NEW"),
    ),
    (
        "enum-value-removed",
        lambda s, n: len(_prop(s, n).get("enum", [])) >= 2,
        lambda s, n: _prop(s, n)["enum"].pop(),
    ),
    (
        "items-narrowed",
        lambda s, n: _prop(s, n).get("type") == "array" and "maxItems" not in _prop(s, n),
        lambda s, n: _prop(s, n).update(maxItems=1),
    ),
    (
        "property-scope-removed",
        lambda s, n: bool(_prop(s, n).get("x-eduv-scopes")),
        lambda s, n: _prop(s, n).update({"x-eduv-scopes": []}),
    ),
]


@cache
def carried_messages() -> list[tuple[str, str, str]]:
    """(api, version, message) of every object message an operation sends or returns."""
    found = set()
    for api in spec.apis():
        for version in api.versions:
            for op in spec.operations(api.id, version):
                for body in (op.request, *op.responses.values()):
                    if body is None:
                        continue
                    if "properties" in spec.schema(api.id, version, body.message):
                        found.add((api.id, version, body.message))
    return sorted(found)


@given(st.data())
def test_each_mutation_is_classified_as_its_kind(data: st.DataObject) -> None:
    api, version, message = data.draw(st.sampled_from(carried_messages()), label="message")
    schema = copy.deepcopy(dict(spec.schema(api, version, message)))
    name = data.draw(st.sampled_from(sorted(schema["properties"])), label="property")
    options = [m for m in MUTATIONS if m[1](schema, name)]
    aspect, _, mutate = data.draw(st.sampled_from(options), label="mutation")
    mutate(schema, name)

    path = spec.openapi_path(api, version)
    filename = spec.schema_path(api, version, message).name
    before, after = load_api(path), load_api(path, overrides={filename: schema})
    side = Side(version, "registry", before.title)
    changes = compare(before, after, side, side).changes

    assert changes, f"{aspect} on {api} {version} {message}.{name} was not seen"
    assert {c.kind.aspect for c in changes} == {aspect}, [c.id for c in changes]
    for change in changes:
        assert change.location.file == filename
        assert (change.location.property or "").split("/")[-1] in (name, "zzNew", "")
