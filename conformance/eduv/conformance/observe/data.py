"""Observe-mode checks of the data: consistency between operations, filters, versions, rules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from eduv import spec
from eduv.conformance.catalogue import rule_check_id
from eduv.conformance.config import SchoolTarget
from eduv.conformance.model import Result
from eduv.conformance.reads import (
    ID_MEMBERS,
    JsonObject,
    ObserveContext,
    Observed,
    judge,
)
from eduv.conformance.session import list_operations
from eduv.conformance.tally import Tally
from eduv.dataset.convert import convert_object
from eduv.dataset.model import Dataset, School, SchoolFacts, school_key
from eduv.rules import check_dataset, check_message, load_catalogue

# Rules about the dataset's facts section, which no API message carries.
FACT_RULES = frozenset({"EDUV-ORG-011", "EDUV-ORG-012", "EDUV-DATA-004"})


def object_id(message: str, obj: JsonObject) -> str:
    """The identity of an object in a list: its id member, or a person's identifiers."""
    member = ID_MEMBERS.get(message)
    if member is not None:
        return str(obj.get(member))
    if "userMasterIdentifier" in obj:
        return str(obj["userMasterIdentifier"])
    if "organisationMasterIdentifier" in obj or "organisationIds" in obj:
        return school_key(obj)
    return orjson.dumps(obj.get("userIds"), option=orjson.OPT_SORT_KEYS).decode()


