"""Base schools: an ordinary PO or VO school at a chosen size.

The same code makes a handful of pupils for a hypothesis example and a thousand for a
benchmark; only the :class:`Scale` differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from eduv.dataset.model import JsonObject
from eduv.testing.chooser import pick
from eduv.testing.draft import DatasetDraft, SchoolDraft
from eduv.testing.vocab import (
    BOARD_KINDS,
    EMPLOYEE_ROLES,
    LOCATION_KINDS,
    PLACES,
    PO_SCHOOL_NAMES,
    SUBJECTS,
    VO_LEVELS,
    VO_SCHOOL_NAMES,
)

LETTERS = "ABCDEFGH"
PO_YEARS = tuple(range(1, 9))


@dataclass(frozen=True)
class Scale:
    """How big a base school gets."""

    students: tuple[int, int]
    class_size: tuple[int, int]
    vo_levels: tuple[int, int] = (1, 3)
    vo_years: tuple[int, int] = (1, 6)
    subjects: tuple[int, int] = (1, 3)
    lesson_groups_per_teacher: int = 6
    coach_percent: int = 10
    extra_location_percent: int = 30


SMALL = Scale(students=(2, 14), class_size=(1, 5), vo_levels=(1, 2), vo_years=(1, 2))
REALISTIC_PO = Scale(students=(150, 300), class_size=(22, 30), coach_percent=0)
REALISTIC_VO = Scale(
    students=(1200, 1800),
    class_size=(24, 30),
    vo_levels=(3, 3),
    vo_years=(6, 6),
    subjects=(8, 9),
    coach_percent=5,
)


def new_school(draft: DatasetDraft, sector: str, board: JsonObject | None = None) -> SchoolDraft:
    """An empty school of the sector, with a board, one or two locations and a year."""
    c = draft.chooser
    place = pick(c, PLACES)
    names = PO_SCHOOL_NAMES if sector == "PO" else VO_SCHOOL_NAMES
    name = f"{pick(c, names)} {place}"
    board = board or draft.board(f"{pick(c, BOARD_KINDS)} {place}")
    locations = [draft.location(f"{name}, {LOCATION_KINDS[0]}")]
    if c.chance(30):
        locations.append(draft.location(f"{name}, {LOCATION_KINDS[c.integer(1, 3)]}"))
    school = draft.add_school("PO" if sector == "PO" else "VO", name, [board], locations)
    draft.add_school_year(school, pick(c, (None, None, "semester", "term")))
    return school


def _split(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def _classes(draft: DatasetDraft, size: int, scale: Scale) -> int:
    per_class = draft.chooser.integer(*scale.class_size)
    return max(1, -(-size // per_class))


def _placed(
    draft: DatasetDraft,
    school: SchoolDraft,
    offering: JsonObject,
    count: int,
    born: int,
) -> list[tuple[JsonObject, JsonObject]]:
    """``count`` new students with a study enrolment in ``offering`` all year long."""
    cal = draft.calendar
    students = []
    for _ in range(count):
        ref = draft.add_student(school, born)
        location = pick(draft.chooser, school.locations)
        students.append(
            (ref, draft.enroll_study(school, ref, offering, (cal.start, cal.end), location))
        )
    return students


def add_class(
    draft: DatasetDraft,
    school: SchoolDraft,
    name: str,
    members: list[JsonObject],
    studies: list[JsonObject],
    span: tuple[str, str] | None = None,
    teacher: JsonObject | None = None,
) -> JsonObject:
    """A class with its class teacher (a new one unless given)."""
    cal = draft.calendar
    span = span or (cal.start, cal.end)
    group = draft.add_group(school, "class", name, members, span, studies=studies)
    teacher = teacher or draft.add_employee(school, "leraar")
    draft.assign(school, teacher, "class-teacher", span, group=group)
    return group


def populate_po(draft: DatasetDraft, school: SchoolDraft, scale: Scale) -> None:
    """Groups 1 to 8, one offering per year, classes with a class teacher each."""
    c = draft.chooser
    code = draft.ids.opleidingseenheid()
    total = c.integer(*scale.students)
    for year, count in zip(PO_YEARS, _split(total, len(PO_YEARS)), strict=True):
        offering = draft.add_study_offering(school, "groep", year, code, 1000 + year)
        school.study[("groep", year)] = offering
        if count == 0:
            continue
        pupils = _placed(draft, school, offering, count, draft.calendar.year - year - 4)
        classes = _classes(draft, count, scale)
        start = 0
        for index, size in enumerate(_split(count, classes)):
            members = [ref for ref, _ in pupils[start : start + size]]
            start += size
            add_class(draft, school, f"groep {year}{LETTERS[index]}", members, [offering])


def populate_vo(draft: DatasetDraft, school: SchoolDraft, scale: Scale) -> None:
    """Levels and years with classes, lesson groups per subject and teachers."""
    c = draft.chooser
    levels = VO_LEVELS[: c.integer(*scale.vo_levels)]
    cells = [(lv, y) for lv in levels for y in range(1, min(lv[1], c.integer(*scale.vo_years)) + 1)]
    subjects = SUBJECTS[: c.integer(*scale.subjects)]
    teachers = _TeacherPool(draft, school, scale.lesson_groups_per_teacher)
    total = c.integer(*scale.students)
    for (level, year), count in zip(cells, _split(total, len(cells)), strict=True):
        offering = vo_offering(draft, school, level, year)
        offerings = {
            abbr: vo_subject(draft, school, level[0], year, name, abbr) for name, abbr in subjects
        }
        if count == 0:
            continue
        pupils = _placed(draft, school, offering, count, draft.calendar.year - year - 11)
        upper = year >= level[5]
        start = 0
        for index, size in enumerate(_split(count, _classes(draft, count, scale))):
            chunk = pupils[start : start + size]
            start += size
            name = f"{year}{level[0][0].upper()}{index + 1}"
            members = [ref for ref, _ in chunk]
            add_class(draft, school, name, members, [offering])
            for abbr, subject in offerings.items():
                lesson_group(draft, school, f"{name}-{abbr}", members, subject, teachers.next())
                if upper:
                    for ref, _ in chunk:
                        span = (draft.calendar.start, draft.calendar.end)
                        draft.enroll_subject(school, ref, subject, span)
            _coaches(draft, school, members, scale)


def vo_offering(
    draft: DatasetDraft, school: SchoolDraft, level: tuple[str, int, int, str, str, int], year: int
) -> JsonObject:
    name, _, first_prefix, lower, upper, upper_from = level
    found = school.study.get((name, year))
    if found is not None:
        return found
    code = upper if year >= upper_from else lower
    offering = draft.add_study_offering(school, name, year, code, first_prefix + year - 1)
    school.study[(name, year)] = offering
    return offering


def vo_subject(
    draft: DatasetDraft, school: SchoolDraft, level: str, year: int, name: str, abbr: str
) -> JsonObject:
    key = (level, year, abbr)
    found = school.subjects.get(key)
    if found is not None:
        return found
    study = school.study.get((level, year))
    subject = draft.add_subject_offering(
        school, f"{name} {level} {year}", abbr, [study] if study else []
    )
    school.subjects[key] = subject
    return subject


def lesson_group(
    draft: DatasetDraft,
    school: SchoolDraft,
    name: str,
    members: list[JsonObject],
    subject: JsonObject,
    teacher: JsonObject,
    span: tuple[str, str] | None = None,
) -> JsonObject:
    cal = draft.calendar
    span = span or (cal.start, cal.end)
    group = draft.add_group(school, "lesson-group", name, members, span, subjects=[subject])
    draft.assign(school, teacher, "teacher", span, group=group, subject=subject)
    return group


class _TeacherPool:
    """Hands out teachers, each for a fixed number of lesson groups."""

    def __init__(self, draft: DatasetDraft, school: SchoolDraft, per_teacher: int) -> None:
        self.draft, self.school, self.per_teacher = draft, school, per_teacher
        self.current: JsonObject | None = None
        self.used = 0

    def next(self) -> JsonObject:
        if self.current is None or self.used >= self.per_teacher:
            self.current = self.draft.add_employee(
                self.school, pick(self.draft.chooser, EMPLOYEE_ROLES[:2])
            )
            self.used = 0
        self.used += 1
        return self.current


def _coaches(
    draft: DatasetDraft, school: SchoolDraft, members: list[JsonObject], scale: Scale
) -> None:
    if not members or not draft.chooser.chance(scale.coach_percent):
        return
    coach = draft.add_employee(school, "begeleider")
    span = (draft.calendar.start, draft.calendar.end)
    draft.assign(school, coach, "coach", span, student=pick(draft.chooser, members))


def populate(draft: DatasetDraft, school: SchoolDraft, scale: Scale) -> None:
    if school.sector == "PO":
        populate_po(draft, school, scale)
    else:
        populate_vo(draft, school, scale)
