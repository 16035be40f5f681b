"""The building blocks scenarios share: a school of a sector, pupils, teachers, groups.

Each helper adds to a draft and returns what it made; none removes anything, so
scenarios built from them combine freely.
"""

from __future__ import annotations

from eduv.dataset.model import JsonObject
from eduv.testing.chooser import pick
from eduv.testing.draft import DatasetDraft, SchoolDraft
from eduv.testing.schools import (
    lesson_group,
    new_school,
    vo_offering,
)
from eduv.testing.vocab import (
    LOCATION_KINDS,
    VO_LEVELS,
)

Span = tuple[str, str]


def school_of(
    draft: DatasetDraft, sector: str, other_than: SchoolDraft | None = None
) -> SchoolDraft:
    """A school of the sector, created when the draft has none (besides ``other_than``)."""
    for school in draft.schools:
        if school.sector == sector and school is not other_than and not school.reserved:
            return school
    return new_school(draft, sector)


def po_offering(draft: DatasetDraft, school: SchoolDraft, year: int) -> JsonObject:
    found = school.study.get(("groep", year))
    if found is not None:
        return found
    codes = [o["studyCode"] for o in school.school.studyOfferings if "studyCode" in o]
    code = codes[0] if codes else draft.ids.opleidingseenheid()
    offering = draft.add_study_offering(school, "groep", year, code, 1000 + year)
    school.study[("groep", year)] = offering
    return offering


def level(name: str) -> tuple[str, int, int, str, str, int]:
    return next(lv for lv in VO_LEVELS if lv[0] == name)


def pupil(
    draft: DatasetDraft,
    school: SchoolDraft,
    offering: JsonObject,
    span: Span | None = None,
    location: JsonObject | None = None,
) -> JsonObject:
    """A new pupil enrolled in ``offering``; returns the student reference."""
    cal = draft.calendar
    year = offering.get("studyYear", 4)
    born = cal.year - year - (4 if school.sector == "PO" else 11)
    ref = draft.add_student(school, born)
    where = location or pick(draft.chooser, school.locations)
    draft.enroll_study(school, ref, offering, span or (cal.start, cal.end), where)
    return ref


def pupils(
    draft: DatasetDraft, school: SchoolDraft, offering: JsonObject, low: int = 1, high: int = 3
) -> list[JsonObject]:
    return [pupil(draft, school, offering) for _ in range(draft.chooser.integer(low, high))]


def whole_year(draft: DatasetDraft) -> Span:
    return draft.calendar.start, draft.calendar.end


def teacher_for(draft: DatasetDraft, school: SchoolDraft) -> JsonObject:
    return draft.add_employee(school, "leraar")


def subject_group(
    draft: DatasetDraft,
    school: SchoolDraft,
    members: list[JsonObject],
    subject: JsonObject,
    enrol: bool = True,
) -> JsonObject:
    """A lesson group for one subject, with subject enrolments for its members."""
    span = whole_year(draft)
    if enrol:
        for ref in members:
            draft.enroll_subject(school, ref, subject, span)
    name = f"{subject['subjectOfferingAbbr']}-{draft.number()}"
    return lesson_group(draft, school, name, members, subject, teacher_for(draft, school))


def vo_pair(draft: DatasetDraft, school: SchoolDraft, year: int) -> tuple[JsonObject, JsonObject]:
    """havo and vwo offerings of one year (created when missing)."""
    return vo_offering(draft, school, level("havo"), year), vo_offering(
        draft, school, level("vwo"), year
    )


def second_location(draft: DatasetDraft, school: SchoolDraft) -> JsonObject:
    if len(school.locations) < 2:
        name = f"{school.school.organisation['name']}, {LOCATION_KINDS[2]}"
        school.locations.append(draft.location(name))
    return school.locations[1]
