"""Checking the objects of a chain dataset against their message schemas.

Two routes give the same verdict: :func:`validate_chain_objects` runs one compiled
message validator per object (``eduv.spec.validator``), which is what ``eduv validate``
will call; :func:`chain_document_validator` compiles the format-2 schema itself, whose
``allOf`` binds every collection to its message by ``$ref``, for tools that validate the
whole document at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs

from eduv import spec
from eduv.dataset.chain.model import ChainDataset, chain_apis, chain_schema, supported_shapes
from eduv.dataset.model import JsonObject


@dataclass(frozen=True, slots=True)
class ObjectProblem:
    """One way an object of a chain dataset breaks its message schema."""

    pointer: str
    api: str
    version: str
    component: str
    message: str

    def __str__(self) -> str:
        shape = f"{self.component} ({self.api} {self.version})"
        return f"{self.pointer}: not a valid {shape}: {self.message}"


def iter_object_problems(dataset: ChainDataset) -> Iterator[ObjectProblem]:
    """Every schema violation of every object, in the order of the document."""
    for pointer, api, component, obj in dataset.iter_objects():
        version = dataset.shapes[api]
        validator = spec.validator(api, version, component)
        for error in validator.iter_errors(obj):
            inner = "".join(f"/{p}" for p in error.instance_path)
            yield ObjectProblem(pointer + inner, api, version, component, error.message)


def validate_chain_objects(dataset: ChainDataset) -> list[ObjectProblem]:
    """All schema violations of the dataset's objects (empty when every object is valid)."""
    return list(iter_object_problems(dataset))


@cache
def chain_document_validator() -> Any:
    """A validator for the whole format-2 document, message schemas included.

    Its registry holds the message schemas of t and t-1 of every chain API, so the
    relative ``$ref``s of the dataset schema resolve without network access. The format
    refers to each version's released folder; where a later revision fixed that folder,
    the newest revision answers under both addresses, as the registry serves it.
    """
    resources: list[tuple[str, JsonObject]] = []
    for api in chain_apis():
        for version in supported_shapes(api):
            released = f"{spec.base_uri()}{api}/{version}/"
            for message in spec.messages(api, version):
                document = dict(spec.schema(api, version, message))
                resources.append((str(document["$id"]), document))
                if not str(document["$id"]).startswith(released):
                    resources.append((f"{released}{message}.json", document))
    registry = jsonschema_rs.Registry(resources)
    return jsonschema_rs.validator_for(chain_schema(), registry=registry, validate_formats=True)
