"""Comparing two schemas in one direction (request body, parameter or response).

Each check names an aspect; the kind is ``<direction>-<aspect>`` from the table, so
whether a change breaks anything is decided there, not here. A narrowed schema hurts
writers (requests, parameters); a widened one hurts readers (responses).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson

from eduv.diff.kinds import Change, Location, kind
from eduv.diff.normalise import ABSENT, COUNT, LENGTH, Node, Origin, canonical

_BOUNDS = (("lower", ("minimum", "exclusiveMinimum")), ("upper", ("maximum", "exclusiveMaximum")))
ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array"})


@dataclass(frozen=True)
class Context:
    direction: str  # request, parameter or response
    base: Location  # the operation and the part of it (status, parameter, body)
    prop: str = ""  # path inside the value; "*" stands for every list item
    old_scopes: frozenset[str] | None = None  # scopes a property inherits when it names none
    new_scopes: frozenset[str] | None = None
    scopes_added: frozenset[str] = frozenset()  # reported once, on the operation
    scopes_removed: frozenset[str] = frozenset()

    def at(self, segment: str) -> Context:
        return replace(self, prop=f"{self.prop}/{segment}")


Emit = Callable[[Change], None]


@dataclass(frozen=True)
class Versions:
    """info.version of both documents: a default equal to it is a version stamp."""

    old: str
    new: str


class SchemaDiff:
    def __init__(self, emit: Emit, versions: Versions) -> None:
        self.emit = emit
        self.versions = versions

    def change(
        self, ctx: Context, aspect: str, origin: Origin, before: Any = None, after: Any = None
    ) -> None:
        where = replace(
            ctx.base, property=ctx.prop or None, file=origin.file, pointer=origin.pointer
        )
        self.emit(Change(kind(f"{ctx.direction}-{aspect}"), where, before, after))

    def compare(self, old: Node, new: Node, ctx: Context) -> None:
        if old.stub or new.stub:  # a schema met again inside itself: its name is all we compare
            if old.ref != new.ref:
                self.change(ctx, "type-changed", new.origin, old.label, new.label)
            return
        self.annotations(old, new, ctx)
        ctx = self.scopes(old, new, ctx)
        if bool(old.alternatives) != bool(new.alternatives):
            self.alternatives(old, new, ctx)  # one side is a lone shape: compared as one branch
            return
        if not (old.alternatives and new.alternatives):  # else the branches tell the types
            self.types(old, new, ctx)
        self.value_rules(old, new, ctx)
        self.properties(old, new, ctx)
        self.additional(old, new, ctx)
        if old.items is not None and new.items is not None:
            self.compare(old.items, new.items, ctx.at("*"))
        if old.alternatives and new.alternatives:
            self.alternatives(old, new, ctx)
        self.constraints(old, new, ctx)

    # -- shape and single-value rules ---------------------------------------------------

    def annotations(self, old: Node, new: Node, ctx: Context) -> None:
        if old.annotation != new.annotation:
            where = replace(ctx.base, property=ctx.prop or None, file=new.site.file)
            where = replace(where, pointer=new.site.pointer)
            self.emit(Change(kind("annotation-changed"), where))
        if new.deprecated and not old.deprecated:
            self.change(ctx, "property-deprecated", new.site.child("deprecated"))
        self.nullable_and_default(old, new, ctx)

    def nullable_and_default(self, old: Node, new: Node, ctx: Context) -> None:
        if old.nullable != new.nullable:
            aspect = "nullable-added" if new.nullable else "nullable-removed"
            self.change(ctx, aspect, new.site, old.nullable, new.nullable)
        if old.default is ABSENT and new.default is ABSENT:
            return
        if self._stamp(old.default, new.default):
            return
        here = new.site.child("default")
        if old.default is ABSENT:
            self.change(ctx, "default-added", here, None, new.default)
        elif new.default is ABSENT:
            self.change(ctx, "default-removed", old.site.child("default"), old.default, None)
        elif canonical(old.default) != canonical(new.default):
            self.change(ctx, "default-changed", here, old.default, new.default)

    def _stamp(self, old: Any, new: Any) -> bool:
        # Edu-V's schemaVersion carries the API version as its default; that it follows
        # info.version is the release itself, not a change of behaviour.
        return bool(old == self.versions.old and new == self.versions.new and old != new)

    def types(self, old: Node, new: Node, ctx: Context) -> None:
        before, after = _covered(old.types), _covered(new.types)
        if before == after:
            return
        if after > before:
            aspect = "type-widened"
        elif after < before:
            aspect = "type-narrowed"
        else:
            aspect = "type-changed"
        self.change(ctx, aspect, new.origin.child("type"), old.label, new.label)

    def value_rules(self, old: Node, new: Node, ctx: Context) -> None:
        self.optional_rule(ctx, "format", old.format, new.format, new.origin, old.origin)
        self.optional_rule(ctx, "pattern", old.pattern, new.pattern, new.origin, old.origin)
        for keys, family in ((LENGTH, "length"), (COUNT, "items")):
            self.limits(old, new, ctx, keys, family)
        self.ranges(old, new, ctx)
        self.enums(old, new, ctx)

    def optional_rule(
        self, ctx: Context, name: str, old: Any, new: Any, at: Origin, was: Origin
    ) -> None:
        if old == new:
            return
        if old is None:
            self.change(ctx, f"{name}-added", at.child(name), None, new)
        elif new is None:
            self.change(ctx, f"{name}-removed", was.child(name), old, None)
        else:
            self.change(ctx, f"{name}-changed", at.child(name), old, new)

    def limits(
        self, old: Node, new: Node, ctx: Context, keys: tuple[str, ...], family: str
    ) -> None:
        for key in keys:
            before, after = old.limits.get(key), new.limits.get(key)
            if before == after:
                continue
            tighter = _tighter(key, before, after)
            aspect = f"{family}-narrowed" if tighter else f"{family}-widened"
            self.change(ctx, aspect, new.origin.child(key), {key: before}, {key: after})

    def ranges(self, old: Node, new: Node, ctx: Context) -> None:
        for side, keys in _BOUNDS:
            before, after = _bound(old.limits, keys), _bound(new.limits, keys)
            if before == after:
                continue
            tighter = after > before if side == "lower" else after < before
            aspect = "range-narrowed" if tighter else "range-widened"
            shown = ({k: old.limits.get(k) for k in keys}, {k: new.limits.get(k) for k in keys})
            self.change(ctx, aspect, new.origin.child(keys[0]), *map(_present, shown))
        self.multiples(old, new, ctx)

    def multiples(self, old: Node, new: Node, ctx: Context) -> None:
        before, after = old.limits.get("multipleOf"), new.limits.get("multipleOf")
        if before == after:
            return
        shown = ({"multipleOf": before}, {"multipleOf": after})
        here = new.origin.child("multipleOf")
        narrowed = before is None or (after is not None and _divides(before, after))
        widened = after is None or (before is not None and _divides(after, before))
        if narrowed:
            self.change(ctx, "range-narrowed", here, *shown)
        if widened:
            self.change(ctx, "range-widened", here, *shown)
        if not narrowed and not widened:  # neither step divides the other: both happen
            self.change(ctx, "range-narrowed", here, *shown)
            self.change(ctx, "range-widened", here, *shown)

    def enums(self, old: Node, new: Node, ctx: Context) -> None:
        if old.enum == new.enum:
            return
        here = new.origin.child("enum")
        if old.enum is None:
            self.change(ctx, "enum-added", here, None, list(new.enum or ()))
            return
        if new.enum is None:
            self.change(ctx, "enum-removed", old.origin.child("enum"), list(old.enum), None)
            return
        before = {canonical(v): v for v in old.enum}
        after = {canonical(v): v for v in new.enum}
        for key, value in after.items():
            if key not in before:
                self.change(ctx, "enum-value-added", here, None, value)
        for key, value in before.items():
            if key not in after:
                self.change(ctx, "enum-value-removed", old.origin.child("enum"), value, None)

    # -- structure ------------------------------------------------------------------------

    def properties(self, old: Node, new: Node, ctx: Context) -> None:
        # the place is the property's slot in its parent, not the component it may refer to
        for name, prop in new.properties.items():
            if name not in old.properties:
                need = "required" if name in new.required else "optional"
                slot = new.origin.child("properties", name)
                self.change(ctx.at(name), f"{need}-property-added", slot, None, prop.label)
        for name, prop in old.properties.items():
            sub = ctx.at(name)
            if name not in new.properties:
                need = "required" if name in old.required else "optional"
                slot = old.origin.child("properties", name)
                self.change(sub, f"{need}-property-removed", slot, prop.label, None)
                continue
            was, now = name in old.required, name in new.required
            if was != now:
                aspect = "property-became-required" if now else "property-became-optional"
                self.change(sub, aspect, new.origin.child("required"), was, now)
            self.compare(prop, new.properties[name], sub)

    def additional(self, old: Node, new: Node, ctx: Context) -> None:
        before, after = old.additional, new.additional
        if isinstance(before, Node) and isinstance(after, Node):
            self.compare(before, after, ctx.at("*"))
            return
        if before == after:
            return
        narrowed = before is True or (isinstance(before, Node) and after is False)
        aspect = "additional-properties-narrowed" if narrowed else "additional-properties-widened"
        shown = (_additional(before), _additional(after))
        self.change(ctx, aspect, new.origin.child("additionalProperties"), *shown)

    def alternatives(self, old: Node, new: Node, ctx: Context) -> None:
        old_kind = old.alternatives.kind if old.alternatives else None
        new_kind = new.alternatives.kind if new.alternatives else None
        if old_kind and new_kind and old_kind != new_kind:
            here = new.origin.child(new_kind)
            self.change(ctx, "alternatives-kind-changed", here, old_kind, new_kind)
        pairs, removed, added = match_branches(_branches(old), _branches(new))
        for key, branch in added:
            self.change(ctx, "alternative-added", branch.origin, None, _branch_label(key, branch))
        for key, branch in removed:
            self.change(ctx, "alternative-removed", branch.origin, _branch_label(key, branch), None)
        for before, after in pairs:
            self.compare(before, after, ctx)

    def constraints(self, old: Node, new: Node, ctx: Context) -> None:
        for rule in sorted(new.constraints - old.constraints):
            self.change(ctx, "constraint-added", new.origin, None, orjson.loads(rule))
        for rule in sorted(old.constraints - new.constraints):
            self.change(ctx, "constraint-removed", old.origin, orjson.loads(rule), None)

    def scopes(self, old: Node, new: Node, ctx: Context) -> Context:
        """Report scope changes of a property; returns the context its children inherit."""
        if ctx.direction != "response":
            return ctx
        before = old.scopes if old.scopes is not None else ctx.old_scopes
        after = new.scopes if new.scopes is not None else ctx.new_scopes
        if (old.scopes is not None or new.scopes is not None) and ctx.prop:
            # a scope added to or taken from the whole operation is reported there, once
            was, now = before or frozenset(), after or frozenset()
            here = new.site.child("x-eduv-scopes")
            for scope in sorted(now - was - ctx.scopes_added):
                self.change(ctx, "property-scope-added", here, None, scope)
            for scope in sorted(was - now - ctx.scopes_removed):
                self.change(ctx, "property-scope-removed", here, scope, None)
        return replace(ctx, old_scopes=before, new_scopes=after)


def _covered(types: frozenset[str] | None) -> frozenset[str]:
    """The types a value may have; every integer is a number too."""
    found = ALL_TYPES if types is None else types
    return found | {"integer"} if "number" in found else found


def _tighter(key: str, before: Any, after: Any) -> bool:
    if key == "uniqueItems":
        return bool(after)
    if key.startswith("min"):
        return (after or 0) > (before or 0)
    return (math.inf if after is None else after) < (math.inf if before is None else before)


def _bound(limits: dict[str, Any], keys: tuple[str, str]) -> tuple[float, int]:
    """A bound as (value, strictness): an exclusive bound is stricter than an inclusive one."""
    plain, exclusive = keys
    lower = plain == "minimum"
    if exclusive in limits:
        return (float(limits[exclusive]), 1 if lower else -1)
    if plain in limits:
        return (float(limits[plain]), 0)
    return (-math.inf, 0) if lower else (math.inf, 0)


def _divides(small: float, big: float) -> bool:
    ratio = big / small
    return abs(ratio - round(ratio)) < 1e-9


def _present(values: dict[str, Any]) -> dict[str, Any] | None:
    kept = {k: v for k, v in values.items() if v is not None}
    return kept or None


def _additional(value: bool | Node) -> Any:
    return value if isinstance(value, bool) else value.label


def _branches(node: Node) -> list[tuple[str, Node]]:
    if node.alternatives:
        return list(node.alternatives.branches)
    return [(node.ref or "#0", node)]


def _branch_label(key: str, node: Node) -> str:
    return node.label if key.startswith("#") else key


def _shape(node: Node) -> str:
    """A fingerprint of an unnamed branch, to pair branches that did not change."""
    return canonical(
        [sorted(node.types or ()), node.format, node.pattern, node.enum, sorted(node.properties)]
    )


Branch = tuple[str, Node]


def _same_name(a: Branch, b: Branch) -> bool:
    return not a[0].startswith("#") and a[0] == b[0]


def _same_shape(a: Branch, b: Branch) -> bool:
    unnamed = a[0].startswith("#") and b[0].startswith("#")
    return unnamed and _shape(a[1]) == _shape(b[1])


def match_branches(
    old: list[tuple[str, Node]], new: list[tuple[str, Node]]
) -> tuple[list[tuple[Node, Node]], list[tuple[str, Node]], list[tuple[str, Node]]]:
    """(pairs, removed, added): by name, then by equal shape, then by position."""
    pairs: list[tuple[Node, Node]] = []
    left = list(old)
    right = list(new)
    for match in (_same_name, _same_shape):
        for a in list(left):
            b = next((b for b in right if match(a, b)), None)
            if b is not None:
                pairs.append((a[1], b[1]))
                left.remove(a)
                right.remove(b)
    unnamed_left = [a for a in left if a[0].startswith("#")]
    unnamed_right = [b for b in right if b[0].startswith("#")]
    if len(unnamed_left) == len(unnamed_right):
        for a, b in zip(unnamed_left, unnamed_right, strict=True):
            pairs.append((a[1], b[1]))
            left.remove(a)
            right.remove(b)
    return pairs, left, right
