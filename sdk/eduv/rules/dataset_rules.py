"""Rules that need a whole dataset: references, hierarchies, time and membership.

Every check walks the objects in scope once and answers its questions through the
indexes of :class:`~eduv.rules.context.Context`; none compares objects pairwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from eduv.dataset.model import collection
from eduv.rules.catalogue import Rule
from eduv.rules.context import Context, SchoolIndex, Span
from eduv.rules.registry import Finding, JsonObject, dataset_check
from eduv.rules.values import (
    MAX_DATE,
    compiled,
    day,
    integer,
    is_tobedeleted,
    location_keys,
    location_label,
    objects,
    organisation_keys,
    person_label,
    strings,
    text,
)


def _id_member(coll: str) -> str:
    return collection(coll).id_field or ""


def _component(coll: str) -> str:
    return collection(coll).component


def _finding(
    ctx: Context,
    s: SchoolIndex,
    coll: str,
    index: int,
    obj: JsonObject,
    rest: str,
    **params: object,
) -> Finding:
    values: dict[str, object] = {"id": obj.get(_id_member(coll)), "school": s.key}
    values.update(params)
    return Finding((ctx.pointer(s, coll, index, rest),), (ctx.ref(s, coll, obj),), values)


def _missing_refs(
    ctx: Context,
    coll: str,
    member: str,
    target: str,
    when: Callable[[JsonObject], bool] | None = None,
) -> Iterator[Finding]:
    """Objects whose string member names nothing in the target collection of their school."""
    for s in ctx.schools:
        for index, obj, _ in ctx.in_scope(s, coll):
            value = obj.get(member)
            if not isinstance(value, str) or (when is not None and not when(obj)):
                continue
            if s.find(target, value) is None:
                yield _finding(ctx, s, coll, index, obj, f"/{member}", value=value)


def _missing_listed(ctx: Context, coll: str, member: str, target: str) -> Iterator[Finding]:
    """Objects listing, in a string array, identifiers the target collection does not hold."""
    # in_scope is active() for dated collections, so this serves periods and offerings alike.
    for s in ctx.schools:
        for index, obj, _ in ctx.in_scope(s, coll):
            for at, value in strings(obj, member):
                if s.find(target, value) is None:
                    yield _finding(ctx, s, coll, index, obj, f"/{member}/{at}", value=value)


def _unknown_people(ctx: Context, coll: str, member: str, students: bool) -> Iterator[Finding]:
    people = ctx.students if students else ctx.employees
    for s in ctx.schools:
        for index, obj, _ in ctx.in_scope(s, coll):
            ref = obj.get(member)
            if isinstance(ref, dict) and people.find(ref) is None:
                yield _finding(ctx, s, coll, index, obj, f"/{member}", person=person_label(ref))


# --- school periods ----------------------------------------------------------------


@dataset_check("EDUV-PERIOD-010")
def _parent_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_refs(ctx, "schoolPeriods", "superSchoolPeriod", "schoolPeriods")


@dataset_check("EDUV-PERIOD-011")
def _children_exist(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_listed(ctx, "schoolPeriods", "subSchoolPeriods", "schoolPeriods")


@dataset_check("EDUV-PERIOD-012")
def _parent_lists_child(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            parent_id = period.get("superSchoolPeriod")
            parent = s.find("schoolPeriods", parent_id)
            own = period.get("schoolPeriodId")
            if parent is None or parent_id == own:
                continue
            if own not in {c for _, c in strings(parent, "subSchoolPeriods")}:
                rest = "/superSchoolPeriod"
                yield _finding(ctx, s, "schoolPeriods", index, period, rest, value=parent_id)


@dataset_check("EDUV-PERIOD-013")
def _child_names_parent(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            own = period.get("schoolPeriodId")
            for at, child_id in strings(period, "subSchoolPeriods"):
                child = s.find("schoolPeriods", child_id)
                if child is None or child_id == own or child.get("superSchoolPeriod") == own:
                    continue
                yield _finding(
                    ctx,
                    s,
                    "schoolPeriods",
                    index,
                    period,
                    f"/subSchoolPeriods/{at}",
                    value=child_id,
                    parent=child.get("superSchoolPeriod"),
                )


@dataset_check("EDUV-PERIOD-014")
def _no_cycles(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        done: set[str] = set()
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            cycle = _cycle_from(s, period, done)
            if cycle:
                rest = "/superSchoolPeriod"
                yield _finding(
                    ctx, s, "schoolPeriods", index, period, rest, cycle=" -> ".join(cycle)
                )


def _cycle_from(s: SchoolIndex, period: JsonObject, done: set[str]) -> list[str] | None:
    """The cycle the parent chain of ``period`` runs into, reported once per cycle.

    Each period is walked at most once over the whole school (``done``), which keeps
    the search linear. A period that is its own parent is left to EDUV-PERIOD-006.
    """
    path: list[str] = []
    on_path: dict[str, int] = {}
    current: JsonObject | None = period
    while current is not None:
        own = current.get("schoolPeriodId")
        if not isinstance(own, str) or own in done:
            break
        if own in on_path:
            cycle = path[on_path[own] :]
            done.update(path)
            return [*cycle, own] if len(cycle) > 1 else None
        on_path[own] = len(path)
        path.append(own)
        current = s.find("schoolPeriods", current.get("superSchoolPeriod"))
    done.update(path)
    return None


@dataset_check("EDUV-PERIOD-015")
def _child_within_parent(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            parent_id = period.get("superSchoolPeriod")
            parent = s.find("schoolPeriods", parent_id)
            outer = _dates(parent, "startDate") if parent else None
            inner = _dates(period, "startDate")
            if outer is None or inner is None or parent_id == period.get("schoolPeriodId"):
                continue
            if inner[0] < outer[0] or inner[1] > outer[1]:
                yield _finding(
                    ctx,
                    s,
                    "schoolPeriods",
                    index,
                    period,
                    "/startDate",
                    begin=inner[0],
                    end=inner[1],
                    parent=parent_id,
                    parent_begin=outer[0],
                    parent_end=outer[1],
                )


def _dates(obj: JsonObject, begin_member: str) -> Span | None:
    begin, end = day(obj, begin_member), day(obj, "endDate")
    return (begin, end) if begin and end else None


@dataset_check("EDUV-PERIOD-016")
def _usual_subdivision(ctx: Context, rule: Rule) -> Iterator[Finding]:
    typical: dict[str, int] = rule.parameters["typical"]
    for s in ctx.schools:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for _, period in enumerate(s.school.schoolPeriods):
            kind, parent = period.get("type"), period.get("superSchoolPeriod")
            if not isinstance(kind, str) or not isinstance(parent, str):
                continue
            if kind in typical and not is_tobedeleted(period):
                counts[parent][kind] += 1
        for index, period, _ in ctx.active(s, "schoolPeriods"):
            if period.get("type") != "schoolYear":
                continue
            for kind, count in counts.get(str(period.get("schoolPeriodId")), {}).items():
                if count != typical[kind]:
                    yield _finding(
                        ctx,
                        s,
                        "schoolPeriods",
                        index,
                        period,
                        "",
                        type=kind,
                        count=count,
                        expected=typical[kind],
                    )


# --- time --------------------------------------------------------------------------


@dataset_check("EDUV-TIME-010")
def _within_period(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for coll in ("enrollments", "assignments", "groups"):
            for index, obj, _ in ctx.active(s, coll):
                found = _outside_period(s, obj)
                if found is not None:
                    found["component"] = _component(coll)
                    yield _finding(ctx, s, coll, index, obj, "/beginDate", **found)


def _outside_period(s: SchoolIndex, obj: JsonObject) -> dict[str, object] | None:
    period_id = obj.get("schoolPeriod")
    period = s.find("schoolPeriods", period_id)
    outer = _dates(period, "startDate") if period else None
    begin, end = day(obj, "beginDate"), day(obj, "endDate")
    if outer is None or begin is None:
        return None
    # Without an end date an object ends with its period, so only its begin can stray.
    if outer[0] <= begin < outer[1] and (end is None or end <= outer[1]):
        return None
    return {
        "begin": begin,
        "end": end or "(open)",
        "period": period_id,
        "period_begin": outer[0],
        "period_end": outer[1],
    }


# --- enrolments --------------------------------------------------------------------


def _of_type(kind: str) -> Callable[[JsonObject], bool]:
    return lambda obj: obj.get("enrollmentType") == kind


@dataset_check("EDUV-ENROL-010")
def _study_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_refs(ctx, "enrollments", "study", "studyOfferings", _of_type("study"))


@dataset_check("EDUV-ENROL-011")
def _subject_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_refs(ctx, "enrollments", "subject", "subjectOfferings", _of_type("subject"))


@dataset_check("EDUV-ENROL-012")
def _enrolled_student_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _unknown_people(ctx, "enrollments", "student", students=True)


@dataset_check("EDUV-ENROL-013")
def _enrollment_period_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_refs(ctx, "enrollments", "schoolPeriod", "schoolPeriods")


@dataset_check("EDUV-ENROL-014")
def _location_of_school(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for index, enrollment, _ in ctx.active(s, "enrollments"):
            location = enrollment.get("location")
            if not isinstance(location, dict):
                continue
            keys = location_keys(location)
            if keys and not any(k in s.location_keys for k in keys):
                label = location_label(location)
                yield _finding(ctx, s, "enrollments", index, enrollment, "/location", value=label)


@dataset_check("EDUV-ENROL-015")
def _year_matches_offering(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for index, enrollment, _ in ctx.active(s, "enrollments"):
            offering = s.find("studyOfferings", enrollment.get("study"))
            year = integer(enrollment, "studyYear")
            expected = integer(offering, "studyYear") if offering else None
            if year is not None and expected is not None and year != expected:
                yield _finding(
                    ctx,
                    s,
                    "enrollments",
                    index,
                    enrollment,
                    "/studyYear",
                    value=year,
                    study=enrollment.get("study"),
                    offering_year=expected,
                )


def level_range(rule: Rule, sector: str | None, offering: JsonObject | None) -> JsonObject | None:
    """The example study-year range that applies, from the rule's level table.

    A VO offering's SLO level prefix picks a school type (vmbo, havo, vwo); otherwise
    the school's sector decides.
    """
    level = offering.get("studyLevel") if offering else None
    prefix = text(level, "studyLevelPrefix") if isinstance(level, dict) else None
    ranges: list[JsonObject] = rule.parameters["ranges"]
    if prefix and sector != "PO":
        for entry in ranges:
            if any(prefix.startswith(p) for p in entry.get("prefixes", [])):
                return entry
    if sector is None:
        return None  # without the school's facts the level is unknown: nothing to check
    return next((e for e in ranges if e.get("sector") == sector), None)


def _year_outside(
    rule: Rule, year: int | None, sector: str | None, offering: JsonObject | None
) -> dict[str, object] | None:
    entry = level_range(rule, sector, offering)
    if year is None or entry is None or entry["min"] <= year <= entry["max"]:
        return None
    return {"value": year, "min": entry["min"], "max": entry["max"], "level": entry["level"]}


def _years_fit_level(
    ctx: Context,
    rule: Rule,
    coll: str,
    offering_of: Callable[[SchoolIndex, JsonObject], JsonObject | None],
) -> Iterator[Finding]:
    for s in ctx.schools:
        sector = s.facts.sector if s.facts else None
        for index, obj, _ in ctx.in_scope(s, coll):
            found = _year_outside(rule, integer(obj, "studyYear"), sector, offering_of(s, obj))
            if found:
                yield _finding(ctx, s, coll, index, obj, "/studyYear", **found)


def _enrolled_study(s: SchoolIndex, enrollment: JsonObject) -> JsonObject | None:
    return s.find("studyOfferings", enrollment.get("study"))


@dataset_check("EDUV-ENROL-016")
def _enrollment_year_fits_level(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _years_fit_level(ctx, rule, "enrollments", _enrolled_study)


# --- assignments -------------------------------------------------------------------


def _assignment_type(kind: str) -> Callable[[JsonObject], bool]:
    return lambda obj: obj.get("assignmentType") == kind


@dataset_check("EDUV-ASSIGN-010")
def _employee_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _unknown_people(ctx, "assignments", "employee", students=False)


@dataset_check("EDUV-ASSIGN-011")
def _assigned_group_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_refs(ctx, "assignments", "group", "groups")


@dataset_check("EDUV-ASSIGN-012")
def _assigned_subject_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_refs(ctx, "assignments", "subject", "subjectOfferings")


@dataset_check("EDUV-ASSIGN-013")
def _coached_student_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _unknown_people(ctx, "assignments", "student", students=True)


@dataset_check("EDUV-ASSIGN-014")
def _assignment_period_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_refs(ctx, "assignments", "schoolPeriod", "schoolPeriods")


def _group_of_type(
    ctx: Context, kind: str, wrong_group_type: str
) -> Iterator[tuple[SchoolIndex, int, JsonObject, JsonObject]]:
    for s in ctx.schools:
        for index, assignment, _ in ctx.active(s, "assignments"):
            if assignment.get("assignmentType") != kind:
                continue
            group = s.find("groups", assignment.get("group"))
            if group is not None and group.get("groupType") == wrong_group_type:
                yield s, index, assignment, group


@dataset_check("EDUV-ASSIGN-015")
def _class_teacher_of_class(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s, index, assignment, group in _group_of_type(ctx, "class-teacher", "lesson-group"):
        yield _finding(
            ctx,
            s,
            "assignments",
            index,
            assignment,
            "/group",
            value=assignment.get("group"),
            group_type=group.get("groupType"),
        )


@dataset_check("EDUV-ASSIGN-016")
def _teacher_of_lesson_group(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s, index, assignment, _ in _group_of_type(ctx, "teacher", "class"):
        yield _finding(
            ctx, s, "assignments", index, assignment, "/group", value=assignment["group"]
        )


@dataset_check("EDUV-ASSIGN-017")
def _teacher_subject_served(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        offerings = s.facts.group_offerings if s.facts else {}
        for index, assignment, _ in ctx.active(s, "assignments"):
            subject, group = assignment.get("subject"), assignment.get("group")
            served = offerings.get(group) if isinstance(group, str) else None
            if served is None or not served.subject_offerings or not isinstance(subject, str):
                continue
            if assignment.get("assignmentType") == "teacher" and (
                subject not in served.subject_offerings
            ):
                yield _finding(
                    ctx, s, "assignments", index, assignment, "/subject", value=subject, group=group
                )


@dataset_check("EDUV-ASSIGN-018")
def _coached_student_enrolled(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for index, assignment, span in ctx.active(s, "assignments"):
            ref = assignment.get("student")
            student = ctx.students.find(ref)
            if assignment.get("assignmentType") != "coach" or student is None:
                continue
            both = ctx.enrollment_spans.get((s.pos, student))
            if not both or not _overlaps(both[1], span):
                person = person_label(ref) if isinstance(ref, dict) else "?"
                yield _finding(ctx, s, "assignments", index, assignment, "/student", person=person)


def _overlaps(merged: list[Span], span: Span) -> bool:
    return any(begin < span[1] and span[0] < end for begin, end in merged)


# --- groups ------------------------------------------------------------------------


@dataset_check("EDUV-GROUP-010")
def _members_exist(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for index, group, _ in ctx.active(s, "groups"):
            for at, ref, student in ctx.members(s, index, group):
                if student is None:
                    yield _finding(
                        ctx, s, "groups", index, group, f"/students/{at}", person=person_label(ref)
                    )


@dataset_check("EDUV-GROUP-011")
def _listed_assignments_exist(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_listed(ctx, "groups", "assignments", "assignments")


@dataset_check("EDUV-GROUP-012")
def _listed_assignment_points_back(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for index, group, _ in ctx.active(s, "groups"):
            for at, value in strings(group, "assignments"):
                assignment = s.find("assignments", value)
                if assignment is not None and assignment.get("group") != group.get("groupId"):
                    yield _finding(
                        ctx,
                        s,
                        "groups",
                        index,
                        group,
                        f"/assignments/{at}",
                        value=value,
                        other=assignment.get("group"),
                    )


@dataset_check("EDUV-GROUP-013")
def _group_lists_assignment(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        listed = s.group_assignments
        for index, assignment, _ in ctx.active(s, "assignments"):
            group = assignment.get("group")
            if s.find("groups", group) is None:
                continue
            if str(assignment.get("assignmentId")) not in listed.get(str(group), set()):
                yield _finding(ctx, s, "assignments", index, assignment, "/group", value=group)


@dataset_check("EDUV-GROUP-014")
def _group_period_exists(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_refs(ctx, "groups", "schoolPeriod", "schoolPeriods")


@dataset_check("EDUV-GROUP-015")
def _one_class_at_a_time(ctx: Context, rule: Rule) -> Iterator[Finding]:
    """A sweep per student over the spans of the classes they are in."""
    for s in ctx.schools:
        spans: dict[object, list[tuple[str, str, int, int]]] = defaultdict(list)
        for index, group, span in ctx.active(s, "groups"):
            if group.get("groupType") != "class":
                continue
            for at, ref, student in ctx.members(s, index, group):
                who: object = student if student is not None else person_label(ref)
                spans[who].append((span[0], span[1], index, at))
        for entries in spans.values():
            yield from _overlapping_classes(ctx, s, sorted(entries))


def _overlapping_classes(
    ctx: Context, s: SchoolIndex, entries: list[tuple[str, str, int, int]]
) -> Iterator[Finding]:
    if len(entries) < 2:
        return
    groups = s.school.groups
    _, latest_end, latest_index, _ = entries[0]
    for begin, end, index, at in entries[1:]:
        if begin < latest_end and index != latest_index:
            group, other = groups[index], groups[latest_index]
            ref = group["students"][at]
            yield Finding(
                (ctx.pointer(s, "groups", index, f"/students/{at}"),),
                (ctx.ref(s, "groups", group), ctx.ref(s, "groups", other)),
                {
                    "person": person_label(ref),
                    "value": group.get("groupId"),
                    "other": other.get("groupId"),
                    "school": s.key,
                    "begin": begin,
                },
            )
        if end > latest_end:
            latest_end, latest_index = end, index


def _members_enrolled(ctx: Context, group_type: str, study_only: bool) -> Iterator[Finding]:
    for s in ctx.schools:
        for index, group, span in ctx.active(s, "groups"):
            if group.get("groupType") != group_type:
                continue
            for at, ref, student in ctx.members(s, index, group):
                if student is None:
                    continue  # EDUV-GROUP-010 reports unknown members
                gap = ctx.uncovered(s, student, span, study_only)
                if gap is not None:
                    yield _finding(
                        ctx,
                        s,
                        "groups",
                        index,
                        group,
                        f"/students/{at}",
                        person=person_label(ref),
                        date=gap,
                    )


@dataset_check("EDUV-GROUP-016")
def _class_members_enrolled(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _members_enrolled(ctx, "class", study_only=True)


@dataset_check("EDUV-GROUP-017")
def _lesson_group_members_enrolled(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _members_enrolled(ctx, "lesson-group", study_only=False)


# --- offerings ---------------------------------------------------------------------


@dataset_check("EDUV-OFFER-010")
def _study_code_of_sector(ctx: Context, rule: Rule) -> Iterator[Finding]:
    sectors: dict[str, JsonObject] = rule.parameters["sectors"]
    for s in ctx.schools:
        wanted = sectors.get(s.facts.sector) if s.facts else None
        if wanted is None:
            continue
        for index, offering, _ in ctx.in_scope(s, "studyOfferings"):
            code = text(offering, "studyCode")
            if code and not _full_match(wanted["pattern"], code):
                yield _finding(
                    ctx,
                    s,
                    "studyOfferings",
                    index,
                    offering,
                    "/studyCode",
                    value=code,
                    sector=s.facts.sector if s.facts else "?",
                    expected=wanted["name"],
                )


def _full_match(pattern: str, value: str) -> bool:
    return compiled(pattern).search(value) is not None


@dataset_check("EDUV-OFFER-011")
def _subject_studies_exist(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _missing_listed(ctx, "subjectOfferings", "studyOfferings", "studyOfferings")


@dataset_check("EDUV-OFFER-012")
def _offering_year_fits_level(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _years_fit_level(ctx, rule, "studyOfferings", lambda s, offering: offering)


@dataset_check("EDUV-OFFER-013")
def _offerings_distinct(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        seen: dict[tuple[object, ...], JsonObject] = {}
        for index, offering, _ in ctx.in_scope(s, "studyOfferings"):
            code = text(offering, "studyCode")
            if code is None:
                continue
            key = _offering_key(offering, code)
            first = seen.setdefault(key, offering)
            if first is not offering:
                yield _finding(
                    ctx,
                    s,
                    "studyOfferings",
                    index,
                    offering,
                    "",
                    other=first.get("studyOfferingId"),
                )


def _offering_key(offering: JsonObject, code: str) -> tuple[object, ...]:
    level = offering.get("studyLevel")
    level_id = text(level, "studyLevelId") if isinstance(level, dict) else None
    marks = frozenset(v for _, v in strings(offering, "studyCharacteristics"))
    return (code, integer(offering, "studyYear"), level_id, marks)


# --- schools, facts and identity ---------------------------------------------------


def _school_finding(ctx: Context, s: SchoolIndex, values: dict[str, object]) -> Finding:
    organisation = ctx.ref(s, "organisation", s.school.organisation)
    return Finding((f"/schools/{s.pos}/organisation",), (organisation,), values)


@dataset_check("EDUV-ORG-010")
def _schools_once(ctx: Context, rule: Rule) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for s in ctx.schools:
        earlier = first.setdefault(s.key, s.pos)
        if earlier != s.pos:
            yield _school_finding(ctx, s, {"index": s.pos, "other": earlier, "school": s.key})


@dataset_check("EDUV-ORG-011")
def _school_has_facts(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        if s.facts is None:
            yield _school_finding(ctx, s, {"school": s.key})


@dataset_check("EDUV-ORG-012")
def _facts_of_known_schools(ctx: Context, rule: Rule) -> Iterator[Finding]:
    known = {s.key for s in ctx.schools}
    for key in ctx.dataset.facts:
        if key not in known:
            yield Finding((f"/facts/schools/{_escape(key)}",), (), {"school": key})


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


@dataset_check("EDUV-DATA-001")
def _ids_unique(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for coll, value, _, later in s.repeated:
            obj = s.school.items(coll)[later]
            yield _finding(
                ctx,
                s,
                coll,
                later,
                obj,
                f"/{_id_member(coll)}",
                value=value,
                component=_component(coll),
            )


def _person_finding(ctx: Context, coll: str, index: int, person: JsonObject, label: str) -> Finding:
    return Finding((f"/{coll}/{index}",), (ctx.person_ref(coll, person),), {"person": label})


def _shared_people(ctx: Context, coll: str) -> Iterator[Finding]:
    people = ctx.students if coll == "students" else ctx.employees
    for key, _, later in people.shared:
        label = key.removeprefix("m:")
        yield _person_finding(ctx, coll, later, people.people[later], label)


@dataset_check("EDUV-DATA-002")
def _students_distinct(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _shared_people(ctx, "students")


@dataset_check("EDUV-DATA-003")
def _employees_distinct(ctx: Context, rule: Rule) -> Iterator[Finding]:
    yield from _shared_people(ctx, "employees")


@dataset_check("EDUV-DATA-004")
def _group_facts_resolve(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        if s.facts is None:
            continue
        base = f"/facts/schools/{_escape(s.key)}/groupOfferings"
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
                    pointer = f"{base}/{_escape(group_id)}{member}"
                    yield Finding((pointer,), (), {"school": s.key, "kind": kind, "value": value})


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


def _references(obj: JsonObject, member: str, listed: bool) -> Iterator[tuple[str, object]]:
    """(pointer below the object, value) of each reference ``member`` holds."""
    if listed:
        for at, value in strings(obj, member):
            yield f"/{member}/{at}", value
    else:
        yield f"/{member}", obj.get(member)


@dataset_check("EDUV-DATA-005")
def _no_reliance_on_deleted(ctx: Context, rule: Rule) -> Iterator[Finding]:
    for s in ctx.schools:
        for coll, member, target, target_name, listed in _REFERENCES:
            for index, obj, _ in ctx.in_scope(s, coll):
                for rest, value in _references(obj, member, listed):
                    found = s.find(target, value)
                    if found is not None and is_tobedeleted(found):
                        yield _finding(
                            ctx,
                            s,
                            coll,
                            index,
                            obj,
                            rest,
                            value=value,
                            component=_component(coll),
                            target=target_name,
                        )


@dataset_check("EDUV-DATA-006")
def _students_served(ctx: Context, rule: Rule) -> Iterator[Finding]:
    served = {student for _, student in ctx.enrollment_spans}
    for index, student in enumerate(ctx.dataset.students):
        if index not in served and isinstance(student, dict) and not is_tobedeleted(student):
            yield _person_finding(ctx, "students", index, student, person_label(student))


@dataset_check("EDUV-DATA-007")
def _employees_served(ctx: Context, rule: Rule) -> Iterator[Finding]:
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
            yield _person_finding(ctx, "employees", index, employee, person_label(employee))


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
