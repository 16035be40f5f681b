"""Rules on one message of an exchange: orders, delivery orders, entitlements, activation codes.

Which member a delivery or entitlement type needs in its specification comes from the
rule's ``parameters``; ``CHECKS`` at the end binds the rules to their checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from eduv.rules.catalogue import Phrase, Rule
from eduv.rules.chain.shapes import not_before, once_each, present_when
from eduv.rules.hits import Hit, JsonObject, MessageCheck
from eduv.rules.values import as_list, as_object, compiled, dicts, text


def is_school(ref: JsonObject) -> bool:
    """Whether a buyer is a school (a SchoolReference) rather than a customer."""
    return "organisationMasterIdentifier" in ref or "organisationIds" in ref


# --- orders ------------------------------------------------------------------------


def _order_status(confirmation: JsonObject) -> Any:
    return confirmation.get("orderStatus", confirmation.get("creditOrderStatus"))


def _declined_not_success(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    if _order_status(c) == "declined" and c.get("success") is True:
        yield "/success", {"orderStatus": "declined", "success": True}


def _approved_not_failed(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    if _order_status(c) in ("approved", "pending") and c.get("success") is False:
        yield "/success", {"orderStatus": _order_status(c)}


def _line_ids_distinct(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    for name in ("orderLines", "orderConfirmationLines", "creditOrderConfirmationLines"):
        seen: set[Any] = set()
        for index, line in dicts(m.get(name)):
            line_id = line.get("purchaseOrderLineId")
            if line_id is not None and line_id in seen:
                yield f"/{name}/{index}/purchaseOrderLineId", {"purchaseOrderLineId": line_id}
            seen.add(line_id)


def _quantities_positive(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    places = [("", m)] + [(f"/orderLines/{i}", line) for i, line in dicts(m.get("orderLines"))]
    for where, holder in places:
        quantity = holder.get("quantity")
        if isinstance(quantity, int) and quantity < 1:
            yield f"{where}/quantity", {"field": "quantity", "quantity": quantity}


def _country_code(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    code = text(as_object(m.get("deliveryLocation")), "countryCode")
    if code and not compiled(rule.parameters["pattern"]).search(code):
        yield "/deliveryLocation/countryCode", {"countryCode": code}


def _has_lines(m: JsonObject, rule: Rule) -> Iterator[Hit]:
    if "orderLines" in m and not as_list(m.get("orderLines")):
        yield "/orderLines", {"purchaseOrderId": m.get("purchaseOrderId")}


# --- delivery orders ---------------------------------------------------------------


def _end_only_cancelled(d: JsonObject, rule: Rule) -> Iterator[Hit]:
    if "endDate" in d and d.get("status") != "cancelled":
        params = {"deliveryOrderId": d.get("deliveryOrderId"), "endDate": d["endDate"]}
        yield "/endDate", {**params, "status": d.get("status")}


def _buyer_fits(d: JsonObject, rule: Rule) -> Iterator[Hit]:
    kind, buyer = d.get("deliveryType"), as_object(d.get("buyer"))
    if not isinstance(kind, str) or not buyer:
        return
    expected = "school" if kind.startswith("school-") else "customer"
    found = "school" if is_school(buyer) else "customer"
    if found != expected:
        params = {"deliveryOrderId": d.get("deliveryOrderId"), "deliveryType": kind}
        yield "/buyer", {**params, "found": Phrase(found), "expected": Phrase(expected)}


def _spec_fits(d: JsonObject, rule: Rule) -> Iterator[Hit]:
    kind, spec = d.get("deliveryType"), as_object(d.get("deliverySpecification"))
    needed: dict[str, str] = rule.parameters["specification"]
    if not isinstance(kind, str) or kind not in needed:
        return
    member = needed[kind]
    if member not in spec or (kind.startswith("school-") and "school" not in spec):
        params = {"deliveryOrderId": d.get("deliveryOrderId"), "deliveryType": kind}
        yield "/deliverySpecification", {**params, "expected": member}


def _spec_school_is_buyer(d: JsonObject, rule: Rule) -> Iterator[Hit]:
    buyer = as_object(d.get("buyer"))
    school = as_object(as_object(d.get("deliverySpecification")).get("school"))
    if buyer and school and is_school(buyer) and buyer != school:
        yield "/deliverySpecification/school", {"deliveryOrderId": d.get("deliveryOrderId")}


def _quantities_add_up(d: JsonObject, rule: Rule) -> Iterator[Hit]:
    spec = as_object(d.get("deliverySpecification"))
    total = spec.get("totalQuantity")
    if not isinstance(total, int):
        return
    for name in ("studyYears", "subjects", "groups"):
        entries = [e for _, e in dicts(spec.get(name))]
        quantities = [e.get("quantity") for e in entries]
        # A part without a quantity leaves the sum open: only complete lists add up.
        if entries and all(isinstance(q, int) for q in quantities):
            summed = sum(q for q in quantities if isinstance(q, int))
            if summed != total:
                params = {"deliveryOrderId": d.get("deliveryOrderId"), "sum": summed}
                yield f"/deliverySpecification/{name}", {**params, "totalQuantity": total}


def _customer_email(d: JsonObject, rule: Rule) -> Iterator[Hit]:
    email = text(as_object(d.get("buyer")), "email")
    if email and not compiled(rule.parameters["pattern"]).search(email):
        yield "/buyer/email", {"email": email}


# --- entitlements ------------------------------------------------------------------


def _entitlement_end(e: JsonObject, rule: Rule) -> Iterator[Hit]:
    if e.get("entitlementStatus") in ("cancelled", "blocked") and "endDate" not in e:
        params = {"entitlementId": e.get("entitlementId")}
        yield "", {**params, "entitlementStatus": e.get("entitlementStatus")}


def _entitlement_spec_fits(e: JsonObject, rule: Rule) -> Iterator[Hit]:
    needed: dict[str, list[str]] = rule.parameters["specification"]
    kind, spec = e.get("entitlementType"), e.get("entitlementSpecification")
    if not isinstance(kind, str) or not isinstance(spec, dict):
        return
    for member in needed.get(kind, ()):
        if member not in spec:
            params = {"entitlementId": e.get("entitlementId"), "entitlementType": kind}
            yield "/entitlementSpecification", {**params, "expected": member}


def _has_spec(e: JsonObject, rule: Rule) -> Iterator[Hit]:
    if "entitlementSpecification" not in e:
        yield "", {"entitlementId": e.get("entitlementId")}


def _says_what(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    if c.get("success") is True and "newEntitlementStatus" not in c and "newUrlStatus" not in c:
        yield "", {"entitlementReceiveId": c.get("entitlementReceiveId")}


def status_totals(statuses: tuple[str, ...], id_member: str | None) -> MessageCheck:
    """Each ``total<Status>`` member counts the listed entitlements of that status."""

    def check(m: JsonObject, rule: Rule) -> Iterator[Hit]:
        counts = Counter(e.get("entitlementStatus") for _, e in dicts(m.get("entitlements")))
        for status in statuses:
            name = f"total{status.capitalize()}"
            total = m.get(name)
            if isinstance(total, int) and total != counts[status]:
                params: dict[str, object] = {"field": name, "total": total}
                if id_member is not None:
                    params[id_member] = m.get(id_member)
                yield f"/{name}", {**params, "count": counts[status]}

    return check


def _group_members(g: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, e in dicts(g.get("entitlements")):
        other = e.get("deliveryOrderId")
        if other is not None and other != g.get("deliveryOrderId"):
            params = {"entitlementId": e.get("entitlementId"), "other": other}
            at = f"/entitlements/{index}/deliveryOrderId"
            yield at, {**params, "deliveryOrderId": g.get("deliveryOrderId")}


# --- activation codes --------------------------------------------------------------


def _codes_on_success(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    if c.get("success") is True and not as_list(c.get("activationCodes")):
        yield "/activationCodes", {"responseReferenceId": c.get("responseReferenceId")}


def _no_codes_on_failure(c: JsonObject, rule: Rule) -> Iterator[Hit]:
    codes = as_list(c.get("activationCodes"))
    if c.get("success") is False and codes:
        params = {"responseReferenceId": c.get("responseReferenceId"), "count": len(codes)}
        yield "/activationCodes", params


def _codes_requested(r: JsonObject, rule: Rule) -> Iterator[Hit]:
    quantity = r.get("quantity")
    if isinstance(quantity, int) and quantity < 1:
        yield "/quantity", {"requestReferenceId": r.get("requestReferenceId"), "quantity": quantity}


# Which check each exchange message rule is bound to.
CHECKS: dict[str, MessageCheck] = {
    "EDUV-ORDER-001": _declined_not_success,
    "EDUV-ORDER-002": _approved_not_failed,
    "EDUV-ORDER-003": _line_ids_distinct,
    "EDUV-ORDER-004": _quantities_positive,
    "EDUV-ORDER-005": _country_code,
    "EDUV-ORDER-006": _has_lines,
    "EDUV-DELIVERY-001": present_when("deliveryOrderId", "status", ("cancelled",), "endDate"),
    "EDUV-DELIVERY-002": _end_only_cancelled,
    "EDUV-DELIVERY-003": _buyer_fits,
    "EDUV-DELIVERY-004": _spec_fits,
    "EDUV-DELIVERY-005": _spec_school_is_buyer,
    "EDUV-DELIVERY-006": _quantities_add_up,
    "EDUV-DELIVERY-007": not_before(
        "deliveryOrderId", "startDate", "activationUntilDate", "DeliveryOrder"
    ),
    "EDUV-DELIVERY-008": _customer_email,
    "EDUV-DELIVERY-009": once_each("deliveryOrderId", "portals"),
    "EDUV-ENTITLE-001": _entitlement_end,
    "EDUV-ENTITLE-002": _entitlement_spec_fits,
    "EDUV-ENTITLE-003": _has_spec,
    "EDUV-ENTITLE-004": once_each("entitlementId", "urlStatuses", "portal"),
    "EDUV-ENTITLE-005": _says_what,
    "EDUV-ENTITLE-006": status_totals(
        ("created", "entitled", "licensed", "cancelled", "blocked"), "deliveryOrderId"
    ),
    "EDUV-ENTITLE-007": _group_members,
    "EDUV-ENTITLE-008": not_before(
        "entitlementId", "startDate", "activationUntilDate", "Entitlement"
    ),
    "EDUV-ENTITLE-009": not_before("entitlementId", "startDate", "expirationDate", "Entitlement"),
    "EDUV-ACTCODE-001": _codes_on_success,
    "EDUV-ACTCODE-002": _no_codes_on_failure,
    "EDUV-ACTCODE-003": once_each("responseReferenceId", "activationCodes"),
    "EDUV-ACTCODE-004": _codes_requested,
}
