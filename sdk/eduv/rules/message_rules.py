"""Rules that need one message only.

Each check receives the node its shape names (a whole Enrollment, or one student
reference inside it) and yields a pointer relative to that node plus the values its
message needs. Patterns and ranges come from the rule's ``parameters`` in the
catalogue, not from this code.
"""

from __future__ import annotations

from collections.abc import Iterator

from eduv.rules.catalogue import Rule
from eduv.rules.registry import Hit, JsonObject, message_check
from eduv.rules.values import (
    compiled,
    day,
    integer,
    items,
    objects,
    person_keys,
    person_label,
    strings,
    text,
    timestamp,
)

_YEAR_PAIR = compiled(r"^(\d{4})-(\d{4})$")
_UUID = compiled(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


def _matches(rule: Rule, value: str, key: str = "pattern") -> bool:
    return compiled(str(rule.parameters[key])).search(value) is not None


def _named(ref: JsonObject, master: str, ids: str) -> bool:
    return bool(text(ref, master) or items(ref, ids))


def _member_format(obj: JsonObject, rule: Rule, member: str) -> Iterator[Hit]:
    value = text(obj, member)
    if value and not _matches(rule, value):
        yield f"/{member}", {"value": value}


def _typed_ids(ref: JsonObject, rule: Rule, member: str, kind: str, id_type: str) -> Iterator[Hit]:
    for index, entry in objects(ref, member):
        value = text(entry, kind)
        if entry.get(f"{kind}Type") == id_type and value and not _matches(rule, value):
            yield f"/{member}/{index}/{kind}", {"value": value}


# --- person references -------------------------------------------------------------


@message_check("EDUV-ID-001")
def _person_named(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    if not _named(ref, "userMasterIdentifier", "userIds"):
        yield "", {}


@message_check("EDUV-ID-002")
def _student_eckid(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _member_format(ref, rule, "userMasterIdentifier")


@message_check("EDUV-ID-003")
def _student_eckid_series(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(ref, "userMasterIdentifier")
    if not value or not value.startswith("https://ketenid.nl/"):
        return
    series = value.removeprefix("https://ketenid.nl/").split("/")[0]
    if series != rule.parameters["production"]:
        yield "/userMasterIdentifier", {"value": value, "series": series}


@message_check("EDUV-ID-004")
def _eckid_secondary(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _typed_ids(ref, rule, "userIds", "userId", "eckId")


@message_check("EDUV-ID-005")
def _employee_secondary(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    if not items(ref, "userIds"):
        yield "", {}


@message_check("EDUV-ID-006")
def _employee_no_master(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(ref, "userMasterIdentifier")
    if value:
        yield "/userMasterIdentifier", {"value": value}


@message_check("EDUV-ID-007")
def _entree_form(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    kinds = rule.parameters["types"]
    for index, entry in objects(ref, "userIds"):
        value, kind = text(entry, "userId"), entry.get("userIdType")
        if kind in kinds and value and not _matches(rule, value):
            yield f"/userIds/{index}/userId", {"value": value, "type": kind}


# --- organisation references -------------------------------------------------------


@message_check("EDUV-ID-010")
def _school_named(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    if not _named(ref, "organisationMasterIdentifier", "organisationIds"):
        yield "", {}


@message_check("EDUV-ID-011")
def _school_master(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _member_format(ref, rule, "organisationMasterIdentifier")


@message_check("EDUV-ID-012")
def _school_secondary(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    formats = rule.parameters["formats"]
    for index, entry in objects(ref, "organisationIds"):
        kind, value = entry.get("organisationIdType"), text(entry, "organisationId")
        wanted = formats.get(kind) if isinstance(kind, str) else None
        if wanted and value and not compiled(wanted["pattern"]).search(value):
            pointer = f"/organisationIds/{index}/organisationId"
            yield pointer, {"value": value, "type": kind, "format": wanted["name"]}


@message_check("EDUV-ID-013")
def _board_named(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    if not _named(ref, "organisationMasterIdentifier", "organisationIds"):
        yield "", {}


@message_check("EDUV-ID-014")
def _board_master(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _member_format(ref, rule, "organisationMasterIdentifier")


@message_check("EDUV-ID-015")
def _board_bge(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _typed_ids(ref, rule, "organisationIds", "organisationId", "BGE_CODE")


@message_check("EDUV-ID-016")
def _location_named(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    if not _named(ref, "locationMasterIdentifier", "locationIds"):
        yield "", {}


@message_check("EDUV-ID-017")
def _location_master(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _member_format(ref, rule, "locationMasterIdentifier")


@message_check("EDUV-ID-018")
def _location_ve_code(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _typed_ids(ref, rule, "locationIds", "locationId", "VE_CODE")


@message_check("EDUV-ID-019")
def _group_guid(group: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _member_format(group, rule, "groupId")


# --- school periods ----------------------------------------------------------------


def _year_pair(value: str) -> tuple[int, int] | None:
    found = _YEAR_PAIR.match(value)
    return (int(found.group(1)), int(found.group(2))) if found else None


@message_check("EDUV-PERIOD-001")
def _period_id_form(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(period, "schoolPeriodId")
    if value and not _year_pair(value) and not _UUID.match(value):
        yield "/schoolPeriodId", {"value": value}


@message_check("EDUV-PERIOD-002")
def _period_years_consecutive(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(period, "schoolPeriodId")
    pair = _year_pair(value) if value else None
    if pair and pair[1] != pair[0] + 1:
        yield "/schoolPeriodId", {"value": value}


@message_check("EDUV-PERIOD-003")
def _school_year_id(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(period, "schoolPeriodId")
    if period.get("type") == "schoolYear" and value and not _year_pair(value):
        yield "/schoolPeriodId", {"value": value}


@message_check("EDUV-PERIOD-004")
def _year_id_only_for_years(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value, kind = text(period, "schoolPeriodId"), text(period, "type")
    if value and kind and kind != "schoolYear" and _year_pair(value):
        yield "/schoolPeriodId", {"value": value, "type": kind}


@message_check("EDUV-PERIOD-005")
def _school_year_dates(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(period, "schoolPeriodId")
    pair = _year_pair(value) if value else None
    start, end = day(period, "startDate"), day(period, "endDate")
    if not pair or not start or not end or end <= start:
        return
    # The end is exclusive: a year ending on 1 January still ends in the year before.
    last_year = int(end[:4]) - (1 if end[5:] == "01-01" else 0)
    if int(start[:4]) != pair[0] or last_year != pair[1]:
        yield "/startDate", {"value": value, "start": start, "end": end}


@message_check("EDUV-PERIOD-006")
def _period_not_own_relative(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(period, "schoolPeriodId")
    if not value:
        return
    if period.get("superSchoolPeriod") == value:
        yield "/superSchoolPeriod", {"value": value, "field": "superSchoolPeriod"}
    for index, child in strings(period, "subSchoolPeriods"):
        if child == value:
            yield f"/subSchoolPeriods/{index}", {"value": value, "field": "subSchoolPeriods"}


# --- time --------------------------------------------------------------------------


@message_check("EDUV-TIME-001")
def _modified_after_created(obj: JsonObject, rule: Rule) -> Iterator[Hit]:
    created, modified = timestamp(obj.get("dateCreated")), timestamp(obj.get("dateLastModified"))
    if created and modified and modified < created:
        params: dict[str, object] = {
            "created": obj["dateCreated"],
            "modified": obj["dateLastModified"],
        }
        yield "/dateLastModified", params


@message_check("EDUV-TIME-002")
def _timestamps_zulu(obj: JsonObject, rule: Rule) -> Iterator[Hit]:
    for member in ("dateCreated", "dateLastModified"):
        value = obj.get(member)
        if isinstance(value, str) and timestamp(value) and not value.endswith("Z"):
            yield f"/{member}", {"field": member, "value": value}


def _spans(obj: JsonObject) -> Iterator[tuple[str, str, str, str, str]]:
    """(pointer, begin member, begin, end member, end) for every dated part of ``obj``.

    SchoolPeriod uses startDate, the other association objects beginDate, and an
    Employee dates each of its organisation roles; the end is exclusive everywhere.
    """
    for begin_member in ("startDate", "beginDate"):
        begin, end = day(obj, begin_member), day(obj, "endDate")
        if begin and end:
            yield "", begin_member, begin, "endDate", end
    for index, role in objects(obj, "organisationRoles"):
        begin, end = day(role, "beginDate"), day(role, "endDate")
        if begin and end:
            yield f"/organisationRoles/{index}", "beginDate", begin, "endDate", end


def _span_hits(obj: JsonObject, wanted: str) -> Iterator[Hit]:
    for pointer, begin_member, begin, end_member, end in _spans(obj):
        if (wanted == "before" and end < begin) or (wanted == "equal" and end == begin):
            params: dict[str, object] = {
                "begin_field": begin_member,
                "begin": begin,
                "end_field": end_member,
                "end": end,
            }
            yield f"{pointer}/{end_member}", params


@message_check("EDUV-TIME-003")
def _end_not_before_begin(obj: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _span_hits(obj, "before")


@message_check("EDUV-TIME-004")
def _not_empty_span(obj: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _span_hits(obj, "equal")


# --- enrolments --------------------------------------------------------------------


def _required_for_type(
    obj: JsonObject, type_member: str, kind: str, member: str, id_member: str
) -> Iterator[Hit]:
    if obj.get(type_member) == kind and not text(obj, member):
        yield "", {"id": obj.get(id_member)}


@message_check("EDUV-ENROL-001")
def _study_named(enrollment: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _required_for_type(enrollment, "enrollmentType", "study", "study", "enrollmentId")


@message_check("EDUV-ENROL-002")
def _subject_named(enrollment: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _required_for_type(
        enrollment, "enrollmentType", "subject", "subject", "enrollmentId"
    )


def _foreign_fields(obj: JsonObject, rule: Rule, type_member: str, id_member: str) -> Iterator[Hit]:
    kind = obj.get(type_member)
    foreign = rule.parameters["fields"].get(kind, []) if isinstance(kind, str) else []
    for member in foreign:
        if member in obj:
            yield f"/{member}", {"id": obj.get(id_member), "type": kind, "field": member}


@message_check("EDUV-ENROL-003")
def _enrollment_fields_of_type(enrollment: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _foreign_fields(enrollment, rule, "enrollmentType", "enrollmentId")


def _year_in_range(obj: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = integer(obj, "studyYear")
    low, high = rule.parameters["min"], rule.parameters["max"]
    if value is not None and not low <= value <= high:
        yield "/studyYear", {"value": value}


@message_check("EDUV-ENROL-004")
def _enrollment_year_range(enrollment: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _year_in_range(enrollment, rule)


# --- assignments -------------------------------------------------------------------


@message_check("EDUV-ASSIGN-001")
def _class_teacher_group(assignment: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _required_for_type(
        assignment, "assignmentType", "class-teacher", "group", "assignmentId"
    )


@message_check("EDUV-ASSIGN-002")
def _teacher_group(assignment: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _required_for_type(assignment, "assignmentType", "teacher", "group", "assignmentId")


@message_check("EDUV-ASSIGN-003")
def _teacher_subject(assignment: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _required_for_type(
        assignment, "assignmentType", "teacher", "subject", "assignmentId"
    )


@message_check("EDUV-ASSIGN-004")
def _coach_student(assignment: JsonObject, rule: Rule) -> Iterator[Hit]:
    if assignment.get("assignmentType") == "coach" and not isinstance(
        assignment.get("student"), dict
    ):
        yield "", {"id": assignment.get("assignmentId")}


@message_check("EDUV-ASSIGN-005")
def _assignment_fields_of_type(assignment: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _foreign_fields(assignment, rule, "assignmentType", "assignmentId")


# --- groups ------------------------------------------------------------------------


@message_check("EDUV-GROUP-001")
def _students_once(group: JsonObject, rule: Rule) -> Iterator[Hit]:
    seen: set[str] = set()
    for index, ref in objects(group, "students"):
        keys = person_keys(ref)
        if any(k in seen for k in keys):
            yield f"/students/{index}", {"id": group.get("groupId"), "person": person_label(ref)}
        seen.update(keys)


@message_check("EDUV-GROUP-002")
def _assignments_once(group: JsonObject, rule: Rule) -> Iterator[Hit]:
    seen: set[str] = set()
    for index, value in strings(group, "assignments"):
        if value in seen:
            yield f"/assignments/{index}", {"id": group.get("groupId"), "value": value}
        seen.add(value)


# --- offerings ---------------------------------------------------------------------


@message_check("EDUV-OFFER-001")
def _rio_study_code(offering: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _member_format(offering, rule, "studyCode")


@message_check("EDUV-OFFER-002")
def _offering_year_range(offering: JsonObject, rule: Rule) -> Iterator[Hit]:
    yield from _year_in_range(offering, rule)
