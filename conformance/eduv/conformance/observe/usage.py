"""Observe mode and the Usage API: its answers are views of the same usage entries.

Every Usage read answers EntitlementUsage entries, one at a time (per entitlement) or
inside a DeliveryOrderUsage (per delivery order, contract or school) or a
SchoolUserUsage (per person). The school's usage is the list the other reads are held
against: an entry looked up any other way must be in it, and the same.
"""

from __future__ import annotations

from eduv.conformance.model import Where
from eduv.conformance.reads import JsonObject, ObserveContext, Observed, canonical, judge
from eduv.conformance.tally import Tally

SCHOOL_USAGE = "get-usage-for-school"
ENTRY = "EntitlementUsage"
# The Usage messages that hold entries in their member entitlements.
HOLDERS = frozenset({"DeliveryOrderUsage", "SchoolUserUsage"})
USAGE_MESSAGES = HOLDERS | {ENTRY}


def entries_of(message: str, obj: JsonObject) -> list[tuple[str, JsonObject]]:
    """The usage entries of one answered object, with their place in it."""
    if message == ENTRY:
        return [("", obj)]
    if message not in HOLDERS:
        return []
    held = obj.get("entitlements")
    if not isinstance(held, list):
        return []
    return [(f"/entitlements/{i}", e) for i, e in enumerate(held) if isinstance(e, dict)]


def match_entries(ctx: ObserveContext, tally: Tally, item: Observed, message: str) -> None:
    """EDUV-CONF-LIST-001 for a Usage lookup: each entry it answers is the entry of the
    same entitlement in the school's usage, and what the school's usage names (its
    delivery order, its entitlements) is found. A delivery order or contract it does not
    name may have no usage yet, so a 404 for one is no finding."""
    op = item.op
    listing = ctx.listing(op.api, op.version, SCHOOL_USAGE, item.school)
    overview = listing.objects() if listing is not None else []
    listed = {
        str(entry.get("entitlementId")): entry
        for obj in overview
        for _, entry in entries_of("DeliveryOrderUsage", obj)
    }
    if not item.ok:
        ident = str(item.params.get("id"))
        named = set(listed) | {str(o.get("deliveryOrderId")) for o in overview}
        if ident in named:
            params = {"operation": op.operation_id, "id": ident, "status": item.answer.status}
            where = Where(op.operation_id, item.answer.exchange, message, ident)
            tally.problem(
                op.api, op.version, "lookup-failed", params, where=where, subject=item.school
            )
        return
    for index, obj in enumerate(item.objects()):
        for pointer, entry in entries_of(message, obj):
            key = str(entry.get("entitlementId"))
            params = {"operation": op.operation_id, "component": ENTRY, "id": key}
            if key not in listed:
                judge(tally, item, "not-listed", params, index=index, pointer=pointer)
            elif canonical(listed[key]) != canonical(entry):
                judge(tally, item, "differs", params, index=index, pointer=pointer)
            else:
                judge(tally, item, None)
