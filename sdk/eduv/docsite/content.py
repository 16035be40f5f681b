"""What the documentation site shows, read from the registry, the rule catalogue, the
deviations and the stored change notes; nothing here knows about HTML."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson

from eduv import spec
from eduv.spec import Lang

JsonObject = Mapping[str, Any]
# Keywords shown as limits of a field, in this order.
LIMITS = (
    "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems", "default",
)  # fmt: skip


@dataclass(frozen=True)
class TypePart:
    """A piece of a field's type: text, or the name of a message it links to."""

    text: str
    message: str | None = None


@dataclass(frozen=True)
class Field:
    name: str  # path from the message root; "[]" marks the items of a list
    types: tuple[TypePart, ...]
    nullable: bool
    required: bool
    scopes: tuple[str, ...]
    description: str
    enum: tuple[Any, ...]
    limits: tuple[tuple[str, Any], ...]

    @property
    def anchor(self) -> str:
        return "f-" + self.name.replace("[]", "")


def file_stem(name: str) -> str:
    """A file name for an operation or message page: the spec's naming rule."""
    return spec.file_stem(name)


def ref_message(ref: str) -> str:
    return ref.split("#", 1)[0].removeprefix("./").removesuffix(".json")


def type_parts(schema: JsonObject) -> tuple[TypePart, ...]:
    if "$ref" in schema:
        name = ref_message(schema["$ref"])
        return (TypePart(name, name),)
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return (TypePart("list-of"), *type_parts(schema["items"]))
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list):
            parts: list[TypePart] = [TypePart("one-of" if key == "oneOf" else "any-of")]
            for i, member in enumerate(m for m in schema[key] if m.get("type") != "null"):
                parts += [TypePart(", ")] if i else []
                parts += type_parts(member)
            return tuple(parts)
    kind = schema.get("type")
    names = [t for t in (kind if isinstance(kind, list) else [kind]) if t and t != "null"]
    return (TypePart("|".join(names) or "any"),)


def _nullable(schema: JsonObject) -> bool:
    kind = schema.get("type")
    alternatives = schema.get("anyOf") or schema.get("oneOf") or []
    return (isinstance(kind, list) and "null" in kind) or any(
        isinstance(m, dict) and m.get("type") == "null" for m in alternatives
    )


def _inline_object(schema: JsonObject) -> tuple[JsonObject | None, str]:
    """The object schema whose fields are listed under this one, and the "[]" marks."""
    marks = ""
    while schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        schema, marks = schema["items"], marks + "[]"
    if "$ref" in schema or not isinstance(schema.get("properties"), dict):
        return None, marks
    return schema, marks


def fields(schema: JsonObject, prefix: str = "", scopes: tuple[str, ...] = ()) -> Iterator[Field]:
    """Every property, nested inline objects spelled out; references stay links."""
    required = set(schema.get("required") or ())
    for name, prop in (schema.get("properties") or {}).items():
        own = tuple(prop.get("x-eduv-scopes", scopes))
        enum = tuple(v for v in prop.get("enum", ()) if v is not None)
        yield Field(
            name=prefix + name,
            types=type_parts(prop),
            nullable=_nullable(prop),
            required=name in required,
            scopes=own,
            description=str(prop.get("description", "")),
            enum=enum,
            limits=tuple((k, prop[k]) for k in LIMITS if k in prop),
        )
        inner, marks = _inline_object(prop)
        if inner is not None:
            yield from fields(inner, f"{prefix}{name}{marks}.", own)


def message_fields(schema: JsonObject) -> Iterator[Field]:
    """The fields of a message; a list of inline objects lists the items' fields."""
    if "properties" in schema:
        yield from fields(schema)
        return
    inner, marks = _inline_object(schema)
    if inner is not None:
        yield from fields(inner, f"{marks}.")


def root(schema: JsonObject) -> Field:
    """The message itself as one value (its type and limits), for messages without fields."""
    return Field(
        name="",
        types=type_parts(schema),
        nullable=_nullable(schema),
        required=True,
        scopes=(),
        description="",
        enum=tuple(v for v in schema.get("enum", ()) if v is not None),
        limits=tuple((k, schema[k]) for k in LIMITS if k in schema),
    )


