"""What a token may see of a message, and how stored objects become t-1 messages.

Field minimisation reads the ``x-eduv-scopes`` of each top-level property of the served
message (nested properties inherit it): a property is served when the token holds one of
its scopes. A property without the annotation is served to anyone who may call the
operation. A message whose required properties the token cannot see is not served at
all (403, status 21): required fields are never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from eduv import spec
from eduv.dataset import convert


@cache
def field_scopes(api: str, version: str, message: str) -> dict[str, frozenset[str]]:
    """Per top-level property of a message: the scopes that grant it (empty: ungated)."""
    properties = spec.schema(api, version, message).get("properties", {})
    return {name: frozenset(prop.get("x-eduv-scopes", ())) for name, prop in properties.items()}


@cache
def _required(api: str, version: str, message: str) -> tuple[str, ...]:
    return tuple(spec.schema(api, version, message).get("required", ()))


def hidden_fields(api: str, version: str, message: str, scopes: frozenset[str]) -> frozenset[str]:
    """The properties the scopes do not grant; empty when the whole message may be served."""
    return _hidden(api, version, message, scopes)


@cache
def _hidden(api: str, version: str, message: str, scopes: frozenset[str]) -> frozenset[str]:
    return frozenset(
        name
        for name, needed in field_scopes(api, version, message).items()
        if needed and not needed & scopes
    )


def lacks_required(api: str, version: str, message: str, scopes: frozenset[str]) -> list[str]:
    """Required properties the scopes do not grant (so the message cannot be served)."""
    hidden = _hidden(api, version, message, scopes)
    return [name for name in _required(api, version, message) if name in hidden]


def minimise(doc: Mapping[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in hidden}


@cache
def converts_down(api: str, component: str) -> bool:
    """Whether serving the component in t-1 changes anything at all."""
    return bool(convert.steps(api, component, "down"))


def to_previous(
    api: str, component: str, doc: dict[str, Any], sector: str | None
) -> dict[str, Any]:
    """A stored (t-shaped) object as the previous version (t-1) carries it."""
    return convert.convert_object(api, component, doc, "down", sector)
