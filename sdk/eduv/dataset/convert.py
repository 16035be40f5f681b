"""Conversion between the current (t) and previous (t-1) shape of stored objects.

All knowledge sits in ``spec/dataset/1/conversions.json``; this module only knows the
handful of operations that table may use. Converting never invents data: a step drops
what the target version cannot express, and nothing else.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from eduv import spec
from eduv.dataset.model import Dataset, JsonObject, School, collections, school_collections
from eduv.pointer import tokens

Direction = Literal["down", "up"]
_MISSING = object()


@dataclass(frozen=True, slots=True)
class ApiVersions:
    """Current and previous version of one API, as the conversion table states them."""

    api: str
    current: str
    previous: str


@cache
def conversion_table() -> JsonObject:
    return dict(spec.document("dataset/1/conversions.json"))


def api_versions() -> dict[str, ApiVersions]:
    """t and t-1 of every API whose objects a dataset stores."""
    apis: JsonObject = conversion_table()["apis"]
    return {
        name: ApiVersions(name, entry["current"], entry["previous"]) for name, entry in apis.items()
    }


def current_shapes() -> dict[str, str]:
    """The ``shapes`` member of a freshly written dataset."""
    return {name: v.current for name, v in api_versions().items()}


def steps(api: str, component: str, direction: Direction) -> list[JsonObject]:
    entry = conversion_table()["apis"].get(api, {})
    found: list[JsonObject] = entry.get("objects", {}).get(component, {}).get(direction, [])
    return found


def convert_object(
    api: str,
    component: str,
    obj: JsonObject,
    direction: Direction,
    sector: str | None = None,
) -> JsonObject:
    """A converted copy of one object; the input is left untouched."""
    todo = [s for s in steps(api, component, direction) if _applies(s, sector)]
    if not todo:
        return obj
    out = copy.deepcopy(obj)
    for step in todo:
        _OPERATIONS[step["op"]](out, step)
    return out


def convert_dataset(dataset: Dataset, direction: Direction) -> Dataset:
    """The whole dataset in the other shape; ``shapes`` records the versions used."""
    versions = api_versions()
    target = {
        api: (v.previous if direction == "down" else v.current) for api, v in versions.items()
    }
    by_name = {c.name: c for c in collections()}

    def conv(name: str, obj: JsonObject, sector: str | None) -> JsonObject:
        coll = by_name[name]
        return convert_object(coll.api, coll.component, obj, direction, sector)

    schools = []
    for school in dataset.schools:
        facts = dataset.facts.get(school.key)
        sector = facts.sector if facts else None
        new = School(organisation=conv("organisation", school.organisation, sector))
        for coll in school_collections():
            setattr(new, coll.name, [conv(coll.name, o, sector) for o in school.items(coll.name)])
        schools.append(new)
    return Dataset(
        shapes=target,
        schools=schools,
        students=[conv("students", o, None) for o in dataset.students],
        employees=[conv("employees", o, None) for o in dataset.employees],
        facts=dataset.facts,
        as_of=dataset.as_of,
    )


def _applies(step: JsonObject, sector: str | None) -> bool:
    wanted = step.get("sector")
    return wanted is None or wanted == sector


def _parents(obj: Any, parts: list[str]) -> Iterator[tuple[Any, str]]:
    """Every (container, last key) that the path with ``*`` wildcards reaches."""
    if len(parts) == 1:
        if isinstance(obj, dict):
            yield obj, parts[0]
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(obj, list):
            for item in obj:
                yield from _parents(item, rest)
        return
    if isinstance(obj, dict) and head in obj:
        yield from _parents(obj[head], rest)


def _resolve(obj: Any, pointer: str) -> Any:
    current = obj
    for part in tokens(pointer):
        if not isinstance(current, dict) or part not in current:
            return _MISSING
        current = current[part]
    return current


def _op_drop(obj: JsonObject, step: JsonObject) -> None:
    for parent, key in list(_parents(obj, tokens(step["path"]))):
        parent.pop(key, None)


def _op_drop_unless_matches(obj: JsonObject, step: JsonObject) -> None:
    pattern = re.compile(step["pattern"])
    for parent, key in list(_parents(obj, tokens(step["path"]))):
        value = parent.get(key, _MISSING)
        if value is not _MISSING and not (isinstance(value, str) and pattern.search(value)):
            del parent[key]


def _op_drop_items(obj: JsonObject, step: JsonObject) -> None:
    field, values = step["field"], set(step["values"])
    for parent, key in list(_parents(obj, tokens(step["path"]))):
        items = parent.get(key)
        if isinstance(items, list):
            parent[key] = [i for i in items if not (isinstance(i, dict) and i.get(field) in values)]


def _present(value: Any) -> bool:
    return value is not _MISSING and value != []


def _op_drop_items_without_any(obj: JsonObject, step: JsonObject) -> None:
    pointers: list[str] = step["anyOf"]
    for parent, key in list(_parents(obj, tokens(step["path"]))):
        items = parent.get(key)
        if isinstance(items, list):
            parent[key] = [i for i in items if any(_present(_resolve(i, p)) for p in pointers)]


def _op_drop_empty(obj: JsonObject, step: JsonObject) -> None:
    for parent, key in list(_parents(obj, tokens(step["path"]))):
        if parent.get(key, _MISSING) == []:
            del parent[key]


_OPERATIONS: dict[str, Callable[[JsonObject, JsonObject], None]] = {
    "drop": _op_drop,
    "drop-unless-matches": _op_drop_unless_matches,
    "drop-items": _op_drop_items,
    "drop-items-without-any": _op_drop_items_without_any,
    "drop-empty": _op_drop_empty,
}


def known_operations() -> frozenset[str]:
    """Operations this module implements (a test compares them with the table)."""
    return frozenset(_OPERATIONS)
