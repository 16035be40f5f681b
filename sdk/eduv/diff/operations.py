"""Comparing two documents operation by operation.

A schema shared by several operations is compared once per operation (its direction
may differ), and each change is then reported once: at the first operation that
reaches it, with the others listed as ``also``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from eduv.diff.kinds import Change, Location, kind
from eduv.diff.model import Api, Content, Operation, Parameter
from eduv.diff.normalise import Origin, canonical
from eduv.diff.schemas import Context, SchemaDiff, Versions

_METHOD_ORDER = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE")


class Collector:
    """Keeps each change once; the same edit reached from another operation adds to ``also``."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, ...], tuple[Change, list[Location]]] = {}

    def add(self, change: Change) -> None:
        loc = change.location
        key: tuple[str, ...] = (change.id, loc.file, loc.pointer)
        key += (canonical(change.before), canonical(change.after))
        if loc.pointer == "" and loc.file == "":  # nothing to share: keep per operation
            key += (loc.method or "", loc.path or "", loc.status or "", loc.parameter or "")
        if key not in self._found:
            self._found[key] = (change, [])
            return
        first, also = self._found[key]
        other = _operation_part(loc)
        if other != _operation_part(first.location) and other not in also:
            also.append(other)

    def changes(self) -> list[Change]:
        return [replace(c, also=tuple(also)) for c, also in self._found.values()]


def _operation_part(loc: Location) -> Location:
    return Location(loc.method, loc.path, loc.operation_id, loc.status)


def _order(key: tuple[str, str]) -> tuple[str, int]:
    method, path = key
    return path, _METHOD_ORDER.index(method) if method in _METHOD_ORDER else len(_METHOD_ORDER)


def diff_apis(old: Api, new: Api) -> list[Change]:
    collector = Collector()
    OperationDiff(collector, Versions(old.version, new.version)).run(old, new)
    return collector.changes()


