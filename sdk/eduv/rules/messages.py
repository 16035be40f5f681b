"""Rules that need one message only.

Each check receives the node its shape names (a whole Enrollment, or one student
reference inside it) and yields a pointer relative to that node plus the values its
message needs. Patterns and ranges come from the rule's ``parameters`` in the
catalogue, not from this code. Rules of the same shape are bound to one generic check
with its arguments (:func:`named`, :func:`member_format`, ...) in ``CHECKS``, the table
at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from eduv.rules.catalogue import Rule
from eduv.rules.hits import EachObject, Hit, JsonObject, MessageCheck, PlacedHit
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

Objects = Sequence[tuple[int, JsonObject]]

_YEAR_PAIR = compiled(r"^(\d{4})-(\d{4})$")
_UUID = compiled(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


# Compiled patterns by their text, looked up without a cache wrapper's call: a pattern
# is matched against every identifier of a dataset.
_PATTERNS: dict[str, re.Pattern[str]] = {}


def _matches(rule: Rule, value: str, key: str = "pattern") -> bool:
    pattern = rule.parameters[key]
    found = _PATTERNS.get(pattern) if type(pattern) is str else None
    if found is None:
        found = compiled(str(pattern))
        if type(pattern) is str:
            _PATTERNS[pattern] = found
    return found.search(value) is not None


# --- generic checks ----------------------------------------------------------------


def named(master: str, ids: str) -> MessageCheck:
    """A reference names its object: by its master identifier or by other identifiers."""

    def check(ref: JsonObject, rule: Rule) -> list[Hit]:
        return [] if text(ref, master) or items(ref, ids) else [("", {})]

    return check


def member_format(member: str) -> MessageCheck:
    """A text member matches the rule's ``pattern``."""

    def check(obj: JsonObject, rule: Rule) -> list[Hit]:
        value = text(obj, member)
        if value and not _matches(rule, value):
            return [(f"/{member}", {"value": value})]
        return []

    return check


def typed_ids(member: str, kind: str, id_type: str) -> MessageCheck:
    """Identifiers of one type in a list (``userIds`` of type ``eckId``) match ``pattern``."""

    type_member = f"{kind}Type"

    def check(ref: JsonObject, rule: Rule) -> list[Hit]:
        found: list[Hit] = []
        entries = ref.get(member)
        if not isinstance(entries, list):
            return found
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and entry.get(type_member) == id_type:
                value = text(entry, kind)
                if value and not _matches(rule, value):
                    found.append((f"/{member}/{index}/{kind}", {"value": value}))
        return found

    return check


def required_for_type(type_member: str, kind: str, member: str, id_member: str) -> MessageCheck:
    """An object of one type (``enrollmentType`` ``study``) fills the member that type needs."""

    def over(objs: Objects, rule: Rule) -> Iterator[PlacedHit]:
        for index, obj in objs:
            if obj.get(type_member) == kind and not text(obj, member):
                yield index, "", {"id": obj.get(id_member)}

    return EachObject(over)


def foreign_fields(type_member: str, id_member: str) -> MessageCheck:
    """An object carries no member that the rule's ``fields`` reserve for other types."""

    def over(objs: Objects, rule: Rule) -> Iterator[PlacedHit]:
        fields = rule.parameters["fields"]
        # Per type, its reserved members as a set: most objects hold none of them, which
        # one intersection of their keys settles.
        reserved = {kind: frozenset(members) for kind, members in fields.items()}
        for index, obj in objs:
            kind = obj.get(type_member)
            if not isinstance(kind, str) or not obj.keys() & reserved.get(kind, frozenset()):
                continue
            for member in fields.get(kind, []):
                if member in obj:
                    params = {"id": obj.get(id_member), "type": kind, "field": member}
                    yield index, f"/{member}", params

    return EachObject(over)


# --- person references -------------------------------------------------------------


def _student_eckid_series(ref: JsonObject, rule: Rule) -> list[Hit]:
    value = text(ref, "userMasterIdentifier")
    if not value or not value.startswith("https://ketenid.nl/"):
        return []
    series = value.removeprefix("https://ketenid.nl/").split("/")[0]
    if series != rule.parameters["production"]:
        return [("/userMasterIdentifier", {"value": value, "series": series})]
    return []


