"""Decoding and checking what a request carries: parameters and body.

Parameters are read from the URL as the operation's ``<operationId>.parameters`` schema
declares them (booleans and integers decoded from their text, an array from the name
repeated once per item), then checked against
that schema; bodies are checked against the request message. A failure is answered
with 400 and status 11 and a message that names the parameter or the JSON pointer.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import jsonschema_rs
import orjson

from eduv import spec
from eduv.provider.errors import SCHEMA_INCORRECT, RefusalError
from eduv.spec import Operation

MAX_REPORTED = 5
SCHOOL_HINT = "name the school with orgMasterId, or with orgId together with orgIdType"


@cache
def _declared(api: str, version: str, message: str) -> dict[str, tuple[str, str]]:
    """Per parameter: where it goes (query or path) and its JSON type."""
    properties = spec.schema(api, version, message).get("properties", {})
    return {
        name: (str(prop.get("x-eduv-in", "query")), str(prop.get("type", "string")))
        for name, prop in properties.items()
    }


def decode_params(
    op: Operation, version: str, query: Any, path: Mapping[str, str], *, ties: bool = True
) -> dict[str, Any]:
    """The declared parameters of a request, decoded and checked against their schema.

    ``query`` is a multi-dict (``getlist``); parameters the operation does not declare
    are ignored, as unknown properties are everywhere else. ``ties=False`` (a fault)
    checks each parameter on its own and that a school is named, not the rules that tie
    parameters to each other.
    """
    params: dict[str, Any] = {}
    for name, (where, kind) in _declared(op.api, version, op.parameters).items():
        if where == "path":
            if name in path:
                params[name] = without_nul(path[name])
            continue
        values = query.getlist(name)
        if kind == "array":
            # OpenAPI's default for a query array (form, exploded): the name once per item.
            if values:
                params[name] = [without_nul(v) for v in values]
            continue
        if len(values) > 1:
            raise RefusalError(
                400, SCHEMA_INCORRECT, f"query parameter {name!r} is given more than once"
            )
        if values:
            params[name] = without_nul(_decode(values[0], kind))
    _check(op.api, version, op.parameters, params, "parameters", ties)
    return params


def _decode(text: str, kind: str) -> Any:
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    if kind == "integer" and text.lstrip("-").isdigit():
        return int(text)
    return text


def decode_body(op: Operation, version: str, raw: bytes, *, required: bool = False) -> Any:
    """The request body, checked; ``required`` when the provider cannot answer without
    one even though the spec leaves it optional (a lookup of the person in the body)."""
    if op.request is None:
        return None
    if not raw.strip():
        if op.request_required or required:
            raise RefusalError(400, SCHEMA_INCORRECT, "this operation needs a JSON request body")
        return None
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RefusalError(
            400, SCHEMA_INCORRECT, f"the request body is not valid JSON: {exc}"
        ) from None
    body = without_nul(body)
    if op.request.array:
        if not isinstance(body, list):
            raise RefusalError(400, SCHEMA_INCORRECT, "the request body must be a JSON array")
        for index, item in enumerate(body):
            _check(op.api, version, op.request.message, item, f"request body item {index}")
        return body
    _check(op.api, version, op.request.message, body, "request body")
    return body


def loose_body(raw: bytes) -> Any:
    """The request body as JSON, not checked against its message (a fault only)."""
    try:
        return without_nul(orjson.loads(raw)) if raw.strip() else None
    except orjson.JSONDecodeError as exc:
        raise RefusalError(
            400, SCHEMA_INCORRECT, f"the request body is not valid JSON: {exc}"
        ) from None


def without_nul(value: Any) -> Any:
    """A decoded value with every NUL character replaced by U+FFFD.

    PostgreSQL cannot hold a NUL in a text value, so a query with one fails. The schemas
    allow it, though, and no stored text holds one (the provisioning API refuses them),
    so a value with a NUL simply matches nothing; the replacement keeps it that way and
    the answer is the one for any unknown school, object or person.
    """
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def contains_nul(value: Any) -> bool:
    """Whether a decoded value holds a NUL character anywhere (refused where data is
    written, so that stored text never holds one)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


@cache
def _without_ties(api: str, version: str, message: str) -> Any:
    """The parameters schema with only its rules that name the school (``anyOf``)."""
    schema = dict(spec.schema(api, version, message))
    named = [rule for rule in schema.pop("allOf", []) if "anyOf" in rule]
    if named:
        schema["allOf"] = named
    for key in ("dependentRequired", "if", "then", "else"):
        schema.pop(key, None)
    registry = spec.registry(api, version)
    return jsonschema_rs.validator_for(schema, registry=registry, validate_formats=True)


def _check(api: str, version: str, message: str, value: Any, what: str, ties: bool = True) -> None:
    if ties:
        validator = spec.validator(api, version, message)
    else:
        validator = _without_ties(api, version, message)
    errors = list(validator.iter_errors(value))
    if not errors:
        return
    if not isinstance(value, Mapping):
        raise RefusalError(400, SCHEMA_INCORRECT, f"the {what} must be a JSON object")
    unnamed = "orgMasterId" not in value and "orgId" not in value
    if what == "parameters" and unnamed and any("anyOf" in str(e.schema_path) for e in errors):
        raise RefusalError(400, SCHEMA_INCORRECT, f"the school is missing: {SCHOOL_HINT}")
    shown = [_describe(e, what) for e in errors[:MAX_REPORTED]]
    more = f" (and {len(errors) - MAX_REPORTED} more)" if len(errors) > MAX_REPORTED else ""
    raise RefusalError(400, SCHEMA_INCORRECT, "; ".join(shown) + more)


def _describe(error: Any, what: str) -> str:
    path = list(error.instance_path)
    if what == "parameters" and path:
        return f"query parameter {path[0]!r}: {error.message}"
    pointer = "/" + "/".join(str(p) for p in path) if path else ""
    return f"{what}{' at ' + pointer if pointer else ''}: {error.message}"
