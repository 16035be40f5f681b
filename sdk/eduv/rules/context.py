"""Indexes a dataset once so that every dataset rule runs in linear time.

Nothing here compares objects pairwise: references are resolved through dictionaries,
and time questions (is a member enrolled while the group runs?) through per-person
interval lists that are sorted and merged once.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property

from eduv.dataset.model import (
    Collection,
    Dataset,
    JsonObject,
    School,
    SchoolFacts,
    collection,
    school_collections,
)
from eduv.findings import ObjectRef
from eduv.rules.values import (
    ECKID_TYPE,
    MAX_DATE,
    day,
    is_tobedeleted,
    location_keys,
    objects,
    person_keys,
    person_label,
)

Span = tuple[str, str]
DATED = frozenset({"schoolPeriods", "enrollments", "assignments", "groups"})


class PersonIndex:
    """Students or employees, findable by any of their identifiers."""

    def __init__(self, people: list[JsonObject]) -> None:
        self.people = people
        # The keys of person_keys split in two tables: those of a primary identifier
        # ("m:<text>") by the text itself, which a reference holds already (and has
        # hashed once), and the others as they are. Each person's keys are read here
        # without building the "m:" texts: people carry long primary identifiers.
        self.by_master: dict[str, int] = {}
        self.by_other: dict[str, int] = {}
        # (key, index of the first owner, index of the later one) for every shared key.
        self.shared: list[tuple[str, int, int]] = []
        for index, person in enumerate(people):
            master = person.get("userMasterIdentifier")
            if isinstance(master, str) and master:
                self._add(master, True, index)
            entries = person.get("userIds")
            if not isinstance(entries, list):
                continue
            for entry in entries:
                if not isinstance(entry, dict):
                    continue
                value, id_type = entry.get("userId"), entry.get("userIdType")
                if not (isinstance(value, str) and value and isinstance(id_type, str) and id_type):
                    continue
                if id_type == ECKID_TYPE:
                    self._add(value, True, index)
                else:
                    self._add(f"{id_type}:{value}", False, index)

    def _add(self, key: str, primary: bool, index: int) -> None:
        if not primary and key.startswith("m:"):  # person_keys reads type "m" as primary
            key, primary = key[2:], True
        owner = (self.by_master if primary else self.by_other).setdefault(key, index)
        if owner != index:
            self.shared.append(("m:" + key if primary else key, owner, index))

    def find(self, ref: object) -> int | None:
        if not isinstance(ref, dict):
            return None
        # The primary identifier is the first key person_keys gives: try it alone first.
        master = ref.get("userMasterIdentifier")
        if isinstance(master, str) and master:
            found = self.by_master.get(master)
            if found is not None:
                return found
        for key in person_keys(ref):
            primary = key.startswith("m:")
            found = self.by_master.get(key[2:]) if primary else self.by_other.get(key)
            if found is not None:
                return found
        return None


@dataclass
class SchoolIndex:
    """One school's objects by identifier, plus the derived lookups rules share."""

    pos: int
    school: School
    key: str
    facts: SchoolFacts | None
    # Per collection: the first object of each identifier (what references resolve to).
    by_id: dict[str, dict[str, JsonObject]] = field(default_factory=dict)
    # (collection, identifier, first index, later index) for every repeated identifier.
    repeated: list[tuple[str, str, int, int]] = field(default_factory=list)

    def find(self, coll: str, value: object) -> JsonObject | None:
        if not isinstance(value, str):
            return None
        return self.by_id[coll].get(value)

    @cached_property
    def location_keys(self) -> set[str]:
        return {
            k
            for _, loc in objects(self.school.organisation, "locations")
            for k in location_keys(loc)
        }

    @cached_property
    def group_assignments(self) -> dict[str, set[str]]:
        return {
            gid: {a for a in group.get("assignments", []) if isinstance(a, str)}
            for group in self.school.groups
            if isinstance(gid := group.get("groupId"), str)
            and isinstance(group.get("assignments"), list)
        }