def _employee_secondary(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    if not items(ref, "userIds"):
        yield "", {}


def _employee_no_master(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(ref, "userMasterIdentifier")
    if value:
        yield "/userMasterIdentifier", {"value": value}


def _entree_form(ref: JsonObject, rule: Rule) -> list[Hit]:
    found: list[Hit] = []
    entries = ref.get("userIds")
    if not isinstance(entries, list):
        return found
    kinds = rule.parameters["types"]
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        kind = entry.get("userIdType")
        if kind in kinds:
            value = text(entry, "userId")
            if value and not _matches(rule, value):
                found.append((f"/userIds/{index}/userId", {"value": value, "type": kind}))
    return found


# --- organisation references -------------------------------------------------------


def _school_secondary(ref: JsonObject, rule: Rule) -> Iterator[Hit]:
    formats = rule.parameters["formats"]
    for index, entry in objects(ref, "organisationIds"):
        kind, value = entry.get("organisationIdType"), text(entry, "organisationId")
        wanted = formats.get(kind) if isinstance(kind, str) else None
        if wanted and value and not compiled(wanted["pattern"]).search(value):
            pointer = f"/organisationIds/{index}/organisationId"
            yield pointer, {"value": value, "type": kind, "format": wanted["name"]}


# --- school periods ----------------------------------------------------------------


def _year_pair(value: str) -> tuple[int, int] | None:
    found = _YEAR_PAIR.match(value)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _period_id_form(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(period, "schoolPeriodId")
    if value and not _year_pair(value) and not _UUID.match(value):
        yield "/schoolPeriodId", {"value": value}


def _period_years_consecutive(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(period, "schoolPeriodId")
    pair = _year_pair(value) if value else None
    if pair and pair[1] != pair[0] + 1:
        yield "/schoolPeriodId", {"value": value}


def _school_year_id(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value = text(period, "schoolPeriodId")
    if period.get("type") == "schoolYear" and value and not _year_pair(value):
        yield "/schoolPeriodId", {"value": value}


def _year_id_only_for_years(period: JsonObject, rule: Rule) -> Iterator[Hit]:
    value, kind = text(period, "schoolPeriodId"), text(period, "type")
    if value and kind and kind != "schoolYear" and _year_pair(value):
        yield "/schoolPeriodId", {"value": value, "type": kind}


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


def _modified_after_created_over(objs: Objects, rule: Rule) -> Iterator[PlacedHit]:
    for index, obj in objs:
        created_text, modified_text = obj.get("dateCreated"), obj.get("dateLastModified")
        if created_text == modified_text:
            continue  # the same text is the same moment (often: objects never changed)
        created, modified = timestamp(created_text), timestamp(modified_text)
        if created and modified and modified < created:
            params: dict[str, object] = {"created": created_text, "modified": modified_text}
            yield index, "/dateLastModified", params


def _timestamps_zulu_over(objs: Objects, rule: Rule) -> Iterator[PlacedHit]:
    fields = rule.parameters["fields"]
    for index, obj in objs:
        for member in fields:
            value = obj.get(member)
            # The suffix first: it settles nearly every value without parsing it.
            if isinstance(value, str) and not value.endswith("Z") and timestamp(value):
                yield index, f"/{member}", {"field": member, "value": value}


def _spans(obj: JsonObject) -> list[tuple[str, str, str, str, str]]:
    """(pointer, begin member, begin, end member, end) for every dated part of ``obj``.

    SchoolPeriod uses startDate, the other association objects beginDate, and an
    Employee dates each of its organisation roles; the end is exclusive everywhere.
    """
    found = []
    end = day(obj, "endDate")
    if end:
        for begin_member in ("startDate", "beginDate"):
            begin = day(obj, begin_member)
            if begin:
                found.append(("", begin_member, begin, "endDate", end))
    if "organisationRoles" in obj:
        for index, role in objects(obj, "organisationRoles"):
            begin, end = day(role, "beginDate"), day(role, "endDate")
            if begin and end:
                found.append((f"/organisationRoles/{index}", "beginDate", begin, "endDate", end))
    return found


def span_hits(wanted: str) -> MessageCheck:
    """Dated parts whose end is ``before`` their begin, or ``equal`` to it (an empty span)."""

    before = wanted == "before"

    def over(objs: Objects, rule: Rule) -> Iterator[PlacedHit]:
        for index, obj in objs:
            if "organisationRoles" not in obj:
                # The texts compared before they are read as days: a part whose texts do
                # not fail fails as days neither, and nearly every object ends after it
                # begins. Both rules of this shape read every dated object.
                end = obj.get("endDate")
                if not isinstance(end, str):
                    continue
                start, begin = obj.get("startDate"), obj.get("beginDate")
                if not (
                    (isinstance(start, str) and (end < start if before else end == start))
                    or (isinstance(begin, str) and (end < begin if before else end == begin))
                ):
                    continue
            for pointer, begin_member, begin, end_member, end in _spans(obj):
                if (wanted == "before" and end < begin) or (wanted == "equal" and end == begin):
                    params: dict[str, object] = {
                        "begin_field": begin_member,
                        "begin": begin,
                        "end_field": end_member,
                        "end": end,
                    }
                    yield index, f"{pointer}/{end_member}", params

    return EachObject(over)


# --- enrolments and offerings --------------------------------------------------------


def _year_in_range_over(objs: Objects, rule: Rule) -> Iterator[PlacedHit]:
    low, high = rule.parameters["min"], rule.parameters["max"]
    for index, obj in objs:
        value = integer(obj, "studyYear")
        if value is not None and not low <= value <= high:
            yield index, "/studyYear", {"value": value}


_year_in_range = EachObject(_year_in_range_over)


# --- assignments -------------------------------------------------------------------


def _coach_student(assignment: JsonObject, rule: Rule) -> Iterator[Hit]:
    if assignment.get("assignmentType") == "coach" and not isinstance(
        assignment.get("student"), dict
    ):
        yield "", {"id": assignment.get("assignmentId")}


# --- groups ------------------------------------------------------------------------


def _students_once(group: JsonObject, rule: Rule) -> Iterator[Hit]:
    # The keys of person_keys seen so far: those of a primary identifier ("m:<text>") by
    # their text, which a reference holds already, and the others as they are.
    masters: set[str] = set()
    others: set[str] = set()
    for index, ref in objects(group, "students"):
        if "userIds" not in ref:  # the usual reference, by its primary identifier alone
            master = ref.get("userMasterIdentifier")
            if isinstance(master, str) and master:
                if master in masters:
                    yield (
                        f"/students/{index}",
                        {"id": group.get("groupId"), "person": person_label(ref)},
                    )
                masters.add(master)
            continue
        keys = person_keys(ref)
        if any(k[2:] in masters if k.startswith("m:") else k in others for k in keys):
            yield f"/students/{index}", {"id": group.get("groupId"), "person": person_label(ref)}
        for k in keys:
            if k.startswith("m:"):
                masters.add(k[2:])
            else:
                others.add(k)


def _assignments_once(group: JsonObject, rule: Rule) -> Iterator[Hit]:
    seen: set[str] = set()
    for index, value in strings(group, "assignments"):
        if value in seen:
            yield f"/assignments/{index}", {"id": group.get("groupId"), "value": value}
        seen.add(value)


# Which check each message rule is bound to.
CHECKS: dict[str, MessageCheck] = {
    "EDUV-ID-001": named("userMasterIdentifier", "userIds"),
    "EDUV-ID-002": member_format("userMasterIdentifier"),
    "EDUV-ID-003": _student_eckid_series,
    "EDUV-ID-004": typed_ids("userIds", "userId", "eckId"),
    "EDUV-ID-005": _employee_secondary,
    "EDUV-ID-006": _employee_no_master,
    "EDUV-ID-007": _entree_form,
    "EDUV-ID-010": named("organisationMasterIdentifier", "organisationIds"),
    "EDUV-ID-011": member_format("organisationMasterIdentifier"),
    "EDUV-ID-012": _school_secondary,
    "EDUV-ID-013": named("organisationMasterIdentifier", "organisationIds"),
    "EDUV-ID-014": member_format("organisationMasterIdentifier"),
    "EDUV-ID-015": typed_ids("organisationIds", "organisationId", "BGE_CODE"),
    "EDUV-ID-016": named("locationMasterIdentifier", "locationIds"),
    "EDUV-ID-017": member_format("locationMasterIdentifier"),
    "EDUV-ID-018": typed_ids("locationIds", "locationId", "VE_CODE"),
    "EDUV-ID-019": member_format("groupId"),
    "EDUV-PERIOD-001": _period_id_form,
    "EDUV-PERIOD-002": _period_years_consecutive,
    "EDUV-PERIOD-003": _school_year_id,
    "EDUV-PERIOD-004": _year_id_only_for_years,
    "EDUV-PERIOD-005": _school_year_dates,
    "EDUV-PERIOD-006": _period_not_own_relative,
    "EDUV-TIME-001": EachObject(_modified_after_created_over),
    "EDUV-TIME-002": EachObject(_timestamps_zulu_over),
    "EDUV-TIME-003": span_hits("before"),
    "EDUV-TIME-004": span_hits("equal"),
    "EDUV-ENROL-001": required_for_type("enrollmentType", "study", "study", "enrollmentId"),
    "EDUV-ENROL-002": required_for_type("enrollmentType", "subject", "subject", "enrollmentId"),
    "EDUV-ENROL-003": foreign_fields("enrollmentType", "enrollmentId"),
    "EDUV-ENROL-004": _year_in_range,
    "EDUV-ASSIGN-001": required_for_type(
        "assignmentType", "class-teacher", "group", "assignmentId"
    ),
    "EDUV-ASSIGN-002": required_for_type("assignmentType", "teacher", "group", "assignmentId"),
    "EDUV-ASSIGN-003": required_for_type("assignmentType", "teacher", "subject", "assignmentId"),
    "EDUV-ASSIGN-004": _coach_student,
    "EDUV-ASSIGN-005": foreign_fields("assignmentType", "assignmentId"),
    "EDUV-GROUP-001": _students_once,
    "EDUV-GROUP-002": _assignments_once,
    "EDUV-OFFER-001": member_format("studyCode"),
    "EDUV-OFFER-002": _year_in_range,
}
