"""Generated chains satisfy every checkable draft rule, and every predicate can fire.

The predicates live in staging/predicates.py until the rule code takes them over; each
rule then gets its mutation test in tests/rules. Until then this file holds, per rule, a
mutation of a valid chain (or a small message) that the predicate must catch.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given

from eduv.dataset.chain import ChainDataset, convert_chain_dataset
from eduv.testing.build import build_dataset
from eduv.testing.chain import chain_datasets
from eduv.testing.chooser import RandomChooser
from tests.chain.helpers import rich, seeded
from tests.conftest import REPO

P = pytest.importorskip("staging.predicates", reason="staging/ has been removed")
RULES = {r["id"]: r for r in json.loads((REPO / "staging" / "chain-rules.json").read_text("utf-8"))}
Json = dict[str, Any]


def _applies(rule: str, api: str, version: str) -> bool:
    return version in RULES[rule]["appliesTo"].get(api, [])


def findings(dataset: ChainDataset, rule: str) -> list[Any]:
    """What one predicate finds in a chain dataset."""
    if rule in P.DATASET_CHECKS:
        return list(P.DATASET_CHECKS[rule](dataset))
    components, predicate = P.MESSAGE_CHECKS[rule]
    found = []
    for pointer, api, component, obj in dataset.iter_objects():
        version = dataset.shapes[api]
        if component in components and _applies(rule, api, version):
            found += [(pointer + where, params) for where, params in predicate(obj, version)]
    return found


def test_every_checkable_rule_has_a_predicate() -> None:
    checkable = {rid for rid, rule in RULES.items() if rule["checkable"]}
    assert set(P.all_rules()) == checkable


def _clean(dataset: ChainDataset) -> dict[str, list[Any]]:
    rules = [*P.MESSAGE_CHECKS, *P.DATASET_CHECKS]
    return {rule: found for rule in rules if (found := findings(dataset, rule))}


def test_a_rich_chain_and_its_previous_shape_break_no_rule() -> None:
    dataset = rich()
    assert _clean(dataset) == {}
    down = convert_chain_dataset(dataset, "down").dataset
    assert _clean(down) == {}


@given(chain_datasets())
def test_generated_chains_break_no_rule(dataset: ChainDataset) -> None:
    assert _clean(dataset) == {}


@given(chain_datasets(within_previous=True))
def test_chains_in_the_previous_shape_break_no_rule(dataset: ChainDataset) -> None:
    assert _clean(convert_chain_dataset(dataset, "down").dataset) == {}


@pytest.mark.parametrize("seed", range(5))
def test_administration_datasets_break_no_administration_rule(seed: int) -> None:
    dataset = build_dataset(RandomChooser(seed), ("PO", "VO"), ("A1", "A6", "B1", "E1", "E3"))
    for rule, check in P.ADMIN_CHECKS.items():
        assert list(check(dataset)) == [], rule


# --------------------------------------------------------------------------- mutations


def first(ds: ChainDataset, name: str, cond: Callable[[Json], bool] = lambda _: True) -> Json:
    for obj in ds.objects.get(name, ()):
        if cond(obj):
            return obj
    raise LookupError(f"no object in {name} fits")


def new_id() -> str:
    return str(uuid.uuid4())


def _digital(p: Json) -> bool:
    return p["type"] == "digital" and p["forSale"]


def _ordered(ds: ChainDataset) -> set[str]:
    approved = {
        c["requestReferenceId"]
        for c in ds.objects["orderConfirmations"]
        if c["orderStatus"] == "approved"
    }
    lines = {
        line["productId"]
        for r in ds.objects["orderRequests"]
        if r["requestReferenceId"] in approved
        for line in r["orderLines"]
    }
    return lines | {c["productId"] for c in ds.objects.get("activationCodeConfirmations", ())}


def _of_type(kind: str) -> Callable[[Json], bool]:
    return lambda d: d["deliveryType"] == kind


def _spec(d: Json) -> Json:
    spec: Json = d["deliverySpecification"]
    return spec


def _pupil_ids(ds: ChainDataset) -> Json:
    for school in ds.schools:
        for pupil in school.students:
            if "userIds" in pupil:
                return {"userIds": pupil["userIds"]}
    raise LookupError("no pupil with secondary identifiers")


def _stranger() -> Json:
    return {"userMasterIdentifier": "https://ketenid.nl/201703/" + "a" * 128}


def _unordered_product(ds: ChainDataset) -> str:
    ordered = _ordered(ds)
    return next(p["productId"] for p in ds.objects["products"] if p["productId"] not in ordered)


def _licensed_ids(ds: ChainDataset) -> set[str]:
    return {
        e["deliveryOrderId"]
        for e in ds.objects["entitlements"]
        if e["entitlementStatus"] == "licensed"
    }


def _raise_total(ds: ChainDataset) -> None:
    request = copy.deepcopy(
        first(ds, "deliveryOrderRequests", lambda r: "totalQuantity" in _spec(r["deliveryOrder"]))
    )
    request["deliveryOrderReferenceId"] = new_id()
    _spec(request["deliveryOrder"])["totalQuantity"] += 10
    ds.objects["deliveryOrderRequests"].append(request)


def _change_entitled_product(ds: ChainDataset) -> None:
    request = copy.deepcopy(ds.objects["entitlementRequests"][0])
    request["entitlementReferenceId"] = new_id()
    request["entitlement"]["productId"] = "9789402054958"
    ds.objects["entitlementRequests"].append(request)


def _use_revoked(ds: ChainDataset) -> None:
    code = ds.objects["activationCodeRevokeConfirmations"][0]["activationCode"]
    activation = copy.deepcopy(ds.objects["initialActivations"][0])
    activation.update(activationCode=code, usageDate="2099-01-01")
    ds.objects["initialActivations"].append(activation)


def _unlicense(ds: ChainDataset) -> None:
    ent = first(ds, "entitlements", lambda e: e["entitlementStatus"] == "licensed")
    ds.objects["initialActivations"] = [
        a for a in ds.objects["initialActivations"] if a["entitlementId"] != ent["entitlementId"]
    ]


def _drop_progress_consent(ds: ChainDataset) -> None:
    school = ds.objects["progress"][0]["school"]
    ds.objects["consents"] = [
        c
        for c in ds.objects["consents"]
        if not (c["api"] == "progress-api" and c["school"] == school)
    ]


def _not_started_first(ds: ChainDataset) -> None:
    report = first(ds, "progress", lambda p: p["status"] == "started")
    report["status"] = "not-started"


def _licensed_without_licence(ds: ChainDataset) -> None:
    licensed = _licensed_ids(ds)
    order = first(
        ds,
        "deliveryOrders",
        lambda d: d["status"] == "processed" and d["deliveryOrderId"] not in licensed,
    )
    order["status"] = "licensed"


def _unoffered_type(ds: ChainDataset) -> None:
    products = {p["productId"]: p for p in ds.objects["products"]}
    order = first(ds, "deliveryOrders", lambda d: d["deliveryType"] == "school-students")
    offered = products[order["productId"]]["deliveryTypes"]
    order["deliveryType"] = next(
        t
        for t in ("school-groups", "school-all", "school-studies", "school-subjects")
        if t not in offered
    )


def _second_code_entitlement(ds: ChainDataset) -> None:
    coded = [
        e
        for e in ds.objects["entitlements"]
        if "activationCode" in e.get("entitlementSpecification", {})
    ]
    coded[1]["entitlementSpecification"]["activationCode"] = coded[0]["entitlementSpecification"][
        "activationCode"
    ]


def _duplicate_confirmation(ds: ChainDataset) -> None:
    again = copy.deepcopy(first(ds, "orderConfirmations", lambda c: c["orderStatus"] == "approved"))
    again["responseReferenceId"] = new_id()
    ds.objects["orderConfirmations"].append(again)


def _reuse_reference(ds: ChainDataset) -> None:
    one, two = ds.objects["orderRequests"][:2]
    two["requestReferenceId"] = one["requestReferenceId"]


def _reissue(ds: ChainDataset) -> None:
    confirmations = [
        c for c in ds.objects["activationCodeConfirmations"] if c.get("activationCodes")
    ]
    confirmations[1]["activationCodes"].append(confirmations[0]["activationCodes"][0])


def _double_activation(ds: ChainDataset) -> None:
    ds.objects["initialActivations"].append(
        copy.deepcopy(first(ds, "initialActivations", lambda a: "activationCode" in a))
    )


def _reset(obj: Json, **values: Any) -> None:
    obj.update(values)


def _drop(obj: Json, *names: str) -> None:
    for name in names:
        obj.pop(name, None)


MUTATIONS: dict[str, Callable[[ChainDataset], None]] = {
    "EDUV-PRODUCT-001": lambda ds: _drop(first(ds, "products", _digital), "licensePeriod"),
    "EDUV-PRODUCT-002": lambda ds: _reset(
        first(ds, "products", _digital), licensePeriod={"licenseVariant": "days"}
    ),
    "EDUV-PRODUCT-003": lambda ds: _reset(
        first(ds, "products", _digital), activationPeriod={"activationVariant": "days"}
    ),
    "EDUV-PRODUCT-004": lambda ds: _reset(
        first(ds, "products", _digital), activationPeriod={"activationVariant": "date"}
    ),
    "EDUV-PRODUCT-005": lambda ds: _drop(first(ds, "products", _digital), "activationPeriod"),
    "EDUV-PRODUCT-006": lambda ds: _drop(
        first(ds, "products", lambda p: p["type"] == "combi"), "defaultAccessUrl"
    ),
    "EDUV-PRODUCT-008": lambda ds: _drop(ds.objects["products"][0], "reseller"),
    "EDUV-PRODUCT-009": lambda ds: _drop(
        ds.objects["products"][0]["media"], "resellerThumbnailUrl"
    ),
    "EDUV-PRODUCT-011": lambda ds: _drop(
        first(ds, "products", lambda p: _digital(p) and p["saleUnitSize"] > 1), "bundledProducts"
    ),
    "EDUV-PRODUCT-012": lambda ds: _drop(
        first(ds, "products", lambda p: p["type"] == "combi"), "bundledProducts"
    ),
    "EDUV-PRODUCT-013": lambda ds: _drop(
        first(ds, "products", lambda p: "endOfLifeDate" in p), "endOfLifeDate"
    ),
    "EDUV-PRODUCT-014": lambda ds: _reset(
        first(ds, "products", lambda p: p["forSale"]), productId=new_id()
    ),
    "EDUV-PRODUCT-015": lambda ds: _reset(
        first(ds, "products", lambda p: p["forSale"]),
        productId=ds.objects["products"][0]["productId"][:12]
        + str((int(ds.objects["products"][0]["productId"][12]) + 1) % 10),
    ),
    "EDUV-PRODUCT-016": lambda ds: _reset(
        first(ds, "products", lambda p: p["type"] == "combi"), type="digital"
    ),
    "EDUV-PRODUCT-017": lambda ds: _drop(
        first(ds, "products", lambda p: "followUpProduct" in p), "followUpProduct"
    ),
    "EDUV-PRODUCT-018": lambda ds: _reset(
        first(ds, "products", lambda p: "endOfLifeDate" in p), endOfLifeDate="2000-01-01"
    ),
    "EDUV-PRODUCT-019": lambda ds: first(ds, "products", lambda p: p["type"] == "combi")[
        "bundledProducts"
    ].append(first(ds, "products", lambda p: p["type"] == "combi")["productId"]),
    "EDUV-PRODUCT-020": lambda ds: _reset(
        ds.objects["products"][0]["studies"][0], studyCode="0011"
    ),
    "EDUV-PRODUCT-024": lambda ds: first(ds, "products", lambda p: p["type"] == "combi")[
        "bundledProducts"
    ].append("9780000000002"),
    "EDUV-PRICE-001": lambda ds: _reset(
        first(ds, "products", lambda p: "price" in p)["price"][0], priceExcl=24.955
    ),
    "EDUV-PRICE-002": lambda ds: _reset(
        first(ds, "products", lambda p: any("tierPricing" in x for x in p.get("price", ())))[
            "price"
        ][0]["tierPricing"][0],
        priceExcl=1.005,
    ),
    "EDUV-PRICE-003": lambda ds: _reset(
        first(ds, "products", lambda p: p.get("price", [{}])[0].get("priceType") == "standard")[
            "price"
        ][0],
        tierPricing=[{"qty": 1, "priceExcl": 1.0, "priceIncl": 1.09}],
    ),
    "EDUV-PRICE-004": lambda ds: _drop(
        first(ds, "products", lambda p: any("tierPricing" in x for x in p.get("price", ())))[
            "price"
        ][0],
        "tierPricing",
    ),
    "EDUV-PRICE-005": lambda ds: _reset(
        first(ds, "products", lambda p: "price" in p)["price"][0], priceIncl=0.5
    ),
    "EDUV-PRICE-006": lambda ds: first(ds, "products", lambda p: "price" in p)["price"].append(
        copy.deepcopy(first(ds, "products", lambda p: "price" in p)["price"][0])
    ),
    "EDUV-PRICE-007": lambda ds: _reset(
        first(ds, "products", lambda p: any("tierPricing" in x for x in p.get("price", ())))[
            "price"
        ][0]["tierPricing"][1],
        qty=1,
    ),
    "EDUV-ORDER-001": lambda ds: _reset(
        first(ds, "orderConfirmations", lambda c: c["orderStatus"] == "approved"),
        orderStatus="declined",
    ),
    "EDUV-ORDER-002": lambda ds: _reset(
        first(ds, "orderConfirmations", lambda c: c["orderStatus"] == "approved"), success=False
    ),
    "EDUV-ORDER-003": lambda ds: _reset(
        first(ds, "orderRequests", lambda r: len(r["orderLines"]) > 1)["orderLines"][1],
        purchaseOrderLineId="1",
    ),
    "EDUV-ORDER-004": lambda ds: _reset(
        ds.objects["orderRequests"][0]["orderLines"][0], quantity=0
    ),
    "EDUV-ORDER-005": lambda ds: _reset(
        first(ds, "orderRequests", lambda r: "deliveryLocation" in r)["deliveryLocation"],
        countryCode="NLD",
    ),
    "EDUV-ORDER-006": lambda ds: _reset(ds.objects["orderRequests"][0], orderLines=[]),
    "EDUV-DELIVERY-001": lambda ds: _drop(
        first(ds, "deliveryOrders", lambda d: d["status"] == "cancelled"), "endDate"
    ),
    "EDUV-DELIVERY-002": lambda ds: _reset(
        first(ds, "deliveryOrders", lambda d: d["status"] == "processed"), endDate="2025-10-01"
    ),
    "EDUV-DELIVERY-003": lambda ds: _reset(
        first(ds, "deliveryOrders", _of_type("school-all")),
        buyer={"displayName": "X", "email": "x@example.nl"},
    ),
    "EDUV-DELIVERY-004": lambda ds: _drop(
        _spec(first(ds, "deliveryOrders", _of_type("school-students"))), "students"
    ),
    "EDUV-DELIVERY-005": lambda ds: _reset(
        _spec(first(ds, "deliveryOrders", _of_type("school-all"))),
        school={"organisationMasterIdentifier": "999A999"},
    ),
    "EDUV-DELIVERY-006": lambda ds: _reset(
        _spec(
            first(
                ds,
                "deliveryOrders",
                lambda d: (
                    all(
                        "quantity" in i
                        for i in _spec(d).get(
                            "studyYears", _spec(d).get("groups", _spec(d).get("subjects", [{}]))
                        )
                    )
                    and "totalQuantity" in _spec(d)
                    and d["deliveryType"] in ("school-studies", "school-groups", "school-subjects")
                ),
            )
        ),
        totalQuantity=10_000,
    ),
    "EDUV-DELIVERY-007": lambda ds: _reset(
        ds.objects["deliveryOrders"][0], activationUntilDate="2000-01-01"
    ),
    "EDUV-DELIVERY-008": lambda ds: _reset(
        first(ds, "deliveryOrders", _of_type("customer-user"))["buyer"], email="ouder.example.nl"
    ),
    "EDUV-DELIVERY-009": lambda ds: _reset(ds.objects["deliveryOrders"][0], portals=["p1", "p1"]),
    "EDUV-ENTITLE-001": lambda ds: _drop(
        first(ds, "entitlements", lambda e: e["entitlementStatus"] == "cancelled"), "endDate"
    ),
    "EDUV-ENTITLE-002": lambda ds: _drop(
        first(ds, "entitlements", lambda e: e["entitlementType"] == "school-employee")[
            "entitlementSpecification"
        ],
        "employee",
    ),
    "EDUV-ENTITLE-003": lambda ds: _drop(ds.objects["entitlements"][0], "entitlementSpecification"),
    "EDUV-ENTITLE-004": lambda ds: first(ds, "entitlements", lambda e: e["urlStatuses"])[
        "urlStatuses"
    ].append(
        copy.deepcopy(first(ds, "entitlements", lambda e: e["urlStatuses"])["urlStatuses"][0])
    ),
    "EDUV-ENTITLE-005": lambda ds: _drop(
        first(ds, "entitlementConfirmations", lambda c: "newEntitlementStatus" in c),
        "newEntitlementStatus",
    ),
    "EDUV-ENTITLE-006": lambda ds: _reset(
        ds.objects["deliveryOrderEntitlements"][0],
        totalEntitled=ds.objects["deliveryOrderEntitlements"][0]["totalEntitled"] + 1,
    ),
    "EDUV-ENTITLE-007": lambda ds: _reset(
        ds.objects["deliveryOrderEntitlements"][0]["entitlements"][0], deliveryOrderId=new_id()
    ),
    "EDUV-ENTITLE-008": lambda ds: _reset(
        ds.objects["entitlements"][0], activationUntilDate="2000-01-01"
    ),
    "EDUV-ENTITLE-009": lambda ds: _reset(
        ds.objects["entitlements"][0], expirationDate="2000-01-01"
    ),
    "EDUV-ACTCODE-001": lambda ds: _reset(
        first(ds, "activationCodeConfirmations", lambda c: c["success"]), activationCodes=[]
    ),
    "EDUV-ACTCODE-002": lambda ds: _reset(
        first(ds, "activationCodeConfirmations", lambda c: c["success"]), success=False
    ),
    "EDUV-ACTCODE-003": lambda ds: first(ds, "activationCodeConfirmations", lambda c: c["success"])[
        "activationCodes"
    ].append(
        first(ds, "activationCodeConfirmations", lambda c: c["success"])["activationCodes"][0]
    ),
    "EDUV-ACTCODE-004": lambda ds: _reset(ds.objects["activationCodeRequests"][0], quantity=0),
    "EDUV-USAGE-001": lambda ds: _reset(
        ds.objects["initialActivations"][0], usageType="weekly-usage"
    ),
    "EDUV-USAGE-002": lambda ds: _drop(
        first(ds, "initialActivations", lambda a: "activationCode" in a), "activationCode"
    ),
    "EDUV-USAGE-003": lambda ds: _drop(
        first(
            ds,
            "deliveryOrderUsage",
            lambda u: any(e["entitlementType"] == "school-student" for e in u["entitlements"]),
        )["entitlements"][0],
        "school",
    ),
    "EDUV-USAGE-004": lambda ds: _drop(
        first(
            ds,
            "deliveryOrderUsage",
            lambda u: u["entitlements"][0]["entitlementType"] == "school-student",
        )["entitlements"][0],
        "user",
    ),
    "EDUV-USAGE-005": lambda ds: _drop(
        first(ds, "initialActivations", lambda a: a["entitlementType"] == "school-student"),
        "school",
    ),
    "EDUV-USAGE-006": lambda ds: _reset(
        first(ds, "deliveryOrderUsage", lambda u: "usage" in u["entitlements"][0])["entitlements"][
            0
        ]["usage"],
        lastUsed="2000-01-01",
    ),
    "EDUV-USAGE-007": lambda ds: _reset(
        ds.objects["deliveryOrderUsage"][0],
        totalLicensed=ds.objects["deliveryOrderUsage"][0]["totalLicensed"] + 1,
    ),
    "EDUV-RESULT-001": lambda ds: _reset(_statement(ds)["results"][1], resultValue="11"),
    "EDUV-RESULT-003": lambda ds: _reset(_statement(ds)["scores"][0], scoreValue="42"),
    "EDUV-RESULT-004": lambda ds: _reset(
        ds.objects["results"][0]["scoreScaleDefinitions"][0]["scoreScaleEntries"][0], LHS="5-0"
    ),
    "EDUV-RESULT-005": lambda ds: _reset(_statement(ds)["scores"][0], scoreScaleIds=["nope"]),
    "EDUV-RESULT-006": lambda ds: _reset(_statement(ds)["results"][0], assessmentId="another-test"),
    "EDUV-RESULT-007": lambda ds: _reset(
        ds.objects["results"][0]["assessmentDefinition"]["parts"][1], index=1
    ),
    "EDUV-RESULT-008": lambda ds: ds.objects["results"][0]["studentScoresAndResults"].append(
        copy.deepcopy(ds.objects["results"][0]["studentScoresAndResults"][0])
    ),
    "EDUV-RESULT-009": lambda ds: _reset(_statement(ds), missing=True),
    "EDUV-RESULT-010": lambda ds: _reset(
        ds.objects["results"][0], timestamp="2000-01-01T00:00:00Z"
    ),
    "EDUV-RESULT-011": lambda ds: _reset(_statement(ds), student={}),
    "EDUV-PROGRESS-001": lambda ds: _drop(
        _reset_and(first(ds, "progress"), pleaseFollowup=True), "additionalInfo", "detailsUrl"
    ),
    "EDUV-CONSENT-001": lambda ds: _reset(
        first(ds, "consents", lambda c: c["providerStatus"] == "accepted"), providerReferenceId=""
    ),
    "EDUV-CONSENT-002": lambda ds: _reset(
        first(ds, "consents", lambda c: c.get("consumerStatus") == "accepted"),
        consumerReferenceId="",
    ),
    "EDUV-CONSENT-003": lambda ds: first(ds, "consents", lambda c: c["api"] == "progress-api")[
        "scopes"
    ].append("delivery.portal"),
    "EDUV-CONSENT-004": lambda ds: _reset(ds.objects["consents"][0], scopes=[]),
    "EDUV-DPA-001": lambda ds: _reset(ds.objects["agreements"][0], startDate="01-01-2025"),
    "EDUV-DPA-002": lambda ds: _reset(ds.objects["agreements"][0], endDate="2000-01-01"),
    "EDUV-DPA-003": lambda ds: _reset(ds.objects["agreements"][0], supplierOin="KVK 12345678"),
    "EDUV-DPA-004": lambda ds: _reset(ds.objects["agreements"][0], boardId="Stichting Flores"),
    "EDUV-STATUS-002": lambda ds: _drop(
        first(ds, "orderConfirmations", lambda c: not c["success"]), "statusMessage"
    ),
    "EDUV-ID-101": lambda ds: _reset(
        _spec(first(ds, "deliveryOrders", _of_type("school-students")))["students"][0],
        userIds=[{"userId": "x", "userIdType": "eckId"}],
    ),
    "EDUV-ID-102": lambda ds: _reset(
        _spec(first(ds, "deliveryOrders", _of_type("school-employees")))["employees"][0]["userIds"][
            0
        ],
        userIdType="ASI",
    ),
    "EDUV-ID-002": lambda ds: _reset(
        _spec(first(ds, "deliveryOrders", _of_type("school-students")))["students"][0],
        userMasterIdentifier="12345",
    ),
    "EDUV-ID-005": lambda ds: _drop(
        _spec(first(ds, "deliveryOrders", _of_type("school-employees")))["employees"][0], "userIds"
    ),
    "EDUV-ID-006": lambda ds: _reset(
        _spec(first(ds, "deliveryOrders", _of_type("school-employees")))["employees"][0],
        userMasterIdentifier="x",
    ),
    "EDUV-ID-011": lambda ds: _reset(
        first(ds, "deliveryOrders", _of_type("school-all"))["buyer"],
        organisationMasterIdentifier="09QQ",
    ),
    "EDUV-TIME-001": lambda ds: _reset(
        ds.objects["deliveryOrders"][0], dateLastModified="2000-01-01T00:00:00Z"
    ),
    "EDUV-TIME-002": lambda ds: _reset(
        ds.objects["deliveryOrders"][0], dateCreated="2025-07-01T10:00:00+02:00"
    ),
    "EDUV-CHAIN-001": lambda ds: _reset(
        ds.objects["orderRequests"][0]["orderLines"][0], productId="9780000000002"
    ),
    "EDUV-CHAIN-002": lambda ds: _reset(
        ds.objects["orderRequests"][0]["orderLines"][0],
        productId=first(ds, "products", lambda p: not p["forSale"])["productId"],
    ),
    "EDUV-CHAIN-003": lambda ds: _reset(
        ds.objects["productInfo"][0], productFamilyName="Andere methode"
    ),
    "EDUV-CHAIN-004": lambda ds: _reset(
        ds.objects["orderConfirmations"][0], requestReferenceId=new_id()
    ),
    "EDUV-CHAIN-005": lambda ds: _reset(
        ds.objects["orderConfirmations"][0]["orderConfirmationLines"][0], quantity=999
    ),
    "EDUV-CHAIN-006": _reuse_reference,
    "EDUV-CHAIN-007": _duplicate_confirmation,
    "EDUV-CHAIN-008": lambda ds: _reset(
        ds.objects["creditOrderRequests"][0], purchaseOrderId="PO-none"
    ),
    "EDUV-CHAIN-009": lambda ds: _reset(
        ds.objects["creditOrderRequests"][0]["orderLines"][0], quantity=10_000
    ),
    "EDUV-CHAIN-010": lambda ds: _reset(
        ds.objects["creditOrderConfirmations"][0], requestReferenceId=new_id()
    ),
    "EDUV-CHAIN-011": lambda ds: _reset(ds.objects["deliveryOrders"][0], productId="9780000000002"),
    "EDUV-CHAIN-012": lambda ds: _reset(
        ds.objects["deliveryOrders"][0], productId=_unordered_product(ds)
    ),
    "EDUV-CHAIN-013": _unoffered_type,
    "EDUV-CHAIN-014": lambda ds: _reset(
        ds.objects["progress"][0], school={"organisationMasterIdentifier": "999A999"}
    ),
    "EDUV-CHAIN-015": lambda ds: _spec(first(ds, "deliveryOrders", _of_type("school-students")))[
        "students"
    ].append(_stranger()),
    "EDUV-CHAIN-016": lambda ds: _reset(
        _spec(first(ds, "deliveryOrders", _of_type("school-groups")))["groups"][0],
        groupId="unknown",
    ),
    "EDUV-CHAIN-017": lambda ds: _spec(
        first(ds, "deliveryOrders", _of_type("school-activationcodes"))
    )["activationCodes"].append("FAKE-CODE"),
    "EDUV-CHAIN-018": _second_code_entitlement,
    "EDUV-CHAIN-019": lambda ds: _reset(
        ds.objects["deliveryOrderConfirmations"][0], productId="9780000000002"
    ),
    "EDUV-CHAIN-020": lambda ds: _reset(
        first(ds, "deliveryOrderConfirmations", lambda c: "newTotalQuantity" in c),
        newTotalQuantity=10_000,
    ),
    "EDUV-CHAIN-021": lambda ds: _reset(
        ds.objects["deliveryOrderConfirmations"][0], newStatus="licensed"
    ),
    "EDUV-CHAIN-022": _raise_total,
    "EDUV-CHAIN-023": _change_entitled_product,
    "EDUV-CHAIN-024": _licensed_without_licence,
    "EDUV-CHAIN-025": lambda ds: _reset(ds.objects["entitlements"][0], deliveryOrderId=new_id()),
    "EDUV-CHAIN-026": lambda ds: _reset(
        first(ds, "entitlements", lambda e: e["entitlementType"] == "school-student")[
            "entitlementSpecification"
        ],
        student=_stranger(),
    ),
    "EDUV-CHAIN-027": lambda ds: _reset(
        ds.objects["entitlements"][0], activationUntilDate="2099-07-31"
    ),
    "EDUV-CHAIN-028": lambda ds: _reset(
        _spec(first(ds, "deliveryOrders", _of_type("school-all"))), totalQuantity=0
    ),
    "EDUV-CHAIN-029": lambda ds: _reset(
        first(ds, "entitlements", lambda e: e["urlStatuses"]), urlStatuses=[]
    ),
    "EDUV-CHAIN-030": lambda ds: _reset(
        ds.objects["entitlementConfirmations"][0], productId="9780000000002"
    ),
    "EDUV-CHAIN-031": lambda ds: _reset(
        first(
            ds, "entitlementConfirmations", lambda c: c.get("newEntitlementStatus") == "entitled"
        ),
        newEntitlementStatus="licensed",
    ),
    "EDUV-CHAIN-032": lambda ds: _reset(
        first(ds, "entitlementConfirmations", lambda c: "newUrlStatus" in c)["newUrlStatus"],
        portal="portal-x",
    ),
    "EDUV-CHAIN-033": lambda ds: first(ds, "activationCodeConfirmations", lambda c: c["success"])[
        "activationCodes"
    ].pop(),
    "EDUV-CHAIN-034": _reissue,
    "EDUV-CHAIN-035": lambda ds: _reset(
        ds.objects["activationCodeRevokeRequests"][0], activationCode="NOPE"
    ),
    "EDUV-CHAIN-036": lambda ds: _reset(
        ds.objects["activationCodeRevokeConfirmations"][0], activationCode="OTHER"
    ),
    "EDUV-CHAIN-037": _use_revoked,
    "EDUV-CHAIN-038": lambda ds: _reset(
        first(ds, "initialActivations", lambda a: a["entitlementType"] == "school-student"),
        user=_stranger(),
    ),
    "EDUV-CHAIN-039": lambda ds: _reset(
        ds.objects["initialActivations"][0], productId="9780000000002"
    ),
    "EDUV-CHAIN-040": lambda ds: _reset(
        ds.objects["initialActivations"][0], expirationDate="2000-01-01"
    ),
    "EDUV-CHAIN-041": lambda ds: _reset(
        ds.objects["initialActivations"][0], usageDate="2000-01-01"
    ),
    "EDUV-CHAIN-042": _unlicense,
    "EDUV-CHAIN-043": _double_activation,
    "EDUV-CHAIN-044": lambda ds: _reset(
        ds.objects["deliveryOrderUsage"][0]["entitlements"][0], entitlementStatus="blocked"
    ),
    "EDUV-CHAIN-045": lambda ds: _reset(
        first(ds, "deliveryOrderUsage", lambda u: "usage" in u["entitlements"][0])["entitlements"][
            0
        ]["usage"],
        firstUsed="2000-01-02",
    ),
    "EDUV-CHAIN-046": lambda ds: _reset(_statement(ds), student=_stranger()),
    "EDUV-CHAIN-047": lambda ds: _reset(ds.objects["progress"][0], student=_stranger()),
    "EDUV-CHAIN-048": lambda ds: _reset(
        first(ds, "progress", lambda p: p["status"] != "started"), assignableUnitId="another-unit"
    ),
    "EDUV-CHAIN-049": _not_started_first,
    "EDUV-CHAIN-050": _drop_progress_consent,
    "EDUV-CHAIN-051": lambda ds: ds.objects["agreements"].clear(),
    "EDUV-CHAIN-052": lambda ds: _spec(first(ds, "deliveryOrders", _of_type("school-students")))[
        "students"
    ].append(_pupil_ids(ds)),
    "EDUV-CHAIN-053": lambda ds: _reset(
        first(ds, "deliveryOrders", _of_type("school-all")),
        buyer={
            "organisationIds": ds.school(
                first(ds, "deliveryOrders", _of_type("school-all"))["buyer"]
            ).organisationIds
        },  # type: ignore[union-attr]
    ),
    "EDUV-CHAIN-055": lambda ds: _reset(
        first(ds, "deliveryOrderEntitlements", lambda g: "totalQuantity" in g), totalQuantity=10_000
    ),
}


def _statement(ds: ChainDataset) -> Json:
    for message in ds.objects["results"]:
        for statement in message["studentScoresAndResults"]:
            if statement.get("scores") and len(statement.get("results", ())) > 1:
                return statement
    raise LookupError("no statement with scores and two results")


def _reset_and(obj: Json, **values: Any) -> Json:
    obj.update(values)
    return obj


# Rules whose subject does not occur in a chain dataset: (component, version, message).
EXAMPLES: dict[str, tuple[str, str, Any]] = {
    "EDUV-PRODUCT-023": (
        "get-all-products.parameters",
        "2.0.0",
        {"since": "2026-03-01T09:00:00+01:00"},
    ),
    "EDUV-PROGRESS-002": ("SimpleProgress", "0.0.1", {"id": "p1", "eckId": "12345"}),
    "EDUV-NOTIFY-004": (
        "Notification",
        "0.9.1",
        {"id": "n1", "notificationType": "object", "objectType": "Group"},
    ),
    "EDUV-NOTIFY-005": (
        "Notification",
        "0.9.1",
        {"id": "n1", "notificationType": "object", "objectId": "g1"},
    ),
    "EDUV-NOTIFY-006": (
        "Notification",
        "0.0.2",
        {"id": "n1", "objectType": "Group", "objectId": "g1"},
    ),
    "EDUV-NOTIFY-007": (
        "Notification",
        "0.0.2",
        {"id": "n1", "objectType": "Student", "objectId": "s1", "schoolId": "x"},
    ),
    "EDUV-STATUS-001": ("StatusResponse", "2.0.0", {"status": 99}),
}
BATCH_EXAMPLES: dict[str, list[Json]] = {
    "EDUV-NOTIFY-001": [
        {
            "id": "a",
            "objectType": "Student",
            "school": {"organisationMasterIdentifier": "104A158"},
            "created": "2026-01-01T10:00:00Z",
        },
        {
            "id": "b",
            "objectType": "Student",
            "school": {"organisationMasterIdentifier": "112A501"},
            "created": "2026-01-01T10:01:00Z",
        },
    ],
    "EDUV-NOTIFY-002": [
        {"id": "a", "created": "2026-01-02T10:00:00Z"},
        {"id": "b", "created": "2026-01-01T10:00:00Z"},
    ],
    "EDUV-NOTIFY-003": [
        {"id": "a", "objectId": "g1", "isDeleteNotification": True},
        {"id": "b", "objectId": "g1"},
    ],
}


def test_every_predicate_has_a_failing_example() -> None:
    covered = set(MUTATIONS) | set(EXAMPLES) | set(BATCH_EXAMPLES) | set(P.ADMIN_CHECKS)
    assert covered == set(P.all_rules())


@pytest.mark.parametrize("rule", sorted(MUTATIONS))
def test_a_mutated_chain_breaks_the_rule(rule: str) -> None:
    dataset = rich()
    assert findings(dataset, rule) == []
    MUTATIONS[rule](dataset)
    assert findings(dataset, rule), f"{rule} did not fire"


@pytest.mark.parametrize("rule", sorted(EXAMPLES))
def test_a_broken_message_breaks_the_rule(rule: str) -> None:
    component, version, message = EXAMPLES[rule]
    assert P.check_message(rule, component, message, version)


@pytest.mark.parametrize("rule", sorted(BATCH_EXAMPLES))
def test_a_broken_batch_breaks_the_rule(rule: str) -> None:
    assert list(P.BATCH_CHECKS[rule](BATCH_EXAMPLES[rule], "0.9.1"))
    assert list(P.BATCH_CHECKS[rule](BATCH_EXAMPLES[rule][:1], "0.9.1")) == []


def test_administration_references_that_avoid_the_primary_identifier_are_caught() -> None:
    dataset = build_dataset(RandomChooser(3), ("PO", "VO"), ("B1",))
    pupil = next(s for s in dataset.students if "userIds" in s)
    enrolment = next(
        e
        for school in dataset.schools
        for e in school.enrollments
        if e["student"].get("userMasterIdentifier") == pupil["userMasterIdentifier"]
    )
    enrolment["student"] = {"userIds": pupil["userIds"]}
    assert list(P.ADMIN_CHECKS["EDUV-ID-020"](dataset))
    organisation = dataset.schools[0].organisation
    role = next(
        r
        for e in dataset.employees
        for r in e.get("organisationRoles", ())
        if r["organisation"].get("organisationMasterIdentifier")
        == organisation["organisationMasterIdentifier"]
    )
    role["organisation"] = {"organisationIds": organisation["organisationIds"][:1]}
    assert list(P.ADMIN_CHECKS["EDUV-ID-021"](dataset))


def test_seeded_chains_break_no_rule_either() -> None:
    for seed in range(10):
        assert _clean(seeded(seed)) == {}, seed
