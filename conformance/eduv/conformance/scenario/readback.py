"""Reading a school back through the official API, and comparing it with what was loaded."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from eduv import spec
from eduv.conformance.http import Answer
from eduv.conformance.model import Exchange, Where
from eduv.conformance.observe.data import LISTS
from eduv.conformance.observe.judging import nearest
from eduv.conformance.reads import canonical, object_id
from eduv.conformance.session import Session
from eduv.conformance.tally import Tally
from eduv.dataset.model import Dataset, School, collection
from eduv.pointer import pointer

JsonObject = dict[str, Any]
DATE_FIELDS = ("beginDate", "startDate", "endDate")
PEOPLE = {
    "students": ("students-api", "get-students-for-school"),
    "employees": ("employees-api", "get-employees-for-school"),
}
ORGANISATION = ("education-api", "get-organisations-by-school-search")
# Every list the suite reads back per school, with the API and operation that serve it.
EVERYTHING = {**LISTS, **PEOPLE, "organisation": ORGANISATION}


@dataclass
class Served:
    """One school as the source serves it in one version.

    ``lists`` holds each list's objects, ``evidence`` the answer each came in and
    ``versions`` the version it was read in; ``errors`` the schema errors of the objects
    (list name, index, error) and ``invalid`` their ``name:id`` keys.
    """

    key: str
    lists: dict[str, list[JsonObject]] = field(default_factory=dict)
    evidence: dict[str, Exchange] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    invalid: set[str] = field(default_factory=set)
    errors: list[tuple[str, int, Any]] = field(default_factory=list)

    def where(self, name: str, index: int | None, pointer: str = "") -> Where:
        """Where the object ``index`` of list ``name`` (or the list) was served."""
        message = message_of(name)
        operation = EVERYTHING[name][1]
        if index is None:
            return Where(operation, self.evidence.get(name), message)
        obj = self.lists[name][index]
        return Where(
            operation,
            self.evidence.get(name),
            message,
            object_id(message, obj),
            pointer,
            f"/{index}{pointer}",
            obj,
        )


def current(api: str) -> str:
    return spec.api(api).current


def fetch(
    session: Session, token: str, api: str, version: str, operation_id: str, params: dict[str, Any]
) -> Answer:
    op = spec.operation(api, version, operation_id)
    return session.call(op, token=token, params=params)


def read_school(session: Session, token: str, key: str, version_of: dict[str, str]) -> Served:
    served = Served(key)
    for name, (api, operation_id) in EVERYTHING.items():
        version = version_of[api]
        answer = fetch(session, token, api, version, operation_id, {"orgMasterId": key})
        served.evidence[name] = answer.exchange
        served.versions[name] = version
        body = json_body(answer) if answer.status == 200 else None
        items = [o for o in body if isinstance(o, dict)] if isinstance(body, list) else []
        served.lists[name] = items
        _validate(served, name, api, version, items)
    return served


def json_body(answer: Answer) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def objects(answer: Answer) -> list[JsonObject]:
    """The objects of a successful list answer (none for anything else)."""
    body = json_body(answer) if answer.status == 200 else None
    return [o for o in body if isinstance(o, dict)] if isinstance(body, list) else []


def _validate(served: Served, name: str, api: str, version: str, items: list[JsonObject]) -> None:
    message = message_of(name)
    validator = spec.validator(api, version, message)
    for index, obj in enumerate(items):
        for error in validator.iter_errors(obj):
            served.invalid.add(f"{name}:{object_id(message, obj)}")
            served.errors.append((name, index, error))


def message_of(name: str) -> str:
    return collection("students" if name == "students" else name).component


def schema_problems(served: Served, tally: Tally) -> None:
    """One finding per schema error, as in observe mode (the same check and message)."""
    for name, items in served.lists.items():
        api = collection(name).api
        tally.ok(api, current(api), len(items))
    for name, index, error in served.errors:
        api = collection(name).api
        inside = pointer(error.instance_path)
        kind = getattr(error.kind, "property", "") or ""
        params = {"component": message_of(name), "pointer": inside or "/", "error": error.message}
        tally.problem(
            api,
            current(api),
            "schema",
            params,
            where=served.where(name, index, inside),
            subject=served.key,
            distinct=pointer(error.schema_path) + "|" + str(kind),
        )


# -- nothing lost, nothing altered -----------------------------------------------------------


def loaded_people(dataset: Dataset, school: School, name: str) -> list[JsonObject]:
    """The students (employees) the school's enrolments (assignments) name."""
    ref_member, source = (
        ("student", school.enrollments) if name == "students" else ("employee", school.assignments)
    )
    wanted = {object_id("", o[ref_member]) for o in source if isinstance(o.get(ref_member), dict)}
    people = dataset.students if name == "students" else dataset.employees
    return [p for p in people if object_id("", p) in wanted]


