"""Observe mode, first pass: read everything the source serves for the tested schools.

Per API version and school: every list operation, the school's Organisation, a sample
of objects fetched again by id, and a sample of people looked up one by one (the POST
searches only read). The sample size bounds the request count on large schools.
"""

from __future__ import annotations

from collections.abc import Callable

from eduv.conformance.config import CHAIN_READ_APIS
from eduv.conformance.observe import agreements
from eduv.conformance.reads import (
    DPA_API,
    ID_MEMBERS,
    JsonObject,
    ObserveContext,
    Observed,
    allowed,
    canonical,
    open_lists,
    parameter_values,
    path_lists,
    school_params,
)
from eduv.conformance.session import list_operations
from eduv.spec import Operation, operations, schema

Progress = Callable[[str], None]


def collect(ctx: ObserveContext, progress: Progress) -> None:
    for api, version in ctx.pairs:
        if api == DPA_API:
            progress(f"reading {api} {version}")
            agreements.collect(ctx, version)
            continue
        if api in CHAIN_READ_APIS:
            _chain(ctx, api, version, progress)
            continue
        for school in ctx.testable(api, version):
            progress(f"reading {api} {version} for {school.id}")
            lists = [
                ctx.read(op, school.id, {"orgMasterId": school.id}) for op in _lists(api, version)
            ]
            for listing in lists:
                _by_id(ctx, listing)
            _people(ctx, api, version, school.id, lists)


def _lists(api: str, version: str) -> list[Operation]:
    return list_operations(api, version)


def _by_id(ctx: ObserveContext, listing: Observed) -> None:
    """Fetch a sample of a list's objects again through the lookup-by-id operation."""
    body = listing.op.success[1]
    member = ID_MEMBERS.get(body.message) if body else None
    lookup = _lookup(listing.op.api, listing.op.version, body.message if body else "")
    if member is None or lookup is None:
        return
    for obj in listing.objects()[: ctx.cfg.sample]:
        value = obj.get(member)
        if isinstance(value, str):
            params = {"id": value, **school_params(lookup, listing.school)}
            ctx.read(lookup, listing.school, params)


def _lookup(api: str, version: str, message: str) -> Operation | None:
    for op in operations(api, version):
        body = op.success[1]
        if (
            "id" in op.parameter_in
            and body is not None
            and body.message == message
            and not body.array
        ):
            return op
    return None


# The chain reads of the objects of one delivery order, contract or entitlement, and the
# member of a school's listed objects (or of their usage entries) that names it.
CHAIN_FOLLOW_UPS = {
    "get-delivery-orders-by-contract": "contractId",
    "get-entitlements-by-delivery-order": "deliveryOrderId",
    "get-entitlements-by-contract": "contractId",
    "get-usage-by-deliveryorder": "deliveryOrderId",
    "get-usage-by-entitlement": "entitlementId",
    "get-usage-by-contract": "contractId",
}
# A school's usage names one delivery order and no contract; the school's delivery
# orders, when read, name the others.
BORROWED = {"usage-api": ("delivery-api", "get-delivery-orders-for-school")}


def _chain(ctx: ObserveContext, api: str, version: str, progress: Progress) -> None:
    """A chain API: its open lists once (the catalogue), its lists per school, a sample
    of objects again by id, and the objects of a sample of delivery orders and contracts."""
    progress(f"reading {api} {version}")
    for op in open_lists(api, version):
        _by_id(ctx, ctx.read(op, None, {}))
    for op in path_lists(api, version):
        _by_path(ctx, op, api, version)
    for school in ctx.testable(api, version):
        lists = [ctx.read(op, school.id, {"orgMasterId": school.id}) for op in _lists(api, version)]
        for listing in lists:
            _by_id(ctx, listing)
        for op in operations(api, version):
            member = CHAIN_FOLLOW_UPS.get(op.operation_id)
            if member is None:
                continue
            values = {o.get(member) for o in _followed(ctx, api, school.id, lists)}
            for value in sorted(v for v in values if isinstance(v, str))[: ctx.cfg.sample]:
                ctx.read(op, school.id, {"id": value})
        _chain_people(ctx, api, version, school.id, lists)


