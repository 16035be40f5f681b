"""Conversion of chain datasets between the current (t) and previous (t-1) shapes.

All knowledge of what differs sits in ``spec/dataset/2/conversions.json``; this module
runs its steps over a dataset, and :mod:`.operations` implements the operations a step
may name. A step either changes an object, splits
it (an order of several lines becomes one previous-version request per line), or leaves
it out because the target version cannot express it. Nothing is guessed: what a step
loses is written beside it in the table, and every object left out is reported.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eduv import spec
from eduv.dataset.chain.model import ChainDataset, chain_collections
from eduv.dataset.chain.operations import (
    OPERATIONS,
    Context,
    Direction,
    NotExpressibleError,
    value_at,
)
from eduv.dataset.model import JsonObject


@dataclass(frozen=True, slots=True)
class LeftOut:
    """An object the conversion could not carry over: where it was, what happened, why."""

    where: str
    what: str
    why: str


@dataclass
class ChainConversion:
    """The converted dataset and the objects that had to be left out."""

    dataset: ChainDataset
    left_out: list[LeftOut] = field(default_factory=list)


@cache
def chain_conversion_table() -> JsonObject:
    return dict(spec.document("dataset/2/conversions.json"))


def chain_steps(api: str, component: str, direction: Direction) -> list[JsonObject]:
    entry = chain_conversion_table()["apis"].get(api, {})
    found: list[JsonObject] = entry.get("objects", {}).get(component, {}).get(direction, [])
    return found


def target_version(api: str, direction: Direction) -> str:
    entry = chain_conversion_table()["apis"][api]
    return str(entry["previous"] if direction == "down" else entry["current"])


def convert_chain_object(
    api: str, component: str, obj: JsonObject, direction: Direction, context: Context
) -> list[JsonObject]:
    """The object in the other shape: usually one object, several after a split.

    Raises :class:`NotExpressibleError` when the target version cannot express it. The input is
    left untouched.
    """
    current = [copy.deepcopy(obj)]
    for step in chain_steps(api, component, direction):
        operation = OPERATIONS[step["op"]]
        current = [out for item in current for out in operation(item, step, context)]
    return current


def chain_object_in(api: str, version: str, component: str, obj: JsonObject) -> list[JsonObject]:
    """A current-shape object as ``version`` of ``api`` carries it: itself in the current
    version, else converted down (usually one object); none when that version cannot
    express it. What a server answers in, and what a client expects, for the previous
    version."""
    if version == target_version(api, "up"):
        return [obj]
    try:
        return convert_chain_object(
            api, component, obj, "down", Context(ChainDataset(shapes={}), "down")
        )
    except NotExpressibleError:
        return []


def convert_chain_dataset(dataset: ChainDataset, direction: Direction) -> ChainConversion:
    """The whole dataset in the other shape; APIs already in that shape stay as they are."""
    context = Context(dataset, direction)
    shapes = dict(dataset.shapes)
    todo = {api for api in shapes if shapes[api] != target_version(api, direction)}
    result = ChainDataset(
        shapes={
            api: target_version(api, direction) if api in todo else v for api, v in shapes.items()
        },
        schools=copy.deepcopy(dataset.schools),
        as_of=dataset.as_of,
        catalogue_provider=copy.deepcopy(dataset.catalogue_provider),
    )
    conversion = ChainConversion(result)
    keys: JsonObject = chain_conversion_table().get("keys", {})
    gone: dict[str, set[Any]] = {name: set() for name in keys}
    for coll in chain_collections():
        values = dataset.objects.get(coll.name)
        if not values:
            continue
        if coll.api not in todo:
            result.objects[coll.name] = copy.deepcopy(values)
            continue
        converted: list[JsonObject] = []
        for index, obj in enumerate(values):
            try:
                converted += convert_chain_object(coll.api, coll.component, obj, direction, context)
            except NotExpressibleError as why:
                where = f"/{coll.name}/{index}"
                target = f"{coll.api} {result.shapes[coll.api]}"
                what = f"left out: {coll.component} cannot be expressed in {target}"
                conversion.left_out.append(LeftOut(where, what, str(why)))
                if coll.name in keys:
                    gone[coll.name].add(value_at(obj, keys[coll.name]))
        result.objects[coll.name] = converted
    _leave_out_dependents(conversion, keys, gone)
    return conversion


def _leave_out_dependents(
    conversion: ChainConversion, keys: JsonObject, gone: dict[str, set[Any]]
) -> None:
    """Leave out what refers to objects that were left out, so the result stays consistent."""
    objects = conversion.dataset.objects
    for rule in chain_conversion_table().get("dependents", ()):
        name, on = rule["collection"], rule["on"]
        if not gone.get(on) or name not in objects:
            continue
        kept = []
        for obj in objects[name]:
            value = value_at(obj, rule["path"])
            if value in gone[on]:
                why = f"{rule['path']} is {value}, which was left out of {on}"
                conversion.left_out.append(
                    LeftOut(f"/{name}", "left out with what it depends on", why)
                )
                if name in keys:
                    gone.setdefault(name, set()).add(value_at(obj, keys[name]))
            else:
                kept.append(obj)
        objects[name] = kept