def loaded_lists(dataset: Dataset, school: School) -> dict[str, list[JsonObject]]:
    lists = {name: list(school.items(name)) for name in LISTS}
    lists["organisation"] = [school.organisation]
    for name in PEOPLE:
        lists[name] = loaded_people(dataset, school, name)
    return lists


@dataclass(frozen=True)
class Match:
    """A loaded object and what the source serves for it (None: not served)."""

    api: str
    version: str
    school: str
    name: str  # the list
    id: str  # the object's own id
    loaded: JsonObject
    served: JsonObject | None
    place: Where  # where it was served (or the list it is missing from)

    @property
    def params(self) -> dict[str, Any]:
        return {"school": self.school, "component": message_of(self.name), "id": self.id}


def matches(
    dataset: Dataset, served: dict[str, Served], valid_only: bool = False
) -> Iterator[Match]:
    """Every loaded object of every school with its served counterpart.

    ``valid_only`` leaves out objects that are not served or fail their schema: their
    values are not compared (EDUV-CONF-SCHEMA-001 reports the second kind).
    """
    for school in dataset.schools:
        got = served[school.key]
        for name, loaded in loaded_lists(dataset, school).items():
            api = collection(name).api
            message = message_of(name)
            by_id = {object_id(message, o): i for i, o in enumerate(got.lists.get(name, []))}
            for obj in loaded:
                key = object_id(message, obj)
                index = by_id.get(key)
                if valid_only and (index is None or f"{name}:{key}" in got.invalid):
                    continue
                found = None if index is None else got.lists[name][index]
                place = got.where(name, index)
                if index is None:
                    place = replace(place, object_id=key)
                yield Match(api, current(api), school.key, name, key, obj, found, place)


# -- the flexibility cases that must survive ---------------------------------------------------


def mixed_classes(school: School, served: Served, tally: Tally) -> None:
    studies: dict[str, set[Any]] = {}
    for e in school.enrollments:
        if e.get("enrollmentType") == "study" and isinstance(e.get("student"), dict):
            studies.setdefault(object_id("", e["student"]), set()).add(
                (e.get("study"), e.get("studyYear"))
            )
    got = _served_by_id(served, "groups")
    for group in school.groups:
        members = [object_id("", s) for s in group.get("students", []) if isinstance(s, dict)]
        kinds = set().union(*(studies.get(m, set()) for m in members)) if members else set()
        if group.get("groupType") != "class" or len(kinds) < 2 or group["groupId"] not in got:
            continue
        index, obj = got[group["groupId"]]
        served_members = {object_id("", s) for s in obj.get("students", []) if isinstance(s, dict)}
        params = {"school": school.key, "id": group["groupId"]}
        _judge(
            tally,
            served_members == set(members),
            "members",
            {
                **params,
                "missing": len(set(members) - served_members),
                "extra": len(served_members - set(members)),
            },
            served.where("groups", index, "/students"),
            served.key,
        )


def substitutes(school: School, served: Served, tally: Tally) -> None:
    ends = {p.get("schoolPeriodId"): p.get("endDate") for p in school.schoolPeriods}
    got = _served_by_id(served, "assignments")
    for a in school.assignments:
        period_end = ends.get(a.get("schoolPeriod"))
        if (
            not a.get("endDate")
            or not period_end
            or a["endDate"] >= period_end
            or a["assignmentId"] not in got
        ):
            continue
        index, obj = got[a["assignmentId"]]
        _judge(
            tally,
            obj.get("endDate") == a["endDate"],
            "end-date",
            {
                "school": school.key,
                "id": a["assignmentId"],
                "served": obj.get("endDate"),
                "loaded": a["endDate"],
            },
            served.where("assignments", index, "/endDate"),
            served.key,
        )


