"""Chain rules on delivery orders: what they deliver, to whom, and how they are confirmed.

Each check walks one or two collections of a chain dataset once and answers its
questions through :class:`~eduv.rules.chain.context.ChainContext`. ``CHECKS`` at the end
binds the rules to their checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from eduv.dataset.chain.model import chain_collection
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

# Where each kind of exchanged object keeps its specification, and its identifier.
SPECIFIED = (
    ("deliveryOrders", "DeliveryOrder", "deliveryOrderId", "deliverySpecification"),
    ("entitlements", "Entitlement", "entitlementId", "entitlementSpecification"),
)


def _in_catalogue(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for name, component, key in (
        ("deliveryOrders", "DeliveryOrder", "deliveryOrderId"),
        ("entitlements", "Entitlement", "entitlementId"),
        ("activationCodeRequests", "ActivationCodeRequest", "requestReferenceId"),
    ):
        for where, item in ctx.each(name):
            if "productId" in item and item["productId"] not in ctx.products:
                params = {"object": component, "id": item.get(key)}
                yield ctx.hit(f"{where}/productId", {**params, "productId": item["productId"]})


def _delivered_ordered(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, order in ctx.each("deliveryOrders"):
        if order.get("productId") not in ctx.approved_products:
            params = {"deliveryOrderId": order.get("deliveryOrderId")}
            yield ctx.hit(f"{where}/productId", {**params, "productId": order.get("productId")})


def _type_offered(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    # The two lists spell some types differently; the delivery spelling leads.
    spelled: dict[str, str] = rule.parameters["catalogueNames"]
    unlisted: list[str] = rule.parameters["notInCatalogue"]
    for where, order in ctx.each("deliveryOrders"):
        product = ctx.products.get(order.get("productId"))
        kind = order.get("deliveryType")
        if product is None or "deliveryTypes" not in product or not isinstance(kind, str):
            continue
        if kind not in unlisted and spelled.get(kind, kind) not in as_list(
            product["deliveryTypes"]
        ):
            params = {"deliveryOrderId": order.get("deliveryOrderId"), "deliveryType": kind}
            yield ctx.hit(f"{where}/deliveryType", {**params, "productId": order.get("productId")})


def _schools_known(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, name, ref in school_refs(ctx):
        if ctx.school(ref) is None:
            component = chain_collection(name).component
            yield ctx.hit(where, {"object": component, "school": school_label(ref)})


def _listed(spec: JsonObject, member: str) -> list[tuple[str, Any]]:
    """(pointer inside the specification, person) for one person member, list or single."""
    value = spec.get(member)
    if isinstance(value, list):
        return [(f"/{member}/{i}", person) for i, person in enumerate(value)]
    return [(f"/{member}", value)] if member in spec else []


def _people_belong(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    members = (
        ("students", "student"),
        ("student", "student"),
        ("employees", "employee"),
        ("employee", "employee"),
    )
    for name, component, key, spec_member in SPECIFIED:
        for where, item in ctx.each(name):
            spec = as_object(item.get(spec_member))
            school = ctx.school(spec.get("school"))
            if school is None:
                continue
            for member, role in members:
                for at, person in _listed(spec, member):
                    if not keys_of(person) & ctx.people(school, role):
                        params = {"object": component, "id": item.get(key), "role": Phrase(role)}
                        values = {"person": label_of(person), "school": school.key}
                        yield ctx.hit(f"{where}/{spec_member}{at}", {**params, **values})


def _spec_ids_exist(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, order in ctx.each("deliveryOrders"):
        spec = as_object(order.get("deliverySpecification"))
        school = ctx.school(spec.get("school"))
        if school is None:
            continue
        for member, key, known in (
            ("studyYears", "studyYearId", school.studyYearIds),
            ("subjects", "subjectId", school.subjectIds),
            ("groups", "groupId", school.groupIds),
        ):
            for i, entry in dicts(spec.get(member)):
                if entry.get(key) not in known:
                    params = {"deliveryOrderId": order.get("deliveryOrderId"), "field": key}
                    values = {"value": entry.get(key), "school": school.key}
                    yield ctx.hit(f"{where}/deliverySpecification/{member}/{i}", params | values)


def _codes_issued(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for name, component, key, spec_member in SPECIFIED:
        for where, item in ctx.each(name):
            spec = as_object(item.get(spec_member))
            codes = as_list(spec.get("activationCodes"))
            codes += [spec["activationCode"]] if "activationCode" in spec else []
            for code in codes:
                issued = ctx.issued.get(code)
                if issued is None or issued[0] != item.get("productId"):
                    params = {"object": component, "id": item.get(key), "activationCode": code}
                    at = f"{where}/{spec_member}"
                    yield ctx.hit(at, {**params, "productId": item.get("productId")})


def _code_entitled_once(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    counts: Counter[Any] = Counter()
    places: dict[Any, str] = {}
    for where, item in ctx.each("entitlements"):
        code = as_object(item.get("entitlementSpecification")).get("activationCode")
        if code is not None:
            counts[code] += 1
            places.setdefault(code, f"{where}/entitlementSpecification/activationCode")
    for code, count in counts.items():
        if count > 1:
            yield ctx.hit(places[code], {"activationCode": code, "count": count})


def _asked(ctx: ChainContext, conf: JsonObject) -> JsonObject | None:
    """The delivery order the request a confirmation answers carried, or None."""
    requests = ctx.by("deliveryOrderRequests", "deliveryOrderReferenceId")
    request = requests.get(conf.get("deliveryOrderReferenceId"))
    return None if request is None else as_object(request.get("deliveryOrder"))


def _confirmation_answers(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, conf in ctx.each("deliveryOrderConfirmations"):
        order = _asked(ctx, conf)
        rid = conf.get("deliveryOrderReceiveId")
        if order is None:
            at = f"{where}/deliveryOrderReferenceId"
            yield ctx.hit(at, {"deliveryOrderReceiveId": rid, "problem": Phrase("no-request")})
            continue
        for name in ("deliveryOrderId", "productId"):
            if conf.get(name) != order.get(name):
                params = {"deliveryOrderReceiveId": rid, "problem": Phrase(f"other-{name}")}
                yield ctx.hit(f"{where}/{name}", params)


def _confirmed_total(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, conf in ctx.each("deliveryOrderConfirmations"):
        spec = as_object(as_object(_asked(ctx, conf)).get("deliverySpecification"))
        total, confirmed = spec.get("totalQuantity"), conf.get("newTotalQuantity")
        if confirmed is not None and total is not None and confirmed != total:
            params = {"deliveryOrderReceiveId": conf.get("deliveryOrderReceiveId")}
            values = {"newTotalQuantity": confirmed, "totalQuantity": total}
            yield ctx.hit(f"{where}/newTotalQuantity", {**params, **values})


def _next_status(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    following: dict[str, list[str]] = rule.parameters["next"]
    for where, conf in ctx.each("deliveryOrderConfirmations"):
        asked = as_object(_asked(ctx, conf)).get("status")
        # A declined change keeps the status; only a success proposes the next one.
        if conf.get("success") is not True or not isinstance(asked, str) or asked not in following:
            continue
        if conf.get("newStatus") not in following[asked]:
            params = {"deliveryOrderReceiveId": conf.get("deliveryOrderReceiveId")}
            values = {"requested": asked, "newStatus": conf.get("newStatus")}
            yield ctx.hit(f"{where}/newStatus", {**params, **values})


def _quantity_only_down(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    last: dict[Any, int] = {}
    for where, request in ctx.each("deliveryOrderRequests"):
        order = as_object(request.get("deliveryOrder"))
        total = spec_total(as_object(order.get("deliverySpecification")))
        key = order.get("deliveryOrderId")
        if total is None:
            continue
        if key in last and total > last[key]:
            params = {"deliveryOrderId": key, "before": last[key], "after": total}
            yield ctx.hit(f"{where}/deliveryOrder/deliverySpecification", params)
        # Before it is ordered a delivery order is a draft, which may still grow.
        if order.get("status") != "created":
            last[key] = total


def _core_stays(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    core: dict[str, dict[str, Any]] = rule.parameters["core"]
    for name, spec in core.items():
        member, key, fields = spec["member"], spec["id"], spec["fields"]
        first: dict[Any, JsonObject] = {}
        for where, request in ctx.each(name):
            item = as_object(request.get(member))
            ident = item.get(key)
            seen = first.get(ident)
            if seen is None:
                # A draft may still change; the first state sent on is what stays.
                if item.get(spec["status"]) not in spec["drafts"]:
                    first[ident] = item
                continue
            for field_name in fields:
                if item.get(field_name) != seen.get(field_name):
                    params = {"object": spec["component"], "id": ident, "field": field_name}
                    yield ctx.hit(f"{where}/{member}/{field_name}", params)


def _licensed_has_licence(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    licensed = {
        e.get("deliveryOrderId")
        for e in ctx.entitlements.values()
        if e.get("entitlementStatus") == "licensed"
    }
    for where, order in ctx.each("deliveryOrders"):
        if order.get("status") == "licensed" and order.get("deliveryOrderId") not in licensed:
            yield ctx.hit(f"{where}/status", {"deliveryOrderId": order.get("deliveryOrderId")})


# Which check each chain rule of this module is bound to.
CHECKS: dict[str, ChainCheck] = {
    "EDUV-CHAIN-011": _in_catalogue,
    "EDUV-CHAIN-012": _delivered_ordered,
    "EDUV-CHAIN-013": _type_offered,
    "EDUV-CHAIN-014": _schools_known,
    "EDUV-CHAIN-015": _people_belong,
    "EDUV-CHAIN-016": _spec_ids_exist,
    "EDUV-CHAIN-017": _codes_issued,
    "EDUV-CHAIN-018": _code_entitled_once,
    "EDUV-CHAIN-019": _confirmation_answers,
    "EDUV-CHAIN-020": _confirmed_total,
    "EDUV-CHAIN-021": _next_status,
    "EDUV-CHAIN-022": _quantity_only_down,
    "EDUV-CHAIN-023": _core_stays,
    "EDUV-CHAIN-024": _licensed_has_licence,
}
