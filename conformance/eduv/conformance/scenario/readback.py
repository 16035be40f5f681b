"""Reading a school back through the official API, and comparing it with what was loaded."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eduv import spec
from eduv.conformance.http import Answer
from eduv.conformance.model import Exchange
from eduv.conformance.observe.data import LISTS, canonical, object_id
from eduv.conformance.session import Session
from eduv.conformance.tally import Tally
from eduv.dataset.model import Dataset, School, collection

JsonObject = dict[str, Any]
DATE_FIELDS = ("beginDate", "startDate", "endDate")
PEOPLE = {
    "students": ("students-api", "get-students-for-school"),
    "employees": ("employees-api", "get-employees-for-school"),
}
ORGANISATION = ("education-api", "get-organisations-by-school-search")


@dataclass
class Served:
    """One school as the source serves it in one version."""

    key: str
    lists: dict[str, list[JsonObject]] = field(default_factory=dict)
    evidence: dict[str, Exchange] = field(default_factory=dict)
    invalid: set[str] = field(default_factory=set)  # ids of objects failing their schema


def current(api: str) -> str:
    return spec.api(api).current


def fetch(
    session: Session, token: str, api: str, version: str, operation_id: str, params: dict[str, Any]
) -> Answer:
    op = spec.operation(api, version, operation_id)
    return session.call(op, token=token, params=params)


def read_school(session: Session, token: str, key: str, version_of: dict[str, str]) -> Served:
    served = Served(key)
    everything = {**LISTS, **PEOPLE, "organisation": ORGANISATION}
    for name, (api, operation_id) in everything.items():
        version = version_of[api]
        answer = fetch(session, token, api, version, operation_id, {"orgMasterId": key})
        served.evidence[name] = answer.exchange
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
    for obj in items:
        if not validator.is_valid(obj):
            served.invalid.add(f"{name}:{object_id(message, obj)}")


def message_of(name: str) -> str:
    return collection("students" if name == "students" else name).component


def schema_problems(served: Served, tally: Tally) -> None:
    for name in served.lists:
        api = collection(name).api
        bad = sorted(i for i in served.invalid if i.startswith(name + ":"))
        if bad:
            tally.problem(
                api,
                current(api),
                f"{served.key}: {len(bad)} {name} fail their schema",
                served.evidence[name],
            )
        else:
            tally.ok(api, current(api))


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
    where: str
    loaded: JsonObject
    served: JsonObject | None
    evidence: Exchange


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
            by_id = {object_id(message, o): o for o in got.lists.get(name, [])}
            for obj in loaded:
                key = object_id(message, obj)
                found = by_id.get(key)
                if valid_only and (found is None or f"{name}:{key}" in got.invalid):
                    continue
                where = f"{school.key} {name} {key}"
                yield Match(api, current(api), where, obj, found, got.evidence[name])


# -- the flexibility cases that must survive ---------------------------------------------------


def _served_by_id(served: Served, name: str) -> dict[str, JsonObject]:
    message = message_of(name)
    return {object_id(message, o): o for o in served.lists.get(name, [])}


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
        served_members = sorted(
            object_id("", s)
            for s in got[group["groupId"]].get("students", [])
            if isinstance(s, dict)
        )
        _judge(
            tally,
            served_members == sorted(members),
            f"{school.key} class {group['groupId']}: members changed",
            served.evidence["groups"],
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
        served_end = got[a["assignmentId"]].get("endDate")
        _judge(
            tally,
            served_end == a["endDate"],
            f"{school.key} assignment {a['assignmentId']}: endDate {served_end}, "
            f"loaded {a['endDate']}",
            served.evidence["assignments"],
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
        _judge(
            tally,
            e["enrollmentId"] in got,
            f"{school.key} side enrolment {e['enrollmentId']} is not served",
            served.evidence["enrollments"],
        )


def boards(school: School, served: Served, tally: Tally) -> None:
    boards = school.organisation.get("boards") or []
    if len(boards) < 2:
        return
    got = served.lists.get("organisation", [])
    served_boards = sorted(canonical(b) for b in got[0].get("boards", [])) if got else []
    ok = served_boards == sorted(canonical(b) for b in boards)
    _judge(
        tally,
        ok,
        f"{school.key}: the boards served differ from the {len(boards)} loaded",
        served.evidence["organisation"],
    )


def _judge(
    tally: Tally, ok: bool, text: str, evidence: Exchange, api: str = "association-api"
) -> None:
    if ok:
        tally.ok(api, current(api))
    else:
        tally.problem(api, current(api), text, evidence)


def served_dataset(loaded: Dataset, schools: Iterable[Served]) -> Dataset:
    """What was served, as a dataset with the loaded facts (the API cannot carry them)."""
    out = Dataset(shapes=dict(loaded.shapes), facts=dict(loaded.facts), as_of=loaded.as_of)
    students: dict[str, JsonObject] = {}
    employees: dict[str, JsonObject] = {}
    for served in schools:
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
    return out
