"""Observe-mode checks of the data: consistency between operations, filters, versions, rules.

Every finding points at the answer it was seen in: the rule pass assembles what the
source serves into a dataset, remembers for each object of it the answer and the place
it came from, and maps each rule finding back there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from eduv import spec
from eduv.conformance.catalogue import rule_check_id
from eduv.conformance.config import SchoolTarget
from eduv.conformance.model import Note, Outcome, Result, Where
from eduv.conformance.observe.chain import (
    compare_chain_versions,
    is_chain_rule,
    record_chain_rules,
)
from eduv.conformance.observe.chain import judged as chain_judged
from eduv.conformance.observe.consents import match_consents
from eduv.conformance.observe.judging import compare_versions, nearest, rule_finding
from eduv.conformance.observe.usage import USAGE_MESSAGES, match_entries
from eduv.conformance.reads import (
    JsonObject,
    ObserveContext,
    Observed,
    canonical,
    judge,
    object_id,
    open_lists,
    school_params,
    where,
)
from eduv.conformance.session import list_operations
from eduv.conformance.tally import Tally
from eduv.dataset.convert import convert_object
from eduv.dataset.model import Dataset, School, SchoolFacts, school_key
from eduv.findings import Finding
from eduv.rules import check_dataset, check_message, load_catalogue

# Rules about the dataset's facts section, which no API message carries.
FACT_RULES = frozenset({"EDUV-ORG-011", "EDUV-ORG-012", "EDUV-DATA-004"})
T = TypeVar("T")


def lookups_match_lists(ctx: ObserveContext) -> list[Result]:
    """EDUV-CONF-LIST-001: an object fetched by id is the one the school's list holds."""
    tally = Tally("EDUV-CONF-LIST-001")
    for item in ctx.observed:
        if item.purpose != "read" or "id" not in item.op.parameter_in:
            continue
        if item.school is None and school_params(item.op, "-"):
            continue
        body = item.op.success[1]
        if body is None or body.array:
            continue  # the objects of one delivery order or contract, not a lookup
        if body.message in USAGE_MESSAGES:
            match_entries(ctx, tally, item, body.message)
            continue
        ident = str(item.params.get("id"))
        if not item.ok:
            # Listed, then refused when fetched by its own id.
            params = {"operation": item.op.operation_id, "id": ident, "status": item.answer.status}
            place = Where(item.op.operation_id, item.answer.exchange, body.message, ident)
            tally.problem(
                item.op.api,
                item.op.version,
                "lookup-failed",
                params,
                where=place,
                subject=item.school,
            )
            continue
        listed = _list_by_id(ctx, item, body.message)
        for index, obj in enumerate(item.objects()):
            key = object_id(body.message, obj)
            params = {"operation": item.op.operation_id, "component": body.message, "id": key}
            if key not in listed:
                judge(tally, item, "not-listed", params, index=index)
            elif canonical(listed[key]) != canonical(obj):
                judge(tally, item, "differs", params, index=index)
            else:
                judge(tally, item, None)
    match_consents(ctx, tally)
    return tally.results(ctx.pairs)


def _list_by_id(ctx: ObserveContext, item: Observed, message: str) -> dict[str, JsonObject]:
    api, version = item.op.api, item.op.version
    for op in [*list_operations(api, version), *open_lists(api, version)]:
        body = op.success[1]
        if body is not None and body.message == message:
            objs = ctx.listed(api, version, op.operation_id, item.school)
            return {object_id(message, o): o for o in objs}
    return {}


def period_filter(ctx: ObserveContext) -> list[Result]:
    """EDUV-CONF-FILTER-001: schoolPeriodId narrows a list to that period's objects."""
    tally = Tally("EDUV-CONF-FILTER-001")
    for api, version in ctx.pairs:
        for op in _period_lists(api, version):
            for school in ctx.testable(api, version):
                _filter_school(ctx, tally, op, school.id)
    return tally.results([p for p in ctx.pairs if p[0] == "association-api"])


def _period_lists(api: str, version: str) -> list[spec.Operation]:
    found = []
    for op in list_operations(api, version):
        body = op.success[1]
        if body is None or "schoolPeriodId" not in op.parameter_in:
            continue
        if "schoolPeriod" in spec.schema(api, version, body.message).get("properties", {}):
            found.append(op)
    return found