def _by_path(ctx: ObserveContext, op: Operation, api: str, version: str) -> None:
    """A read whose path names an API (Consent 0.0.2): once per API its list names, and
    per school where the path names the school too."""
    named = parameter_values(op, "api") if op.parameter_in.get("api") == "path" else [""]
    per_school = op.parameter_in.get("edu_org_id") == "path"
    schools = [s.id for s in ctx.testable(api, version)] if per_school else [None]
    for value in named:
        for school in schools:
            params = {"api": value} if value else {}
            if school is not None:
                params["edu_org_id"] = school
            ctx.read(op, school, params)


def _followed(
    ctx: ObserveContext, api: str, school: str, lists: list[Observed]
) -> list[JsonObject]:
    """The objects whose members name the follow-up reads: the school's listed objects,
    their usage entries, and the objects of another API's list ``BORROWED`` names."""
    found = [o for listing in lists for o in listing.objects()]
    found += [e for o in found for e in o.get("entitlements") or () if isinstance(e, dict)]
    if api in BORROWED:
        other, operation_id = BORROWED[api]
        found += [o for item in ctx.reads_of(other, operation_id, school) for o in item.objects()]
    return found


def _chain_people(
    ctx: ObserveContext, api: str, version: str, school: str, lists: list[Observed]
) -> None:
    """The POST reads of one person at a school, for a sample of the people the school's
    delivery orders and entitlements name."""
    named: dict[bytes, JsonObject] = {}
    for listing in lists:
        for obj in listing.objects():
            for person in _people_named(obj):
                named.setdefault(canonical(person), person)
    if not named:
        # No one named here (orders for whole schools or groups): ask for the school's
        # pupils, whose answer must then hold nothing that names someone else.
        for person in _people_of(ctx, "get-students-for-school", school, []):
            named.setdefault(canonical(_ref(person)), _ref(person))
    people = list(named.values())[: ctx.cfg.sample]
    for op in operations(api, version):
        if op.method != "POST" or not allowed(op) or "user" not in _members(op):
            continue
        for person in people:
            body = {"school": {"organisationMasterIdentifier": school}, "user": person}
            ctx.read(op, school, {}, body)


def _people_named(obj: JsonObject) -> list[JsonObject]:
    """The people a delivery or entitlement specification, or a usage entry, names
    (UserReferences)."""
    found: list[JsonObject] = [
        e["user"]
        for e in obj.get("entitlements") or ()
        if isinstance(e, dict) and isinstance(e.get("user"), dict)
    ]
    for member in ("deliverySpecification", "entitlementSpecification"):
        specification = obj.get(member)
        if not isinstance(specification, dict):
            continue
        for key in ("student", "employee"):
            if isinstance(specification.get(key), dict):
                found.append(specification[key])
        for key in ("students", "employees"):
            found += [p for p in specification.get(key) or () if isinstance(p, dict)]
    return [_ref(p) for p in found if _ref(p)]


def _members(op: Operation) -> set[str]:
    body = op.request
    if body is None:
        return set()
    return set(schema(op.api, op.version, body.message).get("properties", {}))


# The POST operations that look one person up, and the body member naming the person.
PERSON_SEARCHES = {
    "search-student": ("get-students-for-school", "student"),
    "search-employee": ("get-employees-for-school", "employee"),
    "get-enrollments-for-student-at-school": ("get-students-for-school", "student"),
    "get-assignments-for-employee-at-school": ("get-employees-for-school", "employee"),
}


def _people(
    ctx: ObserveContext, api: str, version: str, school: str, lists: list[Observed]
) -> None:
    for op in operations(api, version):
        if op.operation_id not in PERSON_SEARCHES:
            continue
        source, member = PERSON_SEARCHES[op.operation_id]
        people = _people_of(ctx, source, school, lists)
        for person in people[: ctx.cfg.sample]:
            body = {"school": {"organisationMasterIdentifier": school}, member: _ref(person)}
            ctx.read(op, school, {}, body)


def _people_of(
    ctx: ObserveContext, source: str, school: str, lists: list[Observed]
) -> list[JsonObject]:
    for listing in lists:
        if listing.op.operation_id == source:
            return listing.objects()
    api = "students-api" if "student" in source else "employees-api"
    for other_api, version in ctx.pairs:
        if other_api == api:
            return ctx.listed(api, version, source, school)
    return []


def _ref(person: JsonObject) -> JsonObject:
    ref: JsonObject = {}
    for name in ("userMasterIdentifier", "userIds"):
        if name in person:
            ref[name] = person[name]
    return ref