class OperationDiff:
    def __init__(self, collector: Collector, versions: Versions) -> None:
        self.emit = collector.add
        self.schemas = SchemaDiff(collector.add, versions)

    def change(
        self, kind_id: str, where: Location, origin: Origin, before: Any = None, after: Any = None
    ) -> None:
        located = replace(where, file=origin.file, pointer=origin.pointer)
        self.emit(Change(kind(kind_id), located, before, after))

    def run(self, old: Api, new: Api) -> None:
        for key in sorted(old.operations.keys() | new.operations.keys(), key=_order):
            before, after = old.operations.get(key), new.operations.get(key)
            if before is None and after is not None:
                where = Location(after.method, after.path, after.operation_id)
                self.change("operation-added", where, after.origin, None, after.operation_id)
            elif after is None and before is not None:
                where = Location(before.method, before.path, before.operation_id)
                self.change("operation-removed", where, before.origin, before.operation_id, None)
            elif before is not None and after is not None:
                self.operation(before, after)

    def operation(self, old: Operation, new: Operation) -> None:
        where = Location(new.method, new.path, new.operation_id or old.operation_id)
        if old.operation_id and new.operation_id and old.operation_id != new.operation_id:
            self.change(
                "operation-id-changed", where, new.origin, old.operation_id, new.operation_id
            )
        if old.deprecated != new.deprecated:
            flag = "operation-deprecated" if new.deprecated else "operation-undeprecated"
            self.change(flag, where, new.origin.child("deprecated"), old.deprecated, new.deprecated)
        if old.annotation != new.annotation:
            self.change("annotation-changed", where, new.origin)
        self.security(old, new, where)
        self.parameters(old, new, where)
        self.request(old.request, new.request, where, new.origin.child("requestBody"))
        self.responses(old, new, where)

    def security(self, old: Operation, new: Operation, where: Location) -> None:
        here = new.origin.child("security")
        if old.scopes is None and new.scopes is not None:
            self.change("operation-security-added", where, here, None, sorted(new.scopes))
            return
        if new.scopes is None and old.scopes is not None:
            self.change("operation-security-removed", where, here, sorted(old.scopes), None)
            return
        for scope in sorted((new.scopes or frozenset()) - (old.scopes or frozenset())):
            self.change("operation-scope-added", where, here, None, scope)
        for scope in sorted((old.scopes or frozenset()) - (new.scopes or frozenset())):
            self.change("operation-scope-removed", where, here, scope, None)

    def parameters(self, old: Operation, new: Operation, where: Location) -> None:
        for key, param in new.parameters.items():
            if key not in old.parameters:
                at = replace(where, parameter=param.name, parameter_in=param.location)
                need = "required" if param.required else "optional"
                self.change(f"parameter-{need}-added", at, param.origin, None, param.name)
        for key, param in old.parameters.items():
            at = replace(where, parameter=param.name, parameter_in=param.location)
            if key not in new.parameters:
                self.change("parameter-removed", at, param.origin, param.name, None)
            else:
                self.parameter(param, new.parameters[key], at)

    def parameter(self, old: Parameter, new: Parameter, where: Location) -> None:
        if old.required != new.required:
            flag = "parameter-became-required" if new.required else "parameter-became-optional"
            self.change(flag, where, new.origin.child("required"), old.required, new.required)
        if new.deprecated and not old.deprecated:
            self.change("parameter-deprecated", where, new.origin.child("deprecated"))
        if old.annotation != new.annotation:
            self.change("annotation-changed", where, new.origin)
        if old.schema is not None and new.schema is not None:
            self.schemas.compare(old.schema, new.schema, Context("parameter", where))

    def request(
        self, old: Content | None, new: Content | None, where: Location, origin: Origin
    ) -> None:
        at = replace(where, body="request")
        if old is None and new is None:
            return
        if old is None and new is not None:
            need = "required" if new.required else "optional"
            self.change(f"request-body-{need}-added", at, new.origin)
            return
        if new is None and old is not None:
            self.change("request-body-removed", at, old.origin)
            return
        assert old is not None and new is not None
        if old.required != new.required:
            became = "required" if new.required else "optional"
            self.change(
                f"request-body-became-{became}",
                at,
                new.origin.child("required"),
                old.required,
                new.required,
            )
        self.content(old, new, Context("request", at))

    def responses(self, old: Operation, new: Operation, where: Location) -> None:
        op_added = (new.scopes or frozenset()) - (old.scopes or frozenset())
        op_removed = (old.scopes or frozenset()) - (new.scopes or frozenset())
        for status, response in new.responses.items():
            if status not in old.responses:
                at = replace(where, status=status)
                self.change("response-status-added", at, response.origin, None, status)
        for status, response in old.responses.items():
            at = replace(where, status=status)
            if status not in new.responses:
                which = "success" if status.startswith("2") else "error"
                self.change(f"response-{which}-status-removed", at, response.origin, status, None)
                continue
            ctx = Context(
                "response",
                at,
                "",
                old.scopes,
                new.scopes,
                frozenset(op_added),
                frozenset(op_removed),
            )
            self.content(response, new.responses[status], ctx)

    def content(self, old: Content, new: Content, ctx: Context) -> None:
        side = ctx.direction
        if old.annotation != new.annotation:
            self.change("annotation-changed", ctx.base, new.origin)
        if side == "response" and bool(old.media) != bool(new.media):
            flag = "response-body-added" if new.media else "response-body-removed"
            self.change(flag, ctx.base, new.origin if new.media else old.origin)
            return
        for media in sorted(new.media.keys() - old.media.keys()):
            here = new.origin.child("content", media)
            self.change(f"{side}-media-type-added", ctx.base, here, None, media)
        for media in sorted(old.media.keys() - new.media.keys()):
            here = old.origin.child("content", media)
            self.change(f"{side}-media-type-removed", ctx.base, here, media, None)
        for media in sorted(old.media.keys() & new.media.keys()):
            before, after = old.media[media], new.media[media]
            if before is not None and after is not None:
                self.schemas.compare(before, after, ctx)