def side_enrolments(dataset: Dataset, school: School, served: Served, tally: Tally) -> None:
    places: dict[str, set[str]] = {}
    for other in dataset.schools:
        for e in other.enrollments:
            if isinstance(e.get("student"), dict):
                places.setdefault(object_id("", e["student"]), set()).add(
                    other.key + canonical(e.get("location")).decode()
                )
    got = _served_by_id(served, "enrollments")
    for e in school.enrollments:
        student = e.get("student")
        if not isinstance(student, dict) or len(places.get(object_id("", student), ())) < 2:
            continue
        place = replace(served.where("enrollments", None), object_id=e["enrollmentId"])
        _judge(
            tally,
            e["enrollmentId"] in got,
            "not-served",
            {"school": school.key, "id": e["enrollmentId"]},
            place,
            served.key,
        )


def boards(school: School, served: Served, tally: Tally) -> None:
    boards = school.organisation.get("boards") or []
    if len(boards) < 2:
        return
    got = served.lists.get("organisation", [])
    served_boards = sorted(canonical(b) for b in got[0].get("boards", [])) if got else []
    ok = served_boards == sorted(canonical(b) for b in boards)
    place = served.where("organisation", 0 if got else None, "/boards")
    params = {"school": school.key, "loaded": len(boards), "served": len(served_boards)}
    _judge(tally, ok, "boards", params, place, served.key, api="education-api")


def _served_by_id(served: Served, name: str) -> dict[str, tuple[int, JsonObject]]:
    message = message_of(name)
    return {object_id(message, o): (i, o) for i, o in enumerate(served.lists.get(name, []))}


def _judge(
    tally: Tally,
    ok: bool,
    key: str,
    params: dict[str, Any],
    place: Where,
    school: str,
    api: str = "association-api",
) -> None:
    if ok:
        tally.ok(api, current(api))
    else:
        tally.problem(api, current(api), key, params, where=place, subject=school)


# Where each object of a served dataset came from: the API, version, place and school.
Origin = tuple[str, str, Where, str]


def served_dataset(loaded: Dataset, schools: Iterable[Served]) -> tuple[Dataset, dict[str, Origin]]:
    """What was served, as a dataset with the loaded facts (the API cannot carry them),
    and for each of its objects (by pointer) where it was served."""
    out = Dataset(shapes=dict(loaded.shapes), facts=dict(loaded.facts), as_of=loaded.as_of)
    sources: dict[int, Origin] = {}
    students: dict[str, JsonObject] = {}
    employees: dict[str, JsonObject] = {}
    for served in schools:
        for name, items in served.lists.items():
            api = EVERYTHING[name][0]
            for index, obj in enumerate(items):
                origin = (api, served.versions.get(name, current(api)), served.where(name, index))
                sources.setdefault(id(obj), (*origin, served.key))
        orgs = served.lists.get("organisation", [])
        if not orgs:
            continue
        school = School(organisation=orgs[0])
        for name in LISTS:
            setattr(school, name, served.lists.get(name, []))
        out.schools.append(school)
        for p in served.lists.get("students", []):
            students.setdefault(object_id("", p), p)
        for p in served.lists.get("employees", []):
            employees.setdefault(object_id("", p), p)
    out.students, out.employees = list(students.values()), list(employees.values())
    origins = {
        pointer_: sources[id(obj)]
        for pointer_, _coll, obj in out.iter_objects()
        if id(obj) in sources
    }
    return out, origins


def origin_of(origins: Mapping[str, Origin], at: str) -> Origin | None:
    """Where the object holding ``at`` (a pointer into the served dataset) was served,
    with the place narrowed to ``at`` inside that object."""
    found = nearest(origins, at)
    if found is None:
        return None
    (api, version, place, school), rest = found
    served_at = (place.at or "") + rest
    return api, version, replace(place, pointer=place.pointer + rest, at=served_at), school
