"""Notifications (Notifications API 0.9.1) written to the outbox.

A notification is thin: it names the object and says where to fetch its latest state.
It is written in the same database transaction as the change it reports, so that a
change without its notification (or the reverse) can never be committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from sqlalchemy import Connection, delete, func, insert, select

from eduv import spec
from eduv.dataset.model import school_key
from eduv.provider import schema
from eduv.provider.db import utc_now_precise

NOTIFICATIONS_API = "notifications-api"
NOTIFICATIONS_VERSION = "0.9.1"

# The APIs whose changes this source reports, and the object types each one carries.
OBJECT_TYPES: dict[str, tuple[str, ...]] = {
    "education-api": ("Organisation", "StudyOffering", "SubjectOffering"),
    "association-api": ("SchoolPeriod", "Enrollment", "Assignment", "Group"),
    "students-api": ("Student",),
    "employees-api": ("Employee",),
}
API_OF_TYPE = {kind: api for api, kinds in OBJECT_TYPES.items() for kind in kinds}

# The legacy names of the objectType query parameter of GET /notifications, mapped to
# the object types of the notifications themselves.
QUERY_OBJECT_TYPES: dict[str, tuple[str, ...]] = {
    "Student": ("Student",),
    "StudentDelivery": ("Student",),
    "Employee": ("Employee",),
    "Class": ("Group",),
    "Group": ("Group",),
    "SchoolSubject": ("SubjectOffering",),
    "SchoolPeriod": ("SchoolPeriod",),
    "Product": (),
}


@dataclass(frozen=True, slots=True)
class Change:
    """One change to report: an object created, updated or deleted, or a bulk load."""

    object_type: str
    object_id: str | None
    is_delete: bool = False
    bulk: bool = False


@cache
def _school_id_types() -> frozenset[str]:
    """Secondary identifier types a notification's SchoolReference may carry."""
    ref = spec.schema(NOTIFICATIONS_API, NOTIFICATIONS_VERSION, "SchoolReference")
    items = ref["properties"]["organisationIds"]["items"]
    return frozenset(items["properties"]["organisationIdType"]["enum"])


def school_reference(organisation: Mapping[str, Any]) -> dict[str, Any]:
    """The school of a notification; identifier types 0.9.1 does not know are left out."""
    ref: dict[str, Any] = {}
    master = organisation.get("organisationMasterIdentifier")
    if master:
        ref["organisationMasterIdentifier"] = master
    ids = [
        item
        for item in organisation.get("organisationIds", [])
        if item.get("organisationIdType") in _school_id_types()
    ]
    if ids:
        ref["organisationIds"] = ids
    return ref


def school_query(organisation: Mapping[str, Any]) -> dict[str, str]:
    """Query parameters that name a school in the school-scoped operations."""
    master = organisation.get("organisationMasterIdentifier")
    if master:
        return {"orgMasterId": str(master)}
    for item in organisation.get("organisationIds", []):
        return {"orgId": item["organisationId"], "orgIdType": item["organisationIdType"]}
    return {}


@dataclass(frozen=True, slots=True)
class _Fetch:
    path: str
    takes_school: bool


@cache
def _fetch_operations() -> dict[tuple[str, bool], _Fetch]:
    """Per (object type, bulk): the operation that returns the latest state, from the spec.

    One object is fetched by the operation whose path ends in /{id} or, for people, by
    the search operation; a bulk notification points to the school's list operation.
    """
    found: dict[tuple[str, bool], _Fetch] = {}
    for api, kinds in OBJECT_TYPES.items():
        av = spec.api_version(api)
        for op in av.operations:
            body = op.success[1]
            if body is None or body.message not in kinds:
                continue
            by_school = "orgMasterId" in op.parameter_in
            single = op.path.endswith("/{id}") or op.operation_id.startswith("search-")
            listing = by_school and "{id}" not in op.path
            fetch = _Fetch(f"/{api}/v{av.major}{op.path}", by_school)
            if single:
                found.setdefault((body.message, False), fetch)
            if listing:
                found.setdefault((body.message, True), fetch)
    return found


def fetch_url(
    object_type: str, object_id: str | None, organisation: Mapping[str, Any], bulk: bool
) -> str:
    """Where the latest state of the object (or of the collection, for bulk) is served."""
    fetch = (
        _fetch_operations().get((object_type, bulk)) or _fetch_operations()[(object_type, not bulk)]
    )
    path = fetch.path.replace("{id}", quote(object_id or "", safe=""))
    if not fetch.takes_school:
        return path
    return f"{path}?{urlencode(school_query(organisation))}"


def notification(change: Change, organisation: Mapping[str, Any]) -> dict[str, Any]:
    """The Notification message for one change; ``url`` is a path until it is served."""
    doc: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "notificationType": "bulk" if change.bulk else "object",
        "objectType": change.object_type,
    }
    if change.object_id is not None and not change.bulk:
        doc["objectId"] = change.object_id
    doc["school"] = school_reference(organisation)
    doc["created"] = utc_now_precise()
    doc["url"] = fetch_url(change.object_type, change.object_id, organisation, change.bulk)
    doc["isDeleteNotification"] = change.is_delete
    return doc


def write(
    conn: Connection,
    organisation: Mapping[str, Any],
    changes: Sequence[Change],
    *,
    deletes: bool = True,
) -> list[dict[str, Any]]:
    """Append notifications to the outbox, in the caller's transaction.

    ``deletes=False`` leaves out delete notifications (only the fault that breaks this
    rule asks for it).
    """
    kept = [c for c in changes if deletes or not c.is_delete]
    docs = [notification(change, organisation) for change in kept]
    key = school_key(dict(organisation))
    rows = [
        {
            "id": doc["id"],
            "school_key": key,
            "api": API_OF_TYPE[doc["objectType"]],
            "object_type": doc["objectType"],
            "object_id": doc.get("objectId"),
            "is_delete": doc["isDeleteNotification"],
            "created": doc["created"],
            "doc": orjson.dumps(doc).decode(),
        }
        for doc in docs
    ]
    if rows:
        conn.execute(insert(schema.outbox), rows)
    return docs


def prune(conn: Connection, before: str) -> int:
    """Remove notifications created before ``before`` (the outbox's own time format).

    The newest entry always stays: sequence numbers must never go back, and SQLite hands
    out the highest one plus one. Returns how many entries went.
    """
    o = schema.outbox
    newest = select(func.max(o.c.seq)).scalar_subquery()
    done = conn.execute(delete(o).where(o.c.created < before, o.c.seq < newest))
    return int(done.rowcount or 0)


def last_seq(conn: Connection) -> int:
    found = conn.execute(select(func.max(schema.outbox.c.seq))).scalar()
    return int(found or 0)
