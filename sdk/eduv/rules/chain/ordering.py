"""Chain rules on the catalogue and on ordering: products, orders, credits, confirmations.

Each check walks one or two collections of a chain dataset once and answers its
questions through :class:`~eduv.rules.chain.context.ChainContext`. ``CHECKS`` at the end
binds the rules to their checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from eduv.rules.catalogue import Phrase, Rule
from eduv.rules.chain.context import ChainCheck, ChainContext, order_lines
from eduv.rules.hits import DatasetHit, JsonObject
from eduv.rules.values import as_list, as_object, dicts

# (collection, member) of every request: the reference its confirmation answers.
REQUESTS = (
    ("orderRequests", "requestReferenceId"),
    ("creditOrderRequests", "requestReferenceId"),
    ("deliveryOrderRequests", "deliveryOrderReferenceId"),
    ("entitlementRequests", "entitlementReferenceId"),
    ("activationCodeRequests", "requestReferenceId"),
    ("activationCodeRevokeRequests", "requestReferenceId"),
)
# (collection, the request it answers, its own id, the member that carries its outcome)
CONFIRMATIONS = (
    ("orderConfirmations", "requestReferenceId", "responseReferenceId", "orderStatus"),
    ("creditOrderConfirmations", "requestReferenceId", "responseReferenceId", "creditOrderStatus"),
    (
        "deliveryOrderConfirmations",
        "deliveryOrderReferenceId",
        "deliveryOrderReceiveId",
        "newStatus",
    ),
    (
        "entitlementConfirmations",
        "entitlementReferenceId",
        "entitlementReceiveId",
        "newEntitlementStatus",
    ),
    ("activationCodeConfirmations", "requestReferenceId", "responseReferenceId", "success"),
    ("activationCodeRevokeConfirmations", "requestReferenceId", "responseReferenceId", "success"),
)


# --- the catalogue -----------------------------------------------------------------


def _reseller(ctx: ChainContext) -> str | None:
    """The reseller that runs the catalogue, or None when its publisher does."""
    provider = as_object(ctx.dataset.catalogue_provider)
    return str(provider.get("name")) if provider.get("kind") == "reseller" else None


def _reseller_named(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    reseller = _reseller(ctx)
    if reseller is None:
        return
    for where, product in ctx.each("products"):
        if not product.get("reseller"):
            yield ctx.hit(where, {"productId": product.get("productId"), "provider": reseller})


def _reseller_logo(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    reseller = _reseller(ctx)
    if reseller is None:
        return
    for where, product in ctx.each("products"):
        if "resellerThumbnailUrl" not in as_object(product.get("media")):
            params = {"productId": product.get("productId"), "provider": reseller}
            yield ctx.hit(f"{where}/media", params)


def _combi_when_mixed(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, product in ctx.each("products"):
        parts = (ctx.products.get(p) for p in as_list(product.get("bundledProducts")))
        kinds = {part.get("type") for part in parts if part is not None}
        if {"physical", "digital"} <= kinds and product.get("type") != "combi":
            params = {"productId": product.get("productId"), "type": product.get("type")}
            yield ctx.hit(f"{where}/type", params)


def _references_exist(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, product in ctx.each("products"):
        named = [
            (f"/{name}/{i}", name, other)
            for name in ("bundledProducts", "relatedProducts")
            for i, other in enumerate(as_list(product.get(name)))
        ]
        if "followUpProduct" in product:
            named.append(("/followUpProduct", "followUpProduct", product["followUpProduct"]))
        for at, name, other in named:
            if other not in ctx.products:
                params = {"productId": product.get("productId"), "field": name, "other": other}
                yield ctx.hit(f"{where}{at}", params)


def _info_matches(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, info in ctx.each("productInfo"):
        pid = info.get("productId")
        product = ctx.products.get(pid)
        if product is None:
            params = {"productId": pid, "field": "productId", "info": pid}
            yield ctx.hit(where, {**params, "product": Phrase("absent")})
            continue
        for name in rule.parameters["fields"]:
            if info.get(name) != product.get(name):
                params = {"productId": pid, "field": name, "info": info.get(name)}
                yield ctx.hit(f"{where}/{name}", {**params, "product": product.get(name)})


# --- orders and credits ------------------------------------------------------------


def _line_pointer(where: str, request: JsonObject, index: int) -> str:
    return f"{where}/orderLines/{index}" if "orderLines" in request else where


def _ordered_in_catalogue(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, request in ctx.each("orderRequests"):
        for i, line in enumerate(order_lines(request)):
            if line.get("productId") not in ctx.products:
                params = {"purchaseOrderId": request.get("purchaseOrderId")}
                at = _line_pointer(where, request, i) + "/productId"
                yield ctx.hit(at, {**params, "productId": line.get("productId")})


def _ordered_for_sale(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for where, request in ctx.each("orderRequests"):
        for i, line in enumerate(order_lines(request)):
            product = ctx.products.get(line.get("productId"))
            if product is not None and product.get("forSale") is False:
                params = {"purchaseOrderId": request.get("purchaseOrderId")}
                at = _line_pointer(where, request, i) + "/productId"
                yield ctx.hit(at, {**params, "productId": line.get("productId")})


def _confirmation_answers(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    requests = ctx.by("orderRequests", "requestReferenceId")
    for where, conf in ctx.each("orderConfirmations"):
        asked = conf.get("requestReferenceId")
        if asked not in requests:
            params = {"responseReferenceId": conf.get("responseReferenceId")}
            yield ctx.hit(f"{where}/requestReferenceId", {**params, "requestReferenceId": asked})


def _echo(
    ctx: ChainContext, where: str, conf: JsonObject, request: JsonObject, lines_name: str
) -> Iterator[DatasetHit]:
    rid = conf.get("responseReferenceId")
    if request.get("purchaseOrderId") != conf.get("purchaseOrderId"):
        params = {"responseReferenceId": rid, "field": "purchaseOrderId"}
        found, expected = conf.get("purchaseOrderId"), request.get("purchaseOrderId")
        yield ctx.hit(f"{where}/purchaseOrderId", {**params, "found": found, "expected": expected})
    asked = {str(line.get("purchaseOrderLineId")): line for line in order_lines(request)}
    if lines_name in conf:
        confirmed = [(f"/{lines_name}/{i}", line) for i, line in dicts(conf.get(lines_name))]
    else:  # t-1: the confirmation is its single line
        confirmed = [("", conf)] if "productId" in conf else []
    for at, line in confirmed:
        wanted = asked.get(str(line.get("purchaseOrderLineId")))
        if wanted is None:
            continue
        for name in ("productId", "quantity"):
            if name in line and name in wanted and line[name] != wanted[name]:
                params = {"responseReferenceId": rid, "field": name}
                values = {"found": line[name], "expected": wanted[name]}
                yield ctx.hit(f"{where}{at}/{name}", {**params, **values})


def _confirmations_echo(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for requests, confirmations, lines in (
        ("orderRequests", "orderConfirmations", "orderConfirmationLines"),
        ("creditOrderRequests", "creditOrderConfirmations", "creditOrderConfirmationLines"),
    ):
        asked = ctx.by(requests, "requestReferenceId")
        for where, conf in ctx.each(confirmations):
            request = asked.get(conf.get("requestReferenceId"))
            if request is not None:
                yield from _echo(ctx, where, conf, request, lines)


def _references_once(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    for name, key in REQUESTS:
        seen: dict[Any, JsonObject] = {}
        for where, request in ctx.each(name):
            ref = request.get(key)
            # The same request sent again, unchanged, is a repeat and no second request.
            if ref in seen and seen[ref] != request:
                yield ctx.hit(f"{where}/{key}", {"reference": ref})
            seen.setdefault(ref, request)


def _resent_keep_id(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    # Two confirmations of one request with one outcome are one confirmation sent twice.
    for name, request_key, own_key, outcome in CONFIRMATIONS:
        first: dict[tuple[Any, Any, str], Any] = {}
        for where, conf in ctx.each(name):
            key = (conf.get(request_key), conf.get(outcome), str(conf.get("newUrlStatus")))
            own = conf.get(own_key)
            if key in first and first[key] != own:
                params = {"reference": key[0], "first": first[key], "second": own}
                yield ctx.hit(f"{where}/{own_key}", params)
            first.setdefault(key, own)


def _credit_concerns_order(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    confirmations = [c for _, c in ctx.each("orderConfirmations")]
    known = {
        "purchaseOrderId": {r.get("purchaseOrderId") for r in ctx.orders.values()},
        "salesOrderId": {c.get("salesOrderId") for c in confirmations if "salesOrderId" in c},
        "responseReferenceId": {
            c.get("responseReferenceId")
            for c in confirmations
            if c.get("orderStatus") == "approved"
        },
    }
    what = {
        "purchaseOrderId": "order-request",
        "salesOrderId": "order-confirmation",
        "responseReferenceId": "approval",
    }
    for where, credit in ctx.each("creditOrderRequests"):
        for member, values in known.items():
            if member in credit and credit[member] not in values:
                params = {"requestReferenceId": credit.get("requestReferenceId"), "field": member}
                values_of = {"value": credit[member], "what": Phrase(what[member])}
                yield ctx.hit(f"{where}/{member}", {**params, **values_of})


def _credit_within_order(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    credited: Counter[tuple[str, str]] = Counter()
    for where, credit in ctx.each("creditOrderRequests"):
        for i, line in dicts(credit.get("orderLines")):
            key = (str(credit.get("purchaseOrderId")), str(line.get("purchaseOrderLineId")))
            ordered, quantity = ctx.order_lines.get(key), line.get("quantity")
            if ordered is None or not isinstance(quantity, int):
                continue
            credited[key] += quantity
            too_many = credited[key] > ordered.get("quantity", 0)
            if too_many or line.get("productId") != ordered.get("productId"):
                params = {"requestReferenceId": credit.get("requestReferenceId")}
                line_values = {"quantity": quantity, "productId": line.get("productId")}
                yield ctx.hit(f"{where}/orderLines/{i}", {**params, **line_values, "line": key[1]})


def _credit_confirmation_answers(ctx: ChainContext, rule: Rule) -> Iterator[DatasetHit]:
    credits = ctx.by("creditOrderRequests", "requestReferenceId")
    for where, conf in ctx.each("creditOrderConfirmations"):
        if conf.get("requestReferenceId") not in credits:
            params = {"responseReferenceId": conf.get("responseReferenceId")}
            yield ctx.hit(f"{where}/requestReferenceId", params)


# Which check each chain rule of this module is bound to.
CHECKS: dict[str, ChainCheck] = {
    "EDUV-PRODUCT-008": _reseller_named,
    "EDUV-PRODUCT-009": _reseller_logo,
    "EDUV-PRODUCT-016": _combi_when_mixed,
    "EDUV-PRODUCT-024": _references_exist,
    "EDUV-CHAIN-001": _ordered_in_catalogue,
    "EDUV-CHAIN-002": _ordered_for_sale,
    "EDUV-CHAIN-003": _info_matches,
    "EDUV-CHAIN-004": _confirmation_answers,
    "EDUV-CHAIN-005": _confirmations_echo,
    "EDUV-CHAIN-006": _references_once,
    "EDUV-CHAIN-007": _resent_keep_id,
    "EDUV-CHAIN-008": _credit_concerns_order,
    "EDUV-CHAIN-009": _credit_within_order,
    "EDUV-CHAIN-010": _credit_confirmation_answers,
}
