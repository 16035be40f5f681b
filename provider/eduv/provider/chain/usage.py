"""The Usage API's answers, made from the stored usage reports (DeliveryOrderUsage).

The licence registry keeps one usage report per delivery order; every Usage read is a
view of those reports:

* per delivery order: the report as stored;
* per entitlement: the report's entry (EntitlementUsage) for that entitlement;
* per person at a school: one SchoolUserUsage with the entries whose user is that
  person, and the totals counted over them;
* per school and per contract: the text answers one DeliveryOrderUsage, which names one
  delivery order, while a school or a contract may have several. The provider answers
  the reports combined: every entry, the totals summed, and the first delivery order
  (in dataset order) in ``deliveryOrderId``, the one member the message requires that
  a combination cannot fill truthfully.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eduv.provider.keys import person_keys

JsonObject = dict[str, Any]
USAGE_API = "usage-api"
STATUSES = ("entitled", "licensed", "cancelled", "blocked")
# The reads whose one answer combines every report of a school or a contract.
COMBINED = frozenset({"get-usage-for-school", "get-usage-by-contract"})


def usage_answer(
    operation_id: str, reports: list[JsonObject], params: Mapping[str, Any], body: Any
) -> list[JsonObject]:
    """The objects of a Usage read's answer (empty when there is nothing to answer)."""
    if operation_id == "get-usage-by-entitlement":
        ident = params.get("id")
        return [e for e in entries(reports) if e.get("entitlementId") == ident][:1]
    if operation_id in COMBINED:
        return [_combined(reports)] if reports else []
    if operation_id == "get-usage-for-user-at-school":
        return _for_user(reports, body)
    return reports


def entries(reports: list[JsonObject]) -> list[JsonObject]:
    """Every EntitlementUsage of ``reports``, in order."""
    return [e for r in reports for e in r.get("entitlements") or () if isinstance(e, dict)]


def totals(held: list[JsonObject]) -> JsonObject:
    """The totals members of a report over ``held``: how many entries have each status."""
    return {
        f"total{status.capitalize()}": sum(e.get("entitlementStatus") == status for e in held)
        for status in STATUSES
    }


def _combined(reports: list[JsonObject]) -> JsonObject:
    out: JsonObject = {"deliveryOrderId": reports[0]["deliveryOrderId"]}
    names = [k for r in reports for k in r if k.startswith("total")]
    for name in dict.fromkeys(names):
        out[name] = sum(int(r.get(name, 0)) for r in reports)
    out["entitlements"] = entries(reports)
    return out


def _for_user(reports: list[JsonObject], body: Any) -> list[JsonObject]:
    wanted = set(person_keys(body["user"]))
    held = [e for e in entries(reports) if wanted & set(person_keys(e.get("user") or {}))]
    if not held:
        return []
    # The school and the person as the registry names them, not as the caller did.
    school = next((e["school"] for e in held if "school" in e), body["school"])
    return [{"school": school, "user": held[0]["user"], **totals(held), "entitlements": held}]
