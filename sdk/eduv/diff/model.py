"""An OpenAPI document as the operations a client can call.

Operations are matched between versions by method and path, with the names of path
parameters left out (``/groups/{id}`` and ``/groups/{groupId}`` are the same endpoint).
Parameters are matched by where they go and their name (header names without case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eduv.diff.load import DiffInputError, Documents
from eduv.diff.normalise import Node, Normaliser, Origin, digest

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LOCATIONS = ("path", "query", "header", "cookie")
_PATH_PARAM = re.compile(r"\{[^}]*\}")
_MAX_REF_HOPS = 32


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    deprecated: bool
    schema: Node | None
    annotation: str
    origin: Origin


@dataclass
class Content:
    """A request body or a response: its schema per media type."""

    media: dict[str, Node | None]
    required: bool
    annotation: str
    origin: Origin


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str | None
    deprecated: bool
    scopes: frozenset[str] | None  # None: the operation needs no token
    parameters: dict[tuple[str, str], Parameter]
    request: Content | None
    responses: dict[str, Content]
    annotation: str
    origin: Origin

    @property
    def key(self) -> tuple[str, str]:
        return self.method, _PATH_PARAM.sub("{}", self.path)


@dataclass
class Api:
    title: str
    version: str
    dialect: str
    operations: dict[tuple[str, str], Operation] = field(default_factory=dict)


def load_api(path: Path, data: Any | None = None, overrides: dict[str, Any] | None = None) -> Api:
    """Read an OpenAPI 3.0 or 3.1 document and every local file it refers to."""
    docs = Documents(path, data, overrides)
    return _Reader(docs).api()


class _Reader:
    def __init__(self, docs: Documents) -> None:
        self.docs = docs
        self.schemas = Normaliser(docs)

    def deref(self, obj: Any, origin: Origin) -> tuple[Any, Origin]:
        for _ in range(_MAX_REF_HOPS):
            if not (isinstance(obj, dict) and "$ref" in obj):
                return obj, origin
            file, pointer, obj = self.docs.resolve(obj["$ref"], origin.file, origin.pointer)
            origin = Origin(file, pointer)
        raise DiffInputError(f"{self.docs.main}: $ref chain at {origin.pointer} does not end")

    def api(self) -> Api:
        root = self.docs.root
        info = root.get("info") or {}
        api = Api(str(info.get("title", "")), str(info.get("version", "")), self.docs.dialect)
        default_security = root.get("security")
        for path, raw_item in (root.get("paths") or {}).items():
            if str(path).startswith("x-"):
                continue  # an extension, not a path
            item, item_origin = self.deref(raw_item, Origin("", "").child("paths", path))
            if not isinstance(item, dict):
                raise DiffInputError(f"{self.docs.main}: path {path!r} is not an object")
            here = item_origin.child("parameters")
            shared = self.parameters(item.get("parameters") or [], here, path)
            for method in METHODS:
                if isinstance(item.get(method), dict):
                    op = self.operation(
                        method, path, item[method], item_origin.child(method), shared
                    )
                    op.scopes = _scopes(item[method].get("security", default_security))
                    api.operations[op.key] = op
        return api

    def operation(
        self,
        method: str,
        path: str,
        raw: dict[str, Any],
        origin: Origin,
        shared: dict[tuple[str, str], Parameter],
    ) -> Operation:
        own = self.parameters(raw.get("parameters") or [], origin.child("parameters"), path)
        return Operation(
            method=method.upper(),
            path=path,
            operation_id=raw.get("operationId"),
            deprecated=bool(raw.get("deprecated", False)),
            scopes=None,
            parameters={**shared, **own},
            request=self.request(raw.get("requestBody"), origin.child("requestBody")),
            responses=self.responses(raw.get("responses") or {}, origin.child("responses")),
            annotation=digest({k: raw[k] for k in ("summary", "description") if k in raw}),
            origin=origin,
        )

    def parameters(
        self, raw: list[Any], origin: Origin, path: str
    ) -> dict[tuple[str, str], Parameter]:
        out: dict[tuple[str, str], Parameter] = {}
        placeholders = _PATH_PARAM.findall(path)
        for i, entry in enumerate(raw):
            obj, where = self.deref(entry, origin.child(str(i)))
            if not isinstance(obj, dict) or "name" not in obj or "in" not in obj:
                raise DiffInputError(
                    f"{self.docs.main}: parameter at {where.pointer} has no name or 'in'"
                )
            location = str(obj["in"])
            name = str(obj["name"])
            if location not in LOCATIONS:
                raise DiffInputError(
                    f"{self.docs.main}: parameter {name!r} at {where.pointer} has 'in' "
                    f"{location!r}; OpenAPI 3 allows {', '.join(LOCATIONS)}"
                )
            schema = obj.get("schema")
            out[(location, _match_name(location, name, placeholders))] = Parameter(
                name=name,
                location=location,
                required=bool(obj.get("required", False)),
                deprecated=bool(obj.get("deprecated", False)),
                schema=None if schema is None else self.schemas.node(schema, where.child("schema")),
                annotation=digest(obj),
                origin=where,
            )
        return out

    def content(self, raw: Any, origin: Origin, required: bool) -> Content:
        media: dict[str, Node | None] = {}
        for name, entry in (raw.get("content") or {}).items():
            schema = entry.get("schema") if isinstance(entry, dict) else None
            here = origin.child("content", name, "schema")
            media[name] = None if schema is None else self.schemas.node(schema, here)
        return Content(media, required, digest(raw), origin)

    def request(self, raw: Any, origin: Origin) -> Content | None:
        if raw is None:
            return None
        obj, where = self.deref(raw, origin)
        return self.content(obj, where, bool(obj.get("required", False)))

    def responses(self, raw: dict[str, Any], origin: Origin) -> dict[str, Content]:
        out = {}
        for status, entry in raw.items():
            obj, where = self.deref(entry, origin.child(str(status)))
            if not isinstance(obj, dict):
                raise DiffInputError(f"{self.docs.main}: response {status} is not an object")
            out[str(status)] = self.content(obj, where, True)
        return out


def _scopes(security: Any) -> frozenset[str] | None:
    """Every scope that grants the operation; any one of them suffices (an eduv convention).

    ``None`` when no security requirement applies; an empty requirement (``{}``) makes
    the token optional, which counts as needing none.
    """
    if not isinstance(security, list) or not security:
        return None
    scopes: set[str] = set()
    for requirement in security:
        if not isinstance(requirement, dict) or not requirement:
            return None
        for values in requirement.values():
            scopes.update(str(v) for v in values or ())
    return frozenset(scopes)


def _match_name(location: str, name: str, placeholders: list[str]) -> str:
    """How a parameter is recognised in the other version.

    A path parameter by its place in the path (renaming it changes no URL), a header
    by its name in any case, the others by their name.
    """
    if location == "path" and f"{{{name}}}" in placeholders:
        return f"#{placeholders.index(f'{{{name}}}')}"
    return name.lower() if location == "header" else name
