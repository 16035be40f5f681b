"""EDUV-CONF-PERSON-001: a chain read for one person answers what concerns that person.

The Delivery, Entitlement and Usage APIs each have a read of one pupil or employee at a
school (POST, the person in the body). What such a read answers must name that person:
a delivery order or an entitlement in its specification (as its one person, or among
its pupils or staff), a usage overview in each of its entries. An object that names
someone else, or no one (an order for the whole school), is another read's answer.
Objects that carry no person at all (an entitlement's products) are not judged.
"""

from __future__ import annotations

from typing import Any

from eduv.conformance.model import Result
from eduv.conformance.reads import JsonObject, ObserveContext, judge
from eduv.conformance.tally import Tally

CHECK = "EDUV-CONF-PERSON-001"
APIS = ("delivery-api", "entitlement-api", "usage-api")
SPECIFICATIONS = ("deliverySpecification", "entitlementSpecification")
ONE = ("student", "employee")
SEVERAL = ("students", "employees")


def person_reads(ctx: ObserveContext) -> list[Result]:
    tally = Tally(CHECK)
    for item in ctx.observed:
        if item.purpose != "read" or item.op.api not in APIS or not item.ok:
            continue
        if item.op.method != "POST" or not isinstance(item.body, dict):
            continue
        wanted = _keys(item.body.get("user"))
        if not wanted:
            continue
        if not item.objects():
            judge(tally, item, None)  # nothing answered names someone else
        for index, obj in enumerate(item.objects()):
            named = _named(obj)
            if named is None:
                continue  # carries no person (EntitlementProduct)
            if named and all(wanted & keys for keys in named):
                judge(tally, item, None)
            else:
                params = {"operation": item.op.operation_id}
                judge(tally, item, "other-person", params, index=index)
    return tally.results([p for p in ctx.pairs if p[0] in APIS])


def _named(obj: JsonObject) -> list[set[tuple[str, str]]] | None:
    """Per part of an answered object that must name the person, the keys it names
    (one part for a specification, one per usage entry); None when the object is of a
    kind that names no person."""
    for member in SPECIFICATIONS:
        specification = obj.get(member)
        if isinstance(specification, dict):
            people: list[Any] = [specification.get(m) for m in ONE]
            for group in SEVERAL:
                listed = specification.get(group)
                people += listed if isinstance(listed, list) else []
            return [set().union(*(_keys(p) for p in people))]
    if "user" in obj and isinstance(obj.get("entitlements"), list):
        return [_keys(e.get("user")) for e in obj["entitlements"] if isinstance(e, dict)]
    return None


def _keys(ref: Any) -> set[tuple[str, str]]:
    """The identifiers of a UserReference: its master id and each typed secondary id."""
    if not isinstance(ref, dict):
        return set()
    found: set[tuple[str, str]] = set()
    master = ref.get("userMasterIdentifier")
    if isinstance(master, str) and master:
        found.add(("master", master))
    for item in ref.get("userIds") or ():
        if isinstance(item, dict) and isinstance(item.get("userId"), str):
            found.add((str(item.get("userIdType")), item["userId"]))
    return found
