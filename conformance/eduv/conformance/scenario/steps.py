"""Stateful steps: a change during the year, and what the source must then serve and notify.

A step is drawn as (kind, a, b): two numbers that pick the objects in the loaded data,
so hypothesis can shrink steps like any other value. :func:`plan` turns it into the
provisioning changes, the expected notifications and a verification of the served state.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eduv.conformance.observe.data import object_id
from eduv.dataset.model import Dataset, School

JsonObject = dict[str, Any]
KINDS = ("move", "end", "delete", "add-period")
Verify = Callable[["Reader"], tuple[bool, str]]


class Reader:
    """What a verification may do: look one object up through the official API."""

    def __init__(
        self, lookup: Callable[[str, dict[str, Any], Any], tuple[int | None, Any]]
    ) -> None:
        self.lookup = lookup

    def get(
        self, operation_id: str, params: dict[str, Any], body: Any = None
    ) -> tuple[int | None, Any]:
        return self.lookup(operation_id, params, body)


@dataclass
class Step:
    kind: str
    school: str
    changes: list[JsonObject]
    verify: Verify
    notified: list[tuple[str, frozenset[str]]] = field(default_factory=list)  # (type, ids)
    deleted: list[tuple[str, frozenset[str]]] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.kind} at {self.school}"


def plan(dataset: Dataset, kind: str, a: int, b: int) -> Step | None:
    """The step, or None when the data has nothing it can act on."""
    if not dataset.schools:
        return None
    school = dataset.schools[a % len(dataset.schools)]
    maker = {"move": _move, "end": _end, "delete": _delete, "add-period": _add_period}[kind]
    return maker(dataset, school, a, b)


def _update(school: School, name: str, obj: JsonObject) -> JsonObject:
    return {"op": "update", "collection": name, "school": school.key, "object": obj}


def _group_has(group: JsonObject, person: str) -> bool:
    return any(object_id("", s) == person for s in group.get("students", []) if isinstance(s, dict))


def _move(dataset: Dataset, school: School, a: int, b: int) -> Step | None:
    classes = [g for g in school.groups if g.get("groupType") == "class"]
    sources = [g for g in classes if g.get("students")]
    if not sources:
        return None
    source = sources[a % len(sources)]
    targets = [
        g
        for g in classes
        if g is not source
        and g.get("schoolPeriod") == source.get("schoolPeriod")
        and g.get("beginDate") == source.get("beginDate")
        and g.get("endDate") == source.get("endDate")
    ]
    if not targets:
        return None
    target = targets[b % len(targets)]
    pupil = source["students"][b % len(source["students"])]
    who = object_id("", pupil)
    if _group_has(target, who):
        return None
    left = {**source, "students": [s for s in source["students"] if object_id("", s) != who]}
    joined = {**target, "students": [*target.get("students", []), pupil]}
    source_id, target_id = source["groupId"], target["groupId"]

    def verify(reader: Reader) -> tuple[bool, str]:
        params = {"orgMasterId": school.key}
        _, old = reader.get("get-group", {"id": source_id, **params})
        _, new = reader.get("get-group", {"id": target_id, **params})
        ok = (
            isinstance(old, dict)
            and isinstance(new, dict)
            and not _group_has(old, who)
            and _group_has(new, who)
        )
        return ok, f"pupil moved from class {source_id} to {target_id}"

    changes = [_update(school, "groups", left), _update(school, "groups", joined)]
    notified = [("Group", frozenset({source_id})), ("Group", frozenset({target_id}))]
    return Step("move", school.key, changes, verify, notified)


def _end(dataset: Dataset, school: School, a: int, b: int) -> Step | None:
    candidates = [x for x in school.assignments if x.get("beginDate")]
    if not candidates:
        return None
    chosen = candidates[a % len(candidates)]
    begin = dt.date.fromisoformat(chosen["beginDate"])
    old_end = (
        dt.date.fromisoformat(chosen["endDate"])
        if chosen.get("endDate")
        else begin + dt.timedelta(days=60)
    )
    span = max(1, (old_end - begin).days)
    new_end = (begin + dt.timedelta(days=1 + b % span)).isoformat()
    ended = {**chosen, "endDate": new_end}
    ident = chosen["assignmentId"]

    def verify(reader: Reader) -> tuple[bool, str]:
        _, got = reader.get("get-assignment", {"id": ident, "orgMasterId": school.key})
        served = got.get("endDate") if isinstance(got, dict) else None
        return served == new_end, f"assignment {ident} ended on {new_end}; served endDate {served}"

    return Step(
        "end",
        school.key,
        [_update(school, "assignments", ended)],
        verify,
        [("Assignment", frozenset({ident}))],
    )


def _identifiers(person: JsonObject) -> frozenset[str]:
    ids = {str(person["userMasterIdentifier"])} if person.get("userMasterIdentifier") else set()
    ids |= {str(u.get("userId")) for u in person.get("userIds", []) if isinstance(u, dict)}
    return frozenset(ids)


def _delete(dataset: Dataset, school: School, a: int, b: int) -> Step | None:
    enrolled = sorted(
        {
            object_id("", e["student"])
            for e in school.enrollments
            if isinstance(e.get("student"), dict)
        }
    )
    people = {object_id("", p): p for p in dataset.students}
    enrolled = [k for k in enrolled if k in people]
    if not enrolled:
        return None
    key = enrolled[a % len(enrolled)]
    person = people[key]
    # The pupil goes first: a source notifies a deleted person to the schools the person
    # belongs to, and the enrolments are what makes the pupil belong to a school.
    changes: list[JsonObject] = [{"op": "delete", "collection": "students", "id": key}]
    for other in dataset.schools:
        changes += _forget(other, key)
    ref = {name: person[name] for name in ("userMasterIdentifier", "userIds") if name in person}

    def verify(reader: Reader) -> tuple[bool, str]:
        body = {"school": {"organisationMasterIdentifier": school.key}, "student": ref}
        status, _ = reader.get("search-student", {}, body)
        return status == 404, f"deleted pupil looked up: HTTP {status}, expected 404"

    deleted = [("Student", _identifiers(person))]
    deleted += [
        ("Enrollment", frozenset({c["id"]})) for c in changes if c["collection"] == "enrollments"
    ]
    return Step("delete", school.key, changes, verify, deleted=deleted)


def _forget(school: School, person: str) -> list[JsonObject]:
    """Changes that remove every mention of a pupil from one school."""
    out: list[JsonObject] = []
    for group in school.groups:
        if _group_has(group, person):
            kept = [s for s in group["students"] if object_id("", s) != person]
            out.append(_update(school, "groups", {**group, "students": kept}))
    for e in school.enrollments:
        if isinstance(e.get("student"), dict) and object_id("", e["student"]) == person:
            out.append(
                {
                    "op": "delete",
                    "collection": "enrollments",
                    "school": school.key,
                    "id": e["enrollmentId"],
                }
            )
    for x in school.assignments:
        if isinstance(x.get("student"), dict) and object_id("", x["student"]) == person:
            out.append(
                {
                    "op": "delete",
                    "collection": "assignments",
                    "school": school.key,
                    "id": x["assignmentId"],
                }
            )
    return out


def _add_period(dataset: Dataset, school: School, a: int, b: int) -> Step | None:
    years = [p for p in school.schoolPeriods if p.get("startDate") and p.get("endDate")]
    if not years:
        return None
    host = years[a % len(years)]
    start = dt.date.fromisoformat(host["startDate"]) + dt.timedelta(days=7 + b % 60)
    end = start + dt.timedelta(days=5)
    if end.isoformat() > host["endDate"]:
        return None
    ident = str(uuid.uuid5(uuid.NAMESPACE_URL, f"eduv-conformance/{school.key}/{a}/{b}"))
    period = {
        "schoolPeriodId": ident,
        "title": "Projectweek",
        "type": "gradingPeriod",
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "status": "active",
        "dateCreated": host["dateCreated"],
        "dateLastModified": host["dateLastModified"],
    }
    if any(p.get("schoolPeriodId") == ident for p in school.schoolPeriods):
        return None

    def verify(reader: Reader) -> tuple[bool, str]:
        status, got = reader.get("get-school-period", {"id": ident, "orgMasterId": school.key})
        ok = status == 200 and isinstance(got, dict) and got.get("startDate") == period["startDate"]
        return ok, f"added period {ident}: HTTP {status}"

    change = {"op": "add", "collection": "schoolPeriods", "school": school.key, "object": period}
    return Step(
        "add-period",
        school.key,
        [change],
        verify,
        [("SchoolPeriod", frozenset({ident}))],
    )


def apply_locally(dataset: Dataset, step: Step) -> None:
    """Keep the loaded copy in step with the source, so that later steps pick real objects."""
    for change in step.changes:
        name = change["collection"]
        if name in ("students", "employees"):
            people = dataset.students if name == "students" else dataset.employees
            people[:] = [p for p in people if object_id("", p) != change.get("id")]
            continue
        school = dataset.school(change["school"])
        if school is None:
            continue
        items = school.items(name)
        member = {
            "groups": "groupId",
            "assignments": "assignmentId",
            "enrollments": "enrollmentId",
            "schoolPeriods": "schoolPeriodId",
        }[name]
        if change["op"] == "add":
            items.append(change["object"])
        elif change["op"] == "update":
            items[:] = [
                change["object"] if o.get(member) == change["object"][member] else o for o in items
            ]
        else:
            items[:] = [o for o in items if o.get(member) != change["id"]]
