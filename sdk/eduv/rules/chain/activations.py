"""Chain rules on activation codes, activations and usage reports.

Each check walks one or two collections of a chain dataset once and answers its
questions through :class:`~eduv.rules.chain.context.ChainContext`. ``CHECKS`` at the end
binds the rules to their checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from eduv.rules.catalogue import Phrase, Rule
from eduv.rules.chain.context import ChainCheck, ChainContext, keys_of
from eduv.rules.hits import DatasetHit
from eduv.rules.values import as_list, as_object, dicts

# --- activation codes --------------------------------------------------------------


def _code_answers(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    requests = ctx.by("activationCodeRequests", "requestReferenceId")
    for where, conf in ctx.each("activationCodeConfirmations"):
        request = requests.get(conf.get("requestReferenceId"))
        rid = conf.get("responseReferenceId")
        if request is None:
            at = f"{where}/requestReferenceId"
            yield ctx.hit(at, {"responseReferenceId": rid, "problem": Phrase("no-request")})
            continue
        if conf.get("productId") != request.get("productId"):
            params = {"responseReferenceId": rid, "problem": Phrase("other-productId")}
            yield ctx.hit(f"{where}/productId", params)
        codes = as_list(conf.get("activationCodes"))
        if conf.get("success") is True and len(codes) != request.get("quantity"):
            params = {"responseReferenceId": rid, "problem": Phrase("code-count")}
            values = {"count": len(codes), "quantity": request.get("quantity")}
            yield ctx.hit(f"{where}/activationCodes", {**params, **values})


def _issued_once(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    # A confirmation sent again keeps its id (EDUV-CHAIN-007): it issues nothing anew.
    seen: dict[Any, Any] = {}
    for where, conf in ctx.each("activationCodeConfirmations"):
        own = conf.get("responseReferenceId")
        for i, code in enumerate(as_list(conf.get("activationCodes"))):
            if code in seen and seen[code] != own:
                yield ctx.hit(f"{where}/activationCodes/{i}", {"activationCode": code})
            seen.setdefault(code, own)


def _withdrawal_issued(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, request in ctx.each("activationCodeRevokeRequests"):
        code = request.get("activationCode")
        rid = request.get("requestReferenceId")
        issued = ctx.issued.get(code)
        if issued is None:
            params = {"requestReferenceId": rid, "problem": Phrase("never-issued")}
            yield ctx.hit(f"{where}/activationCode", {**params, "activationCode": code})
        elif "responseReferenceId" in request and request["responseReferenceId"] != issued[1]:
            params = {"requestReferenceId": rid, "problem": Phrase("other-issuer")}
            yield ctx.hit(f"{where}/responseReferenceId", params)


def _withdrawal_answers(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    requests = ctx.by("activationCodeRevokeRequests", "requestReferenceId")
    for where, conf in ctx.each("activationCodeRevokeConfirmations"):
        request = requests.get(conf.get("requestReferenceId"))
        rid = conf.get("responseReferenceId")
        if request is None:
            at = f"{where}/requestReferenceId"
            yield ctx.hit(at, {"responseReferenceId": rid, "problem": Phrase("no-request")})
        elif conf.get("activationCode") != request.get("activationCode"):
            params = {"responseReferenceId": rid, "problem": Phrase("other-activationCode")}
            yield ctx.hit(f"{where}/activationCode", params)


def _withdrawn_unused(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    requests = ctx.by("activationCodeRevokeRequests", "requestReferenceId")
    withdrawn: dict[Any, str] = {}
    for _, conf in ctx.each("activationCodeRevokeConfirmations"):
        if conf.get("success") is True and conf.get("requestReferenceId") in requests:
            withdrawn[conf.get("activationCode")] = str(conf.get("processedTimestamp", ""))[:10]
    for where, act in ctx.each("initialActivations"):
        code, used = act.get("activationCode"), act.get("usageDate")
        if code in withdrawn and isinstance(used, str) and used >= withdrawn[code]:
            params = {"activationCode": code, "revoked": withdrawn[code], "usageDate": used}
            yield ctx.hit(f"{where}/activationCode", params)


# --- activations -------------------------------------------------------------------


def _activation_entitlement(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, act in ctx.each("initialActivations"):
        eid = act.get("entitlementId")
        ent = ctx.entitlements.get(eid)
        if ent is None:
            at = f"{where}/entitlementId"
            yield ctx.hit(at, {"entitlementId": eid, "problem": Phrase("no-entitlement")})
            continue
        spec = as_object(ent.get("entitlementSpecification"))
        holder = spec.get("student") or spec.get("employee")
        differs = {
            "entitlementType": act.get("entitlementType") != ent.get("entitlementType"),
            "user": holder is not None and not keys_of(holder) & keys_of(act.get("user")),
            "school": "school" in spec and "school" in act and spec["school"] != act["school"],
            "activationCode": "activationCode" in spec
            and act.get("activationCode") != spec["activationCode"],
        }
        for member, wrong in differs.items():
            if wrong:
                params = {"entitlementId": eid, "problem": Phrase(f"other-{member}")}
                yield ctx.hit(f"{where}/{member}", params)


def _activated_product(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, act in ctx.each("initialActivations"):
        ent = ctx.entitlements.get(act.get("entitlementId"))
        if ent is None:
            continue
        entitled = ent.get("productId")
        parts = as_list(as_object(ctx.products.get(entitled)).get("bundledProducts"))
        if act.get("productId") != entitled and act.get("productId") not in parts:
            params = {"entitlementId": act.get("entitlementId"), "productId": act.get("productId")}
            yield ctx.hit(f"{where}/productId", {**params, "entitled": entitled})


def _keeps_licence(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, act in ctx.each("initialActivations"):
        minimum = as_object(ctx.entitlements.get(act.get("entitlementId"))).get("expirationDate")
        expires = act.get("expirationDate")
        if isinstance(minimum, str) and isinstance(expires, str) and expires < minimum:
            params = {"entitlementId": act.get("entitlementId"), "expirationDate": expires}
            yield ctx.hit(f"{where}/expirationDate", {**params, "minimum": minimum})


def _in_window(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, act in ctx.each("initialActivations"):
        ent = as_object(ctx.entitlements.get(act.get("entitlementId")))
        start, until, used = (
            ent.get("startDate"),
            ent.get("activationUntilDate"),
            act.get("usageDate"),
        )
        if not (isinstance(start, str) and isinstance(until, str) and isinstance(used, str)):
            continue
        if not start <= used <= until:
            params = {"entitlementId": act.get("entitlementId"), "usageDate": used}
            yield ctx.hit(
                f"{where}/usageDate", {**params, "startDate": start, "activationUntilDate": until}
            )


def _licensed_iff_activated(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, ent in ctx.each("entitlements"):
        activated = bool(ctx.activations.get(ent.get("entitlementId")))
        status = ent.get("entitlementStatus")
        problem = None
        if status == "licensed" and not activated:
            problem = "not-activated"
        elif status in ("created", "entitled") and activated:
            problem = "activated"
        if problem is not None:
            params = {"entitlementId": ent.get("entitlementId"), "entitlementStatus": status}
            yield ctx.hit(f"{where}/entitlementStatus", {**params, "problem": Phrase(problem)})


def _code_activated_once(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    counts: Counter[Any] = Counter(
        act.get("activationCode") for _, act in ctx.each("initialActivations")
    )
    for where, act in ctx.each("initialActivations"):
        code = act.get("activationCode")
        if code is not None and counts[code] > 1:
            yield ctx.hit(
                f"{where}/activationCode", {"activationCode": code, "count": counts[code]}
            )


# --- usage reports -----------------------------------------------------------------


def _report_reflects(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, report in ctx.each("deliveryOrderUsage"):
        key = report.get("deliveryOrderId")
        if key not in ctx.delivery_orders:
            at = f"{where}/deliveryOrderId"
            yield ctx.hit(at, {"deliveryOrderId": key, "problem": Phrase("no-delivery-order")})
        for i, item in dicts(report.get("entitlements")):
            eid = item.get("entitlementId")
            ent = ctx.entitlements.get(eid)
            params = {"deliveryOrderId": key, "entitlementId": eid}
            if ent is None or ent.get("deliveryOrderId") != key:
                yield ctx.hit(f"{where}/entitlements/{i}", {**params, "problem": Phrase("not-its")})
            elif item.get("entitlementStatus") != ent.get("entitlementStatus"):
                at = f"{where}/entitlements/{i}/entitlementStatus"
                yield ctx.hit(at, {**params, "problem": Phrase("other-entitlementStatus")})


def _first_use(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, report in ctx.each("deliveryOrderUsage"):
        for i, item in dicts(report.get("entitlements")):
            first = as_object(item.get("usage")).get("firstUsed")
            acts = ctx.activations.get(item.get("entitlementId"), [])
            activated = acts[0].get("usageDate") if acts else None
            if first is not None and activated is not None and activated != first:
                params = {"entitlementId": item.get("entitlementId"), "firstUsed": first}
                at = f"{where}/entitlements/{i}/usage/firstUsed"
                yield ctx.hit(at, {**params, "usageDate": activated})


# Which check each chain rule of this module is bound to.
CHECKS: dict[str, ChainCheck] = {
    "EDUV-CHAIN-033": _code_answers,
    "EDUV-CHAIN-034": _issued_once,
    "EDUV-CHAIN-035": _withdrawal_issued,
    "EDUV-CHAIN-036": _withdrawal_answers,
    "EDUV-CHAIN-037": _withdrawn_unused,
    "EDUV-CHAIN-038": _activation_entitlement,
    "EDUV-CHAIN-039": _activated_product,
    "EDUV-CHAIN-040": _keeps_licence,
    "EDUV-CHAIN-041": _in_window,
    "EDUV-CHAIN-042": _licensed_iff_activated,
    "EDUV-CHAIN-043": _code_activated_once,
    "EDUV-CHAIN-044": _report_reflects,
    "EDUV-CHAIN-045": _first_use,
}
