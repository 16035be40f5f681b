"""One mutation per chain rule: a change to a valid chain dataset that breaks that rule.

As in :mod:`tests.rules.mutations`, a mutation edits a dataset in place and returns the
other rules it breaks unavoidably (usually none). It runs on a chain in the current
shapes and on one in the previous shapes, for each release the rule applies to, so a
mutation reads the members both versions share or asks ``_current`` which it has.
Rules whose subject a chain dataset does not hold (a query's parameters, a batch of
notifications, a status response) have a message example instead (``EXAMPLES``).
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eduv.dataset.chain import ChainDataset

Json = dict[str, Any]
Mutate = Callable[[ChainDataset, random.Random], set[str]]
STRANGER = {"userMasterIdentifier": "https://ketenid.nl/201703/" + "a" * 128}
UNKNOWN_PRODUCT = "9780000000002"


@dataclass(frozen=True)
class ChainMutation:
    rule: str
    mutate: Mutate


@dataclass(frozen=True)
class MessageExample:
    """A valid message and a broken one for a rule whose subject no chain dataset holds."""

    rule: str
    api: str
    version: str
    message: str
    valid: Any
    broken: Any


MUTATIONS: dict[str, ChainMutation] = {}


def mutation(rule: str) -> Callable[[Mutate], Mutate]:
    def register(func: Mutate) -> Mutate:
        assert rule not in MUTATIONS, f"two mutations for {rule}"
        MUTATIONS[rule] = ChainMutation(rule, func)
        return func

    return register


# --- finding things ------------------------------------------------------------------


def _all(ds: ChainDataset, name: str, cond: Callable[[Json], bool] = lambda _: True) -> list[Json]:
    return [o for o in ds.objects.get(name, ()) if cond(o)]


def _one(
    ds: ChainDataset, rng: random.Random, name: str, cond: Callable[[Json], bool] = lambda _: True
) -> Json:
    found = _all(ds, name, cond)
    assert found, f"the base chain has no suitable {name}"
    return rng.choice(found)


def _current(ds: ChainDataset, api: str) -> bool:
    """Whether the dataset holds ``api`` in its current version (else the previous one)."""
    from eduv.dataset.chain import supported_shapes

    return ds.shapes[api] == supported_shapes(api)[0]


def _new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _spec(order: Json) -> Json:
    spec: Json = order["deliverySpecification"]
    return spec


def _of_type(kind: str) -> Callable[[Json], bool]:
    return lambda d: d["deliveryType"] == kind


def _digital(p: Json) -> bool:
    return bool(p["type"] == "digital" and p["forSale"])


def _lines(request: Json) -> list[Json]:
    """The lines of an order request: its orderLines (t) or itself (t-1)."""
    lines: list[Json] = request.get("orderLines", [request])
    return lines


def _priced(p: Json) -> bool:
    return bool(p.get("price"))


def _tiered(p: Json) -> bool:
    return any("tierPricing" in price for price in p.get("price", ()))


def _statement(ds: ChainDataset) -> Json:
    for message in ds.objects["results"]:
        for statement in message["studentScoresAndResults"]:
            if statement.get("scores") and len(statement.get("results", ())) > 1:
                return statement
    raise AssertionError("no statement with scores and two results")


def _reset(obj: Json, **values: Any) -> set[str]:
    obj.update(values)
    return set()


def _drop(obj: Json, *names: str) -> set[str]:
    for name in names:
        del obj[name]
    return set()


# --- the catalogue -------------------------------------------------------------------


@mutation("EDUV-PRODUCT-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(_one(ds, rng, "products", _digital), "licensePeriod")


@mutation("EDUV-PRODUCT-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "products", _digital), licensePeriod={"licenseVariant": "days"})


@mutation("EDUV-PRODUCT-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    product = _one(ds, rng, "products", _digital)
    return _reset(product, activationPeriod={"activationVariant": "days"})


@mutation("EDUV-PRODUCT-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    product = _one(ds, rng, "products", _digital)
    return _reset(product, activationPeriod={"activationVariant": "date"})


@mutation("EDUV-PRODUCT-005")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(_one(ds, rng, "products", _digital), "activationPeriod")


@mutation("EDUV-PRODUCT-006")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(_one(ds, rng, "products", lambda p: p["type"] == "combi"), "defaultAccessUrl")


@mutation("EDUV-PRODUCT-008")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(rng.choice(ds.objects["products"]), "reseller")


@mutation("EDUV-PRODUCT-009")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(rng.choice(ds.objects["products"])["media"], "resellerThumbnailUrl")


@mutation("EDUV-PRODUCT-011")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    digital_set = _one(ds, rng, "products", lambda p: _digital(p) and p["saleUnitSize"] > 1)
    return _drop(digital_set, "bundledProducts")


@mutation("EDUV-PRODUCT-012")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    combi = _one(ds, rng, "products", lambda p: p["type"] == "combi")
    # Its ProductInfo still lists the parts: the two disagree on nothing the rules compare.
    return _drop(combi, "bundledProducts")


@mutation("EDUV-PRODUCT-013")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(_one(ds, rng, "products", lambda p: "endOfLifeDate" in p), "endOfLifeDate")


@mutation("EDUV-PRODUCT-014")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    # A book (no ProductInfo, nothing refers to it by this id but orders) gets a UUID.
    product = _one(ds, rng, "products", lambda p: p["forSale"] and p["type"] == "physical")
    old, new = product["productId"], _new_id(rng)
    _rename_product(ds, old, new)
    return set()


def _rename_product(ds: ChainDataset, old: str, new: str) -> None:
    """Give a product another id everywhere the chain names it."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return new if node == old else node

    for name, items in ds.objects.items():
        ds.objects[name] = [walk(item) for item in items]


