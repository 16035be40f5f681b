"""Building blocks for consistent datasets.

A :class:`DatasetDraft` adds objects one at a time and keeps the cross-references
right by construction: an assignment to a group is listed by that group, an enrolment
names a location the school has, a group lists its offerings in the facts. Base
schools and flexibility scenarios are written against these blocks only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from eduv.dataset.convert import current_shapes
from eduv.dataset.model import (
    Dataset,
    GroupOfferings,
    JsonObject,
    School,
    SchoolFacts,
    Sector,
)
from eduv.testing.chooser import Chooser, pick
from eduv.testing.ids import Ids
from eduv.testing.vocab import FAMILY_NAMES, GIVEN_NAMES

STAMP_POOL = 32


@dataclass(frozen=True)
class Calendar:
    """The school year a dataset describes; ends are exclusive, as in Edu-V."""

    year: int

    @property
    def start(self) -> str:
        return f"{self.year}-08-01"

    @property
    def end(self) -> str:
        return f"{self.year + 1}-08-01"

    @property
    def year_id(self) -> str:
        return f"{self.year}-{self.year + 1}"

    @property
    def half(self) -> str:
        return f"{self.year + 1}-02-01"

    @property
    def as_of(self) -> str:
        return f"{self.year}-10-01"

    def change_days(self) -> tuple[str, ...]:
        """Days on which routes change mid-year in the scenarios."""
        return (f"{self.year}-11-01", f"{self.year + 1}-01-15", f"{self.year + 1}-03-01")

    def terms(self) -> tuple[tuple[str, str], ...]:
        y = self.year
        return (
            (self.start, f"{y}-12-01"),
            (f"{y}-12-01", f"{y + 1}-04-01"),
            (f"{y + 1}-04-01", self.end),
        )


@dataclass
class SchoolDraft:
    """One school under construction, with the lookups scenarios need."""

    school: School
    facts: SchoolFacts
    domain: str
    year_period: str
    study: dict[tuple[str, int], JsonObject] = field(default_factory=dict)
    subjects: dict[tuple[str, int, str], JsonObject] = field(default_factory=dict)
    staff: list[JsonObject] = field(default_factory=list)
    classes: list[JsonObject] = field(default_factory=list)
    reserved: bool = False

    @property
    def sector(self) -> Sector:
        return self.facts.sector

    @property
    def key(self) -> str:
        return self.school.key

    @property
    def locations(self) -> list[JsonObject]:
        found: list[JsonObject] = self.school.organisation.get("locations", [])
        return found

    def reference(self) -> JsonObject:
        return {"organisationMasterIdentifier": self.key}


class DatasetDraft:
    """A dataset being built; :meth:`finish` hands out the result."""

    def __init__(self, chooser: Chooser, ids: Ids, year: int) -> None:
        self.chooser = chooser
        self.ids = ids
        self.calendar = Calendar(year)
        self.dataset = Dataset(shapes=current_shapes(), as_of=self.calendar.as_of)
        self.schools: list[SchoolDraft] = []
        self._counter = 100000
        self._stamps = [self._make_stamp() for _ in range(STAMP_POOL)]

    # --- small helpers ---------------------------------------------------------

    def number(self) -> int:
        self._counter += 1
        return self._counter

    def _make_stamp(self) -> tuple[str, str]:
        c = self.chooser
        y = self.calendar.year
        created = f"{y}-{c.integer(5, 7):02d}-{c.integer(1, 28):02d}T{c.integer(7, 17):02d}:"
        created += f"{c.integer(0, 59):02d}:{c.integer(0, 59):02d}Z"
        if c.chance(50):
            return created, created
        modified = f"{y}-{c.integer(8, 9):02d}-{c.integer(1, 28):02d}T12:00:00Z"
        return created, modified

    def stamp(self) -> JsonObject:
        created, modified = self._stamps[self.chooser.integer(0, STAMP_POOL - 1)]
        return {"status": "active", "dateCreated": created, "dateLastModified": modified}

    def name(self) -> tuple[str, str, str]:
        prefix, family = pick(self.chooser, FAMILY_NAMES)
        return pick(self.chooser, GIVEN_NAMES), prefix, family

    # --- schools and periods ---------------------------------------------------

    def add_school(
        self,
        sector: Sector,
        name: str,
        boards: Sequence[JsonObject],
        locations: Sequence[JsonObject],
    ) -> SchoolDraft:
        brin = self.ids.brin4()
        organisation: JsonObject = {
            "organisationMasterIdentifier": self.ids.rio("A"),
            "organisationIds": [
                {"organisationId": brin, "organisationIdType": "OIE_CODE"},
                {"organisationId": f"{brin}00", "organisationIdType": "V_ID"},
            ],
            "name": name,
            "boards": list(boards),
            "locations": list(locations),
            **self.stamp(),
        }
        school = School(organisation=organisation)
        # The BRIN code keeps domains (and so NEPPI identifiers) apart for equal names.
        domain = "".join(ch for ch in name.lower() if ch.isalnum()) + f"-{brin.lower()}.nl"
        draft = SchoolDraft(school, SchoolFacts(sector), domain, self.calendar.year_id)
        self.dataset.schools.append(school)
        self.dataset.facts[school.key] = draft.facts
        self.schools.append(draft)
        return draft

    def board(self, name: str) -> JsonObject:
        return {
            "organisationMasterIdentifier": self.ids.rio("B"),
            "organisationIds": [
                {"organisationId": self.ids.bevoegd_gezag(), "organisationIdType": "BGE_CODE"}
            ],
            "name": name,
        }

    def location(self, name: str) -> JsonObject:
        return {
            "locationMasterIdentifier": self.ids.rio("X"),
            "locationIds": [
                {
                    "locationId": f"{self.ids.brin4()}0{self.chooser.integer(0, 9)}",
                    "locationIdType": "VE_CODE",
                }
            ],
            "name": name,
        }

    def add_period(
        self,
        draft: SchoolDraft,
        period_id: str,
        kind: str | None,
        span: tuple[str, str],
        parent: JsonObject | None = None,
    ) -> JsonObject:
        period: JsonObject = {"schoolPeriodId": period_id, "title": period_id}
        if kind:
            period["type"] = kind
        if parent is not None:
            period["superSchoolPeriod"] = parent["schoolPeriodId"]
            parent.setdefault("subSchoolPeriods", []).append(period_id)
        period.update({"startDate": span[0], "endDate": span[1], **self.stamp()})
        draft.school.schoolPeriods.append(period)
        return period

    def add_school_year(self, draft: SchoolDraft, subdivide: str | None) -> JsonObject:
        """The school year, optionally split into two semesters or three terms."""
        cal = self.calendar
        year = self.add_period(draft, cal.year_id, "schoolYear", (cal.start, cal.end))
        if subdivide == "semester":
            for index, span in enumerate(((cal.start, cal.half), (cal.half, cal.end)), 1):
                period = self.add_period(draft, self.ids.uuid(), "semester", span, year)
                period["title"] = f"semester {index} {cal.year_id}"
        elif subdivide == "term":
            for index, span in enumerate(cal.terms(), 1):
                period = self.add_period(draft, self.ids.uuid(), "term", span, year)
                period["title"] = f"trimester {index} {cal.year_id}"
        return year

    # --- offerings -------------------------------------------------------------

    def add_study_offering(
        self,
        draft: SchoolDraft,
        level: str,
        year: int | None,
        code: str,
        level_prefix: int,
        characteristics: Iterable[str] = (),
        name: str | None = None,
    ) -> JsonObject:
        label = f"{level} {year}" if year is not None else f"{level} bovenbouw"
        offering: JsonObject = {
            "studyOfferingId": self.ids.uuid(),
            "studyOfferingName": name or label,
            "studyName": level if draft.sector == "VO" else "basisonderwijs",
            "studyCode": code,
        }
        marks = list(characteristics)
        if marks:
            offering["studyCharacteristics"] = marks
        offering["studyLevel"] = {
            "studyLevelId": self.ids.level_uuid(level_prefix),
            "studyLevelPrefix": str(level_prefix),
            "studyLevelName": label,
        }
        if year is not None:
            offering["studyYear"] = year
        offering.update(self.stamp())
        draft.school.studyOfferings.append(offering)
        return offering

    def add_subject_offering(
        self, draft: SchoolDraft, name: str, abbreviation: str, studies: Iterable[JsonObject]
    ) -> JsonObject:
        offering: JsonObject = {
            "subjectOfferingId": self.ids.uuid(),
            "subjectOfferingName": name,
            "subjectOfferingAbbr": abbreviation,
        }
        linked = [s["studyOfferingId"] for s in studies]
        if linked:
            offering["studyOfferings"] = linked
        offering.update(self.stamp())
        draft.school.subjectOfferings.append(offering)
        return offering

    # --- people ----------------------------------------------------------------

    def add_student(self, draft: SchoolDraft, born: int) -> JsonObject:
        """A new Student; returns the reference other objects use for them."""
        given, prefix, family = self.name()
        eck = self.ids.eck_id()
        student: JsonObject = {
            "userMasterIdentifier": eck,
            "userIds": [{"userId": f"{self.number()}@1.{draft.domain}", "userIdType": "NEPPI"}],
            "givenName": given,
            "familyName": family,
        }
        if prefix:
            student["familyNamePrefix"] = prefix
        student["dateOfBirth"] = f"{born}-{self.chooser.integer(1, 12):02d}-15"
        student["gender"] = pick(self.chooser, ("female", "male", "male", "female", "other"))
        student.update(self.stamp())
        self.dataset.students.append(student)
        return {"userMasterIdentifier": eck}

    def add_employee(self, draft: SchoolDraft, role: str) -> JsonObject:
        """A new Employee working at ``draft``; returns their reference."""
        given, prefix, family = self.name()
        user_id = {"userId": f"m{self.number()}@{draft.domain}", "userIdType": "NEPPI"}
        employee: JsonObject = {"userIds": [user_id], "givenName": given, "familyName": family}
        if prefix:
            employee["familyNamePrefix"] = prefix
        employee["organisationRoles"] = [self.role(draft, role)]
        employee.update(self.stamp())
        self.dataset.employees.append(employee)
        draft.staff.append(employee)
        return {"userIds": [dict(user_id)]}

    def role(self, draft: SchoolDraft, role: str, begin: str | None = None) -> JsonObject:
        return {
            "organisation": draft.reference(),
            "organisationRole": role,
            "beginDate": begin or f"{self.calendar.year - self.chooser.integer(0, 9)}-08-01",
        }

    # --- association objects ---------------------------------------------------

    def _dated(self, begin: str, end: str | None, open_end: bool) -> JsonObject:
        """beginDate, and endDate unless the object may run until its period ends."""
        out: JsonObject = {"beginDate": begin}
        if end is not None and not (open_end and end == self.calendar.end):
            out["endDate"] = end
        return out

    def enroll_study(
        self,
        draft: SchoolDraft,
        student: JsonObject,
        offering: JsonObject,
        span: tuple[str, str],
        location: JsonObject | None = None,
        year: int | None = None,
        period: str | None = None,
    ) -> JsonObject:
        enrollment: JsonObject = {
            "enrollmentId": self.ids.uuid(),
            "student": dict(student),
            "enrollmentType": "study",
            "study": offering["studyOfferingId"],
        }
        study_year = offering.get("studyYear", year)
        if study_year is not None:
            enrollment["studyYear"] = study_year
        if location is not None:
            enrollment["location"] = dict(location)
        enrollment["schoolPeriod"] = period or draft.year_period
        enrollment.update(self._dated(span[0], span[1], self.chooser.chance(50)))
        enrollment.update(self.stamp())
        draft.school.enrollments.append(enrollment)
        return enrollment

    def enroll_subject(
        self,
        draft: SchoolDraft,
        student: JsonObject,
        subject: JsonObject,
        span: tuple[str, str],
        location: JsonObject | None = None,
    ) -> JsonObject:
        enrollment: JsonObject = {
            "enrollmentId": self.ids.uuid(),
            "student": dict(student),
            "enrollmentType": "subject",
            "subject": subject["subjectOfferingId"],
        }
        if location is not None:
            enrollment["location"] = dict(location)
        enrollment["schoolPeriod"] = draft.year_period
        enrollment.update(self._dated(span[0], span[1], self.chooser.chance(50)))
        enrollment.update(self.stamp())
        draft.school.enrollments.append(enrollment)
        return enrollment

    def add_group(
        self,
        draft: SchoolDraft,
        kind: str,
        name: str,
        members: Iterable[JsonObject],
        span: tuple[str, str],
        studies: Iterable[JsonObject] = (),
        subjects: Iterable[JsonObject] = (),
        period: str | None = None,
    ) -> JsonObject:
        group: JsonObject = {
            "groupId": self.ids.uuid(),
            "groupName": name,
            "groupType": kind,
            "students": [dict(m) for m in members],
            "assignments": [],
            "schoolPeriod": period or draft.year_period,
        }
        group.update(self._dated(span[0], span[1], self.chooser.chance(50)))
        group.update(self.stamp())
        draft.school.groups.append(group)
        served = GroupOfferings(
            [s["studyOfferingId"] for s in studies], [s["subjectOfferingId"] for s in subjects]
        )
        if served.study_offerings or served.subject_offerings:
            draft.facts.group_offerings[group["groupId"]] = served
        if kind == "class":
            draft.classes.append(group)
        return group

    def assign(
        self,
        draft: SchoolDraft,
        employee: JsonObject,
        kind: str,
        span: tuple[str, str],
        group: JsonObject | None = None,
        subject: JsonObject | None = None,
        student: JsonObject | None = None,
    ) -> JsonObject:
        """An assignment; a group it names lists it straight away."""
        assignment: JsonObject = {
            "assignmentId": self.ids.uuid(),
            "employee": {"userIds": [dict(u) for u in employee["userIds"]]},
            "assignmentType": kind,
        }
        if group is not None:
            assignment["group"] = group["groupId"]
            group["assignments"].append(assignment["assignmentId"])
        if subject is not None:
            assignment["subject"] = subject["subjectOfferingId"]
        if student is not None:
            assignment["student"] = dict(student)
        assignment["schoolPeriod"] = group["schoolPeriod"] if group else draft.year_period
        assignment.update(self._dated(span[0], span[1], self.chooser.chance(50)))
        assignment.update(self.stamp())
        draft.school.assignments.append(assignment)
        return assignment

    def finish(self) -> Dataset:
        return self.dataset
