"""Small, forgiving readers for JSON values.

Rules must never crash on malformed input (that is the schema's job to report), so
every reader returns ``None`` for anything that is not the expected type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from typing import Any

from eduv.days import MAX_DATE, day, is_tobedeleted, next_day, previous_day

JsonObject = dict[str, Any]

__all__ = ["MAX_DATE", "day", "is_tobedeleted", "next_day", "previous_day"]


def text(obj: JsonObject, key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def integer(obj: JsonObject, key: str) -> int | None:
    value = obj.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def items(obj: JsonObject, key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def as_object(value: Any) -> JsonObject:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """A JSON array, or an empty one for anything else."""
    return value if isinstance(value, list) else []


def dicts(value: Any) -> Iterator[tuple[int, JsonObject]]:
    """The objects of a JSON array, with their positions."""
    for index, item in enumerate(as_list(value)):
        if isinstance(item, dict):
            yield index, item


def objects(obj: JsonObject, key: str) -> Iterator[tuple[int, JsonObject]]:
    for index, value in enumerate(items(obj, key)):
        if isinstance(value, dict):
            yield index, value


def strings(obj: JsonObject, key: str) -> Iterator[tuple[int, str]]:
    for index, value in enumerate(items(obj, key)):
        if isinstance(value, str):
            yield index, value


def timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


ECKID_TYPE = "eckId"
_ECKID_TYPES = frozenset({ECKID_TYPE})


# The members that identify a user, location or organisation; built once, as person
# keys are asked for on every reference a dataset check resolves.
_ID_MEMBERS = {
    kind: (f"{kind}MasterIdentifier", f"{kind}Ids", f"{kind}Id", f"{kind}IdType")
    for kind in ("user", "location", "organisation")
}


def _identifiers(ref: JsonObject, kind: str) -> Iterator[tuple[str | None, str]]:
    """``(None, primary)`` then ``(type, value)`` for each complete secondary identifier.

    ``kind`` names the family of members: ``user``, ``location`` or ``organisation``
    (``userMasterIdentifier``, ``userIds`` of ``userId`` and ``userIdType``, ...).
    """
    master_member, list_member, value_member, type_member = _ID_MEMBERS[kind]
    master = text(ref, master_member)
    if master:
        yield None, master
    for _, entry in objects(ref, list_member):
        value, id_type = text(entry, value_member), text(entry, type_member)
        if value and id_type:
            yield id_type, value


def _keys(ref: JsonObject, kind: str, primary_types: frozenset[str] = frozenset()) -> list[str]:
    """``m:<value>`` for the primary identifier and secondary ones of ``primary_types``.

    The keys of :func:`_identifiers`, in its order, read without its generator: every
    person of a dataset is indexed by them.
    """
    master_member, list_member, value_member, type_member = _ID_MEMBERS[kind]
    master = ref.get(master_member)
    keys = ["m:" + master] if isinstance(master, str) and master else []
    entries = ref.get(list_member)
    if isinstance(entries, list):
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            value, id_type = entry.get(value_member), entry.get(type_member)
            if isinstance(value, str) and value and isinstance(id_type, str) and id_type:
                keys.append("m:" + value if id_type in primary_types else f"{id_type}:{value}")
    return keys


def person_keys(ref: JsonObject) -> list[str]:
    """Every key under which a person reference can be matched to a person.

    The primary identifier and a secondary one of type eckId are the same ECK iD, so
    both map to ``m:<value>``; other secondary identifiers to ``<type>:<value>``.
    """
    return _keys(ref, "user", _ECKID_TYPES)


def person_label(ref: JsonObject) -> str:
    """How messages name a person: the primary identifier, else the first secondary one."""
    first = next(_identifiers(ref, "user"), None)
    if first is None:
        return "(no identifier)"
    id_type, value = first
    return value if id_type is None else f"{id_type}:{value}"


def location_keys(ref: JsonObject) -> list[str]:
    return _keys(ref, "location")


def location_label(ref: JsonObject) -> str:
    keys = location_keys(ref)
    return keys[0].removeprefix("m:") if keys else "(no identifier)"


def organisation_keys(ref: JsonObject) -> list[str]:
    """Every key under which a school or board reference can be matched."""
    return _keys(ref, "organisation")


def school_label(ref: Any) -> str:
    """How messages name a school reference: its primary identifier, else its other ones."""
    ref = as_object(ref)
    master = text(ref, "organisationMasterIdentifier")
    if master:
        return master
    ids = [
        f"{e.get('organisationIdType')}:{e.get('organisationId')}"
        for _, e in dicts(ref.get("organisationIds"))
    ]
    return ",".join(ids) or "(no identifier)"
