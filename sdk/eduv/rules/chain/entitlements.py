"""Chain rules on entitlements: where they come from, for whom, and how they are confirmed.

Each check walks one or two collections of a chain dataset once and answers its
questions through :class:`~eduv.rules.chain.context.ChainContext`. ``CHECKS`` at the end
binds the rules to their checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from eduv.rules.catalogue import Phrase, Rule
from eduv.rules.chain.context import ChainCheck, ChainContext, keys_of, spec_total
from eduv.rules.hits import DatasetHit, JsonObject
from eduv.rules.values import as_list, as_object, dicts


def _orders(ctx: ChainContext) -> Iterator[tuple[str, JsonObject, JsonObject]]:
    """(pointer, entitlement, delivery order) for every entitlement whose order is known."""
    for where, ent in ctx.each("entitlements"):
        order = ctx.delivery_orders.get(ent.get("deliveryOrderId"))
        if order is not None:
            yield where, ent, order


def _from_delivery(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, ent in ctx.each("entitlements"):
        ref = ent.get("deliveryOrderId")
        if ref is None:  # optional from 1.1.0 on
            continue
        eid = ent.get("entitlementId")
        order = ctx.delivery_orders.get(ref)
        if order is None:
            at = f"{where}/deliveryOrderId"
            yield ctx.hit(at, {"entitlementId": eid, "problem": Phrase("no-delivery-order")})
            continue
        for name in ("productId", "contractId"):
            if ent.get(name) != order.get(name):
                params = {"entitlementId": eid, "problem": Phrase(f"other-{name}")}
                yield ctx.hit(f"{where}/{name}", params)


def _shared(one: Any, others: list[Any]) -> bool:
    mine = keys_of(one)
    return any(mine & keys_of(other) for other in others)


def _mismatch(ctx: ChainContext, ent: JsonObject, order: JsonObject, rule: Rule) -> str | None:
    """Why the entitlement is not for someone its delivery order names, or None."""
    espec = as_object(ent.get("entitlementSpecification"))
    dspec = as_object(order.get("deliverySpecification"))
    kind = order.get("deliveryType")
    if kind == "school-students" and not _shared(
        espec.get("student"), as_list(dspec.get("students"))
    ):
        return "pupil-not-listed"
    if kind == "school-employees":
        if not _shared(espec.get("employee"), as_list(dspec.get("employees"))):
            return "employee-not-listed"
    elif kind == "school-activationcodes":
        if espec.get("activationCode") not in as_list(dspec.get("activationCodes")):
            return "code-not-listed"
    elif kind == "customer-user":
        if not _shared(espec.get("student"), [dspec.get("student")]):
            return "other-pupil"
    elif kind == "customer-activatoncode":
        if espec.get("activationCode") != dspec.get("activationCode"):
            return "other-code"
    elif kind in rule.parameters["openTypes"]:
        school = ctx.school(dspec.get("school"))
        role = "employee" if "employee" in espec else "student"
        if school is not None and not keys_of(espec.get(role)) & ctx.people(school, role):
            return f"{role}-not-at-school"
    return None


def _for_whom(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, ent, order in _orders(ctx):
        problem = _mismatch(ctx, ent, order, rule)
        if problem is not None:
            params = {
                "entitlementId": ent.get("entitlementId"),
                "entitlementType": ent.get("entitlementType"),
                "deliveryOrderId": order.get("deliveryOrderId"),
                "deliveryType": order.get("deliveryType"),
            }
            yield ctx.hit(
                f"{where}/entitlementSpecification", {**params, "problem": Phrase(problem)}
            )


def _window_of_order(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, ent, order in _orders(ctx):
        mine = (ent.get("startDate"), ent.get("activationUntilDate"))
        theirs = (order.get("startDate"), order.get("activationUntilDate"))
        if mine != theirs:
            params = {"entitlementId": ent.get("entitlementId"), "start": mine[0], "until": mine[1]}
            yield ctx.hit(
                f"{where}/startDate", {**params, "orderStart": theirs[0], "orderUntil": theirs[1]}
            )


def _within_quantity(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    ended = rule.parameters["notCounted"]
    live: Counter[Any] = Counter(
        e.get("deliveryOrderId")
        for e in ctx.entitlements.values()
        if e.get("entitlementStatus") not in ended
    )
    for where, order in ctx.each("deliveryOrders"):
        total = spec_total(as_object(order.get("deliverySpecification")))
        count = live[order.get("deliveryOrderId")]
        if total is not None and count > total:
            params = {"deliveryOrderId": order.get("deliveryOrderId"), "count": count}
            yield ctx.hit(where, {**params, "totalQuantity": total})


def _portals(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, ent, order in _orders(ctx):
        have = {u.get("portal") for _, u in dicts(ent.get("urlStatuses"))}
        for portal in as_list(order.get("portals")):
            if portal not in have:
                params = {"entitlementId": ent.get("entitlementId"), "portal": portal}
                yield ctx.hit(f"{where}/urlStatuses", params)


def _asked(ctx: ChainContext, conf: JsonObject) -> JsonObject | None:
    """The entitlement the request a confirmation answers carried, or None."""
    requests = ctx.by("entitlementRequests", "entitlementReferenceId")
    request = requests.get(conf.get("entitlementReferenceId"))
    return None if request is None else as_object(request.get("entitlement"))


def _confirmation_answers(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, conf in ctx.each("entitlementConfirmations"):
        ent = _asked(ctx, conf)
        rid = conf.get("entitlementReceiveId")
        if ent is None:
            at = f"{where}/entitlementReferenceId"
            yield ctx.hit(at, {"entitlementReceiveId": rid, "problem": Phrase("no-request")})
            continue
        for name in ("entitlementId", "productId"):
            if conf.get(name) != ent.get(name):
                params = {"entitlementReceiveId": rid, "problem": Phrase(f"other-{name}")}
                yield ctx.hit(f"{where}/{name}", params)


def _url_status_asked(ent: JsonObject, portal: object) -> object:
    return next(
        (u.get("urlStatus") for _, u in dicts(ent.get("urlStatuses")) if u.get("portal") == portal),
        None,
    )


def _table(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    registry: dict[str, str] = rule.parameters["registry"]
    portals: dict[str, str] = rule.parameters["portal"]
    for where, conf in ctx.each("entitlementConfirmations"):
        ent = _asked(ctx, conf)
        if not ent or conf.get("success") is not True:
            continue
        rid = conf.get("entitlementReceiveId")
        answers: list[tuple[str, object, object, dict[str, str]]] = []
        if "newEntitlementStatus" in conf:
            asked = ent.get("entitlementStatus")
            answers.append(("/newEntitlementStatus", asked, conf["newEntitlementStatus"], registry))
        url = as_object(conf.get("newUrlStatus"))
        if url:
            asked = _url_status_asked(ent, url.get("portal"))
            answers.append(("/newUrlStatus", asked, url.get("urlStatus"), portals))
        for at, asked, answered, table in answers:
            expected = table.get(asked) if isinstance(asked, str) else None
            if expected is not None and answered != expected:
                params = {"entitlementReceiveId": rid, "requested": asked, "answered": answered}
                yield ctx.hit(f"{where}{at}", {**params, "expected": expected})


def _portal_confirms_own(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, conf in ctx.each("entitlementConfirmations"):
        url = as_object(conf.get("newUrlStatus"))
        ent = _asked(ctx, conf)
        if not url or not ent:
            continue
        if url.get("portal") not in {u.get("portal") for _, u in dicts(ent.get("urlStatuses"))}:
            params = {"entitlementReceiveId": conf.get("entitlementReceiveId")}
            values = {"portal": url.get("portal"), "entitlementId": ent.get("entitlementId")}
            yield ctx.hit(f"{where}/newUrlStatus/portal", {**params, **values})


# Which check each chain rule of this module is bound to.
CHECKS: dict[str, ChainCheck] = {
    "EDUV-CHAIN-025": _from_delivery,
    "EDUV-CHAIN-026": _for_whom,
    "EDUV-CHAIN-027": _window_of_order,
    "EDUV-CHAIN-028": _within_quantity,
    "EDUV-CHAIN-029": _portals,
    "EDUV-CHAIN-030": _confirmation_answers,
    "EDUV-CHAIN-031": _table,
    "EDUV-CHAIN-032": _portal_confirms_own,
}