@mutation("EDUV-PRODUCT-015")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    product = _one(ds, rng, "products", lambda p: p["forSale"] and p["type"] == "physical")
    old = product["productId"]
    _rename_product(ds, old, old[:12] + str((int(old[12]) + 1) % 10))
    return set()


@mutation("EDUV-PRODUCT-016")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    combi = _one(ds, rng, "products", lambda p: p["type"] == "combi")
    combi["type"] = "physical"
    # A physical product needs no access URL, so nothing else notices; ProductInfo does.
    info = [i for i in ds.objects["productInfo"] if i["productId"] == combi["productId"]]
    for item in info:
        item["type"] = "physical"
    return set()


@mutation("EDUV-PRODUCT-017")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(_one(ds, rng, "products", lambda p: "followUpProduct" in p), "followUpProduct")


@mutation("EDUV-PRODUCT-018")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ended = _one(ds, rng, "products", lambda p: "endOfLifeDate" in p)
    ended["endOfLifeDate"] = "2000-01-01"
    for info in ds.objects["productInfo"]:
        if info["productId"] == ended["productId"]:
            info["endOfLifeDate"] = "2000-01-01"
    return set()


@mutation("EDUV-PRODUCT-019")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    combi = _one(ds, rng, "products", lambda p: p["type"] == "combi")
    combi["bundledProducts"].append(combi["productId"])
    # The combi now bundles a combi as well as a book and a licence: no rule minds.
    return set()


@mutation("EDUV-PRODUCT-020")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    product = _one(ds, rng, "products", lambda p: p["type"] == "physical")
    return _reset(product["studies"][0], studyCode="0011")


@mutation("EDUV-PRODUCT-024")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    _one(ds, rng, "products", lambda p: p["type"] == "physical")["relatedProducts"] = [
        UNKNOWN_PRODUCT
    ]
    return set()