def _filter_school(ctx: ObserveContext, tally: Tally, op: spec.Operation, school: str) -> None:
    message = op.success[1].message if op.success[1] else ""
    everything = ctx.listed(op.api, op.version, op.operation_id, school)
    periods = sorted({str(o["schoolPeriod"]) for o in everything if o.get("schoolPeriod")})
    for period in periods[:2]:
        wanted = {object_id(message, o) for o in everything if o.get("schoolPeriod") == period}
        item = ctx.read(op, school, {"orgMasterId": school, "schoolPeriodId": period})
        got = set()
        base = {"operation": op.operation_id, "period": period, "component": message}
        for index, obj in enumerate(item.objects()):
            key = object_id(message, obj)
            got.add(key)
            found = obj.get("schoolPeriod")
            if key in wanted:
                judge(tally, item, None)
            else:
                params = {**base, "id": key, "other": found if isinstance(found, str) else "-"}
                judge(tally, item, "other-period", params, index=index)
        for key in sorted(wanted - got):
            place = Where(op.operation_id, item.answer.exchange, message, key)
            tally.problem(
                op.api, op.version, "left-out", {**base, "id": key}, where=place, subject=school
            )


def previous_version(ctx: ObserveContext) -> list[Result]:
    """EDUV-CONF-VER-002: t-1 serves the current objects converted to its shapes."""
    tally = Tally("EDUV-CONF-VER-002")
    sectors = {s.id: s.sector for s in ctx.schools}
    for source in spec.source_apis():
        api, current, previous = source.id, source.current, source.previous
        if (api, current) not in ctx.pairs or (api, previous) not in ctx.pairs:
            continue
        schools = [s for s in ctx.testable(api, current) if s in ctx.testable(api, previous)]
        for op in list_operations(api, previous):
            message = op.success[1].message if op.success[1] else ""
            for school in schools:
                down = partial(_down, api, message, sectors.get(school.id))
                compare_versions(ctx, tally, op, current, school.id, down)
    compare_chain_versions(ctx, tally)
    pairs = [(a, v) for a, v in ctx.pairs if v == spec.api(a).previous]
    return tally.results(pairs, Note("versions-not-both"))


def _down(api: str, message: str, sector: str | None, obj: JsonObject) -> JsonObject:
    return convert_object(api, message, obj, "down", sector)


# -- rules ----------------------------------------------------------------------------------


@dataclass
class Observation:
    """What the source serves in the current versions, as a dataset, and for each of its
    objects (by its pointer in the dataset) the answer and the index it came from."""

    dataset: Dataset
    origins: dict[str, tuple[Observed, int]] = field(default_factory=dict)

    def origin(self, pointer: str) -> tuple[Observed, int, str] | None:
        """The answer, index and the rest of the pointer of the object ``pointer`` is in."""
        found = nearest(self.origins, pointer)
        if found is None:
            return None
        (item, index), rest = found
        return item, index, rest


def observed_dataset(ctx: ObserveContext) -> Observation | None:
    """What the source serves in the current versions, assembled as a dataset."""
    shapes = {
        api.id: api.current for api in spec.source_apis() if (api.id, api.current) in ctx.pairs
    }
    if "association-api" not in shapes or "education-api" not in shapes:
        return None
    sources: dict[int, tuple[Observed, int]] = {}
    schools = [s for s in (_school(ctx, t, sources) for t in ctx.schools) if s is not None]
    students = _people(ctx, "students-api", "get-students-for-school", sources)
    employees = _people(ctx, "employees-api", "get-employees-for-school", sources)
    facts = {
        t.id: SchoolFacts(sector="PO" if t.sector == "PO" else "VO")
        for t in ctx.schools
        if t.sector in ("PO", "VO")
    }
    dataset = Dataset(
        shapes=shapes, schools=schools, students=students, employees=employees, facts=facts
    )
    found = Observation(dataset)
    for pointer, _coll, obj in dataset.iter_objects():
        origin = sources.get(id(obj))
        if origin is not None:
            found.origins[pointer] = origin
    return found


LISTS = {
    "schoolPeriods": ("association-api", "get-school-periods-for-school"),
    "groups": ("association-api", "get-groups-for-school"),
    "enrollments": ("association-api", "get-enrollments-for-school"),
    "assignments": ("association-api", "get-assignments-for-school"),
    "studyOfferings": ("education-api", "get-studyofferings-for-school"),
    "subjectOfferings": ("education-api", "get-subjectofferings-for-school"),
}


def _objects_of(
    item: Observed | None, sources: dict[int, tuple[Observed, int]]
) -> list[JsonObject]:
    if item is None:
        return []
    found = item.objects()
    for index, obj in enumerate(found):
        sources.setdefault(id(obj), (item, index))
    return found


