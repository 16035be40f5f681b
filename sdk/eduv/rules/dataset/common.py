"""What the dataset checks share: making a hit, and the generic checks rules are bound to.

Many rules have the same shape ("this member names an object of that collection of the
school"), so the binding tables of the domain modules name a generic check with its
arguments (:func:`missing_refs`, :func:`missing_listed`, :func:`unknown_people`,
:func:`years_fit_level`) instead of a function each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from eduv.dataset.model import collection
from eduv.rules.catalogue import Rule
from eduv.rules.context import Context, SchoolIndex, Span
from eduv.rules.hits import DatasetCheck, DatasetHit, JsonObject
from eduv.rules.values import day, integer, person_label, strings, text


def id_member(coll: str) -> str:
    return collection(coll).id_field or ""


def component(coll: str) -> str:
    return collection(coll).component


def hit(
    ctx: Context,
    s: SchoolIndex,
    coll: str,
    index: int,
    obj: JsonObject,
    rest: str,
    **params: object,
) -> DatasetHit:
    """A hit on one object of a school collection, at ``rest`` inside it."""
    values: dict[str, object] = {"id": obj.get(id_member(coll)), "school": s.key}
    values.update(params)
    return DatasetHit((ctx.pointer(s, coll, index, rest),), (ctx.ref(s, coll, obj),), values)


def during(found: DatasetHit, interval: Span) -> DatasetHit:
    """The hit of a rule whose verdict depends on the day, with the days it holds on."""
    return replace(found, interval=interval)


def person_hit(
    ctx: Context, coll: str, index: int, person: JsonObject, label: str, interval: Span | None
) -> DatasetHit:
    ref = (ctx.person_ref(coll, person),)
    return DatasetHit((f"/{coll}/{index}",), ref, {"person": label}, interval)


def dates(obj: JsonObject, begin_member: str) -> Span | None:
    """[begin, end) of an object whose begin member is ``begin_member``, when it has both."""
    begin, end = day(obj, begin_member), day(obj, "endDate")
    return (begin, end) if begin and end else None


def of_type(member: str, kind: str) -> Callable[[JsonObject], bool]:
    """A filter on a type member, e.g. enrolments whose ``enrollmentType`` is ``study``."""
    return lambda obj: obj.get(member) == kind


# --- generic checks ----------------------------------------------------------------


def missing_refs(
    coll: str,
    member: str,
    target: str,
    when: Callable[[JsonObject], bool] | None = None,
) -> DatasetCheck:
    """Objects whose string ``member`` names nothing in the school's ``target`` collection."""

    def check(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
        for s in ctx.schools:
            known = s.by_id[target]
            for index, obj, _ in ctx.in_scope(s, coll):
                value = obj.get(member)
                if not isinstance(value, str) or value in known:
                    continue
                if when is None or when(obj):
                    yield hit(ctx, s, coll, index, obj, f"/{member}", value=value)

    return check


def missing_listed(coll: str, member: str, target: str) -> DatasetCheck:
    """Objects listing, in a string array, identifiers the target collection does not hold."""

    def check(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
        # in_scope is active() for dated collections, so this serves periods and offerings.
        for s in ctx.schools:
            for index, obj, _ in ctx.in_scope(s, coll):
                for at, value in strings(obj, member):
                    if s.find(target, value) is None:
                        yield hit(ctx, s, coll, index, obj, f"/{member}/{at}", value=value)

    return check


def unknown_people(coll: str, member: str, *, students: bool) -> DatasetCheck:
    """Objects whose person reference ``member`` names no student (or employee) of the dataset."""

    def check(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
        people = ctx.students if students else ctx.employees
        by_master = people.by_master
        for s in ctx.schools:
            for index, obj, _ in ctx.in_scope(s, coll):
                ref = obj.get(member)
                if not isinstance(ref, dict):
                    continue
                master = ref.get("userMasterIdentifier")
                if isinstance(master, str) and master in by_master:
                    continue  # found by its primary identifier, as find() would first
                if people.find(ref) is None:
                    yield hit(ctx, s, coll, index, obj, f"/{member}", person=person_label(ref))

    return check


# --- study years against levels ------------------------------------------------------


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


def years_fit_level(
    coll: str, offering_of: Callable[[SchoolIndex, JsonObject], JsonObject | None]
) -> DatasetCheck:
    """Objects whose ``studyYear`` lies outside the years of their level (see the rule)."""

    def check(ctx: Context, rule: Rule) -> Iterator[DatasetHit]:
        for s in ctx.schools:
            sector = s.facts.sector if s.facts else None
            # The range of each offering, looked up once: many enrolments share one.
            ranges: dict[int, JsonObject | None] = {}
            for index, obj, _ in ctx.in_scope(s, coll):
                year = integer(obj, "studyYear")
                if year is None:
                    continue
                offering = offering_of(s, obj)
                key = id(offering)
                if key in ranges:
                    entry = ranges[key]
                else:
                    entry = ranges[key] = level_range(rule, sector, offering)
                if entry is None or entry["min"] <= year <= entry["max"]:
                    continue
                found = {"min": entry["min"], "max": entry["max"], "level": entry["level"]}
                yield hit(ctx, s, coll, index, obj, "/studyYear", value=year, **found)

    return check
