"""Chain rules on people, schools and consent: who data is about, and who may receive it.

Each check walks one or two collections of a chain dataset once and answers its
questions through :class:`~eduv.rules.chain.context.ChainContext`. Which scope a consent
must grant and which data service an agreement must cover come from the rule's
``parameters``. ``CHECKS`` at the end binds the rules to their checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from eduv.dataset.chain.model import SchoolFacts, chain_collection
from eduv.rules.catalogue import Phrase, Rule
from eduv.rules.chain.context import (
    ChainCheck,
    ChainContext,
    keys_of,
    label_of,
    school_refs,
    spec_total,
)
from eduv.rules.hits import DatasetHit, JsonObject
from eduv.rules.values import as_list, as_object, dicts, school_label


def _school_phrase(school: SchoolFacts | None) -> dict[str, object]:
    if school is None:
        return {"school": Phrase("any-school")}
    return {"school": Phrase("the-school"), "schoolKey": school.key}


def _pupil_of(ctx: ChainContext, school_ref: Any, person: Any) -> tuple[bool, SchoolFacts | None]:
    """Whether the person is a pupil of the school named, or of any school when none is."""
    school = ctx.school(school_ref)
    keys = keys_of(person)
    if school is None:
        return any(keys & ctx.people(s, "student") for s in ctx.dataset.schools), None
    return bool(keys & ctx.people(school, "student")), school


def _results_for_pupils(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, message in ctx.each("results"):
        for i, statement in dicts(message.get("studentScoresAndResults")):
            student = statement.get("student")
            known, school = _pupil_of(ctx, message.get("school"), student)
            if not known:
                params = {"id": message.get("id"), "person": label_of(student)}
                at = f"{where}/studentScoresAndResults/{i}/student"
                yield ctx.hit(at, {**params, **_school_phrase(school)})


def _progress_for_pupils(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, report in ctx.each("progress"):
        # 0.0.1 names the pupil by eckId alone, and no school.
        person = report.get("student") or {"userMasterIdentifier": report.get("eckId")}
        known, school = _pupil_of(ctx, report.get("school"), person)
        if not known:
            at = f"{where}/student" if "student" in report else f"{where}/eckId"
            params = {"id": report.get("id"), "person": label_of(person)}
            yield ctx.hit(at, {**params, **_school_phrase(school)})


def _progress_id_keeps(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    first: dict[Any, JsonObject] = {}
    for where, report in ctx.each("progress"):
        seen = first.setdefault(report.get("id"), report)
        for name in ("student", "eckId", "assignableUnitId", "courseId"):
            if report.get(name) != seen.get(name):
                yield ctx.hit(f"{where}/{name}", {"id": report.get("id"), "field": name})


def _started_first(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    started: set[Any] = set()
    reports = sorted(ctx.each("progress"), key=lambda pair: str(pair[1].get("timestamp")))
    for where, report in reports:
        status = report.get("status")
        if status == "started":
            started.add(report.get("id"))
        elif status in ("not-started", "abandoned") and report.get("id") not in started:
            yield ctx.hit(f"{where}/status", {"id": report.get("id"), "status": status})


def _accepted(ctx: ChainContext) -> dict[tuple[str, str], set[str]]:
    """The scopes each school accepted per API, under its school key."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, consent in ctx.each("consents"):
        consumer = consent.get("consumerStatus", "accepted")
        if consent.get("providerStatus") != "accepted" or consumer != "accepted":
            continue
        school = ctx.consenting_school(consent)
        if school is not None:
            scopes = {str(s) for s in as_list(consent.get("scopes"))}
            found[(school.key, str(consent.get("api")))] |= scopes
    return found


def _exchanged(ctx: ChainContext) -> Iterator[tuple[str, str, Any, Any, str]]:
    """(pointer, component, id, school reference, API) of data that needs consent to flow."""
    for where, report in ctx.each("progress"):
        yield where, "SimpleProgress", report.get("id"), report.get("school"), "progress-api"
    for where, message in ctx.each("results"):
        component = "AssessmentScoresAndResults"
        yield where, component, message.get("id"), message.get("school"), "results-api"
    for where, ent in ctx.each("entitlements"):
        # Only an entitlement handed to a portal goes to a party that needs consent.
        if as_list(ent.get("urlStatuses")):
            school = as_object(ent.get("entitlementSpecification")).get("school")
            yield where, "Entitlement", ent.get("entitlementId"), school, "entitlement-api"