@dataclass
class Context:
    """A dataset, the date range under evaluation, and the indexes built over it."""

    dataset: Dataset
    low: str
    high: str
    schools: list[SchoolIndex]
    students: PersonIndex
    employees: PersonIndex
    _active: dict[tuple[int, str], list[tuple[int, JsonObject, Span]]] = field(default_factory=dict)
    _members: dict[tuple[int, int], list[tuple[int, JsonObject, int | None]]] = field(
        default_factory=dict
    )

    @classmethod
    def build(cls, dataset: Dataset, low: str, high: str) -> Context:
        schools = [
            _index_school(pos, school, dataset) for pos, school in enumerate(dataset.schools)
        ]
        return cls(
            dataset,
            low,
            high,
            schools,
            PersonIndex(dataset.students),
            PersonIndex(dataset.employees),
        )

    # --- time ------------------------------------------------------------------

    def clip(self, begin: str, end: str) -> Span | None:
        """The part of [begin, end) inside the evaluated range, or None."""
        low, high = max(begin, self.low), min(end, self.high)
        return (low, high) if low < high else None

    def span(self, s: SchoolIndex, obj: JsonObject) -> Span | None:
        """Where an enrolment, assignment or group is in force, clipped to the range.

        Without an end date an object runs until its school period ends (or forever
        when the period is unknown). Objects flagged tobedeleted are out of scope.
        """
        begin = day(obj, "beginDate")
        if begin is None or obj.get("status") == "tobedeleted":  # is_tobedeleted()
            return None
        end = day(obj, "endDate")
        if end is None:
            period = s.find("schoolPeriods", obj.get("schoolPeriod"))
            end = (day(period, "endDate") if period else None) or MAX_DATE
        # clip(), written out: this runs for every dated object of the dataset.
        low = begin if begin > self.low else self.low
        high = end if end < self.high else self.high
        return (low, high) if low < high else None

    def period_span(self, period: JsonObject) -> Span | None:
        begin, end = day(period, "startDate"), day(period, "endDate")
        if begin is None or end is None or is_tobedeleted(period):
            return None
        return self.clip(begin, end)

    # --- iteration and naming --------------------------------------------------

    def active(self, s: SchoolIndex, coll: str) -> list[tuple[int, JsonObject, Span]]:
        """The dated objects of one school collection that are in scope (computed once)."""
        key = (s.pos, coll)
        found = self._active.get(key)
        if found is None:
            found = []
            for index, obj in enumerate(s.school.items(coll)):
                if not isinstance(obj, dict):
                    continue
                span = self.period_span(obj) if coll == "schoolPeriods" else self.span(s, obj)
                if span is not None:
                    found.append((index, obj, span))
            self._active[key] = found
        return found

    def members(
        self, s: SchoolIndex, index: int, group: JsonObject
    ) -> list[tuple[int, JsonObject, int | None]]:
        """(position, reference, student index or None) for every member of a group."""
        key = (s.pos, index)
        found = self._members.get(key)
        if found is None:
            find, by_master = self.students.find, self.students.by_master
            refs = group.get("students")
            found = []
            for at, ref in enumerate(refs if isinstance(refs, list) else ()):
                if not isinstance(ref, dict):
                    continue
                master = ref.get("userMasterIdentifier")
                # find(), its first step written out: this runs for every group member.
                student = by_master.get(master) if isinstance(master, str) else None
                found.append((at, ref, find(ref) if student is None else student))
            self._members[key] = found
        return found

    def in_scope(self, s: SchoolIndex, coll: str) -> list[tuple[int, JsonObject, Span]]:
        """The objects of one school collection that are in scope, with their span.

        Offerings carry no dates: they are in scope over the whole range unless they
        are flagged tobedeleted.
        """
        if coll in DATED:
            return self.active(s, coll)
        whole = (self.low, self.high)
        return [
            (index, obj, whole)
            for index, obj in enumerate(s.school.items(coll))
            if isinstance(obj, dict) and not is_tobedeleted(obj)
        ]

    def ref(self, s: SchoolIndex, coll: str, obj: JsonObject) -> ObjectRef:
        meta = collection(coll)
        ident = obj.get(meta.id_field) if meta.id_field else s.key
        return ObjectRef(meta.component, str(ident), s.key)

    def person_ref(self, coll: str, person: JsonObject) -> ObjectRef:
        return ObjectRef(collection(coll).component, person_label(person))

    @staticmethod
    def pointer(s: SchoolIndex, coll: str, index: int, rest: str = "") -> str:
        return f"/schools/{s.pos}/{coll}/{index}{rest}"

    # --- shared derived indexes ------------------------------------------------

    @cached_property
    def enrollment_spans(self) -> dict[tuple[int, int], tuple[list[Span], list[Span]]]:
        """Per (school position, student index): merged spans of (study, any) enrolments."""
        spans: dict[tuple[int, int], tuple[list[Span], list[Span]]] = {}
        find, by_master = self.students.find, self.students.by_master
        for s in self.schools:
            # Keyed by the student alone within a school: a pupil holds a few enrolments,
            # and a (school, student) pair made once per pupil rather than per enrolment.
            every: dict[int, list[Span]] = {}
            study: dict[int, list[Span]] = {}
            for _, enrollment, span in self.active(s, "enrollments"):
                ref = enrollment.get("student")
                master = ref.get("userMasterIdentifier") if isinstance(ref, dict) else None
                # find(), its first step written out: this runs for every enrolment.
                student = by_master.get(master) if isinstance(master, str) else None
                if student is None:
                    student = find(ref)
                if student is None:
                    continue
                found = every.get(student)
                if found is None:
                    every[student] = [span]
                else:
                    found.append(span)
                if enrollment.get("enrollmentType") == "study":
                    found = study.get(student)
                    if found is None:
                        study[student] = [span]
                    else:
                        found.append(span)
            pos = s.pos
            for student, listed in every.items():
                merged = merge(listed) if len(listed) > 1 else listed
                studied = study.get(student)
                if studied is None:
                    spans[pos, student] = ([], merged)
                elif len(studied) == len(listed):
                    # Every enrolment of the pupil is a study one: the same spans, merged once.
                    spans[pos, student] = (merged, merged)
                else:
                    spans[pos, student] = (merge(studied), merged)
        return spans

    def uncovered(self, s: SchoolIndex, student: int, span: Span, study_only: bool) -> Span | None:
        """The first days of ``span`` on which the student holds no (study) enrolment."""
        both = self.enrollment_spans.get((s.pos, student))
        spans = (both[0] if study_only else both[1]) if both else []
        return first_gap(spans, span)

    @property
    def judged(self) -> Span:
        """The days under evaluation, ``[low, high)``."""
        return self.low, self.high


