"""Reading a school back through the official API, and comparing it with what was loaded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eduv import spec
from eduv.conformance.http import Answer
from eduv.conformance.model import Exchange
from eduv.conformance.observe.conventions import ADMIN_APIS
from eduv.conformance.observe.data import LISTS, canonical, object_id
from eduv.conformance.scenario import checks as scn
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
    return ADMIN_APIS[api][0]


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
        body = _json(answer) if answer.status == 200 else None
        items = [o for o in body if isinstance(o, dict)] if isinstance(body, list) else []
        served.lists[name] = items
        _validate(served, name, api, version, items)
    return served


def _json(answer: Answer) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _validate(served: Served, name: str, api: str, version: str, items: list[JsonObject]) -> None:
    message = _message(name)
    validator = spec.validator(api, version, message)
    for obj in items:
        if not validator.is_valid(obj):
            served.invalid.add(f"{name}:{object_id(message, obj)}")


def _message(name: str) -> str:
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


def compare_school(
    dataset: Dataset, school: School, served: Served, tallies: dict[str, Tally]
) -> None:
    for name, objects in loaded_lists(dataset, school).items():
        api = collection(name).api
        version = current(api)
        message = _message(name)
        got = {object_id(message, o): o for o in served.lists.get(name, [])}
        for obj in objects:
            key = object_id(message, obj)
            where = f"{school.key} {name} {key}"
            if key not in got:
                tallies[scn.COMPLETE].problem(
                    api, version, f"{where} was loaded but is not served", served.evidence[name]
                )
                continue
            tallies[scn.COMPLETE].ok(api, version)
            if f"{name}:{key}" in served.invalid:
                continue
            _compare_values(tallies, api, version, where, obj, got[key], served.evidence[name])


def _compare_values(
    tallies: dict[str, Tally],
    api: str,
    version: str,
    where: str,
    loaded: JsonObject,
    served: JsonObject,
    evidence: Exchange,
) -> None:
    dates = [f for f in DATE_FIELDS if loaded.get(f) != served.get(f)]
    if dates:
        shown = ", ".join(f"{f} {loaded.get(f)} -> {served.get(f)}" for f in dates)
        tallies[scn.DATES].problem(api, version, f"{where}: {shown}", evidence)
    else:
        tallies[scn.DATES].ok(api, version)
    rest = sorted(
        k
        for k in set(loaded) | set(served)
        if k not in DATE_FIELDS and canonical(loaded.get(k)) != canonical(served.get(k))
    )
    if rest:
        tallies[scn.VALUES].problem(api, version, f"{where}: {', '.join(rest)} differ", evidence)
    else:
        tallies[scn.VALUES].ok(api, version)


# -- the flexibility cases that must survive ---------------------------------------------------


def _served_by_id(served: Served, name: str) -> dict[str, JsonObject]:
    message = _message(name)
    return {object_id(message, o): o for o in served.lists.get(name, [])}


def case_checks(
    dataset: Dataset, school: School, served: Served, tallies: dict[str, Tally]
) -> None:
    _mixed_classes(school, served, tallies[scn.MIXED_CLASS])
    _substitutes(school, served, tallies[scn.SUBSTITUTE])
    _side_enrolments(dataset, school, served, tallies[scn.SIDE_ENROLMENT])
    _boards(school, served, tallies[scn.TWO_BOARDS])


def _mixed_classes(school: School, served: Served, tally: Tally) -> None:
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


def _substitutes(school: School, served: Served, tally: Tally) -> None:
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


def _side_enrolments(dataset: Dataset, school: School, served: Served, tally: Tally) -> None:
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


def _boards(school: School, served: Served, tally: Tally) -> None:
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
