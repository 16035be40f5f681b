"""Telling which message a bare payload is, from its content.

Candidates are the component messages whose required properties the payload has and
whose declared properties explain most of its keys; the best ones are then validated.
The outcome is unambiguous when the remaining candidates all carry one message name
(the same component in several APIs or versions is one concept; the first fitting one
is used, the current version before the previous).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from eduv import spec
from eduv.validation.engine import Target


@dataclass(frozen=True, slots=True)
class _Shape:
    api: str
    version: str
    message: str
    properties: frozenset[str]
    required: frozenset[str]


class DetectionError(LookupError):
    """The payload fits no message, or several different ones."""


@cache
def _shapes(api: str | None, version: str | None) -> tuple[_Shape, ...]:
    found: list[_Shape] = []
    for entry in spec.apis():
        if api is not None and entry.id != spec.resolve_api(api):
            continue
        wanted = (spec.resolve_version(entry.id, version)[1],) if version else entry.versions
        for ver in wanted:
            found.extend(_version_shapes(entry.id, ver))
    return tuple(found)


def _version_shapes(api: str, version: str) -> list[_Shape]:
    shapes = []
    for message in spec.messages(api, version):
        document = spec.schema(api, version, message)
        if ".parameters" in message or document.get("type") != "object":
            continue
        props = frozenset(document.get("properties", {}))
        if props:
            shapes.append(
                _Shape(api, version, message, props, frozenset(document.get("required", ())))
            )
    return shapes


@cache
def _ranked(api: str | None, version: str | None, keys: frozenset[str]) -> tuple[_Shape, ...]:
    """The shapes that explain the most keys, best first (cached per key set)."""
    scored = []
    for shape in _shapes(api, version):
        known = len(keys & shape.properties)
        if known == 0:
            continue
        unknown = len(keys - shape.properties)
        missing = len(shape.required - keys)
        # Keys the schema cannot explain weigh most: a broken message keeps its keys.
        scored.append(((unknown, missing, -known), shape))
    if not scored:
        return ()
    scored.sort(key=lambda pair: pair[0])
    best = scored[0][0]
    return tuple(shape for score, shape in scored if score == best)


def detect(payload: Any, api: str | None = None, version: str | None = None) -> Target:
    """The target a payload most likely is; raises :class:`DetectionError` when unsure.

    A list is detected from its first element and validated as a list of that message.
    """
    sample = payload[0] if isinstance(payload, list) and payload else payload
    if not isinstance(sample, dict) or not sample:
        raise DetectionError(
            "cannot tell which message this is: only non-empty JSON objects (or lists of "
            "them) can be recognised; give the API and message name"
        )
    ranked = _ranked(api, version, frozenset(sample))
    if not ranked:
        raise DetectionError(
            "cannot tell which message this is: no Edu-V message declares any of its "
            "properties; give the API and message name"
        )
    valid = [s for s in ranked if _target(s, payload).validator.is_valid(payload)]
    pool = valid or list(ranked)
    names = sorted({s.message for s in pool})
    if len(names) > 1:
        raise DetectionError(
            "cannot tell which message this is; it fits "
            + ", ".join(names)
            + "; give the message name (and API) explicitly"
        )
    return _target(_preferred(pool), payload)


def _preferred(pool: list[_Shape]) -> _Shape:
    current = [s for s in pool if s.version == spec.api(s.api).current]
    return (current or pool)[0]


def _target(shape: _Shape, payload: Any) -> Target:
    return Target(shape.api, shape.version, shape.message, array=isinstance(payload, list))
