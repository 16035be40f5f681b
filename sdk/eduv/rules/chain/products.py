"""Rules on one catalogue message: a Product, a ProductInfo, its prices, a query's parameters.

Like :mod:`eduv.rules.messages`, each check sees one node and yields a pointer relative
to it with the values its message needs; patterns come from the rule's ``parameters``.
``CHECKS`` at the end binds the rules to their checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from eduv.rules.catalogue import Phrase, Rule
from eduv.rules.chain.shapes import present_when
from eduv.rules.hits import Hit, JsonObject, MessageCheck
from eduv.rules.values import as_list, as_object, compiled, dicts, text

PRICE_STEPS = ("tierPricing", "schoolSizePricing")
ENDED = ("no-longer-available", "not-available-or-usable")


def _matches(rule: Rule, key: str, value: str) -> bool:
    return compiled(str(rule.parameters[key])).search(value) is not None


def decimals(value: Any) -> int:
    """How many decimals a JSON number is written with (0 for anything else)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


def gs1_check_digit_holds(code: str) -> bool:
    """Whether a 13-digit EAN or ISBN ends in the check digit its first twelve give."""
    digits = [int(d) for d in code]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == digits[12]


# --- products ----------------------------------------------------------------------


def _digital_set(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    size = p.get("saleUnitSize")
    is_set = p.get("type") == "digital" and isinstance(size, int) and size > 1
    if is_set and not as_list(p.get("bundledProducts")):
        yield "", {"productId": p.get("productId"), "saleUnitSize": size}


def _parts_recommended(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    size = p.get("saleUnitSize")
    physical_set = p.get("type") == "physical" and isinstance(size, int) and size > 1
    if (p.get("type") == "combi" or physical_set) and not as_list(p.get("bundledProducts")):
        what = Phrase("combi" if p.get("type") == "combi" else "physical-set")
        yield "", {"productId": p.get("productId"), "what": what}


def _id_kind(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    pid, for_sale = text(p, "productId"), p.get("forSale")
    if pid is None or not isinstance(for_sale, bool):
        return
    key = "forSale" if for_sale else "notForSale"
    if not _matches(rule, key, pid):
        yield "/productId", {"productId": pid, "forSale": for_sale, "expected": Phrase(key)}


def _check_digit(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    pid = text(p, "productId")
    if pid and _matches(rule, "pattern", pid) and not gs1_check_digit_holds(pid):
        yield "/productId", {"productId": pid}


def _successor(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    # ProductInfo has no followUpProduct, and no forSale either: it is left alone.
    if "deprecationDate" in p and "followUpProduct" not in p and "forSale" in p:
        yield "/deprecationDate", {"productId": p.get("productId")}


def _dates_in_order(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    order = ("firstPublishedDate", "supportedUntilDate", "endOfLifeDate")
    present = [(n, p[n]) for n in order if isinstance(p.get(n), str)]
    for (earlier, first), (later, second) in pairwise(present):
        if second < first:
            yield (
                f"/{later}",
                {
                    "productId": p.get("productId"),
                    "later": later,
                    "laterDate": second,
                    "earlier": earlier,
                    "earlierDate": first,
                },
            )


def _not_self_bundled(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, part in enumerate(as_list(p.get("bundledProducts"))):
        if part == p.get("productId"):
            yield f"/bundledProducts/{index}", {"productId": part}


def _study_code(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, study in dicts(p.get("studies")):
        code = text(study, "studyCode")
        if code and not _matches(rule, "pattern", code):
            yield f"/studies/{index}/studyCode", {"studyCode": code}


def _since_in_utc(query: JsonObject, rule: Rule) -> Iterator[Hit]:
    since = text(query, "since")
    if since and not _matches(rule, "pattern", since):
        yield "/since", {"since": since}


# --- prices ------------------------------------------------------------------------


def _two_decimals(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, price in dicts(p.get("price")):
        for name in ("priceExcl", "priceIncl"):
            if decimals(price.get(name)) > 2:
                params = {"productId": p.get("productId"), "field": name, "value": price[name]}
                yield f"/price/{index}/{name}", params


def _steps_two_decimals(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, price in dicts(p.get("price")):
        for steps in PRICE_STEPS:
            for at, step in dicts(price.get(steps)):
                for name in ("priceExcl", "priceIncl"):
                    if decimals(step.get(name)) > 2:
                        params = {
                            "productId": p.get("productId"),
                            "field": name,
                            "value": step[name],
                        }
                        yield f"/price/{index}/{steps}/{at}/{name}", params


def _steps_of(rule: Rule, price_type: object) -> str | None:
    steps: dict[str, str] = rule.parameters["steps"]
    return steps.get(price_type) if isinstance(price_type, str) else None


def _steps_match_type(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, price in dicts(p.get("price")):
        kind = price.get("priceType", "standard")
        for steps in PRICE_STEPS:
            if steps in price and _steps_of(rule, kind) != steps:
                params = {"productId": p.get("productId"), "priceType": kind, "field": steps}
                yield f"/price/{index}/{steps}", params


def _type_has_steps(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, price in dicts(p.get("price")):
        kind = price.get("priceType", "standard")
        steps = _steps_of(rule, kind)
        if steps and not as_list(price.get(steps)):
            params = {"productId": p.get("productId"), "priceType": kind, "field": steps}
            yield f"/price/{index}", params


def _incl_not_below_excl(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, price in dicts(p.get("price")):
        excl, incl = price.get("priceExcl"), price.get("priceIncl")
        if isinstance(excl, int | float) and isinstance(incl, int | float) and incl < excl:
            params = {"productId": p.get("productId"), "priceIncl": incl, "priceExcl": excl}
            yield f"/price/{index}", params


def _dates_distinct(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    seen: set[tuple[Any, Any]] = set()
    for index, price in dicts(p.get("price")):
        key = (price.get("priceType", "standard"), price.get("validFrom"))
        if key in seen:
            params = {"productId": p.get("productId"), "priceType": key[0], "validFrom": key[1]}
            yield f"/price/{index}", params
        seen.add(key)


def _steps_distinct(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    for index, price in dicts(p.get("price")):
        for steps in PRICE_STEPS:
            seen: set[Any] = set()
            for at, step in dicts(price.get(steps)):
                qty = step.get("qty")
                if qty in seen:
                    params = {"productId": p.get("productId"), "field": steps, "qty": qty}
                    yield f"/price/{index}/{steps}/{at}", params
                seen.add(qty)


def _end_dates(p: JsonObject, rule: Rule) -> Iterator[Hit]:
    if p.get("status") not in ENDED:
        return
    missing = [n for n in ("supportedUntilDate", "endOfLifeDate") if not as_object(p).get(n)]
    if missing:
        params = {"productId": p.get("productId"), "status": p.get("status")}
        yield "", {**params, "missing": ", ".join(missing)}


# Which check each catalogue message rule is bound to.
CHECKS: dict[str, MessageCheck] = {
    "EDUV-PRODUCT-001": present_when("productId", "type", ("digital",), "licensePeriod"),
    "EDUV-PRODUCT-002": present_when(
        "productId", "licenseVariant", ("days",), "licenseDays", inside="licensePeriod"
    ),
    "EDUV-PRODUCT-003": present_when(
        "productId", "activationVariant", ("days",), "activationDays", inside="activationPeriod"
    ),
    "EDUV-PRODUCT-004": present_when(
        "productId",
        "activationVariant",
        ("date",),
        "activationUntilDate",
        inside="activationPeriod",
    ),
    "EDUV-PRODUCT-005": present_when("productId", "type", ("digital",), "activationPeriod"),
    "EDUV-PRODUCT-006": present_when("productId", "type", ("digital", "combi"), "defaultAccessUrl"),
    "EDUV-PRODUCT-011": _digital_set,
    "EDUV-PRODUCT-012": _parts_recommended,
    "EDUV-PRODUCT-013": _end_dates,
    "EDUV-PRODUCT-014": _id_kind,
    "EDUV-PRODUCT-015": _check_digit,
    "EDUV-PRODUCT-017": _successor,
    "EDUV-PRODUCT-018": _dates_in_order,
    "EDUV-PRODUCT-019": _not_self_bundled,
    "EDUV-PRODUCT-020": _study_code,
    "EDUV-PRODUCT-023": _since_in_utc,
    "EDUV-PRICE-001": _two_decimals,
    "EDUV-PRICE-002": _steps_two_decimals,
    "EDUV-PRICE-003": _steps_match_type,
    "EDUV-PRICE-004": _type_has_steps,
    "EDUV-PRICE-005": _incl_not_below_excl,
    "EDUV-PRICE-006": _dates_distinct,
    "EDUV-PRICE-007": _steps_distinct,
}
