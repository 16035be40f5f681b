"""The chain's writing side in the reference provider: requests taken with 202, their
confirmations PUT to the requester's endpoint with its own token, retried, repeated with
the same id; delivery orders turned into entitlements, codes issued and withdrawn, first
activations, results and progress; t-1 requests confirmed in t-1 shapes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from eduv import spec
from eduv.conformance.chain.listener import Listener, Received
from eduv.dataset.chain import ChainDataset
from eduv.dataset.model import Dataset
from eduv.provider.chain.store import load_chain
from tests.provider.harness import Provider, client, config, running, small_chain
from tests.provider.write_checks import confirmations

WAIT = 10.0


@pytest.fixture(scope="module")
def chain(dataset: Dataset) -> ChainDataset:
    return small_chain(dataset)


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as found:
        yield found


def _provider(
    engine: Engine, dataset: Dataset, chain: ChainDataset, listener: Listener, faults: Any = ()
) -> Any:
    load_chain(engine, chain)
    without = chain.schools[-1].key
    cfg = config(
        [
            client("full", confirmations=confirmations(listener)),
            client(
                "no-consent",
                consents=[{"school": "*"}, {"school": without, "apis": []}],
                confirmations=confirmations(listener),
            ),
        ]
    )
    return running(engine, cfg, dataset=dataset, faults=faults)


@pytest.fixture
def provider(
    engine: Engine, dataset: Dataset, chain: ChainDataset, listener: Listener
) -> Iterator[Provider]:
    with _provider(engine, dataset, chain, listener) as found:
        yield found


def _order(chain: ChainDataset) -> dict[str, Any]:
    return {**chain.objects["orderRequests"][0], "requestReferenceId": str(uuid.uuid4())}


def _arrived(listener: Listener, path: str, member: str, value: str) -> Received | None:
    def names(call: Received) -> bool:
        return (
            call.path.endswith(path)
            and isinstance(call.json, dict)
            and (call.json.get(member) == value)
        )

    return listener.wait_for(names, WAIT)


def _valid(api: str, version: str, message: str, doc: Any) -> None:
    errors = [e.message for e in spec.validator(api, version, message).iter_errors(doc)]
    assert not errors, errors


def test_an_order_is_taken_and_confirmed_at_the_requesters_endpoint(
    provider: Provider, chain: ChainDataset, listener: Listener
) -> None:
    order = _order(chain)
    with provider.http(provider.token()) as http:
        answer = http.put("/order-api/v0/orders", json=order)
    assert answer.status_code == 202, answer.text
    assert answer.headers["API-Version"] == "0.9.2"
    got = _arrived(
        listener, "/orders/confirmations", "requestReferenceId", order["requestReferenceId"]
    )
    assert got is not None, "no confirmation arrived"
    assert got.path == "/order-api/v0/orders/confirmations"
    assert got.authenticated and got.method == "PUT" and got.headers["api-version"] == "0.9.2"
    assert listener.token_requests == 1
    confirmation = got.json
    _valid("order-api", "0.9.2", "OrderConfirmation", confirmation)
    assert confirmation["orderStatus"] == "approved" and confirmation["success"] is True
    assert confirmation["purchaseOrderId"] == order["purchaseOrderId"]
    lines = confirmation["orderConfirmationLines"]
    assert [x["productId"] for x in lines] == [x["productId"] for x in order["orderLines"]]


def test_an_order_for_an_unknown_product_is_declined(
    provider: Provider, chain: ChainDataset, listener: Listener
) -> None:
    order = _order(chain)
    order["orderLines"] = [{"productId": "0000000000000", "quantity": 1}]
    with provider.http(provider.token()) as http:
        assert http.put("/order-api/v0/orders", json=order).status_code == 202
    got = _arrived(
        listener, "/orders/confirmations", "requestReferenceId", order["requestReferenceId"]
    )
    assert got is not None
    assert (got.json["orderStatus"], got.json["success"], got.json["status"]) == (
        "declined",
        False,
        99,
    )


def test_a_repeated_request_is_confirmed_again_with_the_same_id(
    provider: Provider, chain: ChainDataset, listener: Listener
) -> None:
    order = _order(chain)
    ref = order["requestReferenceId"]
    with provider.http(provider.token()) as http:
        assert http.put("/order-api/v0/orders", json=order).status_code == 202
        first = _arrived(listener, "/orders/confirmations", "requestReferenceId", ref)
        assert first is not None
        after = listener.count
        assert http.put("/order-api/v0/orders", json=order).status_code == 202
    again = listener.wait_for(
        lambda c: isinstance(c.json, dict) and c.json.get("requestReferenceId") == ref,
        WAIT,
        after=after,
    )
    assert again is not None
    assert again.json["responseReferenceId"] == first.json["responseReferenceId"]


def test_a_previous_version_request_is_confirmed_in_its_own_shape(
    provider: Provider, listener: Listener, chain: ChainDataset
) -> None:
    product = chain.objects["products"][0]["productId"]
    order = {
        "requestReferenceId": str(uuid.uuid4()),
        "purchaseOrderId": "PO-OLD-1",
        "productId": product,
        "quantity": 3,
    }
    headers = {"API-Version": "0.9.1"}
    with provider.http(provider.token()) as http:
        answer = http.put("/order-api/v0/orders", json=order, headers=headers)
    assert answer.status_code == 202, answer.text
    got = _arrived(
        listener, "/orders/confirmations", "requestReferenceId", order["requestReferenceId"]
    )
    assert got is not None and got.headers["api-version"] == "0.9.1"
    _valid("order-api", "0.9.1", "OrderConfirmation", got.json)
    assert got.json["productId"] == product and got.json["quantity"] == 3


def test_a_confirmation_the_requester_refuses_is_sent_again(
    provider: Provider, chain: ChainDataset, listener: Listener
) -> None:
    listener.fail_next(2, 503)
    order = _order(chain)
    with provider.http(provider.token()) as http:
        assert http.put("/order-api/v0/orders", json=order).status_code == 202
    ref = order["requestReferenceId"]
    got = listener.wait_for(
        lambda c: (
            c.status == 202 and isinstance(c.json, dict) and c.json.get("requestReferenceId") == ref
        ),
        WAIT,
    )
    assert got is not None
    tries = [
        c
        for c in listener.received("/orders/confirmations")
        if c.json.get("requestReferenceId") == ref
    ]
    assert [c.status for c in tries] == [503, 503, 202]


def _student_order(chain: ChainDataset) -> dict[str, Any]:
    base = next(
        o for o in chain.objects["deliveryOrders"] if o["deliveryType"] == "school-students"
    )
    return {**base, "deliveryOrderId": str(uuid.uuid4()), "status": "ordered"}


def test_a_delivery_order_becomes_entitlements_that_a_first_activation_licenses(
    provider: Provider, chain: ChainDataset, listener: Listener
) -> None:
    order = _student_order(chain)
    request = {"deliveryOrderReferenceId": str(uuid.uuid4()), "deliveryOrder": order}
    ident = order["deliveryOrderId"]
    with provider.http(provider.token()) as http:
        assert http.put("/delivery-api/v2/deliveryorders", json=request).status_code == 202
        got = _arrived(
            listener,
            "/deliveryorders/confirmations",
            "deliveryOrderReferenceId",
            request["deliveryOrderReferenceId"],
        )
        assert got is not None
        _valid("delivery-api", "2.0.0", "DeliveryOrderConfirmation", got.json)
        assert got.json["newStatus"] == "processed" and got.json["deliveryOrderId"] == ident
        stored = http.get(f"/delivery-api/v2/deliveryorders/{ident}").json()
        entitlements = http.get(f"/entitlement-api/v1/entitlements/deliveryorder/{ident}").json()
        students = order["deliverySpecification"]["students"]
        assert stored["status"] == "processed"
        assert sorted(
            e["entitlementSpecification"]["student"]["userMasterIdentifier"] for e in entitlements
        ) == sorted(s["userMasterIdentifier"] for s in students)
        first = entitlements[0]
        activation = {
            "entitlementId": first["entitlementId"],
            "productId": first["productId"],
            "entitlementType": "school-student",
            "school": first["entitlementSpecification"]["school"],
            "user": first["entitlementSpecification"]["student"],
            "usageDate": first["startDate"],
            "usageType": "initial-activation",
            "expirationDate": first["expirationDate"],
        }
        assert http.put("/usage-api/v1/usage/activation", json=activation).status_code == 202
        licensed = http.get(f"/entitlement-api/v1/entitlements/{first['entitlementId']}").json()
        after = http.get(f"/delivery-api/v2/deliveryorders/{ident}").json()
        unknown = http.put(
            "/usage-api/v1/usage/activation",
            json={**activation, "entitlementId": str(uuid.uuid4())},
        )
    assert licensed["entitlementStatus"] == "licensed" and after["status"] == "licensed"
    assert unknown.status_code == 404


def test_activation_codes_are_issued_and_withdrawn_once(
    provider: Provider, chain: ChainDataset, listener: Listener
) -> None:
    product = chain.objects["products"][0]["productId"]
    request = {"requestReferenceId": str(uuid.uuid4()), "productId": product, "quantity": 3}
    with provider.http(provider.token()) as http:
        assert http.put("/activationcode-api/v0/activationcodes", json=request).status_code == 202
        got = _arrived(
            listener,
            "/activationcodes/confirmations",
            "requestReferenceId",
            request["requestReferenceId"],
        )
        assert got is not None
        codes = got.json["activationCodes"]
        assert len(set(codes)) == 3 and got.json["success"] is True
        outcomes = []
        for code in (codes[0], codes[0], "NEVER-ISSUED"):
            revoke = {"requestReferenceId": str(uuid.uuid4()), "activationCode": code}
            answer = http.put("/activationcode-api/v0/activationcodes/revoke", json=revoke)
            assert answer.status_code == 202
            done = _arrived(
                listener,
                "/revoke/confirmations",
                "requestReferenceId",
                revoke["requestReferenceId"],
            )
            assert done is not None
            _valid("activationcode-api", "0.9.1", "ActivationCodeRevokeConfirmation", done.json)
            outcomes.append(done.json["success"])
    assert outcomes == [True, False, False]


def test_invalid_requests_wrong_paths_and_the_other_side(
    provider: Provider, chain: ChainDataset
) -> None:
    with provider.http(provider.token()) as http:
        invalid = http.put("/order-api/v0/orders", json={"purchaseOrderId": "x"})
        other = http.put("/order-api/v0/orders/confirmations", json={})
    with provider.http() as http:
        anonymous = http.put("/order-api/v0/orders", json=_order(chain))
    assert (invalid.status_code, invalid.json()["status"]) == (400, 11)
    assert other.status_code == 405
    assert anonymous.status_code == 401


def test_results_and_progress_need_the_schools_consent(
    provider: Provider, chain: ChainDataset
) -> None:
    result = chain.objects["results"][0]
    without = chain.schools[-1].key
    school = result["school"]
    elsewhere = {
        **result,
        "id": str(uuid.uuid4()),
        "school": {"organisationMasterIdentifier": without},
    }
    with provider.http(provider.token()) as http:
        taken = http.post("/results-api/v2/results", json=result)
    with provider.http(provider.token("no-consent")) as http:
        refused = http.post("/results-api/v2/results", json=elsewhere)
        allowed = http.post("/results-api/v2/results", json={**result, "school": school})
    assert taken.status_code == 201, taken.text
    # the Results API documents its refusals as a list, one entry per statement
    assert (refused.status_code, [e["status"] for e in refused.json()]) == (403, [22])
    assert allowed.status_code == 201


def test_a_restarted_provider_sends_what_was_still_due(
    engine: Engine, dataset: Dataset, chain: ChainDataset, listener: Listener
) -> None:
    order = _order(chain)
    listener.fail_next(1000, 503)
    with _provider(engine, dataset, chain, listener) as provider:
        with provider.http(provider.token()) as http:
            assert http.put("/order-api/v0/orders", json=order).status_code == 202
        ref = order["requestReferenceId"]
        assert _arrived(listener, "/orders/confirmations", "requestReferenceId", ref) is not None
    listener.fail_next(0)
    with _provider(engine, dataset, chain, listener):
        got = listener.wait_for(
            lambda c: (
                c.status == 202
                and isinstance(c.json, dict)
                and c.json.get("requestReferenceId") == ref
            ),
            WAIT,
        )
    assert got is not None


def _consent_request(school: str, version: str) -> dict[str, Any]:
    ref = str(uuid.uuid4())
    if version == spec.api("consent-api").current:
        return {
            "consumerReferenceId": ref,
            "school": {"organisationMasterIdentifier": school},
            "api": "entitlement-api",
            "scopes": ["entitlement.portal"],
            "consumerStatus": "accepted",
        }
    return {
        "consumerReferenceId": ref,
        "edu_org_id": school,
        "api": "entitlement-api",
        "scopes": ["entitlement"],
        "schemaVersion": version,
    }


@pytest.mark.parametrize("version", spec.versions("consent-api"))
def test_a_consent_request_is_registered_answered_and_withdrawn(
    provider: Provider, chain: ChainDataset, listener: Listener, version: str
) -> None:
    school, without = chain.schools[0].key, chain.schools[-1].key
    requests = {
        op.operation_id: op.path
        for op in spec.operations("consent-api", version)
        if op.method == "PUT"
    }
    asked, refused = _consent_request(school, version), _consent_request(without, version)
    headers = {"API-Version": version}
    with provider.http(provider.token()) as http:
        taken = http.put(
            "/consent-api/v0" + requests["put-consent-request"], json=asked, headers=headers
        )
        again = http.put(
            "/consent-api/v0" + requests["put-consent-request"], json=asked, headers=headers
        )
    with provider.http(provider.token("no-consent")) as http:
        pending = http.put(
            "/consent-api/v0" + requests["put-consent-request"], json=refused, headers=headers
        )
    assert (taken.status_code, again.status_code, pending.status_code) == (202, 202, 202)
    notify = spec.operation("consent-api", version, "put-consent-notification").path
    ref = asked["consumerReferenceId"]
    answer = _arrived(listener, notify, "consumerReferenceId", ref)
    waiting = _arrived(listener, notify, "consumerReferenceId", refused["consumerReferenceId"])
    assert answer is not None and waiting is not None
    _valid("consent-api", version, "ConsentNotification", answer.json)
    assert answer.headers["api-version"] == version and answer.authenticated
    # the school gave the first client consent, not the second: it has yet to decide
    assert (answer.json["providerStatus"], waiting.json["providerStatus"]) == (
        "accepted",
        "pending",
    )
    # asked again: the same registration, its notification again
    resent = [
        c for c in listener.received(notify) if (c.json or {}).get("consumerReferenceId") == ref
    ]
    assert len({c.json["providerReferenceId"] for c in resent}) == 1
    withdrawal = {
        **{k: v for k, v in asked.items() if k != "consumerStatus"},
        "providerReferenceId": answer.json["providerReferenceId"],
        "consumerStatus": "revoked",
    }
    unknown = {**withdrawal, "providerReferenceId": "none-such"}
    revoke = "/consent-api/v0" + requests["put-consent-revoke"]
    with provider.http(provider.token()) as http:
        ended = http.put(revoke, json=withdrawal, headers=headers)
        missing = http.put(revoke, json=unknown, headers=headers)
        read = http.get(
            "/consent-api/v0/consent/statuses/school",
            params={"orgMasterId": school, "consumerReferenceId": ref},
        )
    assert (ended.status_code, missing.status_code) == (202, 404)
    assert [c["consumerStatus"] for c in read.json()] == ["revoked"]