def _school(
    ctx: ObserveContext, target: SchoolTarget, sources: dict[int, tuple[Observed, int]]
) -> School | None:
    version = spec.api("education-api").current
    if target not in ctx.testable("education-api", version):
        return None
    orgs = _objects_of(
        ctx.listing("education-api", version, "get-organisations-by-school-search", target.id),
        sources,
    )
    org = next((o for o in orgs if school_key(o) == target.id), None)
    if org is None:
        return None
    school = School(organisation=org)
    for name, (api, operation_id) in LISTS.items():
        listing = ctx.listing(api, spec.api(api).current, operation_id, target.id)
        setattr(school, name, _objects_of(listing, sources))
    return school


def _people(
    ctx: ObserveContext, api: str, operation_id: str, sources: dict[int, tuple[Observed, int]]
) -> list[JsonObject]:
    found: dict[str, JsonObject] = {}
    version = spec.api(api).current
    for school in ctx.testable(api, version):
        listing = ctx.listing(api, version, operation_id, school.id)
        for person in _objects_of(listing, sources):
            found.setdefault(object_id("", person), person)
    return list(found.values())


def rule_results(
    ctx: ObserveContext, seen: Observation | None, subject: str | None = None
) -> list[Result]:
    """One result per rule check: errors fail it, warnings are listed with it."""
    tallies = {r.id: Tally(rule_check_id(r.id), subject) for r in load_catalogue().rules}
    used: set[int] = set()
    if seen is not None:
        # Every day the served data covers, or the day the tester asked for.
        found = check_dataset(seen.dataset, as_of=ctx.cfg.as_of, lang=ctx.cfg.lang)
        _record(tallies, found, seen)
        used = {id(item) for item, _ in seen.origins.values()}
    record_chain_rules(ctx, tallies)
    for item in ctx.observed:
        # Every other answer (lookups by id, the previous versions) by the message rules.
        if (
            item.purpose == "read"
            and id(item) not in used
            and (item.op.api, item.op.version) in ctx.pairs
        ):
            _message_rules(tallies, item, ctx.cfg.lang)
    return _rule_outcomes(ctx, tallies, seen)


def _record(tallies: dict[str, Tally], found: Iterable[Finding], seen: Observation) -> None:
    rules = load_catalogue().by_id
    for violation in found:
        rule = rules[violation.rule or ""]
        origin = seen.origin(violation.instance_path)
        api: str | None
        version: str | None
        if origin is not None:
            item, index, rest = origin
            api, version = item.op.api, item.op.version
            place = where(item, index, rest)
            subject = item.school
        else:
            first = next(_where(rule.applies_to, seen.dataset.shapes), None)
            api, version = (first[0], first[1]) if first else (None, None)
            place = Where(pointer=violation.instance_path)
            subject = next((o.school for o in violation.objects if o.school), None)
        rule_finding(tallies[rule.id], violation, api, version, place, subject)


def _where(applies: Any, shapes: dict[str, str]) -> Iterator[tuple[str, str]]:
    for api, version in shapes.items():
        if version in applies.get(api, ()):
            yield api, version


def _message_rules(tallies: dict[str, Tally], item: Observed, lang: Any) -> None:
    body = item.op.success[1]
    objects = item.objects()
    if body is None or not objects:
        return
    for index, obj in enumerate(objects):
        for violation in check_message(item.op.api, item.op.version, body.message, obj, lang):
            place = where(item, index, violation.instance_path)
            tally = tallies[violation.rule or ""]
            rule_finding(tally, violation, item.op.api, item.op.version, place, item.school)


def _rule_outcomes(
    ctx: ObserveContext, tallies: dict[str, Tally], seen: Observation | None
) -> list[Result]:
    out: list[Result] = []
    for rule in load_catalogue().rules:
        tally = tallies[rule.id]
        pairs = [(a, v) for a, v in ctx.pairs if v in rule.applies_to.get(a, ())]
        if rule.id in FACT_RULES:
            reason = Note("rule-facts")
            out.extend(tally.results([], reason) or [_na(rule.id, reason)])
            continue
        if is_chain_rule(rule):
            if not chain_judged(rule, ctx):
                reason = Note("rule-chain-unread")
                out.extend(tally.results([], reason) or [_na(rule.id, reason)])
                continue
        elif rule.kind == "dataset" and seen is None:
            reason = Note("rule-needs-current")
            out.extend(tally.results([], reason) or [_na(rule.id, reason)])
            continue
        for api, version in pairs:
            tally.ok(api, version)
        out.extend(tally.results(pairs) or [_na(rule.id, Note("rule-no-version"))])
    return out


def _na(rule_id: str, reason: Note) -> Result:
    return Result(rule_check_id(rule_id), Outcome.NOT_APPLICABLE, reason)
