"""Payloads to generated models, leniently or strictly.

Lenient (the default) is what a client facing a newer provider wants: unknown
fields are kept on the model (``model.model_extra``) and dumped back unchanged.
Strict first validates the payload against the message's JSON Schema (formats
included) and then refuses any field the schema does not declare.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, RootModel

from eduv import spec
from eduv.findings import Finding
from eduv.pointer import escape, pointer

M = TypeVar("M", bound=BaseModel)


class PayloadError(ValueError):
    """A payload that does not match its message, with every problem found (schema findings)."""

    def __init__(self, api: str, version: str, message: str, problems: list[Finding]) -> None:
        self.api, self.version, self.message, self.problems = api, version, message, problems
        lines = "; ".join(f"{p.instance_path or '/'}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{api} {version} {message}: {lines}{more}")


def schema_problems(api: str, version: str, message: str, payload: Any) -> list[Finding]:
    compiled = spec.validator(api, version, message)
    return [
        Finding(
            "schema",
            e.message,
            pointer(e.instance_path),
            keyword=str(list(e.schema_path)[-1]) if e.schema_path else "",
        )
        for e in compiled.iter_errors(payload)
    ]


def unknown_fields(model: BaseModel, at: str = "") -> list[Finding]:
    """Fields a model kept although its schema does not declare them."""
    found = [
        Finding(
            "schema",
            "not declared by the schema",
            f"{at}/{escape(name)}",
            keyword="additionalProperties",
        )
        for name in (model.model_extra or {})
    ]
    for name in type(model).model_fields:
        found.extend(_unknown_in(getattr(model, name), f"{at}/{name}"))
    return found


def _unknown_in(value: Any, at: str) -> list[Finding]:
    if isinstance(value, RootModel):
        return _unknown_in(value.root, at)
    if isinstance(value, BaseModel):
        return unknown_fields(value, at)
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _unknown_in(item, f"{at}/{i}")]
    return []


def parse(
    model: type[M], payload: Any, *, api: str, version: str, message: str, strict: bool = False
) -> M:
    """Validate ``payload`` and return it as ``model``; strict mode raises on any problem."""
    if strict:
        problems = schema_problems(api, version, message, payload)
        if problems:
            raise PayloadError(api, version, message, problems)
    parsed = model.model_validate(payload)
    if strict:
        extra = unknown_fields(parsed)
        if extra:
            raise PayloadError(api, version, message, extra)
    return parsed


def dump(value: Any) -> Any:
    """The payload of a model as it came in: original field names, nothing unset added.

    A list of models becomes a list of payloads; anything else is returned as it is, so
    callers can pass a model or a plain JSON value alike.
    """
    if isinstance(value, list):
        return [dump(item) for item in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value
