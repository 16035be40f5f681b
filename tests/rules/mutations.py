"""One mutation per catalogue rule: a change to a valid dataset that breaks that rule.

A mutation edits a dataset in place and returns the set of other rules it breaks
unavoidably (usually none); the tests then require that the engine reports the rule
and nothing beyond the declared ones. Mutations add what they need (a period, a
student) rather than assume it exists, so they work on any generated dataset.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from eduv.dataset import Dataset, School
from eduv.dataset.model import GroupOfferings, JsonObject
from eduv.rules.values import person_keys

Mutate = Callable[[Dataset, random.Random], set[str]]
ECK = "https://ketenid.nl/201703/"


@dataclass(frozen=True)
class Mutation:
    rule: str
    mutate: Mutate
    # "previous": evaluate on the dataset converted to the t-1 shapes (rules of t-1 only).
    shape: str = "current"


MUTATIONS: dict[str, Mutation] = {}


def mutation(rule: str, shape: str = "current") -> Callable[[Mutate], Mutate]:
    def register(func: Mutate) -> Mutate:
        assert rule not in MUTATIONS, f"two mutations for {rule}"
        MUTATIONS[rule] = Mutation(rule, func, shape)
        return func

    return register


# --- finding and making things -------------------------------------------------------


def _all(ds: Dataset, coll: str) -> list[tuple[School, JsonObject]]:
    return [(s, o) for s in ds.schools for o in s.items(coll)]


def _one(
    ds: Dataset, rng: random.Random, coll: str, when: Callable[[JsonObject], bool] = lambda o: True
) -> tuple[School, JsonObject]:
    found = [(s, o) for s, o in _all(ds, coll) if when(o)]
    assert found, f"the base dataset has no suitable {coll}"
    return rng.choice(found)


def _pick(
    ds: Dataset,
    rng: random.Random,
    coll: str,
    when: Callable[[JsonObject], bool],
    school_when: Callable[[School], bool],
) -> tuple[School, JsonObject]:
    found = [(s, o) for s in ds.schools if school_when(s) for o in s.items(coll) if when(o)]
    assert found, f"the base dataset has no suitable {coll}"
    return rng.choice(found)


def _has_year(school: School) -> bool:
    return any(p.get("type") == "schoolYear" for p in school.schoolPeriods)


def _coach(ds: Dataset, rng: random.Random) -> JsonObject:
    """A coach assignment; a valid one is added when the dataset has none."""
    found = [a for _, a in _all(ds, "assignments") if a["assignmentType"] == "coach"]
    if found:
        return rng.choice(found)
    school, enrollment = _pick(ds, rng, "enrollments", lambda e: True, _has_year)
    staff = next(a for a in school.assignments)
    begin, end = _span(ds)
    coach: JsonObject = {
        "assignmentId": _uuid(rng),
        "employee": copy.deepcopy(staff["employee"]),
        "assignmentType": "coach",
        "student": dict(enrollment["student"]),
        "schoolPeriod": _year_period(school, ds)["schoolPeriodId"],
        "beginDate": begin,
        "endDate": end,
        **STAMP,
    }
    school.assignments.append(coach)
    return coach


def _year(ds: Dataset) -> int:
    assert ds.as_of is not None
    return int(ds.as_of[:4])


def _span(ds: Dataset) -> tuple[str, str]:
    year = _year(ds)
    return f"{year}-08-01", f"{year + 1}-08-01"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


STAMP = {
    "status": "active",
    "dateCreated": "2020-01-01T00:00:00Z",
    "dateLastModified": "2020-01-01T00:00:00Z",
}


def _new_student(ds: Dataset, rng: random.Random) -> JsonObject:
    eck = f"{ECK}{rng.getrandbits(512):0128x}"
    ds.students.append(
        {"userMasterIdentifier": eck, "givenName": "Fenna", "familyName": "Bos", **STAMP}
    )
    return {"userMasterIdentifier": eck}


def _enrol(
    ds: Dataset, rng: random.Random, school: School, student: JsonObject, kind: str = "study"
) -> JsonObject:
    """A valid enrolment for the whole year in an offering of ``school``."""
    begin, end = _span(ds)
    enrollment: JsonObject = {
        "enrollmentId": _uuid(rng),
        "student": dict(student),
        "enrollmentType": kind,
    }
    if kind == "study":
        offering = rng.choice(school.studyOfferings)
        enrollment["study"] = offering["studyOfferingId"]
        if "studyYear" in offering:
            enrollment["studyYear"] = offering["studyYear"]
    else:
        enrollment["subject"] = rng.choice(school.subjectOfferings)["subjectOfferingId"]
    enrollment.update(
        {
            "schoolPeriod": _year_period(school, ds)["schoolPeriodId"],
            "beginDate": begin,
            "endDate": end,
            **STAMP,
        }
    )
    school.enrollments.append(enrollment)
    return enrollment


def _year_period(school: School, ds: Dataset) -> JsonObject:
    for period in school.schoolPeriods:
        if period.get("type") == "schoolYear":
            return period
    raise AssertionError("a school year is needed")


def _schools_with_year(ds: Dataset) -> list[School]:
    return [s for s in ds.schools if _has_year(s)]


def _school_with(ds: Dataset, rng: random.Random, *colls: str) -> School:
    found = [s for s in _schools_with_year(ds) if all(s.items(c) for c in colls)]
    assert found, f"no school with a school year and {colls}"
    return rng.choice(found)


def _child_period(
    ds: Dataset, rng: random.Random, school: School | None = None
) -> tuple[School, JsonObject, JsonObject]:
    """A period with a parent school year (a new grading period when there is none)."""
    school = school or rng.choice(_schools_with_year(ds))
    year = _year_period(school, ds)
    for period in school.schoolPeriods:
        if period.get("superSchoolPeriod") == year["schoolPeriodId"]:
            return school, year, period
    child = _add_period(school, rng, "gradingPeriod", (year["startDate"], year["endDate"]), year)
    return school, year, child


def _add_period(
    school: School,
    rng: random.Random,
    kind: str,
    span: tuple[str, str],
    parent: JsonObject | None = None,
) -> JsonObject:
    period: JsonObject = {
        "schoolPeriodId": _uuid(rng),
        "title": "periode",
        "type": kind,
        "startDate": span[0],
        "endDate": span[1],
        **STAMP,
    }
    if parent is not None:
        period["superSchoolPeriod"] = parent["schoolPeriodId"]
        parent.setdefault("subSchoolPeriods", []).append(period["schoolPeriodId"])
    school.schoolPeriods.append(period)
    return period


def _references(ds: Dataset) -> Iterator[JsonObject]:
    """Every student reference inside association objects."""
    for school in ds.schools:
        for enrollment in school.enrollments:
            yield enrollment["student"]
        for group in school.groups:
            yield from group["students"]
        for assignment in school.assignments:
            if "student" in assignment:
                yield assignment["student"]


def _rename_student(ds: Dataset, rng: random.Random, new_master: str) -> None:
    student = rng.choice(ds.students)
    old = student["userMasterIdentifier"]
    student["userMasterIdentifier"] = new_master
    for ref in _references(ds):
        if ref.get("userMasterIdentifier") == old:
            ref["userMasterIdentifier"] = new_master


def _rename_period(school: School, old: str, new: str) -> None:
    for period in school.schoolPeriods:
        if period["schoolPeriodId"] == old:
            period["schoolPeriodId"] = new
        if period.get("superSchoolPeriod") == old:
            period["superSchoolPeriod"] = new
        if "subSchoolPeriods" in period:
            period["subSchoolPeriods"] = [
                new if p == old else p for p in period["subSchoolPeriods"]
            ]
    for coll in ("enrollments", "assignments", "groups"):
        for obj in school.items(coll):
            if obj.get("schoolPeriod") == old:
                obj["schoolPeriod"] = new


def _group_of(school: School, assignment: JsonObject) -> JsonObject:
    return next(g for g in school.groups if g["groupId"] == assignment["group"])


def _move_assignment(school: School, assignment: JsonObject, target: JsonObject) -> None:
    _group_of(school, assignment)["assignments"].remove(assignment["assignmentId"])
    assignment["group"] = target["groupId"]
    target["assignments"].append(assignment["assignmentId"])


def _kind(kind: str) -> Callable[[JsonObject], bool]:
    return lambda o: o.get("assignmentType") == kind


def _etype(kind: str) -> Callable[[JsonObject], bool]:
    return lambda o: o.get("enrollmentType") == kind


def _gtype(kind: str) -> Callable[[JsonObject], bool]:
    return lambda o: o.get("groupType") == kind


def _with_role_employee(ds: Dataset, rng: random.Random) -> JsonObject:
    served = {k for s in ds.schools for a in s.assignments for k in person_keys(a["employee"])}
    found = [e for e in ds.employees if any(k in served for k in person_keys(e))]
    return rng.choice(found)


def _lesson_group_school(ds: Dataset, rng: random.Random) -> School:
    found = [
        s
        for s in _schools_with_year(ds)
        if any(g["groupType"] == "lesson-group" for g in s.groups)
        and any(g["groupType"] == "class" for g in s.groups)
    ]
    assert found, "no school with both classes and lesson groups"
    return rng.choice(found)


# --- identifiers ---------------------------------------------------------------------


@mutation("EDUV-ID-001")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, group = _one(ds, rng, "groups", lambda g: bool(g["students"]))
    group["students"][0] = {}
    return {"EDUV-GROUP-010"}


@mutation("EDUV-ID-002")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _rename_student(ds, rng, f"urn:eck:{rng.getrandbits(64):016x}")
    return set()


@mutation("EDUV-ID-003")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _rename_student(ds, rng, f"https://ketenid.nl/pilot/{rng.getrandbits(512):0128x}")
    return set()


@mutation("EDUV-ID-004")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, group = _one(ds, rng, "groups", lambda g: bool(g["students"]))
    group["students"][0]["userIds"] = [{"userId": "geen-eck-id", "userIdType": "eckId"}]
    return set()


@mutation("EDUV-ID-005")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, assignment = _one(ds, rng, "assignments")
    assignment["employee"] = {
        "userMasterIdentifier": assignment["employee"]["userIds"][0]["userId"]
    }
    return {"EDUV-ASSIGN-010", "EDUV-ID-006"}


@mutation("EDUV-ID-006")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    rng.choice(ds.employees)["userMasterIdentifier"] = f"{ECK}{rng.getrandbits(512):0128x}"
    return set()


@mutation("EDUV-ID-007")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    student = rng.choice([s for s in ds.students if s.get("userIds")])
    student["userIds"][0] = {"userId": "240117", "userIdType": "NEPPI"}
    return set()


@mutation("EDUV-ID-010")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _with_role_employee(ds, rng)["organisationRoles"][0]["organisation"] = {}
    return set()


@mutation("EDUV-ID-011")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    role = _with_role_employee(ds, rng)["organisationRoles"][0]
    role["organisation"] = {"organisationMasterIdentifier": "SCHOOL-1"}
    return set()


@mutation("EDUV-ID-012")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    organisation = rng.choice(ds.schools).organisation
    organisation["organisationIds"][0] = {"organisationId": "123", "organisationIdType": "OIE_CODE"}
    return set()


@mutation("EDUV-ID-013")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    rng.choice(ds.schools).organisation["boards"][0] = {"name": "Stichting zonder code"}
    return set()


@mutation("EDUV-ID-014")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    rng.choice(ds.schools).organisation["boards"][0]["organisationMasterIdentifier"] = "41645"
    return set()


@mutation("EDUV-ID-015")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    board = rng.choice(ds.schools).organisation["boards"][0]
    board["organisationIds"] = [{"organisationId": "BG-1", "organisationIdType": "BGE_CODE"}]
    return set()


def _located(ds: Dataset, rng: random.Random) -> JsonObject:
    return _one(ds, rng, "enrollments", lambda e: "location" in e)[1]


@mutation("EDUV-ID-016")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _located(ds, rng)["location"] = {"name": "gymzaal"}
    return set()


@mutation("EDUV-ID-017")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _located(ds, rng)["location"]["locationMasterIdentifier"] = "LOC-7"
    return set()


@mutation("EDUV-ID-018")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _located(ds, rng)["location"]["locationIds"][0]["locationId"] = "09-QQ"
    return set()


@mutation("EDUV-ID-019")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, group = _one(ds, rng, "groups")
    old, new = group["groupId"], "klas-1a"
    group["groupId"] = new
    for assignment in school.assignments:
        if assignment.get("group") == old:
            assignment["group"] = new
    facts = ds.facts[school.key].group_offerings
    if old in facts:
        facts[new] = facts.pop(old)
    return set()


@mutation("EDUV-ID-020")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    known = {s["userMasterIdentifier"]: s for s in ds.students if s.get("userIds")}
    _, enrollment = _one(
        ds, rng, "enrollments", lambda e: e["student"].get("userMasterIdentifier") in known
    )
    pupil = known[enrollment["student"]["userMasterIdentifier"]]
    enrollment["student"] = {"userIds": copy.deepcopy(pupil["userIds"])}
    return set()


@mutation("EDUV-ID-021")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    role = _with_role_employee(ds, rng)["organisationRoles"][0]
    school = next(
        s
        for s in ds.schools
        if s.organisation.get("organisationMasterIdentifier")
        == role["organisation"].get("organisationMasterIdentifier")
    )
    role["organisation"] = {
        "organisationIds": copy.deepcopy(school.organisation["organisationIds"])
    }
    return set()


# --- school periods ------------------------------------------------------------------


@mutation("EDUV-PERIOD-001")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, _, child = _child_period(ds, rng)
    _rename_period(school, child["schoolPeriodId"], "blok-1")
    return set()


@mutation("EDUV-PERIOD-002")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = rng.choice(_schools_with_year(ds))
    year = _year_period(school, ds)
    first = int(year["schoolPeriodId"][:4])
    _rename_period(school, year["schoolPeriodId"], f"{first}-{first + 2}")
    return {"EDUV-PERIOD-005"}


@mutation("EDUV-PERIOD-003")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = rng.choice(_schools_with_year(ds))
    _rename_period(school, _year_period(school, ds)["schoolPeriodId"], _uuid(rng))
    return set()


@mutation("EDUV-PERIOD-004")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _year_period(rng.choice(_schools_with_year(ds)), ds)["type"] = "term"
    return set()


@mutation("EDUV-PERIOD-005")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    year = _year_period(rng.choice(_schools_with_year(ds)), ds)
    year["startDate"] = f"{int(year['startDate'][:4]) - 1}{year['startDate'][4:]}"
    return set()


@mutation("EDUV-PERIOD-006")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    year = _year_period(rng.choice(_schools_with_year(ds)), ds)
    year["superSchoolPeriod"] = year["schoolPeriodId"]
    return set()


@mutation("EDUV-PERIOD-010")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _year_period(rng.choice(_schools_with_year(ds)), ds)["superSchoolPeriod"] = _uuid(rng)
    return set()


@mutation("EDUV-PERIOD-011")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    year = _year_period(rng.choice(_schools_with_year(ds)), ds)
    year.setdefault("subSchoolPeriods", []).append(_uuid(rng))
    return set()


@mutation("EDUV-PERIOD-012")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, year, child = _child_period(ds, rng)
    year["subSchoolPeriods"].remove(child["schoolPeriodId"])
    return set()


@mutation("EDUV-PERIOD-013")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = rng.choice(_schools_with_year(ds))
    year = _year_period(school, ds)
    span = (year["startDate"], year["endDate"])
    # Listed under the year, but naming another period (outside the year's list) as parent.
    other = _add_period(school, rng, "gradingPeriod", span)
    loose = _add_period(school, rng, "gradingPeriod", span, other)
    year.setdefault("subSchoolPeriods", []).append(loose["schoolPeriodId"])
    return set()


@mutation("EDUV-PERIOD-014")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = rng.choice(ds.schools)
    span = _span(ds)
    first = _add_period(school, rng, "gradingPeriod", span)
    second = _add_period(school, rng, "gradingPeriod", span, first)
    first["superSchoolPeriod"] = second["schoolPeriodId"]
    second["subSchoolPeriods"] = [first["schoolPeriodId"]]
    return set()


@mutation("EDUV-PERIOD-015")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = rng.choice(_schools_with_year(ds))
    year = _year_period(school, ds)
    _add_period(school, rng, "gradingPeriod", (year["startDate"], f"{_year(ds) + 2}-01-01"), year)
    return set()


@mutation("EDUV-PERIOD-016")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = rng.choice(_schools_with_year(ds))
    year = _year_period(school, ds)
    _add_period(school, rng, "semester", (year["startDate"], year["endDate"]), year)
    return set()


# --- time ----------------------------------------------------------------------------


@mutation("EDUV-TIME-001")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, enrollment = _one(ds, rng, "enrollments")
    enrollment["dateCreated"] = "2030-01-01T00:00:00Z"
    return set()


@mutation("EDUV-TIME-002")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, group = _one(ds, rng, "groups")
    group["dateCreated"] = "2000-01-01T10:00:00+02:00"
    return set()


def _role(ds: Dataset, rng: random.Random, begin: str, end: str) -> None:
    employee = _with_role_employee(ds, rng)
    role = dict(employee["organisationRoles"][0], beginDate=begin, endDate=end)
    employee["organisationRoles"].append(role)


@mutation("EDUV-TIME-003")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _role(ds, rng, "2020-09-01", "2020-08-01")
    return set()


@mutation("EDUV-TIME-004")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _role(ds, rng, "2020-09-01", "2020-09-01")
    return set()


@mutation("EDUV-TIME-010")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    # A group that starts with the year: moving its start earlier changes nothing
    # inside the evaluated school year, so only the period rule can notice.
    _, group = _one(ds, rng, "groups", lambda g: g["beginDate"] == _span(ds)[0])
    group["beginDate"] = f"{_year(ds) - 1}-06-01"
    return set()


# --- enrolments ----------------------------------------------------------------------


@mutation("EDUV-ENROL-001")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    del _one(ds, rng, "enrollments", _etype("study"))[1]["study"]
    return set()


@mutation("EDUV-ENROL-002")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    del _one(ds, rng, "enrollments", _etype("subject"))[1]["subject"]
    return set()


@mutation("EDUV-ENROL-003")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, study = _pick(
        ds, rng, "enrollments", _etype("study"), lambda s: bool(s.subjectOfferings)
    )
    study["subject"] = rng.choice(school.subjectOfferings)["subjectOfferingId"]
    return set()


@mutation("EDUV-ENROL-004")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "enrollments", lambda e: "studyYear" in e)[1]["studyYear"] = 12
    return {"EDUV-ENROL-015", "EDUV-ENROL-016"}


@mutation("EDUV-ENROL-010")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "enrollments", _etype("study"))[1]["study"] = _uuid(rng)
    return set()


@mutation("EDUV-ENROL-011")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "enrollments", _etype("subject"))[1]["subject"] = _uuid(rng)
    return set()


@mutation("EDUV-ENROL-012")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, enrollment = _one(ds, rng, "enrollments")
    stranger = dict(copy.deepcopy(enrollment), enrollmentId=_uuid(rng))
    stranger["student"] = {"userMasterIdentifier": f"{ECK}{rng.getrandbits(512):0128x}"}
    school.enrollments.append(stranger)
    return set()


@mutation("EDUV-ENROL-013")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "enrollments")[1]["schoolPeriod"] = "2099-2100"
    return set()


@mutation("EDUV-ENROL-014")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _located(ds, rng)["location"] = {
        "locationMasterIdentifier": "999X999",
        "locationIds": [{"locationId": "99ZZ99", "locationIdType": "VE_CODE"}],
        "name": "elders",
    }
    return set()


def _offering(school: School, enrollment: JsonObject) -> JsonObject | None:
    return next(
        (o for o in school.studyOfferings if o["studyOfferingId"] == enrollment.get("study")), None
    )


@mutation("EDUV-ENROL-015")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    candidates = [
        e
        for s in ds.schools
        for e in s.enrollments
        if (o := _offering(s, e)) is not None and o.get("studyYear") in (1, 2, 3)
    ]
    enrollment = rng.choice(candidates)
    enrollment["studyYear"] = enrollment["studyYear"] + 1
    return set()


@mutation("EDUV-ENROL-016")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = next(s for s in _schools_with_year(ds) if ds.facts[s.key].sector == "VO")
    unit: JsonObject = {
        "studyOfferingId": _uuid(rng),
        "studyOfferingName": "havo tweede fase",
        "studyLevel": {
            "studyLevelId": _uuid(rng),
            "studyLevelPrefix": "4204",
            "studyLevelName": "havo 4",
        },
        **STAMP,
    }
    school.studyOfferings.append(unit)
    enrollment = _enrol(ds, rng, school, _new_student(ds, rng))
    enrollment.update(study=unit["studyOfferingId"], studyYear=7)
    return set()


# --- assignments ---------------------------------------------------------------------


@mutation("EDUV-ASSIGN-001")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    del _one(ds, rng, "assignments", _kind("class-teacher"))[1]["group"]
    return {"EDUV-GROUP-012"}


@mutation("EDUV-ASSIGN-002")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    del _one(ds, rng, "assignments", _kind("teacher"))[1]["group"]
    return {"EDUV-GROUP-012"}


@mutation("EDUV-ASSIGN-003")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    del _one(ds, rng, "assignments", _kind("teacher"))[1]["subject"]
    return set()


@mutation("EDUV-ASSIGN-004")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _coach(ds, rng).pop("student")
    return set()


@mutation("EDUV-ASSIGN-005")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, assignment = _pick(
        ds, rng, "assignments", _kind("class-teacher"), lambda s: bool(s.subjectOfferings)
    )
    assignment["subject"] = rng.choice(school.subjectOfferings)["subjectOfferingId"]
    return set()


@mutation("EDUV-ASSIGN-010")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, assignment = _one(ds, rng, "assignments")
    assignment["employee"] = {"userIds": [{"userId": "onbekend@school.nl", "userIdType": "NEPPI"}]}
    return set()


@mutation("EDUV-ASSIGN-011")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "assignments", lambda a: "group" in a)[1]["group"] = _uuid(rng)
    return {"EDUV-GROUP-012"}


@mutation("EDUV-ASSIGN-012")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "assignments", _kind("teacher"))[1]["subject"] = _uuid(rng)
    return {"EDUV-ASSIGN-017"}


@mutation("EDUV-ASSIGN-013")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    coach = _coach(ds, rng)
    coach["student"] = {"userMasterIdentifier": f"{ECK}{rng.getrandbits(512):0128x}"}
    return set()


@mutation("EDUV-ASSIGN-014")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "assignments")[1]["schoolPeriod"] = "2099-2100"
    return set()


@mutation("EDUV-ASSIGN-015")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = _lesson_group_school(ds, rng)
    assignment = rng.choice(
        [a for a in school.assignments if a["assignmentType"] == "class-teacher"]
    )
    target = rng.choice(
        [
            g
            for g in school.groups
            if g["groupType"] == "lesson-group" and g["schoolPeriod"] == assignment["schoolPeriod"]
        ]
    )
    _move_assignment(school, assignment, target)
    return set()


@mutation("EDUV-ASSIGN-016")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = _lesson_group_school(ds, rng)
    assignment = rng.choice([a for a in school.assignments if a["assignmentType"] == "teacher"])
    target = rng.choice(
        [
            g
            for g in school.groups
            if g["groupType"] == "class" and g["schoolPeriod"] == assignment["schoolPeriod"]
        ]
    )
    _move_assignment(school, assignment, target)
    return set()


@mutation("EDUV-ASSIGN-017")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = _lesson_group_school(ds, rng)
    facts = ds.facts[school.key].group_offerings
    assignment = rng.choice(
        [
            a
            for a in school.assignments
            if a["assignmentType"] == "teacher"
            and facts.get(a["group"], GroupOfferings()).subject_offerings
        ]
    )
    served = facts[assignment["group"]].subject_offerings
    others = [o for o in school.subjectOfferings if o["subjectOfferingId"] not in served]
    assignment["subject"] = rng.choice(others)["subjectOfferingId"]
    return set()


@mutation("EDUV-ASSIGN-018")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _coach(ds, rng)["student"] = _new_student(ds, rng)
    return {"EDUV-DATA-006"}


# --- groups --------------------------------------------------------------------------


@mutation("EDUV-GROUP-001")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, group = _one(ds, rng, "groups", lambda g: bool(g["students"]))
    group["students"].append(dict(group["students"][0]))
    return set()


@mutation("EDUV-GROUP-002")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, group = _one(ds, rng, "groups", lambda g: bool(g["assignments"]))
    group["assignments"].append(group["assignments"][0])
    return set()


@mutation("EDUV-GROUP-010")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, group = _one(ds, rng, "groups", _gtype("lesson-group"))
    group["students"].append({"userMasterIdentifier": f"{ECK}{rng.getrandbits(512):0128x}"})
    return set()


@mutation("EDUV-GROUP-011")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "groups")[1]["assignments"].append(_uuid(rng))
    return set()


@mutation("EDUV-GROUP-012")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = _school_with(ds, rng, "assignments")
    assignment = rng.choice([a for a in school.assignments if "group" in a])
    others = [g for g in school.groups if g["groupId"] != assignment["group"]]
    rng.choice(others)["assignments"].append(assignment["assignmentId"])
    return set()


@mutation("EDUV-GROUP-013")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, assignment = _one(ds, rng, "assignments", lambda a: "group" in a)
    _group_of(school, assignment)["assignments"].remove(assignment["assignmentId"])
    return set()


@mutation("EDUV-GROUP-014")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "groups")[1]["schoolPeriod"] = "2099-2100"
    return set()


@mutation("EDUV-GROUP-015")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, donor = _pick(
        ds,
        rng,
        "groups",
        lambda g: g["groupType"] == "class" and bool(g["students"]),
        lambda s: True,
    )
    extra: JsonObject = {
        "groupId": _uuid(rng),
        "groupName": "extra klas",
        "groupType": "class",
        "students": [dict(donor["students"][0])],
        "assignments": [],
        "schoolPeriod": donor["schoolPeriod"],
        "beginDate": donor["beginDate"],
        **STAMP,
    }
    if "endDate" in donor:
        extra["endDate"] = donor["endDate"]
    school.groups.append(extra)
    return set()


@mutation("EDUV-GROUP-016")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, target = _pick(
        ds,
        rng,
        "groups",
        lambda g: g["groupType"] == "class" and g["schoolPeriod"][:2] == "20",
        lambda s: bool(s.subjectOfferings) and _has_year(s),
    )
    student = _new_student(ds, rng)
    _enrol(ds, rng, school, student, "subject")
    target["students"].append(dict(student))
    return set()


@mutation("EDUV-GROUP-017")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, group = _one(ds, rng, "groups", _gtype("lesson-group"))
    elsewhere = rng.choice(
        [s for s in _schools_with_year(ds) if s is not school and s.studyOfferings]
    )
    student = _new_student(ds, rng)
    _enrol(ds, rng, elsewhere, student)
    group["students"].append(dict(student))
    return set()


# --- offerings -----------------------------------------------------------------------


@mutation("EDUV-OFFER-001", shape="previous")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "studyOfferings")[1]["studyCode"] = "0300"
    return set()


@mutation("EDUV-OFFER-002")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, offering = _one(ds, rng, "studyOfferings", lambda o: "studyYear" in o)
    school.studyOfferings.append(dict(offering, studyOfferingId=_uuid(rng), studyYear=9))
    return {"EDUV-OFFER-012"}


@mutation("EDUV-OFFER-010")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = next(s for s in ds.schools if ds.facts[s.key].sector == "VO" and s.studyOfferings)
    rng.choice(school.studyOfferings)["studyCode"] = "1000O0020"
    return set()


@mutation("EDUV-OFFER-011")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _, offering = _one(ds, rng, "subjectOfferings")
    offering.setdefault("studyOfferings", []).append(_uuid(rng))
    return set()


@mutation("EDUV-OFFER-012")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, offering = _one(
        ds,
        rng,
        "studyOfferings",
        lambda o: o.get("studyLevel", {}).get("studyLevelPrefix", "").startswith("42"),
    )
    school.studyOfferings.append(dict(offering, studyOfferingId=_uuid(rng), studyYear=7))
    return set()


@mutation("EDUV-OFFER-013")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, offering = _one(ds, rng, "studyOfferings", lambda o: "studyCode" in o)
    school.studyOfferings.append(dict(offering, studyOfferingId=_uuid(rng)))
    return set()


# --- schools, facts, identity --------------------------------------------------------


@mutation("EDUV-ORG-010")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    ds.schools.append(copy.deepcopy(rng.choice(ds.schools)))
    return set()


@mutation("EDUV-ORG-011")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    del ds.facts[rng.choice(ds.schools).key]
    return set()


@mutation("EDUV-ORG-012")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    ds.facts["999A999"] = copy.deepcopy(next(iter(ds.facts.values())))
    ds.facts["999A999"].group_offerings.clear()
    return set()


@mutation("EDUV-DATA-001")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, enrollment = _one(ds, rng, "enrollments")
    school.enrollments.append(copy.deepcopy(enrollment))
    return set()


@mutation("EDUV-DATA-002")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    ds.students.append(dict(copy.deepcopy(rng.choice(ds.students)), givenName="Tweeling"))
    return {"EDUV-DATA-006"}


@mutation("EDUV-DATA-003")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    ds.employees.append(dict(copy.deepcopy(rng.choice(ds.employees)), givenName="Dubbel"))
    return set()


@mutation("EDUV-DATA-004")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school = rng.choice(ds.schools)
    ds.facts[school.key].group_offerings[_uuid(rng)] = GroupOfferings()
    return set()


@mutation("EDUV-DATA-005")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    school, enrollment = _one(ds, rng, "enrollments", _etype("study"))
    offering = _offering(school, enrollment)
    assert offering is not None
    offering["status"] = "tobedeleted"
    return set()


@mutation("EDUV-DATA-006")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    _new_student(ds, rng)
    return set()


@mutation("EDUV-DATA-007")
def _(ds: Dataset, rng: random.Random) -> set[str]:
    ds.employees.append(
        {
            "userIds": [{"userId": "nieuw@school.nl", "userIdType": "NEPPI"}],
            "givenName": "Kees",
            "familyName": "Kok",
            **STAMP,
        }
    )
    return set()
