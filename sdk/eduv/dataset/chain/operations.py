"""The operations a step of ``spec/dataset/2/conversions.json`` may name, and what they share.

Each operation takes one object, the step that names it and the conversion's
:class:`Context`, and returns the object in the other shape (a list: a split yields
several, a step never yields none but raises :class:`NotExpressibleError` instead).
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from eduv.dataset.chain.model import ChainDataset, SchoolFacts
from eduv.dataset.model import JsonObject

Direction = Literal["down", "up"]
MISSING: Any = object()
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_RIO_SCHOOL = re.compile(r"^[0-9]{3}A[0-9]{3}$")
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://eduv.dev/spec/dataset/2/conversions.json")


class NotExpressibleError(Exception):
    """The target version cannot express the object; the message says why."""


@dataclass
class Context:
    """What a step may look at besides its own object: the dataset being converted."""

    source: ChainDataset
    direction: Direction


# --------------------------------------------------------------------------- paths


def _split(path: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]


def _parents(obj: Any, parts: list[str]) -> Iterator[tuple[Any, str]]:
    """Every (container, last key) the path reaches, ``*`` standing for each array item."""
    if not parts:
        return
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


def value_at(obj: Any, pointer: str) -> Any:
    current = obj
    for part in _split(pointer):
        if not isinstance(current, dict) or part not in current:
            return MISSING
        current = current[part]
    return current


def _present(value: Any) -> bool:
    return value is not MISSING and value != [] and value is not None


def _pop(obj: JsonObject, pointer: str) -> Any:
    parts = _split(pointer)
    parent: Any = obj
    for part in parts[:-1]:
        if not isinstance(parent, dict) or part not in parent:
            return MISSING
        parent = parent[part]
    if not isinstance(parent, dict):
        return MISSING
    return parent.pop(parts[-1], MISSING)


def _put(obj: JsonObject, pointer: str, value: Any) -> None:
    parts = _split(pointer)
    parent = obj
    for part in parts[:-1]:
        parent = parent.setdefault(part, {})
    parent[parts[-1]] = value


def derived_id(value: str, key: str) -> str:
    """A stable UUID for one part of a split object."""
    return str(uuid.uuid5(NAMESPACE, f"{value}#{key}"))


# --------------------------------------------------------------------------- generic operations

Operation = Callable[[JsonObject, JsonObject, Context], list[JsonObject]]


def _op_drop(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    for parent, key in list(_parents(obj, _split(step["path"]))):
        parent.pop(key, None)
    return [obj]


def _op_set_if_absent(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    for parent, key in list(_parents(obj, _split(step["path"]))):
        parent.setdefault(key, copy.deepcopy(step["value"]))
    return [obj]


def _op_drop_if_equal(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    for parent, key in list(_parents(obj, _split(step["path"]))):
        if key in parent and parent[key] == step["value"]:
            del parent[key]
    return [obj]


def _op_rename(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    for parent, key in list(_parents(obj, _split(step["path"]))):
        if key in parent:
            parent[step["to"]] = parent.pop(key)
    return [obj]


def _op_move(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    value = _pop(obj, step["from"])
    if value is not MISSING:
        _put(obj, step["to"], value)
    return [obj]


def _op_wrap(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    for parent, key in list(_parents(obj, _split(step["path"]))):
        if key in parent and not isinstance(parent[key], list):
            parent[key] = [parent[key]]
    return [obj]


def _op_first_item(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    for parent, key in list(_parents(obj, _split(step["path"]))):
        value = parent.get(key, MISSING)
        if isinstance(value, list):
            if value:
                parent[key] = value[0]
            else:
                del parent[key]
    return [obj]


def _op_drop_items(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    name, values = step["field"], set(step["values"])
    for parent, key in list(_parents(obj, _split(step["path"]))):
        items = parent.get(key)
        if isinstance(items, list):
            parent[key] = [i for i in items if not (isinstance(i, dict) and i.get(name) in values)]
    return [obj]


def _op_drop_empty(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    for parent, key in list(_parents(obj, _split(step["path"]))):
        if parent.get(key, MISSING) == []:
            del parent[key]
    return [obj]


def _mapped(value: Any, table: JsonObject) -> list[Any]:
    if value not in table:
        return []
    target = table[value]
    return list(target) if isinstance(target, list) else [target]


def _op_map_values(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    table = step["map"]
    for parent, key in list(_parents(obj, _split(step["path"]))):
        value = parent.get(key, MISSING)
        if isinstance(value, list):
            out: list[Any] = []
            for item in value:
                out += [m for m in _mapped(item, table) if m not in out]
            if out:
                parent[key] = out
            else:
                del parent[key]
        elif value is not MISSING:
            found = _mapped(value, table)
            if found:
                parent[key] = found[0]
            else:
                del parent[key]
    return [obj]


def _op_map_item_field(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    table, name = step["map"], step["field"]
    for parent, key in list(_parents(obj, _split(step["path"]))):
        items = parent.get(key)
        if not isinstance(items, list):
            continue
        kept = []
        for item in items:
            if isinstance(item, dict) and item.get(name) in table:
                kept.append({**item, name: table[item[name]]})
        parent[key] = kept
    return [obj]


def _op_fill_from(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    value = value_at(obj, step["from"])
    if value is MISSING:
        return [obj]
    for parent, key in list(_parents(obj, _split(step["path"]))):
        parent.setdefault(key, copy.deepcopy(value))
    return [obj]


def _op_exclude_if(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    value = value_at(obj, step["path"])
    if value in step["values"]:
        raise NotExpressibleError(f"{step['path']} is {value}: {step['why']}")
    return [obj]


def _op_require(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    if not _present(value_at(obj, step["path"])):
        raise NotExpressibleError(f"no value at {step['path']}: {step['why']}")
    return [obj]


def _op_require_any(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    if not any(_present(value_at(obj, p)) for p in step["paths"]):
        raise NotExpressibleError(f"none of {', '.join(step['paths'])}: {step['why']}")
    return [obj]


def _op_ensure_uuid(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    for parent, key in list(_parents(obj, _split(step["path"]))):
        value = parent.get(key)
        if isinstance(value, str) and not _UUID.match(value):
            parent[key] = str(uuid.uuid5(NAMESPACE, value))
    return [obj]


# --------------------------------------------------------------------------- order lines


def _cited_was_split(context: Context, collection: str, cited: Any) -> bool:
    """Whether the confirmation a credit cites has several lines (and was split too)."""
    for other in context.source.objects.get(collection, ()):
        if other.get("responseReferenceId") == cited:
            lines = other.get("orderConfirmationLines") or []
            return len(lines) > 1
    return False


def _op_lines_to_single(obj: JsonObject, step: JsonObject, context: Context) -> list[JsonObject]:
    lines = _pop(obj, step["lines"])
    if not _present(lines):
        if step["whenEmpty"] == "leave-out":
            raise NotExpressibleError(f"no lines at {step['lines']}: {step['why']}")
        return [obj]
    need = step.get("needAny", ())
    for line in lines:
        if need and not any(_present(line.get(n, MISSING)) for n in need):
            raise NotExpressibleError(f"a line names none of {', '.join(need)}: {step['why']}")
    split = len(lines) > 1
    cited = step.get("deriveCited", {})
    out = []
    for index, line in enumerate(lines):
        one = copy.deepcopy(obj)
        for source, target in step["hoist"].items():
            if source in line:
                one[target] = copy.deepcopy(line[source])
        key = str(line.get(step["key"], index))
        if split:
            for name in step.get("derive", ()):
                if isinstance(one.get(name), str):
                    one[name] = derived_id(one[name], key)
        for name, collection in cited.items():
            if isinstance(one.get(name), str) and _cited_was_split(context, collection, one[name]):
                one[name] = derived_id(one[name], key)
        out.append(one)
    return out


def _op_single_to_lines(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    line: JsonObject = {}
    for top, member in step["fields"].items():
        value = obj.pop(top, MISSING)
        if value is not MISSING:
            line[member] = value
    if not line:
        if step["whenNone"] == "leave-out":
            raise NotExpressibleError(f"none of {', '.join(step['fields'])}: {step['why']}")
        return [obj]
    for member, pointer in step.get("copy", {}).items():
        value = value_at(obj, pointer)
        if value is not MISSING:
            line.setdefault(member, copy.deepcopy(value))
    _put(obj, step["lines"], [line])
    return [obj]


def _ordered_line(context: Context, purchase_order: Any, line_ids: JsonObject) -> JsonObject | None:
    """The line of an order (previous shape: one product per request) that a credit names."""
    for request in context.source.objects.get("orderRequests", ()):
        if request.get("purchaseOrderId") != purchase_order:
            continue
        wanted = line_ids.get("purchaseOrderLineId")
        if wanted is not None and request.get("purchaseOrderLineId") == wanted:
            return request
    if line_ids.get("salesOrderLineId") is not None:
        for confirmation in context.source.objects.get("orderConfirmations", ()):
            if confirmation.get("purchaseOrderId") == purchase_order and confirmation.get(
                "salesOrderLineId"
            ) == line_ids.get("salesOrderLineId"):
                return confirmation
    return None


def _op_credit_lines_from_order(
    obj: JsonObject, step: JsonObject, context: Context
) -> list[JsonObject]:
    names: tuple[str, ...] = ("purchaseOrderLineId", "salesOrderLineId")
    ids: JsonObject = {n: obj.pop(n) for n in names if n in obj}
    if not ids:
        return [obj]
    ordered = _ordered_line(context, obj.get("purchaseOrderId"), ids)
    if ordered is None or "productId" not in ordered or "quantity" not in ordered:
        raise NotExpressibleError(f"the credited line {ids} is not in the dataset: {step['why']}")
    line: JsonObject = {**ids, "productId": ordered["productId"], "quantity": ordered["quantity"]}
    for member, pointer in step.get("copy", {}).items():
        value = value_at(obj, pointer)
        if value is not MISSING:
            line.setdefault(member, copy.deepcopy(value))
    _put(obj, step["lines"], [line])
    return [obj]


# --------------------------------------------------------------------------- results


def _entries(obj: JsonObject) -> Iterator[JsonObject]:
    for statement in obj.get("studentScoresAndResults") or ():
        for name in ("results", "scores"):
            for entry in statement.get(name) or ():
                if isinstance(entry, dict):
                    yield entry


def _op_assessment_parts_down(obj: JsonObject, _: JsonObject, __: Context) -> list[JsonObject]:
    for entry in _entries(obj):
        part = entry.pop("assessmentPartId", None)
        if part is not None:
            entry["assessmentId"] = part
    return [obj]


def _op_assessment_parts_up(obj: JsonObject, _: JsonObject, __: Context) -> list[JsonObject]:
    definition = obj.get("assessmentDefinition") or {}
    assessment = definition.get("id")
    parts = {p.get("id") for p in definition.get("parts") or () if isinstance(p, dict)}
    for entry in _entries(obj):
        named = entry.get("assessmentId")
        if named is not None and named != assessment and named in parts:
            entry["assessmentPartId"] = named
            entry["assessmentId"] = assessment
        elif named is None and assessment is not None:
            entry["assessmentId"] = assessment
    return [obj]


# --------------------------------------------------------------------------- schools and people


def _op_school_to_identifier(obj: JsonObject, step: JsonObject, _: Context) -> list[JsonObject]:
    school = _pop(obj, step["from"])
    if not isinstance(school, dict):
        raise NotExpressibleError(f"no school at {step['from']}: {step['why']}")
    master = school.get("organisationMasterIdentifier")
    ids = school.get("organisationIds") or []
    value = master or (ids[0].get("organisationId") if ids and isinstance(ids[0], dict) else None)
    if not value:
        raise NotExpressibleError(f"the school at {step['from']} has no identifier: {step['why']}")
    _put(obj, step["to"], value)
    return [obj]


def _school_known_by(context: Context, identifier: str) -> SchoolFacts | None:
    found = [s for s in context.source.schools if identifier in s.identifiers()]
    return found[0] if len(found) == 1 else None


def _op_identifier_to_school(
    obj: JsonObject, step: JsonObject, context: Context
) -> list[JsonObject]:
    value = _pop(obj, step["from"])
    if not isinstance(value, str):
        raise NotExpressibleError(f"no school identifier at {step['from']}: {step['why']}")
    school = _school_known_by(context, value)
    if school is not None:
        _put(obj, step["to"], school.reference())
    elif _RIO_SCHOOL.match(value):
        _put(obj, step["to"], {"organisationMasterIdentifier": value})
    else:
        raise NotExpressibleError(f"no school of the dataset is known by {value}: {step['why']}")
    return [obj]


def _person_keys(person: Any) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    if not isinstance(person, dict):
        return keys
    master = person.get("userMasterIdentifier")
    if isinstance(master, str):
        keys.add(("master", master))
    for entry in person.get("userIds") or ():
        if isinstance(entry, dict):
            keys.add((str(entry.get("userIdType")), str(entry.get("userId"))))
    return keys


def _op_school_from_student(
    obj: JsonObject, step: JsonObject, context: Context
) -> list[JsonObject]:
    wanted = _person_keys(value_at(obj, step["student"]))
    found = [
        s
        for s in context.source.schools
        if any(wanted & _person_keys(person) for person in s.students)
    ]
    if len(found) != 1:
        raise NotExpressibleError(
            f"the pupil is found at {len(found)} schools of the dataset: {step['why']}"
        )
    _put(obj, step["to"], found[0].reference())
    return [obj]


OPERATIONS: dict[str, Operation] = {
    "drop": _op_drop,
    "set-if-absent": _op_set_if_absent,
    "drop-if-equal": _op_drop_if_equal,
    "rename": _op_rename,
    "move": _op_move,
    "wrap": _op_wrap,
    "first-item": _op_first_item,
    "drop-items": _op_drop_items,
    "drop-empty": _op_drop_empty,
    "map-values": _op_map_values,
    "map-item-field": _op_map_item_field,
    "fill-from": _op_fill_from,
    "exclude-if": _op_exclude_if,
    "require": _op_require,
    "require-any": _op_require_any,
    "ensure-uuid": _op_ensure_uuid,
    "lines-to-single": _op_lines_to_single,
    "single-to-lines": _op_single_to_lines,
    "credit-lines-from-order": _op_credit_lines_from_order,
    "assessment-parts-down": _op_assessment_parts_down,
    "assessment-parts-up": _op_assessment_parts_up,
    "school-to-identifier": _op_school_to_identifier,
    "identifier-to-school": _op_identifier_to_school,
    "school-from-student": _op_school_from_student,
}


def known_chain_operations() -> frozenset[str]:
    """Operations this module implements (a test compares them with the table)."""
    return frozenset(OPERATIONS)