def _index_school(pos: int, school: School, dataset: Dataset) -> SchoolIndex:
    key = school.key
    index = SchoolIndex(pos, school, key, dataset.facts.get(key))
    for coll in _id_collections():
        table: dict[str, int] = {}
        found: dict[str, JsonObject] = {}
        member = coll.id_field or ""
        for position, obj in enumerate(school.items(coll.name)):
            value = obj.get(member) if isinstance(obj, dict) else None
            if not isinstance(value, str) or not value:  # text(), written out
                continue
            first = table.setdefault(value, position)
            if first != position:
                index.repeated.append((coll.name, value, first, position))
            else:
                found[value] = obj
        index.by_id[coll.name] = found
    return index


def _id_collections() -> tuple[Collection, ...]:
    return tuple(c for c in school_collections() if c.id_field)


def merge(spans: list[Span]) -> list[Span]:
    """Sorted, non-overlapping spans; touching spans ([a, b) and [b, c)) join."""
    if len(spans) < 2:
        return list(spans)  # most pupils hold one enrolment (of a kind) at a school
    ordered = sorted(spans)
    merged = [ordered[0]]
    for begin, end in ordered[1:]:
        last_begin, last_end = merged[-1]
        if begin <= last_end:
            merged[-1] = (last_begin, max(last_end, end))
        else:
            merged.append((begin, end))
    return merged


def first_gap(merged: list[Span], span: Span) -> Span | None:
    """The first days of ``span`` the merged spans leave uncovered, ``[first, end)``, or None."""
    begin, end = span
    at = bisect.bisect_right(merged, (begin, MAX_DATE)) - 1
    if at < 0 or merged[at][1] <= begin:
        gap = begin
    elif merged[at][1] >= end:
        return None
    else:
        gap = merged[at][1]
    # The gap lasts until the next covered span begins, or until ``span`` ends.
    following = merged[at + 1][0] if at + 1 < len(merged) else end
    return gap, min(following, end)
