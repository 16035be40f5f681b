"""Dataset rules about schools, their facts and identity: each school once, people distinct,
identifiers unique, references never resting on deleted objects, everyone served somewhere."""

from __future__ import annotations

from collections.abc import Iterator

from eduv.pointer import escape
from eduv.rules.catalogue import Rule
from eduv.rules.context import Context, SchoolIndex
from eduv.rules.dataset.common import component, hit, id_member, person_hit
from eduv.rules.hits import DatasetCheck, DatasetHit, JsonObject
from eduv.rules.values import (
    MAX_DATE,
    day,
    is_tobedeleted,
    objects,
    organisation_keys,
    person_label,
    strings,
)


def _school_hit(ctx: Context, s: SchoolIndex, values: dict[str, object]) -> DatasetHit:
    organisation = ctx.ref(s, "organisation", s.school.organisation)
    return DatasetHit((f"/schools/{s.pos}/organisation",), (organisation,), values)


def _schools_once(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    first: dict[str, int] = {}
    for s in ctx.schools:
        earlier = first.setdefault(s.key, s.pos)
        if earlier != s.pos:
            yield _school_hit(ctx, s, {"index": s.pos, "other": earlier, "school": s.key})


def _school_has_facts(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        if s.facts is None:
            yield _school_hit(ctx, s, {"school": s.key})


def _facts_of_known_schools(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    known = {s.key for s in ctx.schools}
    for key in ctx.dataset.facts:
        if key not in known:
            yield DatasetHit((f"/facts/schools/{escape(key)}",), (), {"school": key})


def _ids_unique(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        for coll, value, _, later in s.repeated:
            obj = s.school.items(coll)[later]
            yield hit(
                ctx,
                s,
                coll,
                later,
                obj,
                f"/{id_member(coll)}",
                value=value,
                component=component(coll),
            )


def _shared_people(coll: str) -> DatasetCheck:
    """Students (or employees) of the dataset that share an identifier with an earlier one."""

    def check(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
        people = ctx.students if coll == "students" else ctx.employees
        for key, _, later in people.shared:
            label = key.removeprefix("m:")
            yield person_hit(ctx, coll, later, people.people[later], label, None)

    return check


def _group_facts_resolve(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        if s.facts is None:
            continue
        base = f"/facts/schools/{escape(s.key)}/groupOfferings"
        for group_id, served in s.facts.group_offerings.items():
            checks = [("groups", "group", group_id, "")]
            checks += [
                ("studyOfferings", "study offering", v, "/studyOfferings")
                for v in served.study_offerings
            ]
            checks += [
                ("subjectOfferings", "subject offering", v, "/subjectOfferings")
                for v in served.subject_offerings
            ]
            for coll, kind, value, member in checks:
                if s.find(coll, value) is None:
                    pointer = f"{base}/{escape(group_id)}{member}"
                    yield DatasetHit(
                        (pointer,), (), {"school": s.key, "kind": kind, "value": value}
                    )


# Which members of which collections refer to what, for EDUV-DATA-005; the last
# column says the member is a list of references rather than one.


_REFERENCES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("enrollments", "study", "studyOfferings", "StudyOffering", False),
    ("enrollments", "subject", "subjectOfferings", "SubjectOffering", False),
    ("enrollments", "schoolPeriod", "schoolPeriods", "SchoolPeriod", False),
    ("assignments", "group", "groups", "Group", False),
    ("assignments", "subject", "subjectOfferings", "SubjectOffering", False),
    ("assignments", "schoolPeriod", "schoolPeriods", "SchoolPeriod", False),
    ("groups", "schoolPeriod", "schoolPeriods", "SchoolPeriod", False),
    ("subjectOfferings", "studyOfferings", "studyOfferings", "StudyOffering", True),
)


_TARGETS = frozenset(target for _, _, target, _, _ in _REFERENCES)


def _references(obj: JsonObject, member: str, listed: bool) -> Iterator[tuple[str, object]]:
    """(pointer below the object, value) of each reference ``member`` holds."""
    if listed:
        for at, value in strings(obj, member):
            yield f"/{member}/{at}", value
    else:
        yield f"/{member}", obj.get(member)


def _no_reliance_on_deleted(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    for s in ctx.schools:
        # Only a school that flags some target tobedeleted can have a reference to one.
        flagged = {t for t in _TARGETS if any(map(is_tobedeleted, s.by_id[t].values()))}
        for coll, member, target, target_name, listed in _REFERENCES:
            if target not in flagged:
                continue
            for index, obj, _ in ctx.in_scope(s, coll):
                for rest, value in _references(obj, member, listed):
                    found = s.find(target, value)
                    if found is not None and is_tobedeleted(found):
                        yield hit(
                            ctx,
                            s,
                            coll,
                            index,
                            obj,
                            rest,
                            value=value,
                            component=component(coll),
                            target=target_name,
                        )


def _students_served(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    served = {student for _, student in ctx.enrollment_spans}
    for index, student in enumerate(ctx.dataset.students):
        if index not in served and isinstance(student, dict) and not is_tobedeleted(student):
            # Required on some day: no enrolment on any day judged, so every day is one.
            yield person_hit(ctx, "students", index, student, person_label(student), ctx.judged)


def _employees_served(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
    served: set[int] = set()
    for s in ctx.schools:
        for _, assignment, _ in ctx.active(s, "assignments"):
            found = ctx.employees.find(assignment.get("employee"))
            if found is not None:
                served.add(found)
    known = {k for s in ctx.schools for k in organisation_keys(s.school.organisation)}
    for index, employee in enumerate(ctx.dataset.employees):
        if index in served or not isinstance(employee, dict) or is_tobedeleted(employee):
            continue
        if not _has_role_here(ctx, employee, known):
            label = person_label(employee)
            yield person_hit(ctx, "employees", index, employee, label, ctx.judged)


def _has_role_here(ctx: Context, employee: JsonObject, known: set[str]) -> bool:
    for _, role in objects(employee, "organisationRoles"):
        organisation = role.get("organisation")
        begin = day(role, "beginDate")
        if not isinstance(organisation, dict) or begin is None:
            continue
        here = any(k in known for k in organisation_keys(organisation))
        if here and ctx.clip(begin, day(role, "endDate") or MAX_DATE):
            return True
    return False


# Which check each rule of this domain is bound to.
CHECKS: dict[str, DatasetCheck] = {
    "EDUV-ORG-010": _schools_once,
    "EDUV-ORG-011": _school_has_facts,
    "EDUV-ORG-012": _facts_of_known_schools,
    "EDUV-DATA-001": _ids_unique,
    "EDUV-DATA-002": _shared_people("students"),
    "EDUV-DATA-003": _shared_people("employees"),
    "EDUV-DATA-004": _group_facts_resolve,
    "EDUV-DATA-005": _no_reliance_on_deleted,
    "EDUV-DATA-006": _students_served,
    "EDUV-DATA-007": _employees_served,
}