def canonical(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def lookups_match_lists(ctx: ObserveContext) -> list[Result]:
    tally = Tally("EDUV-CONF-LIST-001")
    for item in ctx.observed:
        if item.purpose != "read" or "id" not in item.op.parameter_in or item.school is None:
            continue
        body = item.op.success[1]
        if body is None:
            continue
        listed = _list_by_id(ctx, item, body.message)
        for obj in item.objects():
            key = object_id(body.message, obj)
            if key in listed and canonical(listed[key]) == canonical(obj):
                judge(tally, item, None)
            else:
                what = "differs from" if key in listed else "is missing from"
                judge(tally, item, f"{body.message} {key} fetched by id {what} the school's list")
    return tally.results(ctx.pairs)


def _list_by_id(ctx: ObserveContext, item: Observed, message: str) -> dict[str, JsonObject]:
    for op in list_operations(item.op.api, item.op.version):
        body = op.success[1]
        if body is not None and body.message == message:
            objs = ctx.listed(item.op.api, item.op.version, op.operation_id, item.school or "")
            return {object_id(message, o): o for o in objs}
    return {}


def period_filter(ctx: ObserveContext) -> list[Result]:
    tally = Tally("EDUV-CONF-FILTER-001")
    for api, version in ctx.pairs:
        for op in _period_lists(api, version):
            for school in ctx.schools:
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
        got = {object_id(message, o) for o in item.objects()}
        problem = (
            f"{op.operation_id} schoolPeriodId={period}: {len(got - wanted)} object(s) of "
            f"other periods, {len(wanted - got)} of this period missing"
        )
        judge(tally, item, None if got == wanted else problem)


def previous_version(ctx: ObserveContext) -> list[Result]:
    tally = Tally("EDUV-CONF-VER-002")
    sectors = {s.id: s.sector for s in ctx.schools}
    for source in spec.source_apis():
        api, current, previous = source.id, source.current, source.previous
        if (api, current) not in ctx.pairs or (api, previous) not in ctx.pairs:
            continue
        for op in list_operations(api, previous):
            for school in ctx.schools:
                _compare_versions(ctx, tally, op, current, school.id, sectors.get(school.id))
    pairs = [(a, v) for a, v in ctx.pairs if v == spec.api(a).previous]
    return tally.results(pairs, "t and t-1 are not both tested")


def _compare_versions(
    ctx: ObserveContext,
    tally: Tally,
    op: spec.Operation,
    current: str,
    school: str,
    sector: str | None,
) -> None:
    body = op.success[1]
    if body is None:
        return
    newer = ctx.listed(op.api, current, op.operation_id, school)
    older = ctx.listed(op.api, op.version, op.operation_id, school)
    expected = {
        object_id(body.message, o): convert_object(op.api, body.message, o, "down", sector)
        for o in newer
    }
    served = {object_id(body.message, o): o for o in older}
    differ = sorted(
        k for k in expected.keys() & served.keys() if canonical(expected[k]) != canonical(served[k])
    )
    lost, extra = expected.keys() - served.keys(), served.keys() - expected.keys()
    if not (differ or lost or extra):
        tally.ok(op.api, op.version, max(1, len(served)))
        return
    evidence = next(
        (
            i.answer.exchange
            for i in ctx.reads(op.api, op.version, op.operation_id)
            if i.school == school
        ),
        None,
    )
    tally.problem(
        op.api,
        op.version,
        f"{op.operation_id} at {school}: {len(differ)} object(s) differ from the converted "
        f"{current} objects (e.g. {', '.join(differ[:2]) or '-'}), {len(lost)} missing, "
        f"{len(extra)} extra",
        evidence,
    )


# -- rules ----------------------------------------------------------------------------------


def observed_dataset(ctx: ObserveContext) -> Dataset | None:
    """What the source serves in the current versions, assembled as a dataset."""
    shapes = {
        api.id: api.current for api in spec.source_apis() if (api.id, api.current) in ctx.pairs
    }
    if "association-api" not in shapes or "education-api" not in shapes:
        return None
    schools = [s for s in (_school(ctx, t) for t in ctx.schools) if s is not None]
    students = _people(ctx, "students-api", "get-students-for-school")
    employees = _people(ctx, "employees-api", "get-employees-for-school")
    facts = {
        t.id: SchoolFacts(sector="PO" if t.sector == "PO" else "VO")
        for t in ctx.schools
        if t.sector in ("PO", "VO")
    }
    return Dataset(
        shapes=shapes, schools=schools, students=students, employees=employees, facts=facts
    )


LISTS = {
    "schoolPeriods": ("association-api", "get-school-periods-for-school"),
    "groups": ("association-api", "get-groups-for-school"),
    "enrollments": ("association-api", "get-enrollments-for-school"),
    "assignments": ("association-api", "get-assignments-for-school"),
    "studyOfferings": ("education-api", "get-studyofferings-for-school"),
    "subjectOfferings": ("education-api", "get-subjectofferings-for-school"),
}


def _school(ctx: ObserveContext, target: SchoolTarget) -> School | None:
    version = spec.api("education-api").current
    orgs = ctx.listed("education-api", version, "get-organisations-by-school-search", target.id)
    org = next((o for o in orgs if school_key(o) == target.id), None)
    if org is None:
        return None
    school = School(organisation=org)
    for name, (api, operation_id) in LISTS.items():
        setattr(school, name, ctx.listed(api, spec.api(api).current, operation_id, target.id))
    return school


def _people(ctx: ObserveContext, api: str, operation_id: str) -> list[JsonObject]:
    found: dict[str, JsonObject] = {}
    for school in ctx.schools:
        for person in ctx.listed(api, spec.api(api).current, operation_id, school.id):
            found.setdefault(object_id("", person), person)
    return list(found.values())


def rule_results(
    ctx: ObserveContext, dataset: Dataset | None, subject: str | None = None
) -> list[Result]:
    """One result per rule check: errors fail it, warnings are noted."""
    tallies = {r.id: Tally(rule_check_id(r.id), subject) for r in load_catalogue().rules}
    if dataset is not None:
        # Every day the served data covers, or the day the tester asked for.
        found = check_dataset(dataset, as_of=ctx.cfg.as_of)
        _record(tallies, found, dataset.shapes)
    for item in ctx.observed:
        if item.purpose == "read" and item.op.version != spec.api(item.op.api).current:
            _message_rules(tallies, item)
    return _rule_outcomes(ctx, tallies, dataset)


def _record(tallies: dict[str, Tally], found: Iterable[Any], shapes: dict[str, str]) -> None:
    rules = load_catalogue().by_id
    for violation in found:
        rule = rules[violation.rule]
        for api, version in _where(rule.applies_to, shapes):
            text = f"{violation.message} ({', '.join(violation.pointers[:2])})"
            if violation.is_error:
                tallies[violation.rule].problem(api, version, text)
            else:
                tallies[violation.rule].note(api, version, text)
            break


def _where(applies: Any, shapes: dict[str, str]) -> Iterator[tuple[str, str]]:
    for api, version in shapes.items():
        if version in applies.get(api, ()):
            yield api, version


def _message_rules(tallies: dict[str, Tally], item: Observed) -> None:
    body = item.op.success[1]
    if body is None or not item.objects():
        return
    found = check_message(item.op.api, item.op.version, body.message, item.objects())
    for violation in found:
        tally = tallies[violation.rule or ""]
        text = f"{item.op.operation_id}: {violation.message}"
        if violation.is_error:
            tally.problem(item.op.api, item.op.version, text, item.answer.exchange)
        else:
            tally.note(item.op.api, item.op.version, text)


def _rule_outcomes(
    ctx: ObserveContext, tallies: dict[str, Tally], dataset: Dataset | None
) -> list[Result]:
    out: list[Result] = []
    for rule in load_catalogue().rules:
        tally = tallies[rule.id]
        pairs = [(a, v) for a, v in ctx.pairs if v in rule.applies_to.get(a, ())]
        if rule.id in FACT_RULES:
            reason = "about the dataset's facts, which no API message carries"
            out.extend(tally.results([], reason) or [_na(rule.id, reason)])
            continue
        if rule.kind == "dataset" and dataset is None:
            reason = "needs the association and education APIs in their current versions"
            out.extend(tally.results([], reason) or [_na(rule.id, reason)])
            continue
        for api, version in pairs:
            tally.ok(api, version)
        out.extend(tally.results(pairs) or [_na(rule.id, "no API version it applies to is tested")])
    return out


def _na(rule_id: str, reason: str) -> Result:
    from eduv.conformance.model import Outcome

    return Result(rule_check_id(rule_id), Outcome.NOT_APPLICABLE, reason)
