"""Path and query parameters between URLs and decoded values.

Parameter schemas (``<operationId>.parameters``) describe decoded values: a boolean
is ``true`` in JSON but ``"true"`` in a URL. Encoding is used by the client, decoding
by the HAR checker, the notification receiver and test servers; both follow the
parameter schema of the operation.

A parameter schema also relates parameters to each other (``orgId`` needs
``orgIdType``, a school is named one way or another). :func:`parameter_rules` lists those
rules one by one: the provider publishes them in its OpenAPI documents and the
conformance suite sends requests that break them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from eduv import spec

_PLACEHOLDER = re.compile(r"\{([^}/]+)\}")
_INTEGER = re.compile(r"-?\d+")


def encode_value(value: Any) -> str:
    """The URL form of one parameter value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        moment: dt.datetime = value
        if moment.tzinfo is not None:
            return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
        return moment.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def expand_path(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders; values are percent-encoded (``/`` included)."""
    return _PLACEHOLDER.sub(lambda m: quote(encode_value(values[m.group(1)]), safe=""), template)


def query_pairs(op: spec.Operation, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The query string of a call, in the order of the operation's parameters."""
    pairs: list[tuple[str, str]] = []
    for name, where in op.parameter_in.items():
        if where != "query" or values.get(name) is None:
            continue
        value = values[name]
        items = value if isinstance(value, list | tuple) else [value]
        pairs.extend((name, encode_value(item)) for item in items)
    return pairs


# Keywords of a parameters schema that relate parameters to each other (besides allOf,
# whose members are rules each, and if/then/else, which mean something only together).
RULE_KEYWORDS = ("anyOf", "oneOf", "not", "dependentRequired")


def parameter_rules(op: spec.Operation) -> list[dict[str, Any]]:
    """The rules between the parameters of ``op``, each a JSON Schema over the object of
    its decoded path and query parameters by name."""
    schema = spec.schema(op.api, op.version, op.parameters)
    rules: list[dict[str, Any]] = [dict(rule) for rule in schema.get("allOf", [])]
    rules += [{key: schema[key]} for key in RULE_KEYWORDS if key in schema]
    conditional = {key: schema[key] for key in ("if", "then", "else") if key in schema}
    if conditional:
        rules.append(conditional)
    return rules


@cache
def _types(api: str, version: str, message: str) -> Mapping[str, str]:
    props: Mapping[str, Any] = spec.schema(api, version, message).get("properties", {})
    return {name: str(schema.get("type", "string")) for name, schema in props.items()}


def decode_value(raw: str, json_type: str) -> Any:
    """A URL value as the JSON value its schema type expects; unparseable text stays text.

    Leaving bad text in place lets the schema report it (``"yes" is text, expected true
    or false``) instead of failing here with a less precise message.
    """
    if json_type == "boolean" and raw in ("true", "false"):
        return raw == "true"
    if json_type == "integer" and _INTEGER.fullmatch(raw):
        return int(raw)
    if json_type == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def decode(
    op: spec.Operation,
    path_values: Mapping[str, str],
    query: str | Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """Decoded parameters of a request: path values plus the query string."""
    types = _types(op.api, op.version, op.parameters)
    pairs = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else list(query)
    decoded: dict[str, Any] = {
        name: decode_value(unquote(raw), types.get(name, "string"))
        for name, raw in path_values.items()
    }
    for name, raw in pairs:
        json_type = types.get(name, "string")
        value = decode_value(raw, "string" if json_type == "array" else json_type)
        if json_type == "array":
            decoded.setdefault(name, []).append(value)
        else:
            decoded[name] = value
    return decoded


def path_pattern(template: str) -> re.Pattern[str]:
    """A regex matching a path template at the end of a URL path (any prefix)."""
    parts = _PLACEHOLDER.split(template)
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(f"^(?P<_prefix>.*?){regex}/?$")
