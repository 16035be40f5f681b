"""The change kinds (``spec/diff/1/kinds.json``) and the change record.

The table is the one place that says which changes exist, in which direction, how
bad each is and how it reads in English and Dutch; the comparing code only names
the kind it found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import orjson

from eduv import spec
from eduv.spec import Lang

ChangeClass = Literal["breaking", "potentially-breaking", "non-breaking", "annotation"]
CLASSES: tuple[ChangeClass, ...] = (
    "breaking",
    "potentially-breaking",
    "non-breaking",
    "annotation",
)
DIRECTIONS = ("operation", "parameter", "request", "response")


@dataclass(frozen=True)
class Kind:
    id: str
    direction: str
    cls: ChangeClass
    message: Mapping[str, str]
    aspect: str | None = None  # the schema aspect, for the kinds made from a family


@dataclass(frozen=True)
class Location:
    """Where a change is: the operation, then the part of it, then the place in the files."""

    method: str | None = None
    path: str | None = None
    operation_id: str | None = None
    status: str | None = None
    parameter: str | None = None
    parameter_in: str | None = None
    body: str | None = None  # "request" or "response" when the change is inside a body
    property: str | None = None  # path inside the body or parameter value, "*" for list items
    file: str = ""  # "" is the main document
    pointer: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {
            "method": self.method,
            "path": self.path,
            "operationId": self.operation_id,
            "status": self.status,
            "parameter": self.parameter,
            "in": self.parameter_in,
            "property": self.property,
            "file": self.file or None,
            "pointer": self.pointer,
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class Change:
    kind: Kind
    location: Location
    before: Any = None
    after: Any = None
    also: tuple[Location, ...] = field(default=())  # other operations that share the schema

    @property
    def id(self) -> str:
        return self.kind.id

    @property
    def cls(self) -> ChangeClass:
        return self.kind.cls

    def message(self, lang: Lang, quote: Callable[[str], str] = str) -> str:
        """The message in ``lang``; ``quote`` marks up the location and the values."""
        template = self.kind.message[lang]
        return template.format(
            where=quote(where(self.location, lang)),
            before=quote(show(self.before, lang)),
            after=quote(show(self.after, lang)),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "class": self.cls,
            "direction": self.kind.direction,
            "location": self.location.to_json(),
            "before": self.before,
            "after": self.after,
            "message": {"en": self.message("en"), "nl": self.message("nl")},
        }
        if self.also:
            out["alsoIn"] = [
                {k: v for k, v in loc.to_json().items() if k in ("method", "path", "operationId")}
                | ({"status": loc.status} if loc.status else {})
                for loc in self.also
            ]
        return out


@cache
def table() -> Mapping[str, Any]:
    return dict(spec.document("diff/1/kinds.json"))


@cache
def kinds() -> Mapping[str, Kind]:
    """Every kind by id, the family members spelled out per direction."""
    out: dict[str, Kind] = {}
    for entry in table()["kinds"]:
        out[entry["id"]] = Kind(entry["id"], entry["direction"], entry["class"], entry["message"])
    for family in table()["families"]:
        for direction, cls in family["classes"].items():
            kind_id = f"{direction}-{family['aspect']}"
            out[kind_id] = Kind(kind_id, direction, cls, family["message"], family["aspect"])
    return out


def kind(kind_id: str) -> Kind:
    return kinds()[kind_id]


def label(group: str, key: str, lang: Lang) -> str:
    """The name of a class or direction in a language (``classes`` or ``directions``)."""
    return str(table()[group][key][lang])


_WORDS: Mapping[Lang, Mapping[str, str]] = {
    "en": {
        "response": "response",
        "request": "request body",
        "parameter": "{where} parameter",
        "property": "property",
        "none": "none",
    },
    "nl": {
        "response": "antwoord",
        "request": "request-body",
        "parameter": "{where}parameter",
        "property": "eigenschap",
        "none": "geen",
    },
}


# Where a parameter goes, as each language says it ("queryparameter", "padparameter").
_PLACES: Mapping[Lang, Mapping[str, str]] = {
    "en": {"path": "path", "query": "query", "header": "header", "cookie": "cookie"},
    "nl": {"path": "pad", "query": "query", "header": "header", "cookie": "cookie"},
}


def where(loc: Location, lang: Lang) -> str:
    words = _WORDS[lang]
    parts = [f"{loc.method} {loc.path}" if loc.method else (loc.path or "")]
    if loc.status:
        parts.append(f"{words['response']} {loc.status}")
    elif loc.body == "request":
        parts.append(words["request"])
    if loc.parameter:
        place = _PLACES[lang].get(loc.parameter_in or "", loc.parameter_in or "")
        parts.append(words["parameter"].format(where=place) + f" {loc.parameter}")
    if loc.property:
        parts.append(f"{words['property']} {loc.property.lstrip('/')}")
    return ", ".join(p for p in parts if p)


def show(value: Any, lang: Lang) -> str:
    """A before or after value as a reader wants to see it."""
    if value is None:
        return _WORDS[lang]["none"]
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(show(v, lang) for v in value) or _WORDS[lang]["none"]
    if isinstance(value, dict):
        return ", ".join(f"{k} {show(v, lang)}" for k, v in value.items()) or _WORDS[lang]["none"]
    return orjson.dumps(value).decode()
