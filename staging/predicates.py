"""The checkable draft rules of chain-rules.json as small Python predicates.

A hand-over to the rule code, kept apart so it can be moved: each function yields one
finding per violation as ``(JSON pointer, message parameters)``. Message predicates get
one top-level object and the API version it is in (pointers relative to the object);
dataset predicates get a whole chain dataset (pointers into its single-document form).
``MESSAGE_CHECKS`` and ``DATASET_CHECKS`` map rule ids to them; ``ADMIN_CHECKS`` holds
the two administration-side rules, which run on a format-1 dataset.

The predicates read values forgivingly: the message schema reports wrong types, so a
predicate skips what it cannot read instead of failing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from eduv.dataset.chain.model import ChainDataset
from eduv.dataset.model import Dataset, JsonObject

Finding = tuple[str, dict[str, Any]]
MessageCheck = Callable[[JsonObject, str], Iterator[Finding]]
DatasetCheck = Callable[[ChainDataset], Iterator[Finding]]
AdminCheck = Callable[[Dataset], Iterator[Finding]]

ECK = re.compile(r"^https://ketenid\.nl/20[0-9]{4}/[0-9a-f]{128}$")
RIO_SCHOOL = re.compile(r"^[0-9]{3}A[0-9]{3}$")
RIO_BOARD = re.compile(r"^[0-9]{3}B[0-9]{3}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
THIRTEEN = re.compile(r"^[0-9]{13}$")
STUDY_CODE = re.compile(r"^([0-9]{4}O[0-9]{4}|[0-9]{5})$")
NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ZULU = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --------------------------------------------------------------------------- readers


def obj(value: Any) -> JsonObject:
    return value if isinstance(value, dict) else {}


def lst(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def dicts(value: Any) -> Iterator[tuple[int, JsonObject]]:
    for index, item in enumerate(lst(value)):
        if isinstance(item, dict):
            yield index, item


def decimals(value: Any) -> int:
    """Number of decimals of a JSON number (0 for anything that is not one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


def ean_ok(code: str) -> bool:
    digits = [int(d) for d in code]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == digits[12]


def number(value: Any) -> float | None:
    if isinstance(value, str) and NUMBER.match(value.strip()):
        return float(value)
    return None


def person_keys(person: Any) -> set[tuple[str, str]]:
    """How a person reference can be matched: its master id and its typed secondary ids."""
    keys: set[tuple[str, str]] = set()
    ref = obj(person)
    if isinstance(ref.get("userMasterIdentifier"), str):
        keys.add(("master", ref["userMasterIdentifier"]))
    for _, entry in dicts(ref.get("userIds")):
        keys.add((str(entry.get("userIdType")), str(entry.get("userId"))))
    return keys


def school_label(ref: Any) -> str:
    ref = obj(ref)
    if isinstance(ref.get("organisationMasterIdentifier"), str):
        return str(ref["organisationMasterIdentifier"])
    ids = [
        f"{e.get('organisationIdType')}:{e.get('organisationId')}"
        for _, e in dicts(ref.get("organisationIds"))
    ]
    return ",".join(ids) or "?"


def person_label(ref: Any) -> str:
    ref = obj(ref)
    if isinstance(ref.get("userMasterIdentifier"), str):
        return str(ref["userMasterIdentifier"])[-12:]
    ids = [f"{e.get('userIdType')}:{e.get('userId')}" for _, e in dicts(ref.get("userIds"))]
    return ",".join(ids) or "?"


# --------------------------------------------------------------------------- catalogue


def product_licence_period(p: JsonObject, _: str) -> Iterator[Finding]:
    if p.get("type") == "digital" and "licensePeriod" not in p:
        yield "", {"productId": p.get("productId")}


def product_licence_days(p: JsonObject, _: str) -> Iterator[Finding]:
    period = obj(p.get("licensePeriod"))
    if period.get("licenseVariant") == "days" and "licenseDays" not in period:
        yield "/licensePeriod", {"productId": p.get("productId")}


def product_activation_days(p: JsonObject, _: str) -> Iterator[Finding]:
    period = obj(p.get("activationPeriod"))
    if period.get("activationVariant") == "days" and "activationDays" not in period:
        yield "/activationPeriod", {"productId": p.get("productId")}


def product_activation_date(p: JsonObject, _: str) -> Iterator[Finding]:
    period = obj(p.get("activationPeriod"))
    if period.get("activationVariant") == "date" and "activationUntilDate" not in period:
        yield "/activationPeriod", {"productId": p.get("productId")}


def product_activation_period(p: JsonObject, _: str) -> Iterator[Finding]:
    if p.get("type") == "digital" and "activationPeriod" not in p:
        yield "", {"productId": p.get("productId"), "type": p.get("type")}


def product_access_url(p: JsonObject, _: str) -> Iterator[Finding]:
    if p.get("type") in ("digital", "combi") and not p.get("defaultAccessUrl"):
        yield "", {"productId": p.get("productId"), "type": p.get("type")}


def product_digital_set(p: JsonObject, _: str) -> Iterator[Finding]:
    size = p.get("saleUnitSize")
    if (
        p.get("type") == "digital"
        and isinstance(size, int)
        and size > 1
        and not lst(p.get("bundledProducts"))
    ):
        yield "", {"productId": p.get("productId"), "saleUnitSize": size}


def product_parts_recommended(p: JsonObject, _: str) -> Iterator[Finding]:
    size = p.get("saleUnitSize")
    physical_set = p.get("type") == "physical" and isinstance(size, int) and size > 1
    if (p.get("type") == "combi" or physical_set) and not lst(p.get("bundledProducts")):
        yield (
            "",
            {
                "productId": p.get("productId"),
                "what": "combi" if p.get("type") == "combi" else "physical set",
            },
        )


def product_end_dates(p: JsonObject, _: str) -> Iterator[Finding]:
    if p.get("status") in ("no-longer-available", "not-available-or-usable"):
        missing = [n for n in ("supportedUntilDate", "endOfLifeDate") if n not in p]
        if missing:
            yield (
                "",
                {
                    "productId": p.get("productId"),
                    "status": p.get("status"),
                    "missing": ", ".join(missing),
                },
            )


def product_id_kind(p: JsonObject, _: str) -> Iterator[Finding]:
    pid, for_sale = p.get("productId"), p.get("forSale")
    if not isinstance(pid, str) or not isinstance(for_sale, bool):
        return
    if for_sale and not THIRTEEN.match(pid):
        yield "/productId", {"productId": pid, "forSale": True, "expected": "an EAN or ISBN"}
    if not for_sale and not UUID.match(pid):
        yield "/productId", {"productId": pid, "forSale": False, "expected": "a UUID"}


def product_check_digit(p: JsonObject, _: str) -> Iterator[Finding]:
    pid = p.get("productId")
    if isinstance(pid, str) and THIRTEEN.match(pid) and not ean_ok(pid):
        yield "/productId", {"productId": pid}


def product_successor(p: JsonObject, _: str) -> Iterator[Finding]:
    if "deprecationDate" in p and "followUpProduct" not in p and "forSale" in p:
        yield "/deprecationDate", {"productId": p.get("productId")}


def product_dates_in_order(p: JsonObject, _: str) -> Iterator[Finding]:
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


def product_not_self_bundled(p: JsonObject, _: str) -> Iterator[Finding]:
    for index, part in enumerate(lst(p.get("bundledProducts"))):
        if part == p.get("productId"):
            yield f"/bundledProducts/{index}", {"productId": part}


def study_code_form(p: JsonObject, _: str) -> Iterator[Finding]:
    for index, study in dicts(p.get("studies")):
        code = study.get("studyCode")
        if isinstance(code, str) and not STUDY_CODE.match(code):
            yield f"/studies/{index}/studyCode", {"studyCode": code}


def since_in_utc(params: JsonObject, _: str) -> Iterator[Finding]:
    since = params.get("since")
    if isinstance(since, str) and not ZULU.match(since):
        yield "/since", {"since": since}


# --------------------------------------------------------------------------- prices


def _prices(p: JsonObject) -> Iterator[tuple[int, JsonObject]]:
    return dicts(p.get("price"))


def price_two_decimals(p: JsonObject, _: str) -> Iterator[Finding]:
    for index, price in _prices(p):
        for name in ("priceExcl", "priceIncl"):
            if decimals(price.get(name)) > 2:
                yield (
                    f"/price/{index}/{name}",
                    {"productId": p.get("productId"), "field": name, "value": price[name]},
                )


def price_steps_two_decimals(p: JsonObject, _: str) -> Iterator[Finding]:
    for index, price in _prices(p):
        for steps in ("tierPricing", "schoolSizePricing"):
            for s, step in dicts(price.get(steps)):
                for name in ("priceExcl", "priceIncl"):
                    if decimals(step.get(name)) > 2:
                        yield (
                            f"/price/{index}/{steps}/{s}/{name}",
                            {"productId": p.get("productId"), "field": name, "value": step[name]},
                        )


STEPS_OF = {"tier": "tierPricing", "schoolSize": "schoolSizePricing"}


def price_steps_match_type(p: JsonObject, _: str) -> Iterator[Finding]:
    for index, price in _prices(p):
        kind = price.get("priceType", "standard")
        for steps in ("tierPricing", "schoolSizePricing"):
            if steps in price and STEPS_OF.get(kind) != steps:
                yield (
                    f"/price/{index}/{steps}",
                    {"productId": p.get("productId"), "priceType": kind, "field": steps},
                )


def price_type_has_steps(p: JsonObject, _: str) -> Iterator[Finding]:
    for index, price in _prices(p):
        steps = STEPS_OF.get(price.get("priceType", "standard"))
        if steps and not lst(price.get(steps)):
            yield (
                f"/price/{index}",
                {
                    "productId": p.get("productId"),
                    "priceType": price.get("priceType"),
                    "field": steps,
                },
            )


def price_incl_not_below_excl(p: JsonObject, _: str) -> Iterator[Finding]:
    for index, price in _prices(p):
        excl, incl = price.get("priceExcl"), price.get("priceIncl")
        if isinstance(excl, int | float) and isinstance(incl, int | float) and incl < excl:
            yield (
                f"/price/{index}",
                {"productId": p.get("productId"), "priceIncl": incl, "priceExcl": excl},
            )


def price_dates_distinct(p: JsonObject, _: str) -> Iterator[Finding]:
    seen: set[tuple[Any, Any]] = set()
    for index, price in _prices(p):
        key = (price.get("priceType", "standard"), price.get("validFrom"))
        if key in seen:
            yield (
                f"/price/{index}",
                {"productId": p.get("productId"), "priceType": key[0], "validFrom": key[1]},
            )
        seen.add(key)


def price_steps_distinct(p: JsonObject, _: str) -> Iterator[Finding]:
    for index, price in _prices(p):
        for steps in ("tierPricing", "schoolSizePricing"):
            seen: set[Any] = set()
            for s, step in dicts(price.get(steps)):
                if step.get("qty") in seen:
                    yield (
                        f"/price/{index}/{steps}/{s}",
                        {"productId": p.get("productId"), "field": steps, "qty": step.get("qty")},
                    )
                seen.add(step.get("qty"))


# --------------------------------------------------------------------------- order


def _order_status(c: JsonObject) -> Any:
    return c.get("orderStatus", c.get("creditOrderStatus"))


def order_declined_not_success(c: JsonObject, _: str) -> Iterator[Finding]:
    if _order_status(c) == "declined" and c.get("success") is True:
        yield "/success", {"orderStatus": "declined", "success": True}


def order_approved_not_failed(c: JsonObject, _: str) -> Iterator[Finding]:
    if _order_status(c) in ("approved", "pending") and c.get("success") is False:
        yield "/success", {"orderStatus": _order_status(c)}


def order_line_ids_distinct(m: JsonObject, _: str) -> Iterator[Finding]:
    for name in ("orderLines", "orderConfirmationLines"):
        seen: set[Any] = set()
        for index, line in dicts(m.get(name)):
            line_id = line.get("purchaseOrderLineId")
            if line_id is not None and line_id in seen:
                yield f"/{name}/{index}/purchaseOrderLineId", {"purchaseOrderLineId": line_id}
            seen.add(line_id)


def order_quantities_positive(m: JsonObject, _: str) -> Iterator[Finding]:
    if isinstance(m.get("quantity"), int) and m["quantity"] < 1:
        yield "/quantity", {"field": "quantity", "quantity": m["quantity"]}
    for index, line in dicts(m.get("orderLines")):
        if isinstance(line.get("quantity"), int) and line["quantity"] < 1:
            yield (
                f"/orderLines/{index}/quantity",
                {"field": "quantity", "quantity": line["quantity"]},
            )


def order_country_code(m: JsonObject, _: str) -> Iterator[Finding]:
    code = obj(m.get("deliveryLocation")).get("countryCode")
    if isinstance(code, str) and not re.match(r"^[A-Z]{2}$", code):
        yield "/deliveryLocation/countryCode", {"countryCode": code}


def order_has_lines(m: JsonObject, _: str) -> Iterator[Finding]:
    if "orderLines" in m and not lst(m.get("orderLines")):
        yield "/orderLines", {"purchaseOrderId": m.get("purchaseOrderId")}


# --------------------------------------------------------------------------- delivery

SCHOOL_SPEC = {
    "school-all": "totalQuantity",
    "school-admin": "totalQuantity",
    "school-studies": "studyYears",
    "school-subjects": "subjects",
    "school-groups": "groups",
    "school-students": "students",
    "school-employees": "employees",
    "school-activationcodes": "activationCodes",
    "customer-user": "student",
    "customer-activatoncode": "activationCode",
}


def delivery_cancelled_end(d: JsonObject, _: str) -> Iterator[Finding]:
    if d.get("status") == "cancelled" and "endDate" not in d:
        yield "", {"deliveryOrderId": d.get("deliveryOrderId")}


def delivery_end_only_cancelled(d: JsonObject, _: str) -> Iterator[Finding]:
    if "endDate" in d and d.get("status") != "cancelled":
        yield (
            "/endDate",
            {
                "deliveryOrderId": d.get("deliveryOrderId"),
                "endDate": d["endDate"],
                "status": d.get("status"),
            },
        )


def _is_school(ref: JsonObject) -> bool:
    return "organisationMasterIdentifier" in ref or "organisationIds" in ref


def delivery_buyer_fits(d: JsonObject, _: str) -> Iterator[Finding]:
    kind, buyer = d.get("deliveryType"), obj(d.get("buyer"))
    if not isinstance(kind, str) or not buyer:
        return
    expected = "school" if kind.startswith("school-") else "customer"
    found = "school" if _is_school(buyer) else "customer"
    if found != expected:
        yield (
            "/buyer",
            {
                "deliveryOrderId": d.get("deliveryOrderId"),
                "deliveryType": kind,
                "found": found,
                "expected": expected,
            },
        )


def delivery_spec_fits(d: JsonObject, _: str) -> Iterator[Finding]:
    kind, spec = d.get("deliveryType"), obj(d.get("deliverySpecification"))
    if not isinstance(kind, str) or kind not in SCHOOL_SPEC:
        return
    needed = SCHOOL_SPEC[kind]
    missing = needed not in spec or (kind.startswith("school-") and "school" not in spec)
    if missing:
        yield (
            "/deliverySpecification",
            {"deliveryOrderId": d.get("deliveryOrderId"), "deliveryType": kind, "expected": needed},
        )


def delivery_spec_school_is_buyer(d: JsonObject, _: str) -> Iterator[Finding]:
    buyer, school = obj(d.get("buyer")), obj(obj(d.get("deliverySpecification")).get("school"))
    if buyer and school and _is_school(buyer) and buyer != school:
        yield "/deliverySpecification/school", {"deliveryOrderId": d.get("deliveryOrderId")}


def delivery_quantities_add_up(d: JsonObject, _: str) -> Iterator[Finding]:
    spec = obj(d.get("deliverySpecification"))
    total = spec.get("totalQuantity")
    for name in ("studyYears", "subjects", "groups"):
        entries = [e for _, e in dicts(spec.get(name))]
        if (
            entries
            and isinstance(total, int)
            and all(isinstance(e.get("quantity"), int) for e in entries)
        ):
            summed = sum(e["quantity"] for e in entries)
            if summed != total:
                yield (
                    f"/deliverySpecification/{name}",
                    {
                        "deliveryOrderId": d.get("deliveryOrderId"),
                        "sum": summed,
                        "totalQuantity": total,
                    },
                )


def _window(o: JsonObject, kind: str, key: str) -> Iterator[Finding]:
    start, until = o.get("startDate"), o.get("activationUntilDate")
    if isinstance(start, str) and isinstance(until, str) and until < start:
        yield (
            "/activationUntilDate",
            {"object": kind, "id": o.get(key), "activationUntilDate": until, "startDate": start},
        )


def delivery_window(d: JsonObject, _: str) -> Iterator[Finding]:
    yield from _window(d, "Delivery order", "deliveryOrderId")


def delivery_customer_email(d: JsonObject, _: str) -> Iterator[Finding]:
    email = obj(d.get("buyer")).get("email")
    if isinstance(email, str) and not EMAIL.match(email):
        yield "/buyer/email", {"email": email}


def delivery_portals_once(d: JsonObject, _: str) -> Iterator[Finding]:
    seen: set[Any] = set()
    for index, portal in enumerate(lst(d.get("portals"))):
        if portal in seen:
            yield (
                f"/portals/{index}",
                {"deliveryOrderId": d.get("deliveryOrderId"), "portal": portal},
            )
        seen.add(portal)


# --------------------------------------------------------------------------- entitlement

ENTITLEMENT_SPEC = {
    "school-student": ("school", "student"),
    "school-employee": ("school", "employee"),
    "school-activationcode": ("school", "activationCode"),
    "customer-student": ("student",),
    "customer-activationcode": ("activationCode",),
}


def entitlement_end(e: JsonObject, _: str) -> Iterator[Finding]:
    if e.get("entitlementStatus") in ("cancelled", "blocked") and "endDate" not in e:
        yield (
            "",
            {
                "entitlementId": e.get("entitlementId"),
                "entitlementStatus": e.get("entitlementStatus"),
            },
        )


def entitlement_spec_fits(e: JsonObject, _: str) -> Iterator[Finding]:
    needed = ENTITLEMENT_SPEC.get(e.get("entitlementType", ""))
    spec = e.get("entitlementSpecification")
    if needed and isinstance(spec, dict):
        for name in needed:
            if name not in spec:
                yield (
                    "/entitlementSpecification",
                    {
                        "entitlementId": e.get("entitlementId"),
                        "entitlementType": e.get("entitlementType"),
                        "expected": name,
                    },
                )


def entitlement_has_spec(e: JsonObject, _: str) -> Iterator[Finding]:
    if "entitlementSpecification" not in e:
        yield "", {"entitlementId": e.get("entitlementId")}


def entitlement_portal_once(e: JsonObject, _: str) -> Iterator[Finding]:
    seen: set[Any] = set()
    for index, status in dicts(e.get("urlStatuses")):
        if status.get("portal") in seen:
            yield (
                f"/urlStatuses/{index}",
                {"entitlementId": e.get("entitlementId"), "portal": status.get("portal")},
            )
        seen.add(status.get("portal"))


def entitlement_confirmation_says_what(c: JsonObject, _: str) -> Iterator[Finding]:
    if c.get("success") is True and "newEntitlementStatus" not in c and "newUrlStatus" not in c:
        yield "", {"entitlementReceiveId": c.get("entitlementReceiveId")}


def entitlement_totals(g: JsonObject, _: str) -> Iterator[Finding]:
    counts = Counter(e.get("entitlementStatus") for _, e in dicts(g.get("entitlements")))
    for status in ("created", "entitled", "licensed", "cancelled", "blocked"):
        name = f"total{status.capitalize()}"
        if isinstance(g.get(name), int) and g[name] != counts[status]:
            yield (
                f"/{name}",
                {
                    "deliveryOrderId": g.get("deliveryOrderId"),
                    "field": name,
                    "total": g[name],
                    "count": counts[status],
                },
            )


def entitlement_group_members(g: JsonObject, _: str) -> Iterator[Finding]:
    for index, e in dicts(g.get("entitlements")):
        other = e.get("deliveryOrderId")
        if other is not None and other != g.get("deliveryOrderId"):
            yield (
                f"/entitlements/{index}/deliveryOrderId",
                {
                    "entitlementId": e.get("entitlementId"),
                    "other": other,
                    "deliveryOrderId": g.get("deliveryOrderId"),
                },
            )


def entitlement_window(e: JsonObject, _: str) -> Iterator[Finding]:
    yield from _window(e, "Entitlement", "entitlementId")


def entitlement_expiry_after_start(e: JsonObject, _: str) -> Iterator[Finding]:
    start, expires = e.get("startDate"), e.get("expirationDate")
    if isinstance(start, str) and isinstance(expires, str) and expires < start:
        yield (
            "/expirationDate",
            {
                "object": "Entitlement",
                "id": e.get("entitlementId"),
                "expirationDate": expires,
                "startDate": start,
            },
        )


# --------------------------------------------------------------------------- activation codes


def codes_on_success(c: JsonObject, _: str) -> Iterator[Finding]:
    if c.get("success") is True and not lst(c.get("activationCodes")):
        yield "/activationCodes", {"responseReferenceId": c.get("responseReferenceId")}


def no_codes_on_failure(c: JsonObject, _: str) -> Iterator[Finding]:
    if c.get("success") is False and lst(c.get("activationCodes")):
        yield (
            "/activationCodes",
            {
                "responseReferenceId": c.get("responseReferenceId"),
                "count": len(c["activationCodes"]),
            },
        )


def codes_distinct(c: JsonObject, _: str) -> Iterator[Finding]:
    seen: set[Any] = set()
    for index, code in enumerate(lst(c.get("activationCodes"))):
        if code in seen:
            yield (
                f"/activationCodes/{index}",
                {"responseReferenceId": c.get("responseReferenceId"), "activationCode": code},
            )
        seen.add(code)


def codes_quantity_positive(r: JsonObject, _: str) -> Iterator[Finding]:
    if isinstance(r.get("quantity"), int) and r["quantity"] < 1:
        yield (
            "/quantity",
            {"requestReferenceId": r.get("requestReferenceId"), "quantity": r["quantity"]},
        )


# --------------------------------------------------------------------------- usage

CODE_TYPES = ("school-activationcode", "customer-activationcode")
SCHOOL_TYPES = ("school-student", "school-employee", "school-activationcode")
USER_TYPES = ("school-student", "school-employee", "customer-student")


def _entitlement_usages(m: JsonObject) -> Iterator[tuple[str, JsonObject]]:
    if "entitlements" in m:
        for index, item in dicts(m.get("entitlements")):
            yield f"/entitlements/{index}", item
    else:
        yield "", m


def usage_type_initial(a: JsonObject, _: str) -> Iterator[Finding]:
    if a.get("usageType", "initial-activation") != "initial-activation":
        yield (
            "/usageType",
            {"entitlementId": a.get("entitlementId"), "usageType": a.get("usageType")},
        )


def usage_code_named(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, item in _entitlement_usages(m):
        if item.get("entitlementType") in CODE_TYPES and "activationCode" not in item:
            kind = "EntitlementUsage" if where else "InitialActivation"
            yield (
                where,
                {
                    "object": kind,
                    "entitlementId": item.get("entitlementId"),
                    "entitlementType": item.get("entitlementType"),
                },
            )


def usage_school_named(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, item in _entitlement_usages(m):
        if where and item.get("entitlementType") in SCHOOL_TYPES and "school" not in item:
            yield (
                where,
                {
                    "entitlementId": item.get("entitlementId"),
                    "entitlementType": item.get("entitlementType"),
                },
            )


def usage_user_named(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, item in _entitlement_usages(m):
        if where and item.get("entitlementType") in USER_TYPES and "user" not in item:
            yield (
                where,
                {
                    "entitlementId": item.get("entitlementId"),
                    "entitlementType": item.get("entitlementType"),
                },
            )


def activation_school_named(a: JsonObject, _: str) -> Iterator[Finding]:
    if a.get("entitlementType") in SCHOOL_TYPES and "school" not in a:
        yield (
            "",
            {"entitlementId": a.get("entitlementId"), "entitlementType": a.get("entitlementType")},
        )


def usage_last_after_first(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, item in _entitlement_usages(m):
        usage = obj(item.get("usage"))
        first, last = usage.get("firstUsed"), usage.get("lastUsed")
        if isinstance(first, str) and isinstance(last, str) and last < first:
            yield f"{where}/usage/lastUsed", {"lastUsed": last, "firstUsed": first}


def usage_totals(m: JsonObject, _: str) -> Iterator[Finding]:
    counts = Counter(e.get("entitlementStatus") for _, e in dicts(m.get("entitlements")))
    for status in ("entitled", "licensed", "cancelled", "blocked"):
        name = f"total{status.capitalize()}"
        if isinstance(m.get(name), int) and m[name] != counts[status]:
            yield f"/{name}", {"field": name, "total": m[name], "count": counts[status]}


# --------------------------------------------------------------------------- results

GRADE_WHOLE = re.compile(r"^(10|[0-9])$")
GRADE_ONE_DECIMAL = re.compile(r"^(10\.0|[0-9]\.[0-9])$")
COUNTED = (
    "DurationInSeconds",
    "NumberCorrect",
    "NumberIncorrect",
    "NumberItems",
    "PercentageCorrect",
    "ScorePoints",
)
SCALE_ROW = re.compile(r"^\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(?:-\s*(-?[0-9]+(?:\.[0-9]+)?))?\s*$")


def _statements(m: JsonObject) -> Iterator[tuple[str, JsonObject]]:
    for index, statement in dicts(m.get("studentScoresAndResults")):
        yield f"/studentScoresAndResults/{index}", statement


def result_fits_scale(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, statement in _statements(m):
        for index, entry in dicts(statement.get("results")):
            kind, value = entry.get("resultType"), entry.get("resultValue")
            if not isinstance(value, str):
                continue
            bad = (
                (kind == "Grade0-10" and not GRADE_WHOLE.match(value))
                or (kind == "Grade0.0-10.0" and not GRADE_ONE_DECIMAL.match(value))
                or (
                    kind == "Percentiel"
                    and not (number(value) is not None and 0 <= float(value) <= 100)
                )
            )
            if bad:
                yield (
                    f"{where}/results/{index}/resultValue",
                    {"resultValue": value, "resultType": kind},
                )


def score_counted(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, statement in _statements(m):
        for index, entry in dicts(statement.get("scores")):
            if entry.get("scoreType") not in COUNTED:
                continue
            value, most = number(entry.get("scoreValue")), number(entry.get("scoreMaximum"))
            limit = 100.0 if entry.get("scoreType") == "PercentageCorrect" else most
            if value is None or value < 0 or (limit is not None and value > limit):
                yield (
                    f"{where}/scores/{index}/scoreValue",
                    {
                        "scoreValue": entry.get("scoreValue"),
                        "scoreType": entry.get("scoreType"),
                        "scoreMaximum": entry.get("scoreMaximum", "?"),
                    },
                )


def scale_rows(m: JsonObject, _: str) -> Iterator[Finding]:
    for index, scale in dicts(m.get("scoreScaleDefinitions")):
        rows = scale.get("scoreScaleEntries")
        for r, row in dicts(rows if isinstance(rows, list) else [rows]):
            lhs = row.get("LHS")
            match = SCALE_ROW.match(lhs) if isinstance(lhs, str) else None
            if lhs is not None and (
                match is None
                or (match.group(2) is not None and float(match.group(1)) > float(match.group(2)))
            ):
                suffix = f"/{r}" if isinstance(rows, list) else ""
                yield (
                    f"/scoreScaleDefinitions/{index}/scoreScaleEntries{suffix}/LHS",
                    {"LHS": lhs, "id": scale.get("id")},
                )


def scales_defined(m: JsonObject, _: str) -> Iterator[Finding]:
    defined = {s.get("id") for _, s in dicts(m.get("scoreScaleDefinitions"))}
    for where, statement in _statements(m):
        for index, entry in dicts(statement.get("scores")):
            cited = lst(entry.get("scoreScaleIds")) or (
                [entry["scoreScaleId"]] if "scoreScaleId" in entry else []
            )
            for scale in cited:
                if scale not in defined:
                    yield (
                        f"{where}/scores/{index}",
                        {"statement": statement.get("id"), "scale": scale},
                    )


def entries_cite_assessment(m: JsonObject, version: str) -> Iterator[Finding]:
    """From 2.x on assessmentId names the assessment and assessmentPartId one of its parts;
    in 1.0.0 assessmentId may name either."""
    definition = obj(m.get("assessmentDefinition"))
    assessment = definition.get("id")
    parts = {p.get("id") for _, p in dicts(definition.get("parts"))}
    allowed = {assessment} if not version.startswith("1.") else {assessment} | parts
    for where, statement in _statements(m):
        for name in ("results", "scores"):
            for index, entry in dicts(statement.get(name)):
                at = f"{where}/{name}/{index}"
                named = entry.get("assessmentId")
                if named is not None and named not in allowed:
                    yield (
                        f"{at}/assessmentId",
                        {"statement": statement.get("id"), "field": "assessmentId", "value": named},
                    )
                part = entry.get("assessmentPartId")
                if part is not None and part not in parts:
                    yield (
                        f"{at}/assessmentPartId",
                        {
                            "statement": statement.get("id"),
                            "field": "assessmentPartId",
                            "value": part,
                        },
                    )


def parts_distinct(m: JsonObject, _: str) -> Iterator[Finding]:
    definition = obj(m.get("assessmentDefinition")) or m
    seen: set[Any] = set()
    for index, part in dicts(definition.get("parts")):
        if part.get("index") in seen:
            yield (
                f"/assessmentDefinition/parts/{index}/index",
                {"id": definition.get("id"), "index": part.get("index")},
            )
        seen.add(part.get("index"))


def statement_ids_distinct(m: JsonObject, _: str) -> Iterator[Finding]:
    seen: set[Any] = set()
    for where, statement in _statements(m):
        if statement.get("id") in seen:
            yield f"{where}/id", {"statement": statement.get("id")}
        seen.add(statement.get("id"))


def missing_without_outcome(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, statement in _statements(m):
        if statement.get("missing") is True and (
            lst(statement.get("results")) or lst(statement.get("scores"))
        ):
            yield where, {"id": statement.get("id")}


def message_after_sitting(m: JsonObject, _: str) -> Iterator[Finding]:
    sitting, stamp = m.get("assessmentDateTime"), m.get("timestamp")
    if (
        isinstance(sitting, str)
        and isinstance(stamp, str)
        and ZULU.match(sitting)
        and ZULU.match(stamp)
        and stamp < sitting
    ):
        yield "/timestamp", {"timestamp": stamp, "assessmentDateTime": sitting}


def results_references_name(m: JsonObject, _: str) -> Iterator[Finding]:
    refs: list[tuple[str, str, Any]] = []
    if "school" in m:
        refs.append(("/school", "school", m["school"]))
    refs += [(f"/employees/{i}", "employee", e) for i, e in dicts(m.get("employees"))]
    refs += [(f"{w}/student", "student", s["student"]) for w, s in _statements(m) if "student" in s]
    for where, kind, raw in refs:
        ref = obj(raw)
        master = ref.get("userMasterIdentifier") or ref.get("organisationMasterIdentifier")
        if not master and not lst(ref.get("userIds")) and not lst(ref.get("organisationIds")):
            yield where, {"object": kind}


# --------------------------------------------------------------------------- progress


def followup_has_signal(p: JsonObject, _: str) -> Iterator[Finding]:
    if p.get("pleaseFollowup") is True and not p.get("additionalInfo") and not p.get("detailsUrl"):
        yield "/pleaseFollowup", {"id": p.get("id")}


def progress_eck_id(p: JsonObject, _: str) -> Iterator[Finding]:
    eck = p.get("eckId")
    if isinstance(eck, str) and not ECK.match(eck):
        yield "/eckId", {"eckId": eck}


# --------------------------------------------------------------------------- consent

CONSENT_SCOPES = {
    "students-api": ("student.",),
    "employees-api": ("employee.",),
    "education-api": ("education",),
    "association-api": ("association",),
    "delivery-api": ("delivery.",),
    "entitlement-api": ("entitlement",),
    "usage-api": ("usage.",),
    "progress-api": ("progress",),
    "results-api": ("result",),
    "sis-api": ("school", "student-employee-group", "student-delivery"),
}


def consent_provider_reference(c: JsonObject, _: str) -> Iterator[Finding]:
    status, ref = c.get("providerStatus"), c.get("providerReferenceId")
    if status is None or ref is None:
        return
    if (status in ("accepted", "revoked") and ref == "") or (status == "pending" and ref != ""):
        yield (
            "/providerReferenceId",
            {
                "api": c.get("api"),
                "providerStatus": status,
                "state": "empty" if ref == "" else "filled",
            },
        )


def consent_consumer_reference(c: JsonObject, _: str) -> Iterator[Finding]:
    status, ref = c.get("consumerStatus"), c.get("consumerReferenceId", "")
    if status in ("accepted", "revoked") and ref == "":
        yield (
            "/consumerReferenceId",
            {"api": c.get("api"), "consumerStatus": status, "state": "empty"},
        )


def consent_scopes_belong(c: JsonObject, _: str) -> Iterator[Finding]:
    prefixes = CONSENT_SCOPES.get(c.get("api", ""), ())
    for index, scope in enumerate(lst(c.get("scopes"))):
        if prefixes and isinstance(scope, str) and not scope.startswith(prefixes):
            yield f"/scopes/{index}", {"scope": scope, "api": c.get("api")}


def consent_has_scope(c: JsonObject, _: str) -> Iterator[Finding]:
    if "scopes" in c and not lst(c.get("scopes")):
        yield "/scopes", {"api": c.get("api")}


# --------------------------------------------------------------------------- dpa


def agreement_dates(a: JsonObject, _: str) -> Iterator[Finding]:
    for name in ("startDate", "endDate"):
        value = a.get(name)
        if isinstance(value, str) and not DATE.match(value):
            yield f"/{name}", {"field": name, "value": value}


def agreement_order(a: JsonObject, _: str) -> Iterator[Finding]:
    start, end = a.get("startDate"), a.get("endDate")
    if (
        isinstance(start, str)
        and isinstance(end, str)
        and DATE.match(start)
        and DATE.match(end)
        and end < start
    ):
        yield "/endDate", {"endDate": end, "startDate": start}


def agreement_oin(a: JsonObject, _: str) -> Iterator[Finding]:
    oin = a.get("supplierOin")
    if isinstance(oin, str) and not re.match(r"^[0-9]{20}$", oin):
        yield "/supplierOin", {"supplierOin": oin}


def agreement_board(a: JsonObject, _: str) -> Iterator[Finding]:
    board = a.get("boardId")
    if isinstance(board, str) and not (RIO_BOARD.match(board) or re.match(r"^[0-9]{5}$", board)):
        yield "/boardId", {"boardId": board}


# --------------------------------------------------------------------------- notification batches

CONSENT_BOUND = {
    "Student",
    "Employee",
    "Enrollment",
    "Assignment",
    "Group",
    "SchoolPeriod",
    "StudentDelivery",
    "Class",
    "SchoolSubject",
}


def batch_one_school(batch: list[JsonObject], version: str) -> Iterator[Finding]:
    schools: set[str] = set()
    kinds: set[str] = set()
    for item in batch:
        if item.get("objectType") not in CONSENT_BOUND:
            continue
        label = school_label(item["school"]) if "school" in item else item.get("schoolId")
        if label:
            schools.add(str(label))
            kinds.add(str(item.get("objectType")))
    if len(schools) > 1:
        yield "", {"objectType": ", ".join(sorted(kinds)), "count": len(schools)}


def batch_oldest_first(batch: list[JsonObject], _: str) -> Iterator[Finding]:
    latest = None
    for index, item in enumerate(batch):
        created = item.get("created")
        if isinstance(created, str) and latest is not None and created < latest:
            yield f"/{index}", {"id": item.get("id"), "created": created}
        if isinstance(created, str):
            latest = max(latest or created, created)


def batch_nothing_after_delete(batch: list[JsonObject], _: str) -> Iterator[Finding]:
    deleted: set[Any] = set()
    for index, item in enumerate(batch):
        if item.get("objectId") in deleted:
            yield f"/{index}", {"id": item.get("id"), "objectId": item.get("objectId")}
        if item.get("isDeleteNotification") is True:
            deleted.add(item.get("objectId"))


def notification_object_named(n: JsonObject, _: str) -> Iterator[Finding]:
    if n.get("notificationType") == "object" and not n.get("objectId"):
        yield "", {"id": n.get("id")}


def notification_url(n: JsonObject, _: str) -> Iterator[Finding]:
    if (
        n.get("isDeleteNotification") is not True
        and n.get("notificationType", "object") == "object"
        and not n.get("url")
    ):
        yield "", {"id": n.get("id")}


def notification_school_id(n: JsonObject, _: str) -> Iterator[Finding]:
    if n.get("objectType") in CONSENT_BOUND and not n.get("schoolId"):
        yield "", {"id": n.get("id"), "objectType": n.get("objectType")}


def notification_user_id_type(n: JsonObject, _: str) -> Iterator[Finding]:
    if n.get("objectType") in ("Student", "Employee") and not n.get("userIdType"):
        yield "", {"id": n.get("id"), "objectType": n.get("objectType")}


# --------------------------------------------------------------------------- status and references


def status_99_explained(s: JsonObject, _: str) -> Iterator[Finding]:
    if s.get("status") == 99 and not s.get("statusMessage"):
        yield "", {}


def declined_explained(c: JsonObject, _: str) -> Iterator[Finding]:
    if c.get("success") is False and not c.get("statusMessage"):
        yield "", {}


STUDENT_PATHS = (
    "/deliverySpecification/students/*",
    "/deliverySpecification/student",
    "/entitlementSpecification/student",
    "/student",
)
EMPLOYEE_PATHS = ("/deliverySpecification/employees/*", "/entitlementSpecification/employee")
SCHOOL_PATHS = (
    "/buyer",
    "/deliverySpecification/school",
    "/entitlementSpecification/school",
    "/school",
    "/entitlements/*/school",
)
SCHOOL_COLLECTIONS = (
    "deliveryOrders",
    "entitlements",
    "initialActivations",
    "deliveryOrderUsage",
    "progress",
    "consents",
    "results",
)


def reach(root: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(pointer, value) for every value a path with ``*`` wildcards reaches."""
    found: list[tuple[str, Any]] = [("", root)]
    for part in path.split("/")[1:]:
        nxt: list[tuple[str, Any]] = []
        for where, value in found:
            if part == "*":
                nxt += [(f"{where}/{i}", v) for i, v in enumerate(lst(value))]
            elif isinstance(value, dict) and part in value:
                nxt.append((f"{where}/{part}", value[part]))
        found = nxt
    return iter(found)


def _refs(paths: tuple[str, ...], m: JsonObject) -> Iterator[tuple[str, JsonObject]]:
    for path in paths:
        for where, value in reach(m, path):
            if isinstance(value, dict):
                yield where, value


def student_eck_in_master(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, ref in _refs(STUDENT_PATHS, m):
        if any(e.get("userIdType") == "eckId" for _, e in dicts(ref.get("userIds"))):
            yield where, {}


def staff_not_pupil_ids(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, ref in _refs(EMPLOYEE_PATHS, m):
        for _index, entry in dicts(ref.get("userIds")):
            if entry.get("userIdType") in ("NEPRI", "ASI"):
                yield where, {"userIdType": entry.get("userIdType")}


def student_master_is_eck(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, ref in _refs(STUDENT_PATHS, m):
        master = ref.get("userMasterIdentifier")
        if isinstance(master, str) and not ECK.match(master):
            yield f"{where}/userMasterIdentifier", {}


def staff_have_secondary(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, ref in _refs(EMPLOYEE_PATHS, m):
        if not lst(ref.get("userIds")):
            yield where, {}


def staff_have_no_master(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, ref in _refs(EMPLOYEE_PATHS, m):
        if "userMasterIdentifier" in ref:
            yield f"{where}/userMasterIdentifier", {}


def school_master_is_rio(m: JsonObject, _: str) -> Iterator[Finding]:
    for where, ref in _refs(SCHOOL_PATHS, m):
        master = ref.get("organisationMasterIdentifier")
        if isinstance(master, str) and not RIO_SCHOOL.match(master):
            yield f"{where}/organisationMasterIdentifier", {"value": master}


def modified_after_created(m: JsonObject, _: str) -> Iterator[Finding]:
    holders = [("", m)] + [(w, s) for w, s in _statements(m)]
    for where, holder in holders:
        created, modified = holder.get("dateCreated"), holder.get("dateLastModified")
        if (
            isinstance(created, str)
            and isinstance(modified, str)
            and ZULU.match(created)
            and ZULU.match(modified)
            and modified < created
        ):
            yield f"{where}/dateLastModified", {}


TIMESTAMPS = (
    "dateCreated",
    "dateLastModified",
    "processedTimestamp",
    "timestamp",
    "assessmentDateTime",
)


def timestamps_in_utc(m: JsonObject, _: str) -> Iterator[Finding]:
    holders = [("", m)] + [(w, s) for w, s in _statements(m)]
    for where, holder in holders:
        for name in TIMESTAMPS:
            value = holder.get(name)
            if isinstance(value, str) and not ZULU.match(value):
                yield f"{where}/{name}", {"field": name, "value": value}


# --------------------------------------------------------------------------- dataset predicates


@dataclass
class Index:
    """Lookups the dataset predicates share, built once per dataset."""

    products: dict[str, JsonObject]
    orders: dict[str, JsonObject]
    order_lines: dict[tuple[str, str], JsonObject]
    order_confirmations: list[JsonObject]
    delivery_orders: dict[str, JsonObject]
    entitlements: dict[str, JsonObject]
    issued: dict[str, tuple[str, str, int]]  # code -> (productId, responseReferenceId, index)
    activations: dict[str, list[tuple[int, JsonObject]]]

    @classmethod
    def of(cls, ds: ChainDataset) -> Index:
        orders = {
            r["requestReferenceId"]: r
            for r in ds.objects.get("orderRequests", ())
            if "requestReferenceId" in r
        }
        lines: dict[tuple[str, str], JsonObject] = {}
        for request in orders.values():
            for line in _order_lines(request):
                lines[
                    (str(request.get("purchaseOrderId")), str(line.get("purchaseOrderLineId")))
                ] = line
        issued: dict[str, tuple[str, str, int]] = {}
        for index, conf in enumerate(ds.objects.get("activationCodeConfirmations", ())):
            for code in lst(conf.get("activationCodes")):
                issued.setdefault(
                    code, (str(conf.get("productId")), str(conf.get("responseReferenceId")), index)
                )
        activations: dict[str, list[tuple[int, JsonObject]]] = defaultdict(list)
        for index, act in enumerate(ds.objects.get("initialActivations", ())):
            activations[str(act.get("entitlementId"))].append((index, act))
        return cls(
            products={
                p["productId"]: p for p in ds.objects.get("products", ()) if "productId" in p
            },
            orders=orders,
            order_lines=lines,
            order_confirmations=list(ds.objects.get("orderConfirmations", ())),
            delivery_orders={
                d["deliveryOrderId"]: d
                for d in ds.objects.get("deliveryOrders", ())
                if "deliveryOrderId" in d
            },
            entitlements={
                e["entitlementId"]: e
                for e in ds.objects.get("entitlements", ())
                if "entitlementId" in e
            },
            issued=issued,
            activations=activations,
        )


def _order_lines(request: JsonObject) -> list[JsonObject]:
    if "orderLines" in request:
        return [line for _, line in dicts(request.get("orderLines"))]
    if "productId" in request:
        return [request]
    return []


def _each(ds: ChainDataset, name: str) -> Iterator[tuple[str, JsonObject]]:
    for index, item in enumerate(ds.objects.get(name, ())):
        yield f"/{name}/{index}", item


def reseller_names_itself(ds: ChainDataset) -> Iterator[Finding]:
    provider = obj(ds.catalogue_provider)
    if provider.get("kind") != "reseller":
        return
    for where, product in _each(ds, "products"):
        if not product.get("reseller"):
            yield where, {"productId": product.get("productId"), "provider": provider.get("name")}


def reseller_logo(ds: ChainDataset) -> Iterator[Finding]:
    provider = obj(ds.catalogue_provider)
    if provider.get("kind") != "reseller":
        return
    for where, product in _each(ds, "products"):
        if "resellerThumbnailUrl" not in obj(product.get("media")):
            yield (
                f"{where}/media",
                {"productId": product.get("productId"), "provider": provider.get("name")},
            )


def combi_when_mixed(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, product in _each(ds, "products"):
        kinds = {
            index.products[p].get("type")
            for p in lst(product.get("bundledProducts"))
            if p in index.products
        }
        if {"physical", "digital"} <= kinds and product.get("type") != "combi":
            yield (
                f"{where}/type",
                {"productId": product.get("productId"), "type": product.get("type")},
            )


def catalogue_references_exist(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, product in _each(ds, "products"):
        for name in ("bundledProducts", "relatedProducts"):
            for i, other in enumerate(lst(product.get(name))):
                if other not in index.products:
                    yield (
                        f"{where}/{name}/{i}",
                        {"productId": product.get("productId"), "field": name, "other": other},
                    )
        other = product.get("followUpProduct")
        if other is not None and other not in index.products:
            yield (
                f"{where}/followUpProduct",
                {"productId": product.get("productId"), "field": "followUpProduct", "other": other},
            )


def order_products_in_catalogue(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, request in _each(ds, "orderRequests"):
        for i, line in enumerate(_order_lines(request)):
            if line.get("productId") not in index.products:
                at = (
                    f"{where}/orderLines/{i}/productId"
                    if "orderLines" in request
                    else f"{where}/productId"
                )
                yield (
                    at,
                    {
                        "purchaseOrderId": request.get("purchaseOrderId"),
                        "productId": line.get("productId"),
                    },
                )


def ordered_products_for_sale(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, request in _each(ds, "orderRequests"):
        for line in _order_lines(request):
            product = index.products.get(str(line.get("productId")))
            if product is not None and product.get("forSale") is False:
                yield (
                    where,
                    {
                        "purchaseOrderId": request.get("purchaseOrderId"),
                        "productId": line.get("productId"),
                    },
                )


def info_matches_product(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, info in _each(ds, "productInfo"):
        product = index.products.get(str(info.get("productId")))
        if product is None:
            yield (
                where,
                {
                    "productId": info.get("productId"),
                    "field": "productId",
                    "info": info.get("productId"),
                    "product": "missing",
                },
            )
            continue
        for name in ("productFamilyName", "type", "status", "publisher"):
            if info.get(name) != product.get(name):
                yield (
                    f"{where}/{name}",
                    {
                        "productId": info.get("productId"),
                        "field": name,
                        "info": info.get(name),
                        "product": product.get(name),
                    },
                )


def _requests_by_ref(ds: ChainDataset, name: str, key: str) -> dict[Any, JsonObject]:
    return {r.get(key): r for r in ds.objects.get(name, ())}


def order_confirmation_answers(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "orderRequests", "requestReferenceId")
    for where, conf in _each(ds, "orderConfirmations"):
        if conf.get("requestReferenceId") not in requests:
            yield (
                f"{where}/requestReferenceId",
                {
                    "responseReferenceId": conf.get("responseReferenceId"),
                    "requestReferenceId": conf.get("requestReferenceId"),
                },
            )


def _echo(where: str, conf: JsonObject, request: JsonObject, lines_name: str) -> Iterator[Finding]:
    rid = conf.get("responseReferenceId")
    if request.get("purchaseOrderId") != conf.get("purchaseOrderId"):
        yield (
            f"{where}/purchaseOrderId",
            {
                "responseReferenceId": rid,
                "field": "purchaseOrderId",
                "found": conf.get("purchaseOrderId"),
                "expected": request.get("purchaseOrderId"),
            },
        )
    asked = {str(line.get("purchaseOrderLineId")): line for line in _order_lines(request)}
    if lines_name in conf:
        confirmed = [line for _, line in dicts(conf.get(lines_name))]
    elif "productId" in conf:
        confirmed = [conf]
    else:
        confirmed = []
    for i, line in enumerate(confirmed):
        wanted = asked.get(str(line.get("purchaseOrderLineId")))
        if wanted is None:
            continue
        for name in ("productId", "quantity"):
            if name in line and name in wanted and line[name] != wanted[name]:
                yield (
                    f"{where}/{lines_name}/{i}/{name}",
                    {
                        "responseReferenceId": rid,
                        "field": name,
                        "found": line[name],
                        "expected": wanted[name],
                    },
                )


def confirmations_echo_requests(ds: ChainDataset) -> Iterator[Finding]:
    orders = _requests_by_ref(ds, "orderRequests", "requestReferenceId")
    credits = _requests_by_ref(ds, "creditOrderRequests", "requestReferenceId")
    for where, conf in _each(ds, "orderConfirmations"):
        request = orders.get(conf.get("requestReferenceId"))
        if request is not None:
            yield from _echo(where, conf, request, "orderConfirmationLines")
    for where, conf in _each(ds, "creditOrderConfirmations"):
        request = credits.get(conf.get("requestReferenceId"))
        if request is not None:
            yield from _echo(where, conf, request, "creditOrderConfirmationLines")


REQUESTS = (
    ("orderRequests", "requestReferenceId"),
    ("creditOrderRequests", "requestReferenceId"),
    ("deliveryOrderRequests", "deliveryOrderReferenceId"),
    ("entitlementRequests", "entitlementReferenceId"),
    ("activationCodeRequests", "requestReferenceId"),
    ("activationCodeRevokeRequests", "requestReferenceId"),
)


def request_references_once(ds: ChainDataset) -> Iterator[Finding]:
    seen: dict[tuple[str, Any], JsonObject] = {}
    for name, key in REQUESTS:
        for where, request in _each(ds, name):
            ref = (name, request.get(key))
            if ref in seen and seen[ref] != request:
                yield f"{where}/{key}", {"reference": request.get(key)}
            seen.setdefault(ref, request)


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


def resent_confirmations_keep_id(ds: ChainDataset) -> Iterator[Finding]:
    """Two confirmations of one request with the same outcome are one confirmation sent twice."""
    for name, request_key, own_key, outcome in CONFIRMATIONS:
        first: dict[tuple[Any, Any, Any], Any] = {}
        for where, conf in _each(ds, name):
            key = (conf.get(request_key), conf.get(outcome), str(conf.get("newUrlStatus")))
            if key in first and first[key] != conf.get(own_key):
                yield (
                    f"{where}/{own_key}",
                    {"reference": key[0], "first": first[key], "second": conf.get(own_key)},
                )
            first.setdefault(key, conf.get(own_key))


def credit_concerns_order(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    purchase = {str(r.get("purchaseOrderId")) for r in index.orders.values()}
    sales = {c.get("salesOrderId") for c in index.order_confirmations if "salesOrderId" in c}
    approvals = {
        c.get("responseReferenceId")
        for c in index.order_confirmations
        if c.get("orderStatus") == "approved"
    }
    for where, credit in _each(ds, "creditOrderRequests"):
        rid = credit.get("requestReferenceId")
        if str(credit.get("purchaseOrderId")) not in purchase:
            yield (
                f"{where}/purchaseOrderId",
                {
                    "requestReferenceId": rid,
                    "field": "purchaseOrderId",
                    "value": credit.get("purchaseOrderId"),
                    "what": "order request",
                },
            )
        if "salesOrderId" in credit and credit["salesOrderId"] not in sales:
            yield (
                f"{where}/salesOrderId",
                {
                    "requestReferenceId": rid,
                    "field": "salesOrderId",
                    "value": credit["salesOrderId"],
                    "what": "order confirmation",
                },
            )
        if "responseReferenceId" in credit and credit["responseReferenceId"] not in approvals:
            yield (
                f"{where}/responseReferenceId",
                {
                    "requestReferenceId": rid,
                    "field": "responseReferenceId",
                    "value": credit["responseReferenceId"],
                    "what": "approving confirmation",
                },
            )


def credit_lines_within_order(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    credited: Counter[tuple[str, str]] = Counter()
    for where, credit in _each(ds, "creditOrderRequests"):
        for i, line in dicts(credit.get("orderLines")):
            key = (str(credit.get("purchaseOrderId")), str(line.get("purchaseOrderLineId")))
            ordered = index.order_lines.get(key)
            if ordered is None or not isinstance(line.get("quantity"), int):
                continue
            credited[key] += line["quantity"]
            if credited[key] > ordered.get("quantity", 0) or line.get("productId") != ordered.get(
                "productId"
            ):
                yield (
                    f"{where}/orderLines/{i}",
                    {
                        "requestReferenceId": credit.get("requestReferenceId"),
                        "quantity": line["quantity"],
                        "productId": line.get("productId"),
                        "line": key[1],
                    },
                )


def credit_confirmation_answers(ds: ChainDataset) -> Iterator[Finding]:
    credits = _requests_by_ref(ds, "creditOrderRequests", "requestReferenceId")
    for where, conf in _each(ds, "creditOrderConfirmations"):
        if conf.get("requestReferenceId") not in credits:
            yield (
                where,
                {
                    "responseReferenceId": conf.get("responseReferenceId"),
                    "problem": "it answers no credit request of the dataset",
                },
            )


def products_in_catalogue(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for name, kind, key in (
        ("deliveryOrders", "Delivery order", "deliveryOrderId"),
        ("entitlements", "Entitlement", "entitlementId"),
        ("activationCodeRequests", "Code request", "requestReferenceId"),
    ):
        for where, item in _each(ds, name):
            if "productId" in item and item["productId"] not in index.products:
                yield (
                    f"{where}/productId",
                    {"object": kind, "id": item.get(key), "productId": item["productId"]},
                )


def delivered_products_ordered(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    approved = {
        c.get("requestReferenceId")
        for c in index.order_confirmations
        if c.get("orderStatus") == "approved"
    }
    ordered = {
        line.get("productId")
        for ref, request in index.orders.items()
        if ref in approved
        for line in _order_lines(request)
    }
    ordered |= {product for product, _, _ in index.issued.values()}
    for where, order in _each(ds, "deliveryOrders"):
        if order.get("productId") not in ordered:
            yield (
                f"{where}/productId",
                {
                    "deliveryOrderId": order.get("deliveryOrderId"),
                    "productId": order.get("productId"),
                },
            )


DELIVERY_TO_CATALOGUE = {
    "customer-user": "customer-student",
    "customer-activatoncode": "customer-activationcode",
}


def delivery_type_offered(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, order in _each(ds, "deliveryOrders"):
        product = index.products.get(str(order.get("productId")))
        kind = str(order.get("deliveryType"))
        if product is None or "deliveryTypes" not in product or kind == "school-admin":
            continue
        if DELIVERY_TO_CATALOGUE.get(kind, kind) not in lst(product.get("deliveryTypes")):
            yield (
                f"{where}/deliveryType",
                {
                    "deliveryOrderId": order.get("deliveryOrderId"),
                    "deliveryType": kind,
                    "productId": order.get("productId"),
                },
            )


def _school_refs(ds: ChainDataset) -> Iterator[tuple[str, str, JsonObject]]:
    for name in SCHOOL_COLLECTIONS:
        for where, item in _each(ds, name):
            for at, ref in _refs(SCHOOL_PATHS, item):
                if _is_school(ref):
                    yield f"{where}{at}", name, ref


def schools_known(ds: ChainDataset) -> Iterator[Finding]:
    for where, component, ref in _school_refs(ds):
        if ds.school(ref) is None:
            yield where, {"object": component, "school": school_label(ref)}


def _people(school: Any, role: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for person in getattr(school, role + "s", []):
        found |= person_keys(person)
    return found


def listed_people_belong(ds: ChainDataset) -> Iterator[Finding]:
    checks = (
        (
            "deliveryOrders",
            "Delivery order",
            "deliveryOrderId",
            "/deliverySpecification",
            (("students", "student"), ("employees", "employee")),
        ),
        (
            "entitlements",
            "Entitlement",
            "entitlementId",
            "/entitlementSpecification",
            (("student", "student"), ("employee", "employee")),
        ),
    )
    for name, kind, key, spec_path, members in checks:
        for where, item in _each(ds, name):
            spec = obj(next((v for _, v in reach(item, spec_path)), None))
            school = ds.school(obj(spec.get("school"))) if "school" in spec else None
            if school is None:
                continue
            for member, role in members:
                people = (
                    lst(spec.get(member))
                    if isinstance(spec.get(member), list)
                    else [spec.get(member)]
                    if member in spec
                    else []
                )
                for i, person in enumerate(people):
                    if not (person_keys(person) & _people(school, role)):
                        at = f"{where}{spec_path}/{member}" + (
                            f"/{i}" if isinstance(spec.get(member), list) else ""
                        )
                        yield (
                            at,
                            {
                                "object": kind,
                                "id": item.get(key),
                                "role": role,
                                "person": person_label(person),
                                "school": school.key,
                            },
                        )


def spec_ids_exist(ds: ChainDataset) -> Iterator[Finding]:
    for where, order in _each(ds, "deliveryOrders"):
        spec = obj(order.get("deliverySpecification"))
        school = ds.school(obj(spec.get("school"))) if "school" in spec else None
        if school is None:
            continue
        for member, key, known in (
            ("studyYears", "studyYearId", school.studyYearIds),
            ("subjects", "subjectId", school.subjectIds),
            ("groups", "groupId", school.groupIds),
        ):
            for i, entry in dicts(spec.get(member)):
                if entry.get(key) not in known:
                    yield (
                        f"{where}/deliverySpecification/{member}/{i}",
                        {
                            "deliveryOrderId": order.get("deliveryOrderId"),
                            "field": key,
                            "value": entry.get(key),
                            "school": school.key,
                        },
                    )


def codes_issued_for_product(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for name, kind, key, path in (
        ("deliveryOrders", "Delivery order", "deliveryOrderId", "/deliverySpecification"),
        ("entitlements", "Entitlement", "entitlementId", "/entitlementSpecification"),
    ):
        for where, item in _each(ds, name):
            spec = obj(next((v for _, v in reach(item, path)), None))
            codes = lst(spec.get("activationCodes")) + (
                [spec["activationCode"]] if "activationCode" in spec else []
            )
            for code in codes:
                issued = index.issued.get(code)
                if issued is None or issued[0] != item.get("productId"):
                    yield (
                        f"{where}{path}",
                        {
                            "object": kind,
                            "id": item.get(key),
                            "activationCode": code,
                            "productId": item.get("productId"),
                        },
                    )


def code_entitled_once(ds: ChainDataset) -> Iterator[Finding]:
    counts: Counter[Any] = Counter()
    places: dict[Any, str] = {}
    for where, item in _each(ds, "entitlements"):
        code = obj(item.get("entitlementSpecification")).get("activationCode")
        if code is not None:
            counts[code] += 1
            places.setdefault(code, where)
    for code, n in counts.items():
        if n > 1:
            yield places[code], {"activationCode": code, "count": n}


def delivery_confirmation_answers(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "deliveryOrderRequests", "deliveryOrderReferenceId")
    for where, conf in _each(ds, "deliveryOrderConfirmations"):
        request = requests.get(conf.get("deliveryOrderReferenceId"))
        rid = conf.get("deliveryOrderReceiveId")
        if request is None:
            yield (
                where,
                {"deliveryOrderReceiveId": rid, "problem": "it answers no request of the dataset"},
            )
            continue
        order = obj(request.get("deliveryOrder"))
        for name in ("deliveryOrderId", "productId"):
            if conf.get(name) != order.get(name):
                yield (
                    f"{where}/{name}",
                    {"deliveryOrderReceiveId": rid, "problem": f"{name} differs from the request"},
                )


def confirmed_total(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "deliveryOrderRequests", "deliveryOrderReferenceId")
    for where, conf in _each(ds, "deliveryOrderConfirmations"):
        request = requests.get(conf.get("deliveryOrderReferenceId"))
        total = obj(obj(obj(request).get("deliveryOrder")).get("deliverySpecification")).get(
            "totalQuantity"
        )
        if "newTotalQuantity" in conf and total is not None and conf["newTotalQuantity"] != total:
            yield (
                f"{where}/newTotalQuantity",
                {
                    "deliveryOrderReceiveId": conf.get("deliveryOrderReceiveId"),
                    "newTotalQuantity": conf["newTotalQuantity"],
                    "totalQuantity": total,
                },
            )


NEXT_STATUS = {
    "ordered": {"ordered", "processed"},
    "processed": {"processed", "licensed"},
    "licensed": {"licensed"},
    "cancelled": {"cancelled"},
}


def delivery_next_status(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "deliveryOrderRequests", "deliveryOrderReferenceId")
    for where, conf in _each(ds, "deliveryOrderConfirmations"):
        request = requests.get(conf.get("deliveryOrderReferenceId"))
        asked = obj(obj(request).get("deliveryOrder")).get("status")
        if conf.get("success") is not True or asked not in NEXT_STATUS:
            continue
        if conf.get("newStatus") not in NEXT_STATUS[asked]:
            yield (
                f"{where}/newStatus",
                {
                    "deliveryOrderReceiveId": conf.get("deliveryOrderReceiveId"),
                    "requested": asked,
                    "newStatus": conf.get("newStatus"),
                },
            )


def _total(spec: JsonObject) -> int | None:
    if isinstance(spec.get("totalQuantity"), int):
        return int(spec["totalQuantity"])
    for name in ("students", "employees", "activationCodes"):
        if isinstance(spec.get(name), list):
            return len(spec[name])
    if "student" in spec or "activationCode" in spec:
        return 1
    return None


def delivery_quantity_only_down(ds: ChainDataset) -> Iterator[Finding]:
    last: dict[Any, int] = {}
    for where, request in _each(ds, "deliveryOrderRequests"):
        order = obj(request.get("deliveryOrder"))
        total = _total(obj(order.get("deliverySpecification")))
        key = order.get("deliveryOrderId")
        if total is None:
            continue
        if key in last and total > last[key]:
            yield (
                f"{where}/deliveryOrder/deliverySpecification",
                {"deliveryOrderId": key, "before": last[key], "after": total},
            )
        if order.get("status") != "created":
            last[key] = total


CORE = {
    "deliveryOrderRequests": (
        "deliveryOrder",
        "deliveryOrderId",
        "Delivery order",
        ("productId", "buyer", "deliveryType", "startDate"),
        ("ordered", "processed", "licensed", "cancelled"),
    ),
    "entitlementRequests": (
        "entitlement",
        "entitlementId",
        "Entitlement",
        ("productId", "entitlementType", "entitlementSpecification"),
        ("entitled", "licensed", "cancelled", "blocked"),
    ),
}


def core_fields_stay(ds: ChainDataset) -> Iterator[Finding]:
    for name, (member, key, kind, fields, settled) in CORE.items():
        first: dict[Any, JsonObject] = {}
        for where, request in _each(ds, name):
            item = obj(request.get(member))
            ident = item.get(key)
            if ident in first:
                for field_name in fields:
                    if item.get(field_name) != first[ident].get(field_name):
                        yield (
                            f"{where}/{member}/{field_name}",
                            {"object": kind, "id": ident, "field": field_name, "state": "ordered"},
                        )
            elif item.get("status", item.get("entitlementStatus")) in (*settled, "created"):
                first[ident] = item


def licensed_delivery_has_licence(ds: ChainDataset) -> Iterator[Finding]:
    licensed = {
        e.get("deliveryOrderId")
        for e in ds.objects.get("entitlements", ())
        if e.get("entitlementStatus") == "licensed"
    }
    for where, order in _each(ds, "deliveryOrders"):
        if order.get("status") == "licensed" and order.get("deliveryOrderId") not in licensed:
            yield f"{where}/status", {"deliveryOrderId": order.get("deliveryOrderId")}


def entitlement_from_delivery(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, ent in _each(ds, "entitlements"):
        ref = ent.get("deliveryOrderId")
        if ref is None:
            continue
        order = index.delivery_orders.get(ref)
        eid = ent.get("entitlementId")
        if order is None:
            yield (
                f"{where}/deliveryOrderId",
                {"entitlementId": eid, "problem": "its delivery order is not in the dataset"},
            )
            continue
        for name in ("productId", "contractId"):
            if ent.get(name) != order.get(name):
                yield (
                    f"{where}/{name}",
                    {"entitlementId": eid, "problem": f"{name} differs from its delivery order"},
                )


OPEN_TYPES = ("school-all", "school-studies", "school-subjects", "school-groups", "school-admin")


def entitlement_for_whom(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, ent in _each(ds, "entitlements"):
        order = index.delivery_orders.get(str(ent.get("deliveryOrderId")))
        if order is None:
            continue
        espec, dspec = (
            obj(ent.get("entitlementSpecification")),
            obj(order.get("deliverySpecification")),
        )
        kind = order.get("deliveryType")
        base = {
            "entitlementId": ent.get("entitlementId"),
            "entitlementType": ent.get("entitlementType"),
            "deliveryOrderId": order.get("deliveryOrderId"),
            "deliveryType": kind,
        }
        if kind == "school-students" and not any(
            person_keys(espec.get("student")) & person_keys(s) for s in lst(dspec.get("students"))
        ):
            yield (
                f"{where}/entitlementSpecification",
                {**base, "problem": "the pupil is not listed"},
            )
        elif kind == "school-employees" and not any(
            person_keys(espec.get("employee")) & person_keys(e) for e in lst(dspec.get("employees"))
        ):
            yield (
                f"{where}/entitlementSpecification",
                {**base, "problem": "the employee is not listed"},
            )
        elif kind == "school-activationcodes" and espec.get("activationCode") not in lst(
            dspec.get("activationCodes")
        ):
            yield f"{where}/entitlementSpecification", {**base, "problem": "the code is not listed"}
        elif kind == "customer-user" and not (
            person_keys(espec.get("student")) & person_keys(dspec.get("student"))
        ):
            yield f"{where}/entitlementSpecification", {**base, "problem": "another pupil"}
        elif kind == "customer-activatoncode" and espec.get("activationCode") != dspec.get(
            "activationCode"
        ):
            yield f"{where}/entitlementSpecification", {**base, "problem": "another code"}
        elif kind in OPEN_TYPES:
            school = ds.school(obj(dspec.get("school")))
            role = "employee" if "employee" in espec else "student"
            if school is not None and not (person_keys(espec.get(role)) & _people(school, role)):
                yield (
                    f"{where}/entitlementSpecification",
                    {**base, "problem": f"the {role} is not at the school"},
                )


def entitlement_window_of_order(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, ent in _each(ds, "entitlements"):
        order = index.delivery_orders.get(str(ent.get("deliveryOrderId")))
        if order is None:
            continue
        mine = (ent.get("startDate"), ent.get("activationUntilDate"))
        theirs = (order.get("startDate"), order.get("activationUntilDate"))
        if mine != theirs:
            yield (
                f"{where}/startDate",
                {
                    "entitlementId": ent.get("entitlementId"),
                    "window": f"{mine[0]} to {mine[1]}",
                    "orderWindow": f"{theirs[0]} to {theirs[1]}",
                },
            )


def entitlements_within_quantity(ds: ChainDataset) -> Iterator[Finding]:
    live: Counter[Any] = Counter(
        e.get("deliveryOrderId")
        for e in ds.objects.get("entitlements", ())
        if e.get("entitlementStatus") not in ("cancelled", "blocked")
    )
    for where, order in _each(ds, "deliveryOrders"):
        total = _total(obj(order.get("deliverySpecification")))
        count = live[order.get("deliveryOrderId")]
        if total is not None and count > total:
            yield (
                where,
                {
                    "deliveryOrderId": order.get("deliveryOrderId"),
                    "count": count,
                    "totalQuantity": total,
                },
            )


def entitlement_portals(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, ent in _each(ds, "entitlements"):
        order = index.delivery_orders.get(str(ent.get("deliveryOrderId")))
        have = {u.get("portal") for _, u in dicts(ent.get("urlStatuses"))}
        for portal in lst(obj(order).get("portals")):
            if portal not in have:
                yield (
                    f"{where}/urlStatuses",
                    {"entitlementId": ent.get("entitlementId"), "portal": portal},
                )


def entitlement_confirmation_answers(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "entitlementRequests", "entitlementReferenceId")
    for where, conf in _each(ds, "entitlementConfirmations"):
        request = requests.get(conf.get("entitlementReferenceId"))
        rid = conf.get("entitlementReceiveId")
        if request is None:
            yield (
                where,
                {"entitlementReceiveId": rid, "problem": "it answers no request of the dataset"},
            )
            continue
        ent = obj(request.get("entitlement"))
        for name in ("entitlementId", "productId"):
            if conf.get(name) != ent.get(name):
                yield (
                    f"{where}/{name}",
                    {"entitlementReceiveId": rid, "problem": f"{name} differs from the request"},
                )


LR_TABLE = {"created": "entitled", "cancelled": "cancelled", "blocked": "blocked"}
LP_TABLE = {"initialized": "processed", "cancelled": "cancelled", "blocked": "blocked"}


def entitlement_confirmation_table(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "entitlementRequests", "entitlementReferenceId")
    for where, conf in _each(ds, "entitlementConfirmations"):
        ent = obj(obj(requests.get(conf.get("entitlementReferenceId"))).get("entitlement"))
        if not ent or conf.get("success") is not True:
            continue
        rid = conf.get("entitlementReceiveId")
        if "newEntitlementStatus" in conf:
            asked = ent.get("entitlementStatus")
            expected = LR_TABLE.get(str(asked))
            if expected is not None and conf["newEntitlementStatus"] != expected:
                yield (
                    f"{where}/newEntitlementStatus",
                    {
                        "entitlementReceiveId": rid,
                        "requested": asked,
                        "answered": conf["newEntitlementStatus"],
                        "expected": expected,
                    },
                )
        url = obj(conf.get("newUrlStatus"))
        if url:
            asked = next(
                (
                    u.get("urlStatus")
                    for _, u in dicts(ent.get("urlStatuses"))
                    if u.get("portal") == url.get("portal")
                ),
                None,
            )
            expected = LP_TABLE.get(str(asked))
            if expected is not None and url.get("urlStatus") != expected:
                yield (
                    f"{where}/newUrlStatus",
                    {
                        "entitlementReceiveId": rid,
                        "requested": asked,
                        "answered": url.get("urlStatus"),
                        "expected": expected,
                    },
                )


def portal_confirms_own(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "entitlementRequests", "entitlementReferenceId")
    for where, conf in _each(ds, "entitlementConfirmations"):
        url = obj(conf.get("newUrlStatus"))
        ent = obj(obj(requests.get(conf.get("entitlementReferenceId"))).get("entitlement"))
        if (
            url
            and ent
            and url.get("portal") not in {u.get("portal") for _, u in dicts(ent.get("urlStatuses"))}
        ):
            yield (
                f"{where}/newUrlStatus/portal",
                {
                    "entitlementReceiveId": conf.get("entitlementReceiveId"),
                    "portal": url.get("portal"),
                    "entitlementId": ent.get("entitlementId"),
                },
            )


def code_confirmation_answers(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "activationCodeRequests", "requestReferenceId")
    for where, conf in _each(ds, "activationCodeConfirmations"):
        request = requests.get(conf.get("requestReferenceId"))
        rid = conf.get("responseReferenceId")
        if request is None:
            yield (
                where,
                {"responseReferenceId": rid, "problem": "it answers no request of the dataset"},
            )
            continue
        if conf.get("productId") != request.get("productId"):
            yield (
                f"{where}/productId",
                {"responseReferenceId": rid, "problem": "another product than requested"},
            )
        codes = lst(conf.get("activationCodes"))
        if conf.get("success") is True and len(codes) != request.get("quantity"):
            yield (
                f"{where}/activationCodes",
                {
                    "responseReferenceId": rid,
                    "problem": f"{len(codes)} codes for a request of {request.get('quantity')}",
                },
            )


def code_issued_once(ds: ChainDataset) -> Iterator[Finding]:
    seen: set[Any] = set()
    for where, conf in _each(ds, "activationCodeConfirmations"):
        for i, code in enumerate(lst(conf.get("activationCodes"))):
            if code in seen:
                yield f"{where}/activationCodes/{i}", {"activationCode": code}
            seen.add(code)


def revoke_concerns_issued(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, request in _each(ds, "activationCodeRevokeRequests"):
        code = request.get("activationCode")
        rid = request.get("requestReferenceId")
        issued = index.issued.get(str(code))
        if issued is None:
            yield (
                f"{where}/activationCode",
                {"requestReferenceId": rid, "problem": f"code {code} was never issued"},
            )
        elif "responseReferenceId" in request and request["responseReferenceId"] != issued[1]:
            yield (
                f"{where}/responseReferenceId",
                {
                    "requestReferenceId": rid,
                    "problem": "it cites another confirmation than the one that issued the code",
                },
            )


def revoke_confirmation_answers(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "activationCodeRevokeRequests", "requestReferenceId")
    for where, conf in _each(ds, "activationCodeRevokeConfirmations"):
        request = requests.get(conf.get("requestReferenceId"))
        rid = conf.get("responseReferenceId")
        if request is None:
            yield where, {"responseReferenceId": rid, "problem": "it answers no revoke request"}
        elif conf.get("activationCode") != request.get("activationCode"):
            yield (
                f"{where}/activationCode",
                {"responseReferenceId": rid, "problem": "another code than requested"},
            )


def revoked_code_unused(ds: ChainDataset) -> Iterator[Finding]:
    requests = _requests_by_ref(ds, "activationCodeRevokeRequests", "requestReferenceId")
    revoked: dict[Any, str] = {}
    for conf in ds.objects.get("activationCodeRevokeConfirmations", ()):
        if conf.get("success") is True and conf.get("requestReferenceId") in requests:
            revoked[conf.get("activationCode")] = str(conf.get("processedTimestamp", ""))[:10]
    for where, act in _each(ds, "initialActivations"):
        code = act.get("activationCode")
        if code in revoked and str(act.get("usageDate")) >= revoked[code]:
            yield (
                f"{where}/activationCode",
                {
                    "activationCode": code,
                    "revoked": revoked[code],
                    "usageDate": act.get("usageDate"),
                },
            )


def activation_entitlement(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, act in _each(ds, "initialActivations"):
        eid = act.get("entitlementId")
        ent = index.entitlements.get(str(eid))
        if ent is None:
            yield f"{where}/entitlementId", {"entitlementId": eid, "problem": "no such entitlement"}
            continue
        spec = obj(ent.get("entitlementSpecification"))
        if act.get("entitlementType") != ent.get("entitlementType"):
            yield (
                f"{where}/entitlementType",
                {"entitlementId": eid, "problem": "another entitlement type"},
            )
        holder = spec.get("student") or spec.get("employee")
        if holder is not None and not (person_keys(holder) & person_keys(act.get("user"))):
            yield (
                f"{where}/user",
                {"entitlementId": eid, "problem": "another user than the entitled one"},
            )
        if "school" in spec and "school" in act and spec["school"] != act["school"]:
            yield f"{where}/school", {"entitlementId": eid, "problem": "another school"}
        if "activationCode" in spec and act.get("activationCode") != spec["activationCode"]:
            yield (
                f"{where}/activationCode",
                {"entitlementId": eid, "problem": "another activation code"},
            )


def activated_product(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, act in _each(ds, "initialActivations"):
        ent = index.entitlements.get(str(act.get("entitlementId")))
        if ent is None:
            continue
        entitled = ent.get("productId")
        parts = lst(obj(index.products.get(str(entitled))).get("bundledProducts"))
        if act.get("productId") != entitled and act.get("productId") not in parts:
            yield (
                f"{where}/productId",
                {
                    "entitlementId": act.get("entitlementId"),
                    "productId": act.get("productId"),
                    "entitled": entitled,
                },
            )


def activation_keeps_licence(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, act in _each(ds, "initialActivations"):
        ent = index.entitlements.get(str(act.get("entitlementId")))
        minimum = obj(ent).get("expirationDate")
        if (
            isinstance(minimum, str)
            and isinstance(act.get("expirationDate"), str)
            and act["expirationDate"] < minimum
        ):
            yield (
                f"{where}/expirationDate",
                {
                    "entitlementId": act.get("entitlementId"),
                    "expirationDate": act["expirationDate"],
                    "minimum": minimum,
                },
            )


def activated_in_window(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, act in _each(ds, "initialActivations"):
        ent = obj(index.entitlements.get(str(act.get("entitlementId"))))
        start, until, used = (
            ent.get("startDate"),
            ent.get("activationUntilDate"),
            act.get("usageDate"),
        )
        if (
            isinstance(start, str)
            and isinstance(until, str)
            and isinstance(used, str)
            and not start <= used <= until
        ):
            yield (
                f"{where}/usageDate",
                {
                    "entitlementId": act.get("entitlementId"),
                    "usageDate": used,
                    "startDate": start,
                    "activationUntilDate": until,
                },
            )


def licensed_has_activation(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, ent in _each(ds, "entitlements"):
        has = bool(index.activations.get(str(ent.get("entitlementId"))))
        status = ent.get("entitlementStatus")
        if status == "licensed" and not has:
            yield (
                f"{where}/entitlementStatus",
                {
                    "entitlementId": ent.get("entitlementId"),
                    "entitlementStatus": status,
                    "problem": "without an initial activation",
                },
            )
        elif status in ("created", "entitled") and has:
            yield (
                f"{where}/entitlementStatus",
                {
                    "entitlementId": ent.get("entitlementId"),
                    "entitlementStatus": status,
                    "problem": "although it was activated",
                },
            )


def code_activated_once(ds: ChainDataset) -> Iterator[Finding]:
    counts: Counter[Any] = Counter(
        a.get("activationCode")
        for a in ds.objects.get("initialActivations", ())
        if "activationCode" in a
    )
    for where, act in _each(ds, "initialActivations"):
        code = act.get("activationCode")
        if code is not None and counts[code] > 1:
            yield f"{where}/activationCode", {"activationCode": code, "count": counts[code]}


def usage_report_reflects(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, report in _each(ds, "deliveryOrderUsage"):
        dk = report.get("deliveryOrderId")
        if dk not in index.delivery_orders:
            yield (
                f"{where}/deliveryOrderId",
                {"deliveryOrderId": dk, "problem": "the delivery order is not in the dataset"},
            )
        for i, item in dicts(report.get("entitlements")):
            ent = index.entitlements.get(str(item.get("entitlementId")))
            if ent is None or ent.get("deliveryOrderId") != dk:
                yield (
                    f"{where}/entitlements/{i}",
                    {
                        "deliveryOrderId": dk,
                        "problem": f"{item.get('entitlementId')} is not one of its entitlements",
                    },
                )
            elif item.get("entitlementStatus") != ent.get("entitlementStatus"):
                yield (
                    f"{where}/entitlements/{i}/entitlementStatus",
                    {
                        "deliveryOrderId": dk,
                        "problem": f"entitlement {item.get('entitlementId')} has another status",
                    },
                )


def first_use_is_activation(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, report in _each(ds, "deliveryOrderUsage"):
        for i, item in dicts(report.get("entitlements")):
            first = obj(item.get("usage")).get("firstUsed")
            acts = index.activations.get(str(item.get("entitlementId")), [])
            if first is not None and acts and acts[0][1].get("usageDate") != first:
                yield (
                    f"{where}/entitlements/{i}/usage/firstUsed",
                    {
                        "entitlementId": item.get("entitlementId"),
                        "firstUsed": first,
                        "usageDate": acts[0][1].get("usageDate"),
                    },
                )


def _pupil_at(ds: ChainDataset, school_ref: Any, person: Any) -> tuple[bool, str]:
    school = ds.school(obj(school_ref)) if isinstance(school_ref, dict) else None
    keys = person_keys(person)
    if school is None:
        return any(keys & _people(s, "student") for s in ds.schools), "any"
    return bool(keys & _people(school, "student")), school.key


def results_for_pupils(ds: ChainDataset) -> Iterator[Finding]:
    for where, message in _each(ds, "results"):
        for at, statement in _statements(message):
            ok, school = _pupil_at(ds, message.get("school"), statement.get("student"))
            if not ok:
                yield (
                    f"{where}{at}/student",
                    {
                        "id": message.get("id"),
                        "person": person_label(statement.get("student")),
                        "school": school,
                    },
                )


def progress_for_pupils(ds: ChainDataset) -> Iterator[Finding]:
    for where, report in _each(ds, "progress"):
        person = report.get("student") or {"userMasterIdentifier": report.get("eckId")}
        ok, school = _pupil_at(ds, report.get("school"), person)
        if not ok:
            yield (
                f"{where}/student",
                {"id": report.get("id"), "person": person_label(person), "school": school},
            )


def progress_id_keeps(ds: ChainDataset) -> Iterator[Finding]:
    first: dict[Any, JsonObject] = {}
    for where, report in _each(ds, "progress"):
        seen = first.setdefault(report.get("id"), report)
        for name in ("student", "eckId", "assignableUnitId", "courseId"):
            if report.get(name) != seen.get(name):
                yield f"{where}/{name}", {"id": report.get("id"), "field": name}


def progress_started_first(ds: ChainDataset) -> Iterator[Finding]:
    started: set[Any] = set()
    for where, report in sorted(_each(ds, "progress"), key=lambda wr: str(wr[1].get("timestamp"))):
        if report.get("status") == "started":
            started.add(report.get("id"))
        elif (
            report.get("status") in ("not-started", "abandoned") and report.get("id") not in started
        ):
            yield f"{where}/status", {"id": report.get("id"), "status": report.get("status")}


def _accepted(ds: ChainDataset) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for consent in ds.objects.get("consents", ()):
        if (
            consent.get("providerStatus") != "accepted"
            or consent.get("consumerStatus", "accepted") != "accepted"
        ):
            continue
        school = ds.school(obj(consent.get("school"))) if "school" in consent else None
        key = school.key if school is not None else str(consent.get("edu_org_id"))
        found[(key, str(consent.get("api")))] |= {str(s) for s in lst(consent.get("scopes"))}
    return found


# The scope a consent must include, per API, in the current and the previous consent version.
CONSENT_SCOPE = {
    "progress-api": ("progress",),
    "results-api": ("result",),
    "entitlement-api": ("entitlement.portal", "entitlement"),
}


def consent_before_exchange(ds: ChainDataset) -> Iterator[Finding]:
    accepted = _accepted(ds)

    def needs(where: str, kind: str, ident: Any, school_ref: Any, api: str) -> Iterator[Finding]:
        school = ds.school(obj(school_ref)) if isinstance(school_ref, dict) else None
        if school is None:
            return
        granted = accepted.get((school.key, api), set()) | accepted.get(
            (school.organisationMasterIdentifier or "", api), set()
        )
        if not granted & set(CONSENT_SCOPE[api]):
            scope = CONSENT_SCOPE[api][0]
            yield (
                where,
                {"object": kind, "id": ident, "school": school.key, "api": api, "scope": scope},
            )

    for where, report in _each(ds, "progress"):
        yield from needs(where, "Progress", report.get("id"), report.get("school"), "progress-api")
    for where, message in _each(ds, "results"):
        yield from needs(where, "Results", message.get("id"), message.get("school"), "results-api")
    for where, ent in _each(ds, "entitlements"):
        if lst(ent.get("urlStatuses")):
            school = obj(ent.get("entitlementSpecification")).get("school")
            yield from needs(
                where, "Entitlement", ent.get("entitlementId"), school, "entitlement-api"
            )


DATA_SERVICE = {
    "delivery-api": "Leveringsorders",
    "entitlement-api": "Aanspraken",
    "usage-api": "Leermiddelgebruik",
    "progress-api": "Leermateriaalgebruik",
    "results-api": "Leerresultaten",
}


def consent_rests_on_agreement(ds: ChainDataset) -> Iterator[Finding]:
    agreements = [a for a in ds.objects.get("agreements", ()) if a.get("valid") is True]
    for where, consent in _each(ds, "consents"):
        if consent.get("providerStatus") != "accepted":
            continue
        school = ds.school(obj(consent.get("school"))) if "school" in consent else None
        service = DATA_SERVICE.get(str(consent.get("api")))
        if school is None or service is None:
            continue
        covered = any(
            a.get("boardId") == school.boardId and service in lst(a.get("dataServices"))
            for a in agreements
        )
        if not covered:
            yield (
                where,
                {
                    "api": consent.get("api"),
                    "school": school.key,
                    "board": school.boardId,
                    "service": service,
                },
            )


def _student_refs(ds: ChainDataset) -> Iterator[tuple[str, str, Any, Any]]:
    """(pointer, object kind, person reference, school reference) of pupils in chain data."""
    for where, order in _each(ds, "deliveryOrders"):
        spec = obj(order.get("deliverySpecification"))
        for i, person in enumerate(lst(spec.get("students"))):
            yield (
                f"{where}/deliverySpecification/students/{i}",
                "Delivery order",
                person,
                spec.get("school"),
            )
        if "student" in spec:
            yield f"{where}/deliverySpecification/student", "Delivery order", spec["student"], None
    for where, ent in _each(ds, "entitlements"):
        spec = obj(ent.get("entitlementSpecification"))
        if "student" in spec:
            yield (
                f"{where}/entitlementSpecification/student",
                "Entitlement",
                spec["student"],
                spec.get("school"),
            )
    for where, report in _each(ds, "progress"):
        if "student" in report:
            yield f"{where}/student", "Progress", report["student"], report.get("school")


def pupils_by_master(ds: ChainDataset) -> Iterator[Finding]:
    for where, kind, person, school_ref in _student_refs(ds):
        ref = obj(person)
        if "userMasterIdentifier" in ref:
            continue
        schools = [ds.school(obj(school_ref))] if isinstance(school_ref, dict) else ds.schools
        for school in schools:
            for known in getattr(school, "students", []):
                if person_keys(ref) & person_keys(known) and "userMasterIdentifier" in known:
                    yield (
                        where,
                        {
                            "object": kind,
                            "person": person_label(ref),
                            "master": known["userMasterIdentifier"][-12:],
                        },
                    )


def schools_by_master(ds: ChainDataset) -> Iterator[Finding]:
    for where, component, ref in _school_refs(ds):
        if "organisationMasterIdentifier" in ref:
            continue
        school = ds.school(ref)
        if school is not None and school.organisationMasterIdentifier:
            yield (
                where,
                {
                    "object": component,
                    "school": school_label(ref),
                    "master": school.organisationMasterIdentifier,
                },
            )


def contract_view_total(ds: ChainDataset) -> Iterator[Finding]:
    index = Index.of(ds)
    for where, group in _each(ds, "deliveryOrderEntitlements"):
        order = index.delivery_orders.get(str(group.get("deliveryOrderId")))
        total = _total(obj(obj(order).get("deliverySpecification")))
        if (
            order is not None
            and "totalQuantity" in group
            and total is not None
            and group["totalQuantity"] != total
        ):
            yield (
                f"{where}/totalQuantity",
                {
                    "deliveryOrderId": group.get("deliveryOrderId"),
                    "reported": group["totalQuantity"],
                    "totalQuantity": total,
                },
            )


# ---------------------------------------------------------------- administration (format 1)


def _students_by_key(ds: Dataset) -> dict[tuple[str, str], JsonObject]:
    found: dict[tuple[str, str], JsonObject] = {}
    for student in ds.students:
        for key in person_keys(student):
            found[key] = student
    return found


def admin_pupils_by_master(ds: Dataset) -> Iterator[Finding]:
    students = _students_by_key(ds)
    for s_index, school in enumerate(ds.schools):
        refs: list[tuple[str, str, Any]] = []
        for i, e in enumerate(school.enrollments):
            refs.append(
                (f"/schools/{s_index}/enrollments/{i}/student", "Enrollment", e.get("student"))
            )
        for i, g in enumerate(school.groups):
            refs += [
                (f"/schools/{s_index}/groups/{i}/students/{j}", "Group", s)
                for j, s in enumerate(lst(g.get("students")))
            ]
        for i, a in enumerate(school.assignments):
            if "student" in a:
                refs.append(
                    (f"/schools/{s_index}/assignments/{i}/student", "Assignment", a["student"])
                )
        for where, kind, raw in refs:
            ref = obj(raw)
            if "userMasterIdentifier" in ref:
                continue
            known = next((students[k] for k in person_keys(ref) if k in students), None)
            if known is not None and "userMasterIdentifier" in known:
                yield (
                    where,
                    {
                        "object": kind,
                        "person": person_label(ref),
                        "master": str(known["userMasterIdentifier"])[-12:],
                    },
                )


def admin_schools_by_master(ds: Dataset) -> Iterator[Finding]:
    masters = {}
    for school in ds.schools:
        org = school.organisation
        for _, entry in dicts(org.get("organisationIds")):
            if org.get("organisationMasterIdentifier"):
                masters[(entry.get("organisationIdType"), entry.get("organisationId"))] = org[
                    "organisationMasterIdentifier"
                ]
    for e_index, employee in enumerate(ds.employees):
        for r_index, role in dicts(employee.get("organisationRoles")):
            ref = obj(role.get("organisation"))
            if "organisationMasterIdentifier" in ref:
                continue
            for _, entry in dicts(ref.get("organisationIds")):
                master = masters.get((entry.get("organisationIdType"), entry.get("organisationId")))
                if master:
                    yield (
                        f"/employees/{e_index}/organisationRoles/{r_index}/organisation",
                        {"object": "Employee", "school": school_label(ref), "master": master},
                    )
                    break


# --------------------------------------------------------------------------- registries

# rule id -> (top-level components the predicate runs on, predicate)
MESSAGE_CHECKS: dict[str, tuple[tuple[str, ...], MessageCheck]] = {
    "EDUV-PRODUCT-001": (("Product",), product_licence_period),
    "EDUV-PRODUCT-002": (("Product",), product_licence_days),
    "EDUV-PRODUCT-003": (("Product",), product_activation_days),
    "EDUV-PRODUCT-004": (("Product",), product_activation_date),
    "EDUV-PRODUCT-005": (("Product",), product_activation_period),
    "EDUV-PRODUCT-006": (("Product",), product_access_url),
    "EDUV-PRODUCT-011": (("Product",), product_digital_set),
    "EDUV-PRODUCT-012": (("Product",), product_parts_recommended),
    "EDUV-PRODUCT-013": (("Product", "ProductInfo"), product_end_dates),
    "EDUV-PRODUCT-014": (("Product",), product_id_kind),
    "EDUV-PRODUCT-015": (("Product", "ProductInfo"), product_check_digit),
    "EDUV-PRODUCT-017": (("Product",), product_successor),
    "EDUV-PRODUCT-018": (("Product", "ProductInfo"), product_dates_in_order),
    "EDUV-PRODUCT-019": (("Product", "ProductInfo"), product_not_self_bundled),
    "EDUV-PRODUCT-020": (("Product", "ProductInfo"), study_code_form),
    "EDUV-PRODUCT-023": (
        ("get-all-products.parameters", "get-all-products-info.parameters"),
        since_in_utc,
    ),
    "EDUV-PRICE-001": (("Product",), price_two_decimals),
    "EDUV-PRICE-002": (("Product",), price_steps_two_decimals),
    "EDUV-PRICE-003": (("Product",), price_steps_match_type),
    "EDUV-PRICE-004": (("Product",), price_type_has_steps),
    "EDUV-PRICE-005": (("Product",), price_incl_not_below_excl),
    "EDUV-PRICE-006": (("Product",), price_dates_distinct),
    "EDUV-PRICE-007": (("Product",), price_steps_distinct),
    "EDUV-ORDER-001": (
        ("OrderConfirmation", "CreditOrderConfirmation"),
        order_declined_not_success,
    ),
    "EDUV-ORDER-002": (("OrderConfirmation", "CreditOrderConfirmation"), order_approved_not_failed),
    "EDUV-ORDER-003": (
        ("OrderRequest", "CreditOrderRequest", "OrderConfirmation"),
        order_line_ids_distinct,
    ),
    "EDUV-ORDER-004": (("OrderRequest", "CreditOrderRequest"), order_quantities_positive),
    "EDUV-ORDER-005": (("OrderRequest",), order_country_code),
    "EDUV-ORDER-006": (("OrderRequest",), order_has_lines),
    "EDUV-DELIVERY-001": (("DeliveryOrder",), delivery_cancelled_end),
    "EDUV-DELIVERY-002": (("DeliveryOrder",), delivery_end_only_cancelled),
    "EDUV-DELIVERY-003": (("DeliveryOrder",), delivery_buyer_fits),
    "EDUV-DELIVERY-004": (("DeliveryOrder",), delivery_spec_fits),
    "EDUV-DELIVERY-005": (("DeliveryOrder",), delivery_spec_school_is_buyer),
    "EDUV-DELIVERY-006": (("DeliveryOrder",), delivery_quantities_add_up),
    "EDUV-DELIVERY-007": (("DeliveryOrder",), delivery_window),
    "EDUV-DELIVERY-008": (("DeliveryOrder",), delivery_customer_email),
    "EDUV-DELIVERY-009": (("DeliveryOrder",), delivery_portals_once),
    "EDUV-ENTITLE-001": (("Entitlement",), entitlement_end),
    "EDUV-ENTITLE-002": (("Entitlement",), entitlement_spec_fits),
    "EDUV-ENTITLE-003": (("Entitlement",), entitlement_has_spec),
    "EDUV-ENTITLE-004": (("Entitlement",), entitlement_portal_once),
    "EDUV-ENTITLE-005": (("EntitlementConfirmation",), entitlement_confirmation_says_what),
    "EDUV-ENTITLE-006": (("DeliveryOrderEntitlements",), entitlement_totals),
    "EDUV-ENTITLE-007": (("DeliveryOrderEntitlements",), entitlement_group_members),
    "EDUV-ENTITLE-008": (("Entitlement", "EntitlementProduct"), entitlement_window),
    "EDUV-ENTITLE-009": (("Entitlement", "EntitlementProduct"), entitlement_expiry_after_start),
    "EDUV-ACTCODE-001": (("ActivationCodeConfirmation",), codes_on_success),
    "EDUV-ACTCODE-002": (("ActivationCodeConfirmation",), no_codes_on_failure),
    "EDUV-ACTCODE-003": (("ActivationCodeConfirmation",), codes_distinct),
    "EDUV-ACTCODE-004": (("ActivationCodeRequest",), codes_quantity_positive),
    "EDUV-USAGE-001": (("InitialActivation",), usage_type_initial),
    "EDUV-USAGE-002": (
        ("InitialActivation", "DeliveryOrderUsage", "SchoolUserUsage"),
        usage_code_named,
    ),
    "EDUV-USAGE-003": (("DeliveryOrderUsage", "SchoolUserUsage"), usage_school_named),
    "EDUV-USAGE-004": (("DeliveryOrderUsage", "SchoolUserUsage"), usage_user_named),
    "EDUV-USAGE-005": (("InitialActivation",), activation_school_named),
    "EDUV-USAGE-006": (("DeliveryOrderUsage", "SchoolUserUsage"), usage_last_after_first),
    "EDUV-USAGE-007": (("DeliveryOrderUsage", "SchoolUserUsage"), usage_totals),
    "EDUV-RESULT-001": (("AssessmentScoresAndResults",), result_fits_scale),
    "EDUV-RESULT-003": (("AssessmentScoresAndResults",), score_counted),
    "EDUV-RESULT-004": (("AssessmentScoresAndResults",), scale_rows),
    "EDUV-RESULT-005": (("AssessmentScoresAndResults",), scales_defined),
    "EDUV-RESULT-006": (("AssessmentScoresAndResults",), entries_cite_assessment),
    "EDUV-RESULT-007": (("AssessmentScoresAndResults",), parts_distinct),
    "EDUV-RESULT-008": (("AssessmentScoresAndResults",), statement_ids_distinct),
    "EDUV-RESULT-009": (("AssessmentScoresAndResults",), missing_without_outcome),
    "EDUV-RESULT-010": (("AssessmentScoresAndResults",), message_after_sitting),
    "EDUV-RESULT-011": (("AssessmentScoresAndResults",), results_references_name),
    "EDUV-PROGRESS-001": (("SimpleProgress",), followup_has_signal),
    "EDUV-PROGRESS-002": (("SimpleProgress",), progress_eck_id),
    "EDUV-CONSENT-001": (("ConsentStatus",), consent_provider_reference),
    "EDUV-CONSENT-002": (("ConsentStatus",), consent_consumer_reference),
    "EDUV-CONSENT-003": (
        (
            "ConsentStatus",
            "ConsentRequest",
            "ConsentNotification",
            "ConsentConfirmation",
            "ConsentRevoke",
        ),
        consent_scopes_belong,
    ),
    "EDUV-CONSENT-004": (
        (
            "ConsentStatus",
            "ConsentRequest",
            "ConsentNotification",
            "ConsentConfirmation",
            "ConsentRevoke",
        ),
        consent_has_scope,
    ),
    "EDUV-DPA-001": (("Agreement",), agreement_dates),
    "EDUV-DPA-002": (("Agreement",), agreement_order),
    "EDUV-DPA-003": (("Agreement", "AgreementVerification"), agreement_oin),
    "EDUV-DPA-004": (("Agreement", "AgreementVerification"), agreement_board),
    "EDUV-NOTIFY-004": (("Notification",), notification_object_named),
    "EDUV-NOTIFY-005": (("Notification",), notification_url),
    "EDUV-NOTIFY-006": (("Notification",), notification_school_id),
    "EDUV-NOTIFY-007": (("Notification",), notification_user_id_type),
    "EDUV-STATUS-001": (("StatusResponse",), status_99_explained),
    "EDUV-STATUS-002": (
        (
            "OrderConfirmation",
            "CreditOrderConfirmation",
            "DeliveryOrderConfirmation",
            "EntitlementConfirmation",
            "ActivationCodeConfirmation",
            "ActivationCodeRevokeConfirmation",
        ),
        declined_explained,
    ),
    "EDUV-ID-101": (("DeliveryOrder", "Entitlement", "SimpleProgress"), student_eck_in_master),
    "EDUV-ID-102": (("DeliveryOrder", "Entitlement"), staff_not_pupil_ids),
    "EDUV-ID-002": (("DeliveryOrder", "Entitlement", "SimpleProgress"), student_master_is_eck),
    "EDUV-ID-005": (("DeliveryOrder", "Entitlement"), staff_have_secondary),
    "EDUV-ID-006": (("DeliveryOrder", "Entitlement"), staff_have_no_master),
    "EDUV-ID-011": (
        (
            "DeliveryOrder",
            "Entitlement",
            "InitialActivation",
            "DeliveryOrderUsage",
            "SimpleProgress",
            "ConsentStatus",
        ),
        school_master_is_rio,
    ),
    "EDUV-TIME-001": (
        ("Product", "ProductInfo", "DeliveryOrder", "Entitlement", "AssessmentScoresAndResults"),
        modified_after_created,
    ),
    "EDUV-TIME-002": (
        (
            "Product",
            "ProductInfo",
            "OrderConfirmation",
            "CreditOrderConfirmation",
            "DeliveryOrder",
            "DeliveryOrderConfirmation",
            "Entitlement",
            "EntitlementConfirmation",
            "ActivationCodeConfirmation",
            "ActivationCodeRevokeConfirmation",
            "AssessmentScoresAndResults",
            "SimpleProgress",
        ),
        timestamps_in_utc,
    ),
}

# Rules whose subject is a whole request body of post-notifications (a list of Notification).
BATCH_CHECKS: dict[str, Callable[[list[JsonObject], str], Iterator[Finding]]] = {
    "EDUV-NOTIFY-001": batch_one_school,
    "EDUV-NOTIFY-002": batch_oldest_first,
    "EDUV-NOTIFY-003": batch_nothing_after_delete,
}

DATASET_CHECKS: dict[str, DatasetCheck] = {
    "EDUV-PRODUCT-008": reseller_names_itself,
    "EDUV-PRODUCT-009": reseller_logo,
    "EDUV-PRODUCT-016": combi_when_mixed,
    "EDUV-PRODUCT-024": catalogue_references_exist,
    "EDUV-CHAIN-001": order_products_in_catalogue,
    "EDUV-CHAIN-002": ordered_products_for_sale,
    "EDUV-CHAIN-003": info_matches_product,
    "EDUV-CHAIN-004": order_confirmation_answers,
    "EDUV-CHAIN-005": confirmations_echo_requests,
    "EDUV-CHAIN-006": request_references_once,
    "EDUV-CHAIN-007": resent_confirmations_keep_id,
    "EDUV-CHAIN-008": credit_concerns_order,
    "EDUV-CHAIN-009": credit_lines_within_order,
    "EDUV-CHAIN-010": credit_confirmation_answers,
    "EDUV-CHAIN-011": products_in_catalogue,
    "EDUV-CHAIN-012": delivered_products_ordered,
    "EDUV-CHAIN-013": delivery_type_offered,
    "EDUV-CHAIN-014": schools_known,
    "EDUV-CHAIN-015": listed_people_belong,
    "EDUV-CHAIN-016": spec_ids_exist,
    "EDUV-CHAIN-017": codes_issued_for_product,
    "EDUV-CHAIN-018": code_entitled_once,
    "EDUV-CHAIN-019": delivery_confirmation_answers,
    "EDUV-CHAIN-020": confirmed_total,
    "EDUV-CHAIN-021": delivery_next_status,
    "EDUV-CHAIN-022": delivery_quantity_only_down,
    "EDUV-CHAIN-023": core_fields_stay,
    "EDUV-CHAIN-024": licensed_delivery_has_licence,
    "EDUV-CHAIN-025": entitlement_from_delivery,
    "EDUV-CHAIN-026": entitlement_for_whom,
    "EDUV-CHAIN-027": entitlement_window_of_order,
    "EDUV-CHAIN-028": entitlements_within_quantity,
    "EDUV-CHAIN-029": entitlement_portals,
    "EDUV-CHAIN-030": entitlement_confirmation_answers,
    "EDUV-CHAIN-031": entitlement_confirmation_table,
    "EDUV-CHAIN-032": portal_confirms_own,
    "EDUV-CHAIN-033": code_confirmation_answers,
    "EDUV-CHAIN-034": code_issued_once,
    "EDUV-CHAIN-035": revoke_concerns_issued,
    "EDUV-CHAIN-036": revoke_confirmation_answers,
    "EDUV-CHAIN-037": revoked_code_unused,
    "EDUV-CHAIN-038": activation_entitlement,
    "EDUV-CHAIN-039": activated_product,
    "EDUV-CHAIN-040": activation_keeps_licence,
    "EDUV-CHAIN-041": activated_in_window,
    "EDUV-CHAIN-042": licensed_has_activation,
    "EDUV-CHAIN-043": code_activated_once,
    "EDUV-CHAIN-044": usage_report_reflects,
    "EDUV-CHAIN-045": first_use_is_activation,
    "EDUV-CHAIN-046": results_for_pupils,
    "EDUV-CHAIN-047": progress_for_pupils,
    "EDUV-CHAIN-048": progress_id_keeps,
    "EDUV-CHAIN-049": progress_started_first,
    "EDUV-CHAIN-050": consent_before_exchange,
    "EDUV-CHAIN-051": consent_rests_on_agreement,
    "EDUV-CHAIN-052": pupils_by_master,
    "EDUV-CHAIN-053": schools_by_master,
    "EDUV-CHAIN-055": contract_view_total,
}

ADMIN_CHECKS: dict[str, AdminCheck] = {
    "EDUV-ID-020": admin_pupils_by_master,
    "EDUV-ID-021": admin_schools_by_master,
}


def check_message(rule: str, component: str, message: JsonObject, version: str) -> list[Finding]:
    """Findings of one message predicate on one object (empty when it does not apply)."""
    components, predicate = MESSAGE_CHECKS[rule]
    return list(predicate(message, version)) if component in components else []


def all_rules() -> Iterable[str]:
    return [*MESSAGE_CHECKS, *BATCH_CHECKS, *DATASET_CHECKS, *ADMIN_CHECKS]
