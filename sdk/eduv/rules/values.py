"""Small, forgiving readers for JSON values.

Rules must never crash on malformed input (that is the schema's job to report), so
every reader returns ``None`` for anything that is not the expected type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

JsonObject = dict[str, Any]

MAX_DATE = "9999-12-31"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def text(obj: JsonObject, key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def integer(obj: JsonObject, key: str) -> int | None:
    value = obj.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def items(obj: JsonObject, key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def objects(obj: JsonObject, key: str) -> Iterator[tuple[int, JsonObject]]:
    for index, value in enumerate(items(obj, key)):
        if isinstance(value, dict):
            yield index, value


def strings(obj: JsonObject, key: str) -> Iterator[tuple[int, str]]:
    for index, value in enumerate(items(obj, key)):
        if isinstance(value, str):
            yield index, value


def day(obj: JsonObject, key: str) -> str | None:
    """A ``YYYY-MM-DD`` value; ISO dates compare correctly as strings."""
    value = obj.get(key)
    # A cheap shape test first: this runs for every dated object several times.
    if isinstance(value, str) and len(value) == 10 and _DATE.match(value):
        return value
    return None


def next_day(value: str) -> str:
    return (date.fromisoformat(value) + timedelta(days=1)).isoformat()


def previous_day(value: str) -> str:
    return (date.fromisoformat(value) - timedelta(days=1)).isoformat()


def timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_tobedeleted(obj: JsonObject) -> bool:
    return obj.get("status") == "tobedeleted"


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


ECKID_TYPE = "eckId"


def person_keys(ref: JsonObject) -> list[str]:
    """Every key under which a person reference can be matched to a person.

    The primary identifier and a secondary one of type eckId are the same ECK iD, so
    both map to ``m:<value>``; other secondary identifiers to ``<type>:<value>``.
    """
    keys: list[str] = []
    master = text(ref, "userMasterIdentifier")
    if master:
        keys.append("m:" + master)
    for _, entry in objects(ref, "userIds"):
        value, kind = text(entry, "userId"), text(entry, "userIdType")
        if value and kind:
            keys.append(("m:" if kind == ECKID_TYPE else kind + ":") + value)
    return keys


def person_label(ref: JsonObject) -> str:
    """How messages name a person: the primary identifier, else the first secondary one."""
    master = text(ref, "userMasterIdentifier")
    if master:
        return master
    for _, entry in objects(ref, "userIds"):
        value, kind = text(entry, "userId"), text(entry, "userIdType")
        if value and kind:
            return f"{kind}:{value}"
    return "(no identifier)"


def location_keys(ref: JsonObject) -> list[str]:
    keys: list[str] = []
    master = text(ref, "locationMasterIdentifier")
    if master:
        keys.append("m:" + master)
    for _, entry in objects(ref, "locationIds"):
        value, kind = text(entry, "locationId"), text(entry, "locationIdType")
        if value and kind:
            keys.append(f"{kind}:{value}")
    return keys


def location_label(ref: JsonObject) -> str:
    keys = location_keys(ref)
    return keys[0].removeprefix("m:") if keys else "(no identifier)"


def organisation_keys(ref: JsonObject) -> list[str]:
    """Every key under which a school or board reference can be matched."""
    keys: list[str] = []
    master = text(ref, "organisationMasterIdentifier")
    if master:
        keys.append("m:" + master)
    for _, entry in objects(ref, "organisationIds"):
        value, kind = text(entry, "organisationId"), text(entry, "organisationIdType")
        if value and kind:
            keys.append(f"{kind}:{value}")
    return keys
