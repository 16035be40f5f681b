"""One internal form for OpenAPI 3.0 and 3.1 schemas, so that only meaning is compared.

3.0 writes ``nullable: true`` and boolean ``exclusiveMinimum``; 3.1 writes ``type: [x,
"null"]``, a ``{"type": "null"}`` alternative, ``null`` in ``enum`` and numeric exclusive
bounds. All of them end up as the same :class:`Node`, so a 3.0 file and its 3.1
conversion compare as equal. ``allOf`` members that only add properties are merged
into their parent (the usual way of extending a component); other validation rules
are kept as opaque ``constraints``.

Prose never enters a node: descriptions, titles and examples are reduced to a digest,
which tells that an annotation changed without holding its text.
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass, field
from typing import Any

import orjson

from eduv.diff.load import DiffInputError, Documents
from eduv.pointer import escape, tokens

ABSENT: Any = object()

# Keys that hold prose or examples: compared only through the annotation digest.
ANNOTATIONS = ("title", "summary", "description", "example", "examples", "externalDocs")
# Keys with no bearing on what a message may hold.
_IGNORED = frozenset(
    {"$schema", "$id", "$comment", "xml", "discriminator", "readOnly", "writeOnly", "$defs"}
)
# Keys that define the shape; anything else that validates becomes a constraint.
_SHAPE = frozenset(
    {
        "type", "nullable", "format", "pattern", "enum", "const", "default", "deprecated",
        "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "properties", "required",
        "additionalProperties", "items", "oneOf", "anyOf", "allOf", "$ref",
    }
)  # fmt: skip
LENGTH = ("minLength", "maxLength")
COUNT = ("minItems", "maxItems", "uniqueItems")
RANGE = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


@dataclass(frozen=True)
class Origin:
    """Where a schema is written: a file (``""`` is the main document) and a JSON pointer."""

    file: str
    pointer: str

    def child(self, *tokens: str) -> Origin:
        return Origin(self.file, self.pointer + "".join("/" + escape(t) for t in tokens))


@dataclass
class Alternatives:
    kind: str  # oneOf or anyOf
    branches: list[tuple[str, Node]]  # (key, schema); the key is the $ref name when there is one


@dataclass
class Node:
    origin: Origin
    ref: str | None = None
    types: frozenset[str] | None = None  # None: any type
    nullable: bool = False
    format: str | None = None
    pattern: str | None = None
    limits: dict[str, Any] = field(default_factory=dict)  # length, count and range keywords
    enum: tuple[Any, ...] | None = None
    default: Any = ABSENT
    deprecated: bool = False
    properties: dict[str, Node] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: bool | Node = True
    items: Node | None = None
    alternatives: Alternatives | None = None
    constraints: frozenset[str] = frozenset()
    scopes: frozenset[str] | None = None  # x-eduv-scopes, when the schema states them
    annotation: str = ""
    stub: bool = False  # a reference met again inside itself: compared by name only
    slot: Origin | None = None  # where keywords beside a $ref are written, if there are any

    @property
    def site(self) -> Origin:
        """Where this use of the schema is written (for keywords that a $ref may carry)."""
        return self.slot or self.origin

    @property
    def label(self) -> str:
        """A short name of the type, for before/after values."""
        if self.ref:
            return self.ref
        if self.types is None:
            return "any"
        return "|".join(sorted(self.types))


def canonical(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def digest(schema: dict[str, Any]) -> str:
    texts = {k: schema[k] for k in ANNOTATIONS if k in schema}
    if "example" in texts:  # 3.0's single example is 3.1's list of one
        texts["examples"] = [texts.pop("example"), *texts.get("examples", [])]
    if not texts:
        return ""
    return hashlib.sha256(canonical(texts).encode()).hexdigest()[:16]


def _without_prose(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_prose(v)
            for k, v in value.items()
            if k not in ANNOTATIONS and not str(k).startswith("x-")
        }
    if isinstance(value, list):
        return [_without_prose(v) for v in value]
    return value


class Normaliser:
    """Turns schema objects of one document into nodes, following references once."""

    def __init__(self, docs: Documents) -> None:
        self.docs = docs
        self._cache: dict[Origin, Node] = {}
        self._active: set[Origin] = set()

    def node(self, schema: Any, origin: Origin) -> Node:
        if isinstance(schema, bool):
            return Node(origin, types=None if schema else frozenset())
        if not isinstance(schema, dict):
            raise DiffInputError(
                f"{self.docs.main}: the schema at {origin.file}#{origin.pointer} is not an object"
            )
        if "$ref" in schema:
            return self._reference(schema, origin)
        if origin in self._cache:
            return self._cache[origin]
        self._active.add(origin)
        try:
            built = self._build(schema, origin)
        finally:
            self._active.discard(origin)
        self._cache[origin] = built
        return built

    def _reference(self, schema: dict[str, Any], origin: Origin) -> Node:
        file, pointer, target = self.docs.resolve(schema["$ref"], origin.file, origin.pointer)
        where = Origin(file, pointer)
        if where in self._active:
            return Node(where, ref=_name(where), stub=True)
        resolved = self.node(target, where)
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        if siblings:
            # a copy that knows where the keywords beside the $ref are written; the
            # cached node of the target keeps its own
            resolved = _copy(resolved)
            resolved.slot = origin
            _apply_siblings(resolved, siblings)
        return resolved

    def _build(self, schema: dict[str, Any], origin: Origin) -> Node:
        node = Node(origin, ref=_name(origin), annotation=digest(schema))
        _set_types(node, schema)
        node.format = schema.get("format")
        node.pattern = schema.get("pattern")
        node.limits = _limits(schema)
        node.deprecated = bool(schema.get("deprecated", False))
        node.default = schema.get("default", ABSENT)
        _set_enum(node, schema)
        scopes = schema.get("x-eduv-scopes")
        node.scopes = frozenset(scopes) if isinstance(scopes, list) else None
        self._structure(node, schema, origin)
        extra = {
            k: v
            for k, v in schema.items()
            if k not in _SHAPE and k not in _IGNORED and k not in ANNOTATIONS
            and not str(k).startswith("x-")
        }  # fmt: skip
        node.constraints = node.constraints | {
            canonical({k: _without_prose(v)}) for k, v in extra.items()
        }
        return node

    def _structure(self, node: Node, schema: dict[str, Any], origin: Origin) -> None:
        props = schema.get("properties") or {}
        node.properties = {
            name: self.node(sub, origin.child("properties", name)) for name, sub in props.items()
        }
        node.required = frozenset(schema.get("required") or ())
        extra = schema.get("additionalProperties", True)
        node.additional = (
            extra
            if isinstance(extra, bool)
            else self.node(extra, origin.child("additionalProperties"))
        )
        if isinstance(schema.get("items"), dict | bool):
            node.items = self.node(schema["items"], origin.child("items"))
        for kind in ("oneOf", "anyOf"):
            if kind in schema:
                self._alternatives(node, kind, schema[kind], origin.child(kind))
        for i, member in enumerate(schema.get("allOf") or ()):
            self._merge(node, member, origin.child("allOf", str(i)))

    def _alternatives(self, node: Node, kind: str, members: list[Any], origin: Origin) -> None:
        if all(_rule_only(m) for m in members):  # e.g. "one of these two is required"
            rule = canonical({kind: _without_prose(members)})
            node.constraints = node.constraints | {rule}
            return
        branches: list[tuple[str, Node]] = []
        for i, member in enumerate(members):
            if isinstance(member, dict) and member.get("type") == "null" and len(member) == 1:
                node.nullable = True  # the 3.1 way of writing nullable
                continue
            key = (
                _ref_name(member["$ref"])
                if isinstance(member, dict) and "$ref" in member
                else f"#{i}"
            )
            branches.append((key, self.node(member, origin.child(str(i)))))
        if len(branches) == 1 and node.types is None and not node.properties:
            _absorb(node, branches[0][1])
            return
        node.alternatives = Alternatives(kind, branches)
        if node.types is None and all(b.types is not None for _, b in branches):
            # the wrapper holds what its branches hold, so that X and "oneOf: [X, Y]" compare
            # by their branches rather than as a change of type
            node.types = frozenset().union(*(b.types or () for _, b in branches))

    def _merge(self, node: Node, member: Any, origin: Origin) -> None:
        part = self.node(member, origin)
        mergeable = not part.alternatives and not part.constraints and part.enum is None
        if not mergeable or part.stub:
            node.constraints = node.constraints | {canonical({"allOf": part.ref or origin.pointer})}
            return
        node.properties = {**part.properties, **node.properties}
        node.required = node.required | part.required
        if node.types is None:
            node.types = part.types
        if part.additional is not True:
            node.additional = part.additional


def _ref_name(ref: str) -> str:
    tail = ref.rsplit("/", 1)[-1]
    return tail[:-5] if tail.endswith(".json") else tail


def _name(origin: Origin) -> str | None:
    """The name of a schema that stands on its own: a component, a definition or a file."""
    if origin.pointer == "":
        stem = posixpath.basename(origin.file)
        return stem[:-5] if stem.endswith(".json") else stem or None
    parent, _, last = origin.pointer.rpartition("/")
    if parent in ("/components/schemas", "/$defs", "/definitions"):
        return tokens("/" + last)[0]
    return None


def _rule_only(member: Any) -> bool:
    shape = {"type", "properties", "items", "$ref", "enum", "const", "format", "pattern"}
    return isinstance(member, dict) and not (shape & member.keys())


def _set_types(node: Node, schema: dict[str, Any]) -> None:
    raw = schema.get("type")
    if raw is None:
        types: set[str] | None = None
    elif isinstance(raw, list):
        types = {str(t) for t in raw}
    else:
        types = {str(raw)}
    if types is not None and "null" in types:
        node.nullable = True
        types.discard("null")
    if schema.get("nullable") is True:
        node.nullable = True
    node.types = None if types is None else frozenset(types)


def _set_enum(node: Node, schema: dict[str, Any]) -> None:
    values: list[Any] | None = None
    if "const" in schema:
        values = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        values = list(schema["enum"])
    if values is None:
        return
    if None in values:
        node.nullable = True
        values = [v for v in values if v is not None]
    node.enum = tuple(sorted(values, key=canonical))


def _limits(schema: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: schema[k] for k in (*LENGTH, *COUNT, "minimum", "maximum", "multipleOf") if k in schema
    }
    for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = schema.get(key)
        if value is True and bound in schema:  # 3.0: a flag on the plain bound
            out[key] = out.pop(bound)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = value
    if out.get("uniqueItems") is False:
        del out["uniqueItems"]
    return out


def _copy(node: Node) -> Node:
    return Node(**{f: getattr(node, f) for f in node.__dataclass_fields__})


# What a lone alternative brings along; the wrapper keeps its own default, scopes and text.
_TAKEN_OVER = (
    "ref", "types", "format", "pattern", "limits", "enum", "properties", "required",
    "additional", "items", "alternatives", "constraints", "stub",
)  # fmt: skip


def _absorb(node: Node, other: Node) -> None:
    """Take over a lone alternative (``anyOf: [X, {type: null}]`` is just a nullable X)."""
    for name in _TAKEN_OVER:
        setattr(node, name, getattr(other, name))
    node.nullable = node.nullable or other.nullable
    node.deprecated = node.deprecated or other.deprecated
    if node.default is ABSENT:
        node.default = other.default
    if node.scopes is None:
        node.scopes = other.scopes
    node.annotation = node.annotation or other.annotation


def _apply_siblings(node: Node, siblings: dict[str, Any]) -> None:
    """Keywords beside a ``$ref`` (3.1 allows them; 3.0 files use them for nullable)."""
    if siblings.get("nullable") is True:
        node.nullable = True
    if "deprecated" in siblings:
        node.deprecated = bool(siblings["deprecated"])
    if "default" in siblings:
        node.default = siblings["default"]
    if isinstance(siblings.get("x-eduv-scopes"), list):
        node.scopes = frozenset(siblings["x-eduv-scopes"])
    texts = digest(siblings)
    if texts:
        node.annotation = texts