@mutation("EDUV-PRICE-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "products", _priced)["price"][0], priceExcl=24.955)


@mutation("EDUV-PRICE-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    price = next(p for p in _one(ds, rng, "products", _tiered)["price"] if "tierPricing" in p)
    return _reset(price["tierPricing"][0], priceExcl=1.005)


@mutation("EDUV-PRICE-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    standard = _one(
        ds, rng, "products", lambda p: _priced(p) and p["price"][0].get("priceType") == "standard"
    )
    step = {"qty": 1, "priceExcl": 1.0, "priceIncl": 1.09}
    return _reset(standard["price"][0], tierPricing=[step])


@mutation("EDUV-PRICE-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    price = next(p for p in _one(ds, rng, "products", _tiered)["price"] if "tierPricing" in p)
    return _drop(price, "tierPricing")


@mutation("EDUV-PRICE-005")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "products", _priced)["price"][0], priceIncl=0.5)


@mutation("EDUV-PRICE-006")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    prices = _one(ds, rng, "products", _priced)["price"]
    prices.append(copy.deepcopy(prices[0]))
    return set()


@mutation("EDUV-PRICE-007")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    price = next(p for p in _one(ds, rng, "products", _tiered)["price"] if "tierPricing" in p)
    return _reset(price["tierPricing"][1], qty=price["tierPricing"][0]["qty"])


# --- orders --------------------------------------------------------------------------


def _approved(c: Json) -> bool:
    return bool(c["orderStatus"] == "approved")


def _uncredited(ds: ChainDataset) -> Callable[[Json], bool]:
    cited = {c.get("responseReferenceId") for c in ds.objects["creditOrderRequests"]}
    return lambda c: _approved(c) and c["responseReferenceId"] not in cited


@mutation("EDUV-ORDER-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "orderConfirmations", _uncredited(ds)), orderStatus="declined")


@mutation("EDUV-ORDER-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    confirmation = _one(ds, rng, "orderConfirmations", _approved)
    confirmation.update(success=False, statusMessage="Niet verwerkt")
    return set()


@mutation("EDUV-ORDER-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = _one(ds, rng, "orderRequests", lambda r: len(r.get("orderLines", ())) > 1)
    lines = request["orderLines"]
    old = lines[1]["purchaseOrderLineId"]
    lines[1]["purchaseOrderLineId"] = lines[0]["purchaseOrderLineId"]
    # Confirmations and credits that name the old line id now name nothing: change them too.
    for name in ("orderConfirmations", "creditOrderRequests"):
        for other in _all(ds, name, lambda o: o["purchaseOrderId"] == request["purchaseOrderId"]):
            for line in other.get("orderConfirmationLines", other.get("orderLines", ())):
                if line["purchaseOrderLineId"] == old:
                    line["purchaseOrderLineId"] = lines[0]["purchaseOrderLineId"]
    return {"EDUV-CHAIN-005", "EDUV-CHAIN-009"}


@mutation("EDUV-ORDER-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    # A new order of nothing, never confirmed: the rest of the chain does not know it.
    request = copy.deepcopy(_one(ds, rng, "orderRequests"))
    request["requestReferenceId"] = _new_id(rng)
    request["purchaseOrderId"] = f"PO-{rng.getrandbits(32)}"
    _lines(request)[0]["quantity"] = 0
    ds.objects["orderRequests"].append(request)
    return set()


@mutation("EDUV-ORDER-005")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = _one(ds, rng, "orderRequests", lambda r: "deliveryLocation" in r)
    return _reset(request["deliveryLocation"], countryCode="NLD")


@mutation("EDUV-ORDER-006")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = _one(ds, rng, "orderRequests")
    request["orderLines"] = []
    return set()


# --- delivery orders -----------------------------------------------------------------


@mutation("EDUV-DELIVERY-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(_one(ds, rng, "deliveryOrders", lambda d: d["status"] == "cancelled"), "endDate")


@mutation("EDUV-DELIVERY-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", lambda d: d["status"] == "processed")
    return _reset(order, endDate="2025-10-01")


@mutation("EDUV-DELIVERY-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-all"))
    order["buyer"] = {"displayName": "Ouder", "email": "ouder@example.nl"}
    return set()


@mutation("EDUV-DELIVERY-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-students"))
    # Its entitlements were made for pupils the specification no longer lists.
    return _drop(_spec(order), "students") | {"EDUV-CHAIN-026"}


@mutation("EDUV-DELIVERY-005")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-all"))
    other = next(s for s in ds.schools if not s.matches(order["buyer"]))
    _spec(order)["school"] = other.reference()
    # Its entitlements are for pupils of the buyer, not of the school now named.
    return {"EDUV-CHAIN-026"}


@mutation("EDUV-DELIVERY-006")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    def counted(d: Json) -> bool:
        parts = [p for m in ("studyYears", "subjects", "groups") for p in _spec(d).get(m, ())]
        return bool(parts) and all("quantity" in p for p in parts) and "totalQuantity" in _spec(d)

    order = _one(ds, rng, "deliveryOrders", counted)
    part = next(_spec(order)[m] for m in ("studyYears", "subjects", "groups") if m in _spec(order))
    part[0]["quantity"] += 1
    return set()


@mutation("EDUV-DELIVERY-007")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders")
    order["activationUntilDate"] = "2000-01-01"
    # Its entitlements repeat the window (EDUV-CHAIN-027 notices the difference).
    return {"EDUV-CHAIN-027"}


@mutation("EDUV-DELIVERY-008")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("customer-user"))
    return _reset(order["buyer"], email="ouder.example.nl")


@mutation("EDUV-DELIVERY-009")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", lambda d: bool(d.get("portals")))
    order["portals"].append(order["portals"][0])
    return set()


# --- entitlements --------------------------------------------------------------------


def _status(kind: str) -> Callable[[Json], bool]:
    return lambda e: e["entitlementStatus"] == kind


@mutation("EDUV-ENTITLE-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(_one(ds, rng, "entitlements", _status("cancelled")), "endDate")


@mutation("EDUV-ENTITLE-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements", lambda e: e["entitlementType"] == "school-employee")
    # Without its employee the entitlement no longer matches its order's list either.
    return _drop(ent["entitlementSpecification"], "employee") | {"EDUV-CHAIN-026"}


@mutation("EDUV-ENTITLE-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements", lambda e: e["entitlementType"] == "school-employee")
    return _drop(ent, "entitlementSpecification") | {"EDUV-CHAIN-026", "EDUV-CHAIN-038"}


@mutation("EDUV-ENTITLE-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements", lambda e: bool(e["urlStatuses"]))
    ent["urlStatuses"].append(copy.deepcopy(ent["urlStatuses"][0]))
    return set()


@mutation("EDUV-ENTITLE-005")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(ds, rng, "entitlementConfirmations", lambda c: "newEntitlementStatus" in c)
    return _drop(conf, "newEntitlementStatus")


@mutation("EDUV-ENTITLE-006")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    group = _one(ds, rng, "deliveryOrderEntitlements")
    group["totalEntitled"] += 1
    return set()


@mutation("EDUV-ENTITLE-007")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    group = _one(ds, rng, "deliveryOrderEntitlements")
    return _reset(group["entitlements"][0], deliveryOrderId=_new_id(rng))


@mutation("EDUV-ENTITLE-008")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements")
    return _reset(ent, activationUntilDate="2000-01-01") | {"EDUV-CHAIN-027", "EDUV-CHAIN-041"}


@mutation("EDUV-ENTITLE-009")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements", _status("entitled"))
    return _reset(ent, expirationDate="2000-01-01")


# --- activation codes ----------------------------------------------------------------


def _issued(c: Json) -> bool:
    return bool(c["success"] and c.get("activationCodes"))


@mutation("EDUV-ACTCODE-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(ds, rng, "activationCodeConfirmations", _issued)
    conf["activationCodes"] = []
    return {"EDUV-CHAIN-017", "EDUV-CHAIN-033", "EDUV-CHAIN-035"}


@mutation("EDUV-ACTCODE-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(ds, rng, "activationCodeConfirmations", _issued)
    conf.update(success=False, statusMessage="Niet uitgegeven")
    return set()


@mutation("EDUV-ACTCODE-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(ds, rng, "activationCodeConfirmations", _issued)
    conf["activationCodes"].append(conf["activationCodes"][0])
    # One more code than asked, and a code issued twice.
    return {"EDUV-CHAIN-033", "EDUV-CHAIN-034"}


@mutation("EDUV-ACTCODE-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = _one(ds, rng, "activationCodeRequests")
    request["quantity"] = 0
    return {"EDUV-ORDER-004", "EDUV-CHAIN-033"}


# --- usage ---------------------------------------------------------------------------


def _coded(a: Json) -> bool:
    return "activationCode" in a


@mutation("EDUV-USAGE-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "initialActivations"), usageType="weekly-usage")


@mutation("EDUV-USAGE-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(_one(ds, rng, "initialActivations", _coded), "activationCode") | {"EDUV-CHAIN-038"}


def _usage_of(kind: str) -> Callable[[Json], bool]:
    return lambda u: any(e["entitlementType"] == kind for e in u["entitlements"])


@mutation("EDUV-USAGE-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "deliveryOrderUsage", _usage_of("school-student"))
    part = next(e for e in report["entitlements"] if e["entitlementType"] == "school-student")
    return _drop(part, "school")


@mutation("EDUV-USAGE-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "deliveryOrderUsage", _usage_of("school-student"))
    part = next(e for e in report["entitlements"] if e["entitlementType"] == "school-student")
    return _drop(part, "user")


@mutation("EDUV-USAGE-005")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    activation = _one(
        ds, rng, "initialActivations", lambda a: a["entitlementType"] == "school-student"
    )
    return _drop(activation, "school")


def _used(u: Json) -> bool:
    return any("usage" in e for e in u["entitlements"])


@mutation("EDUV-USAGE-006")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "deliveryOrderUsage", _used)
    part = next(e for e in report["entitlements"] if "usage" in e)
    return _reset(part["usage"], lastUsed="2000-01-01")


@mutation("EDUV-USAGE-007")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "deliveryOrderUsage")
    report["totalLicensed"] += 1
    return set()


# --- results and progress ------------------------------------------------------------


@mutation("EDUV-RESULT-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    results = _statement(ds)["results"]
    graded = next(r for r in results if r["resultType"] in ("Grade0-10", "Grade0.0-10.0"))
    return _reset(graded, resultValue="11")


@mutation("EDUV-RESULT-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_statement(ds)["scores"][0], scoreValue="-1")


@mutation("EDUV-RESULT-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    entries = ds.objects["results"][0]["scoreScaleDefinitions"][0]["scoreScaleEntries"]
    row = entries[0] if isinstance(entries, list) else entries
    return _reset(row, LHS="5-0")


@mutation("EDUV-RESULT-005")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    score = _statement(ds)["scores"][0]
    if "scoreScaleIds" in score:
        return _reset(score, scoreScaleIds=["onbekend"])
    return _reset(score, scoreScaleId="onbekend")


@mutation("EDUV-RESULT-006")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_statement(ds)["results"][0], assessmentId="een-andere-toets")


@mutation("EDUV-RESULT-007")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    parts = ds.objects["results"][0]["assessmentDefinition"]["parts"]
    return _reset(parts[1], index=parts[0]["index"])


@mutation("EDUV-RESULT-008")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    statements = ds.objects["results"][0]["studentScoresAndResults"]
    statements.append(copy.deepcopy(statements[0]))
    return set()


@mutation("EDUV-RESULT-009")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_statement(ds), missing=True)


@mutation("EDUV-RESULT-010")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(ds.objects["results"][0], timestamp="2000-01-01T00:00:00Z")


@mutation("EDUV-RESULT-011")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    statement = _statement(ds)
    statement["student"] = {"userIds": []}
    return {"EDUV-CHAIN-046"}


@mutation("EDUV-PROGRESS-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "progress")
    report["pleaseFollowup"] = True
    for name in ("additionalInfo", "detailsUrl"):
        report.pop(name, None)
    return set()


@mutation("EDUV-PROGRESS-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "progress")
    _rename_progress_pupil(ds, report, "leerling-12345")
    return {"EDUV-CHAIN-047"}


def _rename_progress_pupil(ds: ChainDataset, report: Json, eck: str) -> None:
    """Give every report of the same progress id the same new pupil."""
    for other in ds.objects["progress"]:
        if other["id"] == report["id"]:
            other["eckId"] = eck


# --- consent and agreements ----------------------------------------------------------


@mutation("EDUV-CONSENT-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    consent = _one(ds, rng, "consents", lambda c: c["providerStatus"] == "accepted")
    return _reset(consent, providerReferenceId="")


@mutation("EDUV-CONSENT-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    consent = _one(ds, rng, "consents", lambda c: c.get("consumerStatus") == "accepted")
    return _reset(consent, consumerReferenceId="")


@mutation("EDUV-CONSENT-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    consent = _one(ds, rng, "consents", lambda c: c["api"] == "progress-api")
    consent["scopes"].append("delivery.portal")
    return set()


@mutation("EDUV-CONSENT-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    consent = _one(ds, rng, "consents", lambda c: c["api"] == "usage-api")
    return _reset(consent, scopes=[])


@mutation("EDUV-DPA-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "agreements"), startDate="01-01-2024")


@mutation("EDUV-DPA-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "agreements"), endDate="2000-01-01")


@mutation("EDUV-DPA-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "agreements"), supplierOin="KVK 12345678")


@mutation("EDUV-DPA-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    agreement = _one(ds, rng, "agreements")
    # The board no longer matches its schools, whose consents lose their agreement.
    return _reset(agreement, boardId="Stichting Flores") | {"EDUV-CHAIN-051"}


# --- notifications, status, people, time ---------------------------------------------


def _declined(c: Json) -> bool:
    return c["success"] is False


@mutation("EDUV-STATUS-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _drop(_one(ds, rng, "orderConfirmations", _declined), "statusMessage")


@mutation("EDUV-ID-101")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-students"))
    pupil = _spec(order)["students"][0]
    pupil["userIds"] = [{"userId": pupil["userMasterIdentifier"], "userIdType": "eckId"}]
    return set()


def _staff_order(ds: ChainDataset, rng: random.Random) -> Json:
    return _one(ds, rng, "deliveryOrders", _of_type("school-employees"))


@mutation("EDUV-ID-102")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    employee = _spec(_staff_order(ds, rng))["employees"][0]
    employee["userIds"].append({"userId": "1234", "userIdType": "ASI"})
    return set()


@mutation("EDUV-ID-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-students"))
    _spec(order)["students"][0]["userMasterIdentifier"] = "leerling-12345"
    # An unknown pupil for the school, and for its entitlement (now listed nowhere).
    return {"EDUV-CHAIN-015", "EDUV-CHAIN-026"}


@mutation("EDUV-ID-005")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    employee = _spec(_staff_order(ds, rng))["employees"][0]
    employee["userMasterIdentifier"] = "medewerker-1"
    del employee["userIds"]
    return {"EDUV-ID-006", "EDUV-CHAIN-015", "EDUV-CHAIN-026"}


@mutation("EDUV-ID-006")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    employee = _spec(_staff_order(ds, rng))["employees"][0]
    employee["userMasterIdentifier"] = "medewerker-1"
    return set()


@mutation("EDUV-ID-011")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-all"))
    order["buyer"] = {"organisationMasterIdentifier": "09QQ"}
    # No school of the dataset is called so, and the specification names the real one.
    return {"EDUV-DELIVERY-005", "EDUV-CHAIN-014"}


@mutation("EDUV-TIME-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "deliveryOrders"), dateLastModified="2000-01-01T00:00:00Z")


@mutation("EDUV-TIME-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "deliveryOrders"), dateCreated="2025-07-01T10:00:00+02:00")


# --- the chain: ordering -------------------------------------------------------------


@mutation("EDUV-CHAIN-001")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = copy.deepcopy(_one(ds, rng, "orderRequests"))
    request["requestReferenceId"] = _new_id(rng)
    _lines(request)[0]["productId"] = UNKNOWN_PRODUCT
    ds.objects["orderRequests"].append(request)
    return set()


@mutation("EDUV-CHAIN-002")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = copy.deepcopy(_one(ds, rng, "orderRequests"))
    request["requestReferenceId"] = _new_id(rng)
    demo = _one(ds, rng, "products", lambda p: not p["forSale"])
    _lines(request)[0]["productId"] = demo["productId"]
    ds.objects["orderRequests"].append(request)
    return set()


@mutation("EDUV-CHAIN-003")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "productInfo"), productFamilyName="Andere methode")


@mutation("EDUV-CHAIN-004")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "orderConfirmations"), requestReferenceId=_new_id(rng))


@mutation("EDUV-CHAIN-005")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(ds, rng, "orderConfirmations", _approved)
    line = conf["orderConfirmationLines"][0] if "orderConfirmationLines" in conf else conf
    line["quantity"] += 1000
    return set()


@mutation("EDUV-CHAIN-006")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    one, two = rng.sample(ds.objects["orderRequests"], 2)
    two["requestReferenceId"] = one["requestReferenceId"]
    # The confirmations of the second answer a reference that is gone.
    return {"EDUV-CHAIN-004", "EDUV-CHAIN-005", "EDUV-CHAIN-007"}


@mutation("EDUV-CHAIN-007")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    again = copy.deepcopy(_one(ds, rng, "orderConfirmations", _approved))
    again["responseReferenceId"] = _new_id(rng)
    ds.objects["orderConfirmations"].append(again)
    return set()


@mutation("EDUV-CHAIN-008")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    credit = _one(ds, rng, "creditOrderRequests")
    credit["purchaseOrderId"] = "PO-onbekend"
    # Its confirmation still repeats the old order id.
    return {"EDUV-CHAIN-005"}


@mutation("EDUV-CHAIN-009")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    credit = _one(ds, rng, "creditOrderRequests", lambda c: "orderLines" in c)
    credit["orderLines"][0]["quantity"] += 10_000
    return {"EDUV-CHAIN-005"}


@mutation("EDUV-CHAIN-010")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "creditOrderConfirmations"), requestReferenceId=_new_id(rng))


# --- the chain: delivery orders ------------------------------------------------------


def _licensed_ids(ds: ChainDataset) -> set[str]:
    return {e["deliveryOrderId"] for e in ds.objects["entitlements"] if _status("licensed")(e)}


@mutation("EDUV-CHAIN-011")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = _one(ds, rng, "activationCodeRequests")
    request["productId"] = UNKNOWN_PRODUCT
    # Its confirmation now gives another product than asked.
    return {"EDUV-CHAIN-033"}


@mutation("EDUV-CHAIN-012")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ordered = {line["productId"] for r in ds.objects["orderRequests"] for line in _lines(r)}
    ordered |= {c["productId"] for c in ds.objects["activationCodeConfirmations"]}
    spare = _one(ds, rng, "products", lambda p: p["productId"] not in ordered)
    order = copy.deepcopy(_one(ds, rng, "deliveryOrders", _of_type("school-all")))
    order["deliveryOrderId"] = _new_id(rng)
    order["productId"] = spare["productId"]
    # A new delivery order of a product nobody ordered; it has no entitlements yet.
    order["status"] = "ordered"
    order.pop("endDate", None)
    ds.objects["deliveryOrders"].append(order)
    return {"EDUV-CHAIN-013"}


@mutation("EDUV-CHAIN-013")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    def unoffered(d: Json) -> bool:
        product = next(p for p in ds.objects["products"] if p["productId"] == d["productId"])
        return "school-groups" not in product.get("deliveryTypes", ["school-groups"])

    order = _one(ds, rng, "deliveryOrders", lambda d: _of_type("school-all")(d) and unoffered(d))
    order["deliveryType"] = "school-groups"
    _spec(order)["groups"] = []
    return set()


@mutation("EDUV-CHAIN-014")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements", lambda e: "school" in e.get("entitlementSpecification", {}))
    ent["entitlementSpecification"]["school"] = {"organisationMasterIdentifier": "999A999"}
    return {"EDUV-CHAIN-038"}


@mutation("EDUV-CHAIN-015")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-students"))
    _spec(order)["students"].append(dict(STRANGER))
    return set()


@mutation("EDUV-CHAIN-016")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-groups"))
    return _reset(_spec(order)["groups"][0], groupId="onbekende-groep")


@mutation("EDUV-CHAIN-017")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-activationcodes"))
    _spec(order)["activationCodes"].append("NEP-CODE-0001")
    return set()


@mutation("EDUV-CHAIN-018")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    coded = [
        e for e in ds.objects["entitlements"] if "activationCode" in e["entitlementSpecification"]
    ]
    one, two = rng.sample(coded, 2)
    two["entitlementSpecification"]["activationCode"] = one["entitlementSpecification"][
        "activationCode"
    ]
    # The second's code is no longer the one its order lists or its activation used.
    return {"EDUV-CHAIN-017", "EDUV-CHAIN-026", "EDUV-CHAIN-038"}


@mutation("EDUV-CHAIN-019")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(ds, rng, "deliveryOrderConfirmations")
    return _reset(conf, deliveryOrderReferenceId=_new_id(rng))


@mutation("EDUV-CHAIN-020")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(ds, rng, "deliveryOrderConfirmations", lambda c: "newTotalQuantity" in c)
    conf["newTotalQuantity"] += 10_000
    return set()


@mutation("EDUV-CHAIN-021")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(
        ds,
        rng,
        "deliveryOrderConfirmations",
        lambda c: c["success"] and c["newStatus"] == "processed",
    )
    return _reset(conf, newStatus="cancelled")


@mutation("EDUV-CHAIN-022")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = copy.deepcopy(
        _one(
            ds,
            rng,
            "deliveryOrderRequests",
            lambda r: (
                r["deliveryOrder"]["deliveryType"] == "school-all"
                and r["deliveryOrder"]["status"] != "created"
            ),
        )
    )
    request["deliveryOrderReferenceId"] = _new_id(rng)
    _spec(request["deliveryOrder"])["totalQuantity"] += 10
    ds.objects["deliveryOrderRequests"].append(request)
    return set()


@mutation("EDUV-CHAIN-023")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = copy.deepcopy(
        _one(
            ds,
            rng,
            "entitlementRequests",
            lambda r: r["entitlement"]["entitlementStatus"] != "created",
        )
    )
    request["entitlementReferenceId"] = _new_id(rng)
    request["entitlement"]["productId"] = next(
        p["productId"]
        for p in ds.objects["products"]
        if p["productId"] != request["entitlement"]["productId"]
    )
    ds.objects["entitlementRequests"].append(request)
    return set()


@mutation("EDUV-CHAIN-024")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    licensed = _licensed_ids(ds)
    order = _one(
        ds,
        rng,
        "deliveryOrders",
        lambda d: d["status"] == "processed" and d["deliveryOrderId"] not in licensed,
    )
    return _reset(order, status="licensed")


# --- the chain: entitlements ---------------------------------------------------------


def _kind(kind: str) -> Callable[[Json], bool]:
    return lambda e: e["entitlementType"] == kind


@mutation("EDUV-CHAIN-025")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements", lambda e: "contractId" not in e)
    return _reset(ent, contractId="CONTRACT-ELDERS")


@mutation("EDUV-CHAIN-026")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements", _kind("school-student"))
    ent["entitlementSpecification"]["student"] = dict(STRANGER)
    return {"EDUV-CHAIN-015", "EDUV-CHAIN-038"}


@mutation("EDUV-CHAIN-027")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements")
    return _reset(ent, activationUntilDate="2099-07-31")


@mutation("EDUV-CHAIN-028")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    def live(d: Json) -> bool:
        return any(
            e["deliveryOrderId"] == d["deliveryOrderId"]
            and e["entitlementStatus"] not in ("cancelled", "blocked")
            for e in ds.objects["entitlements"]
        )

    order = _one(ds, rng, "deliveryOrders", lambda d: _of_type("school-all")(d) and live(d))
    _spec(order)["totalQuantity"] = 0
    # The contract view and the confirmations still give the old total.
    return {"EDUV-CHAIN-055"}


@mutation("EDUV-CHAIN-029")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements", lambda e: bool(e["urlStatuses"]))
    ent["urlStatuses"] = []
    return set()


@mutation("EDUV-CHAIN-030")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(ds, rng, "entitlementConfirmations")
    return _reset(conf, entitlementReferenceId=_new_id(rng))


@mutation("EDUV-CHAIN-031")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(
        ds, rng, "entitlementConfirmations", lambda c: c.get("newEntitlementStatus") == "entitled"
    )
    return _reset(conf, newEntitlementStatus="licensed")


@mutation("EDUV-CHAIN-032")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    conf = _one(ds, rng, "entitlementConfirmations", lambda c: "newUrlStatus" in c)
    return _reset(conf["newUrlStatus"], portal="portaal-x")


# --- the chain: activation codes, activations, usage ---------------------------------


@mutation("EDUV-CHAIN-033")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    answered = {c["requestReferenceId"] for c in _all(ds, "activationCodeConfirmations", _issued)}
    request = _one(ds, rng, "activationCodeRequests", lambda r: r["requestReferenceId"] in answered)
    request["quantity"] += 1
    return set()


@mutation("EDUV-CHAIN-034")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    one, two = rng.sample(_all(ds, "activationCodeConfirmations", _issued), 2)
    code = one["activationCodes"][0]
    two["activationCodes"][0] = code
    # The code the second issued is gone, and where it was used nothing issued it.
    return {"EDUV-CHAIN-017", "EDUV-CHAIN-018", "EDUV-CHAIN-035", "EDUV-CHAIN-043"}


@mutation("EDUV-CHAIN-035")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    request = _one(ds, rng, "activationCodeRevokeRequests")
    # The confirmation repeats the code it was asked to withdraw.
    for conf in ds.objects["activationCodeRevokeConfirmations"]:
        if conf["requestReferenceId"] == request["requestReferenceId"]:
            conf["activationCode"] = "NEP-CODE-0001"
    return _reset(request, activationCode="NEP-CODE-0001")


@mutation("EDUV-CHAIN-036")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "activationCodeRevokeConfirmations"), activationCode="ANDERE-CODE")


@mutation("EDUV-CHAIN-037")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    withdrawn = _one(ds, rng, "activationCodeRevokeConfirmations", lambda c: c["success"])
    activation = _one(ds, rng, "initialActivations", _coded)
    code = activation["activationCode"]
    # Withdraw a code that was used afterwards: its withdrawal now concerns that code.
    withdrawn["activationCode"] = code
    withdrawn["processedTimestamp"] = activation["usageDate"] + "T00:00:00Z"
    for request in ds.objects["activationCodeRevokeRequests"]:
        if request["requestReferenceId"] == withdrawn["requestReferenceId"]:
            request["activationCode"] = code
            request.pop("responseReferenceId", None)
    return set()


@mutation("EDUV-CHAIN-038")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    activation = _one(
        ds, rng, "initialActivations", lambda a: a["entitlementType"] == "school-student"
    )
    return _reset(activation, user=dict(STRANGER))


@mutation("EDUV-CHAIN-039")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "initialActivations"), productId=UNKNOWN_PRODUCT)


@mutation("EDUV-CHAIN-040")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_one(ds, rng, "initialActivations"), expirationDate="2000-01-01")


@mutation("EDUV-CHAIN-041")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    activation = _one(ds, rng, "initialActivations", lambda a: not _coded(a))
    used = activation["usageDate"]
    activation["usageDate"] = "2000-01-01"
    # The usage report repeats the date of first use.
    for report in ds.objects["deliveryOrderUsage"]:
        for part in report["entitlements"]:
            same = part["entitlementId"] == activation["entitlementId"]
            if same and part.get("usage", {}).get("firstUsed") == used:
                part["usage"]["firstUsed"] = "2000-01-01"
    return set()


@mutation("EDUV-CHAIN-042")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ent = _one(ds, rng, "entitlements", _status("licensed"))
    ds.objects["initialActivations"] = [
        a for a in ds.objects["initialActivations"] if a["entitlementId"] != ent["entitlementId"]
    ]
    return set()


@mutation("EDUV-CHAIN-043")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    again = copy.deepcopy(_one(ds, rng, "initialActivations", _coded))
    ds.objects["initialActivations"].append(again)
    return set()


@mutation("EDUV-CHAIN-044")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "deliveryOrderUsage")
    part = report["entitlements"][0]
    new = "cancelled" if part["entitlementStatus"] != "cancelled" else "blocked"
    old = part["entitlementStatus"]
    part["entitlementStatus"] = new
    # The totals follow, so only the status itself disagrees with the entitlement.
    total = {"entitled", "licensed", "cancelled", "blocked"}
    if old in total:
        report[f"total{old.capitalize()}"] -= 1
    report[f"total{new.capitalize()}"] += 1
    return set()


@mutation("EDUV-CHAIN-045")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "deliveryOrderUsage", _used)
    part = next(e for e in report["entitlements"] if "usage" in e)
    part["usage"]["firstUsed"] = "2000-01-02"
    part["usage"].pop("lastUsed", None)
    return set()


# --- the chain: people, schools, consent ---------------------------------------------


@mutation("EDUV-CHAIN-046")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    return _reset(_statement(ds), student=dict(STRANGER))


@mutation("EDUV-CHAIN-047")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "progress")
    for other in ds.objects["progress"]:
        if other["id"] == report["id"]:
            if "student" in other:
                other["student"] = dict(STRANGER)
            else:
                other["eckId"] = STRANGER["userMasterIdentifier"]
    return set()


@mutation("EDUV-CHAIN-048")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    report = _one(ds, rng, "progress", lambda p: p["status"] != "started")
    return _reset(report, assignableUnitId="een-andere-eenheid")


@mutation("EDUV-CHAIN-049")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    def started_only(p: Json) -> bool:
        others = [o for o in ds.objects["progress"] if o["id"] == p["id"]]
        return p["status"] == "started" and len(others) == 1

    return _reset(_one(ds, rng, "progress", started_only), status="abandoned")


@mutation("EDUV-CHAIN-050")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    results = _one(ds, rng, "results")
    school = ds.school(results["school"])
    assert school is not None
    ds.objects["consents"] = [
        c
        for c in ds.objects["consents"]
        if not (c["api"] == "results-api" and school.identifiers() & _consent_school(c))
    ]
    return set()


def _consent_school(consent: Json) -> set[str]:
    if "school" in consent:
        return {consent["school"].get("organisationMasterIdentifier", "")}
    return {consent.get("edu_org_id", "")}


@mutation("EDUV-CHAIN-051")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    ds.objects["agreements"] = []
    return set()


@mutation("EDUV-CHAIN-052")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-students"))
    school = ds.school(_spec(order)["school"])
    assert school is not None
    pupil = next(p for p in school.students if p.get("userIds"))
    _spec(order)["students"].append({"userIds": copy.deepcopy(pupil["userIds"])})
    return set()


@mutation("EDUV-CHAIN-053")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    order = _one(ds, rng, "deliveryOrders", _of_type("school-all"))
    school = ds.school(order["buyer"])
    assert school is not None
    reference = {"organisationIds": copy.deepcopy(school.organisationIds)}
    order["buyer"] = reference
    _spec(order)["school"] = copy.deepcopy(reference)
    return set()


@mutation("EDUV-CHAIN-055")
def _(ds: ChainDataset, rng: random.Random) -> set[str]:
    group = _one(ds, rng, "deliveryOrderEntitlements", lambda g: "totalQuantity" in g)
    group["totalQuantity"] += 10_000
    return set()


# --- rules whose subject no chain dataset holds --------------------------------------

NOTICE = {
    "id": "n-1",
    "notificationType": "object",
    "objectType": "Group",
    "objectId": "g-1",
    "url": "https://bron.example.nl/groups/g-1",
    "created": "2026-01-05T10:00:00Z",
}


def _notice(**values: Any) -> Json:
    return {**NOTICE, **values}


SCHOOL_A = {"organisationMasterIdentifier": "104A158"}
SCHOOL_B = {"organisationMasterIdentifier": "112A501"}

EXAMPLES: dict[str, MessageExample] = {
    e.rule: e
    for e in (
        MessageExample(
            "EDUV-PRODUCT-023",
            "catalogue-api",
            "2.0.0",
            "get-all-products.parameters",
            {"since": "2026-03-01T08:00:00Z"},
            {"since": "2026-03-01T09:00:00+01:00"},
        ),
        MessageExample(
            "EDUV-STATUS-001",
            "delivery-api",
            "2.0.0",
            "StatusResponse",
            {"status": 99, "statusMessage": "Onbekende school"},
            {"status": 99},
        ),
        MessageExample(
            "EDUV-NOTIFY-001",
            "notifications-api",
            "0.9.1",
            "Notification",
            [
                _notice(objectType="Student", objectId="s-1", school=SCHOOL_A),
                _notice(id="n-2", objectType="Student", objectId="s-2", school=SCHOOL_A),
            ],
            [
                _notice(objectType="Student", objectId="s-1", school=SCHOOL_A),
                _notice(id="n-2", objectType="Student", objectId="s-2", school=SCHOOL_B),
            ],
        ),
        MessageExample(
            "EDUV-NOTIFY-002",
            "notifications-api",
            "0.9.1",
            "Notification",
            [_notice(), _notice(id="n-2", created="2026-01-05T10:01:00Z")],
            [_notice(), _notice(id="n-2", created="2026-01-05T09:59:00Z")],
        ),
        MessageExample(
            "EDUV-NOTIFY-003",
            "notifications-api",
            "0.9.1",
            "Notification",
            [_notice(), _notice(id="n-2", isDeleteNotification=True, url=None)],
            [_notice(isDeleteNotification=True), _notice(id="n-2")],
        ),
        MessageExample(
            "EDUV-NOTIFY-004",
            "notifications-api",
            "0.9.1",
            "Notification",
            _notice(),
            {k: v for k, v in NOTICE.items() if k != "objectId"},
        ),
        MessageExample(
            "EDUV-NOTIFY-005",
            "notifications-api",
            "0.9.1",
            "Notification",
            _notice(),
            {k: v for k, v in NOTICE.items() if k != "url"},
        ),
        MessageExample(
            "EDUV-NOTIFY-006",
            "notifications-api",
            "0.0.2",
            "Notification",
            {"id": "n-1", "objectType": "Group", "objectId": "g-1", "schoolId": "09QQ"},
            {"id": "n-1", "objectType": "Group", "objectId": "g-1"},
        ),
        MessageExample(
            "EDUV-NOTIFY-007",
            "notifications-api",
            "0.0.2",
            "Notification",
            {
                "id": "n-1",
                "objectType": "Student",
                "objectId": "s-1",
                "schoolId": "09QQ",
                "userIdType": "eckId",
            },
            {"id": "n-1", "objectType": "Student", "objectId": "s-1", "schoolId": "09QQ"},
        ),
    )
}