def _consented(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    accepted = _accepted(ctx)
    scopes: dict[str, list[str]] = rule.parameters["scopes"]
    for where, component, ident, school_ref, api in _exchanged(ctx):
        school = ctx.school(school_ref)
        if school is None:
            continue
        if not accepted.get((school.key, api), set()) & set(scopes[api]):
            params = {"object": component, "id": ident, "school": school.key, "api": api}
            yield ctx.hit(where, {**params, "scope": scopes[api][0]})


def _agreement(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    # The register of data services was renamed between the versions of the DPA API.
    by_version: dict[str, dict[str, str]] = rule.parameters["dataServices"]
    services = by_version.get(ctx.dataset.shapes.get("dpa-api", ""), {})
    agreements = [a for _, a in ctx.each("agreements") if a.get("valid") is True]
    for where, consent in ctx.each("consents"):
        if consent.get("providerStatus") != "accepted":
            continue
        school = ctx.consenting_school(consent)
        service = services.get(str(consent.get("api")))
        if school is None or service is None:
            continue
        covered = any(
            a.get("boardId") == school.boardId and service in as_list(a.get("dataServices"))
            for a in agreements
        )
        if not covered:
            params = {"api": consent.get("api"), "school": school.key, "board": school.boardId}
            yield ctx.hit(where, {**params, "service": service})


def _pupil_refs(ctx: ChainContext) -> Iterator[tuple[str, str, Any, Any]]:
    """(pointer, component, person reference, school reference) of pupils in chain data."""
    for where, order in ctx.each("deliveryOrders"):
        spec = as_object(order.get("deliverySpecification"))
        for i, person in enumerate(as_list(spec.get("students"))):
            at = f"{where}/deliverySpecification/students/{i}"
            yield at, "DeliveryOrder", person, spec.get("school")
        if "student" in spec:
            at = f"{where}/deliverySpecification/student"
            yield at, "DeliveryOrder", spec["student"], None
    for where, ent in ctx.each("entitlements"):
        spec = as_object(ent.get("entitlementSpecification"))
        if "student" in spec:
            at = f"{where}/entitlementSpecification/student"
            yield at, "Entitlement", spec["student"], spec.get("school")
    for where, report in ctx.each("progress"):
        if "student" in report:
            yield f"{where}/student", "SimpleProgress", report["student"], report.get("school")


def _pupils_by_master(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, component, person, school_ref in _pupil_refs(ctx):
        ref = as_object(person)
        if "userMasterIdentifier" in ref:
            continue
        school = ctx.school(school_ref)
        schools = [school] if school is not None else ctx.dataset.schools
        mine = keys_of(ref)
        for candidate in schools:
            for known in candidate.students:
                master = known.get("userMasterIdentifier")
                if isinstance(master, str) and mine & keys_of(known):
                    params = {"object": component, "person": label_of(ref), "master": master}
                    yield ctx.hit(where, params)


def _schools_by_master(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, name, ref in school_refs(ctx):
        if "organisationMasterIdentifier" in ref:
            continue
        school = ctx.school(ref)
        if school is not None and school.organisationMasterIdentifier:
            component = chain_collection(name).component
            params = {"object": component, "school": school_label(ref)}
            yield ctx.hit(where, {**params, "master": school.organisationMasterIdentifier})


def _contract_total(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, group in ctx.each("deliveryOrderEntitlements"):
        order = ctx.delivery_orders.get(group.get("deliveryOrderId"))
        if order is None or "totalQuantity" not in group:
            continue
        total = spec_total(as_object(order.get("deliverySpecification")))
        if total is not None and group["totalQuantity"] != total:
            params = {"deliveryOrderId": group.get("deliveryOrderId")}
            values = {"reported": group["totalQuantity"], "totalQuantity": total}
            yield ctx.hit(f"{where}/totalQuantity", {**params, **values})


# Which check each chain rule of this module is bound to.
CHECKS: dict[str, ChainCheck] = {
    "EDUV-CHAIN-046": _results_for_pupils,
    "EDUV-CHAIN-047": _progress_for_pupils,
    "EDUV-CHAIN-048": _progress_id_keeps,
    "EDUV-CHAIN-049": _started_first,
    "EDUV-CHAIN-050": _consented,
    "EDUV-CHAIN-051": _agreement,
    "EDUV-CHAIN-052": _pupils_by_master,
    "EDUV-CHAIN-053": _schools_by_master,
    "EDUV-CHAIN-055": _contract_total,
}