def choices(schema: JsonObject) -> Iterator[list[list[str]]]:
    """Groups of names of which at least one must be present (``anyOf`` of ``required``)."""
    for key in ("anyOf", "oneOf"):
        members = schema.get(key)
        if isinstance(members, list) and members and all(_required_only(m) for m in members):
            yield [list(m["required"]) for m in members]
    for member in schema.get("allOf") or ():
        yield from choices(member)


def dependencies(schema: JsonObject) -> Iterator[tuple[str, list[str]]]:
    for name, needed in (schema.get("dependentRequired") or {}).items():
        yield name, list(needed)
    for member in schema.get("allOf") or ():
        yield from dependencies(member)


def _required_only(member: Any) -> bool:
    return isinstance(member, dict) and set(member) == {"required"}


def alternatives(schema: JsonObject) -> tuple[TypePart, ...]:
    """The message's own alternatives (a message that is one of several shapes)."""
    for key in ("oneOf", "anyOf"):
        members = schema.get(key)
        if isinstance(members, list) and not all(_required_only(m) for m in members):
            return type_parts({key: members})
    return ()


# -- rules, deviations, examples, change notes --------------------------------------------


@cache
def _catalogue() -> Any:
    from eduv.rules.catalogue import load_catalogue

    return load_catalogue()


def rules_for(api: str, version: str, message: str) -> list[Any]:
    """The catalogue rules that look at this message or at a shape nested in it."""
    catalogue = _catalogue()
    shapes = {message} | {nest.shape for nest in catalogue.nesting.get(message, ())}
    return [r for r in catalogue.rules if r.applies(api, version) and shapes & set(r.shapes)]


def deviations_for(api: str, version: str) -> list[JsonObject]:
    return [
        d for d in spec.deviations()["deviations"] if d["api"] == api and version in d["versions"]
    ]


def message_of(pointer: str) -> str | None:
    """The component a deviation's pointer is in (``/components/schemas/<name>/...``)."""
    parts = pointer.split("/")
    return parts[3] if len(parts) > 3 and parts[1:3] == ["components", "schemas"] else None


@dataclass(frozen=True)
class Invalid:
    """One invalid example: the patch that breaks the valid one, and what validation says."""

    op: str
    path: str
    value: Any
    payload: Any
    errors: tuple[str, ...]


@cache
def _patches(api: str, version: str) -> Mapping[str, tuple[JsonObject, ...]]:
    grouped: dict[str, list[JsonObject]] = {}
    for patch in spec.invalid_examples(api, version):
        grouped.setdefault(patch["message"], []).append(patch)
    return {k: tuple(v) for k, v in grouped.items()}


def invalid_examples(api: str, version: str, message: str, lang: Lang) -> list[Invalid]:
    from eduv.validation import validate

    examples = spec.schema(api, version, message).get("examples") or []
    if not examples:
        return []
    out = []
    for patch in _patches(api, version).get(message, ()):
        payload = spec.apply_patch(examples[0], patch)
        report = validate(payload, api=api, version=version, message=message, lang=lang)
        errors = tuple(f"{f.instance_path or '/'}: {f.message}" for f in report.findings)
        out.append(Invalid(patch["op"], patch["path"], patch.get("value"), payload, errors))
    return out


@cache
def change_notes(api: str) -> tuple[JsonObject, ...]:
    """Every official release of the API compared with the one before (oldest first)."""
    path = spec.root() / "changes" / f"{api}.json"
    if not path.is_file():
        return ()
    return tuple(orjson.loads(path.read_bytes())["releases"])


def release_into(api: str, version: str) -> JsonObject | None:
    return next((r for r in change_notes(api) if r["new"]["version"] == version), None)


def users(api: str, version: str, message: str) -> list[spec.Operation]:
    """The operations that carry the message as parameters or as a body."""
    found = []
    for op in spec.operations(api, version):
        bodies = [op.request, *op.responses.values()]
        if op.parameters == message or any(b and b.message == message for b in bodies):
            found.append(op)
    return found


@cache
def _references(api: str, version: str) -> Mapping[str, tuple[str, ...]]:
    """For each message, the messages whose schema refers to it."""
    found: dict[str, set[str]] = {}
    for message in spec.messages(api, version):
        for ref in _refs(spec.schema(api, version, message)):
            found.setdefault(ref_message(ref), set()).add(message)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def referenced_by(api: str, version: str, message: str) -> tuple[str, ...]:
    return _references(api, version).get(message, ())
