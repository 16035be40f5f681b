"""Outside checks of the writing side's faults, for ``tests/provider/test_faults.py``.

Each sends the provider a request over HTTP, as a requester would, waits for what comes
back at a callback listener, and returns what is wrong (nothing for a clean provider).
The listener and the chain are those of the test that runs the check (``Writes``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eduv.conformance.chain.listener import Listener, Received
from eduv.dataset.chain import ChainDataset
from eduv.dataset.model import Dataset
from tests.provider.harness import Provider

WAIT = 8.0


@dataclass
class Writes:
    """What the write checks need besides the provider: set by the test's fixture."""

    listener: Listener | None = None
    chain: ChainDataset | None = None
    without_consent: str = ""


CURRENT = Writes()
WriteCheck = Callable[[Provider, Dataset], list[str]]


def confirmations(listener: Listener) -> dict[str, Any]:
    """A client's ``confirmations`` entry that points at ``listener``."""
    auth = {
        "type": "client-credentials",
        "tokenUrl": listener.token_url,
        "clientId": listener.client_id,
        "secret": listener.secret,
    }
    return {"url": listener.url, "auth": auth}


def _listener() -> Listener:
    assert CURRENT.listener is not None, "the fixture starts a listener"
    return CURRENT.listener


def _chain() -> ChainDataset:
    assert CURRENT.chain is not None, "the fixture loads a chain"
    return CURRENT.chain


def _put(provider: Provider, path: str, body: Any, **headers: str) -> int:
    with provider.http(provider.token()) as http:
        return http.put(path, json=body, headers=headers).status_code


def _arrival(path: str, member: str, value: str, after: int = 0) -> Received | None:
    def names(call: Received) -> bool:
        return (
            call.path.endswith(path)
            and isinstance(call.json, dict)
            and call.json.get(member) == value
        )

    return _listener().wait_for(names, WAIT, after=after)


def _order() -> dict[str, Any]:
    return {**_chain().objects["orderRequests"][0], "requestReferenceId": str(uuid.uuid4())}


def _product() -> str:
    return str(_chain().objects["products"][0]["productId"])


def order_confirmed(provider: Provider, dataset: Dataset) -> list[str]:
    order = _order()
    if _put(provider, "/order-api/v0/orders", order) != 202:
        return ["the order was not taken"]
    got = _arrival("/orders/confirmations", "requestReferenceId", order["requestReferenceId"])
    if got is None:
        return ["no confirmation names the order's reference"]
    return [] if got.authenticated else ["the confirmation came without a valid token"]


def repeat_keeps_id(provider: Provider, dataset: Dataset) -> list[str]:
    order = _order()
    ref = order["requestReferenceId"]
    _put(provider, "/order-api/v0/orders", order)
    first = _arrival("/orders/confirmations", "requestReferenceId", ref)
    after = _listener().count
    _put(provider, "/order-api/v0/orders", order)
    again = _arrival("/orders/confirmations", "requestReferenceId", ref, after)
    if first is None or again is None:
        return ["a confirmation did not come"]
    same = first.json["responseReferenceId"] == again.json["responseReferenceId"]
    return [] if same else ["the repeated request got a new confirmation id"]


def refused_sent_again(provider: Provider, dataset: Dataset) -> list[str]:
    _listener().fail_next(1, 503)
    order = _order()
    _put(provider, "/order-api/v0/orders", order)
    ref = order["requestReferenceId"]
    got = _listener().wait_for(
        lambda c: (
            c.status == 202 and isinstance(c.json, dict) and c.json.get("requestReferenceId") == ref
        ),
        WAIT,
    )
    _listener().fail_next(0)
    return [] if got is not None else ["the refused confirmation was not sent again"]


def codes_counted(provider: Provider, dataset: Dataset) -> list[str]:
    request = {"requestReferenceId": str(uuid.uuid4()), "productId": _product(), "quantity": 3}
    _put(provider, "/activationcode-api/v0/activationcodes", request)
    ref = request["requestReferenceId"]
    got = _arrival("/activationcodes/confirmations", "requestReferenceId", ref)
    if got is None:
        return ["no code confirmation"]
    codes = got.json.get("activationCodes", [])
    return [] if len(set(codes)) == 3 else [f"{len(codes)} codes for 3 asked"]


def withdrawal_echoed(provider: Provider, dataset: Dataset) -> list[str]:
    request = {"requestReferenceId": str(uuid.uuid4()), "productId": _product(), "quantity": 1}
    _put(provider, "/activationcode-api/v0/activationcodes", request)
    got = _arrival(
        "/activationcodes/confirmations", "requestReferenceId", request["requestReferenceId"]
    )
    if got is None:
        return ["no code confirmation"]
    code = got.json["activationCodes"][0]
    revoke = {"requestReferenceId": str(uuid.uuid4()), "activationCode": code}
    _put(provider, "/activationcode-api/v0/activationcodes/revoke", revoke)
    done = _arrival("/revoke/confirmations", "requestReferenceId", revoke["requestReferenceId"])
    if done is None:
        return ["no withdrawal confirmation"]
    return [] if done.json.get("activationCode") == code else ["another code was confirmed"]


def _delivery(whole: bool) -> dict[str, Any]:
    base = next(
        o for o in _chain().objects["deliveryOrders"] if o["deliveryType"] == "school-students"
    )
    order = {**base, "deliveryOrderId": str(uuid.uuid4()), "status": "ordered"}
    if whole:
        school = order["deliverySpecification"]["school"]
        order["deliveryType"] = "school-all"
        order["deliverySpecification"] = {"school": school, "totalQuantity": 5}
    return {"deliveryOrderReferenceId": str(uuid.uuid4()), "deliveryOrder": order}


def delivery_served(provider: Provider, dataset: Dataset) -> list[str]:
    request = _delivery(whole=False)
    _put(provider, "/delivery-api/v2/deliveryorders", request)
    ident = request["deliveryOrder"]["deliveryOrderId"]
    with provider.http(provider.token()) as http:
        answer = http.get(f"/delivery-api/v2/deliveryorders/{ident}")
    return [] if answer.status_code == 200 else ["the delivery order taken is not served"]


def entitlements_pushed(provider: Provider, dataset: Dataset) -> list[str]:
    """Every pupil of a delivery order gets an entitlement, sent on to the licence
    registry (the client with the licensor scope and an endpoint)."""
    listener = _listener()
    before = listener.count
    request = _delivery(whole=False)
    _put(provider, "/delivery-api/v2/deliveryorders", request)
    order = request["deliveryOrder"]
    wanted = len(order["deliverySpecification"].get("students", []))

    def pushed(call: Received) -> bool:
        body = call.json if isinstance(call.json, dict) else {}
        entitlement = body.get("entitlement") or {}
        return call.path.endswith("/entitlements") and (
            entitlement.get("deliveryOrderId") == order["deliveryOrderId"]
        )

    deadline = time.monotonic() + WAIT
    found = 0
    while found < wanted and time.monotonic() < deadline:
        found = sum(1 for call in listener.received()[before:] if pushed(call))
        time.sleep(0.05)
    return [] if found >= wanted else [f"{found} of {wanted} entitlements sent on"]


def _consent_asked(provider: Provider) -> tuple[dict[str, Any], Received | None]:
    school = _chain().schools[0].key
    asked = {
        "consumerReferenceId": str(uuid.uuid4()),
        "school": {"organisationMasterIdentifier": school},
        "api": "entitlement-api",
        "scopes": ["entitlement.portal"],
        "consumerStatus": "accepted",
    }
    _put(provider, "/consent-api/v0/consent/requests", asked)
    got = _arrival("/consent/notifications", "consumerReferenceId", asked["consumerReferenceId"])
    return asked, got


def consent_answered(provider: Provider, dataset: Dataset) -> list[str]:
    _asked, got = _consent_asked(provider)
    return [] if got is not None else ["no notification for the consent request"]


def consent_withdrawn(provider: Provider, dataset: Dataset) -> list[str]:
    asked, got = _consent_asked(provider)
    if got is None:
        return ["no notification for the consent request"]
    withdrawal = {
        **{k: v for k, v in asked.items() if k != "consumerStatus"},
        "providerReferenceId": got.json["providerReferenceId"],
        "consumerStatus": "revoked",
    }
    _put(provider, "/consent-api/v0/consent/revokes", withdrawal)
    params = {
        "orgMasterId": asked["school"]["organisationMasterIdentifier"],
        "consumerReferenceId": asked["consumerReferenceId"],
    }
    with provider.http(provider.token()) as http:
        read = http.get("/consent-api/v0/consent/statuses/school", params=params).json()
    statuses = [c.get("consumerStatus") for c in read]
    return [] if statuses == ["revoked"] else [f"withdrawn, and served as {statuses}"]


def total_confirmed(provider: Provider, dataset: Dataset) -> list[str]:
    request = _delivery(whole=True)
    _put(provider, "/delivery-api/v2/deliveryorders", request)
    ref = request["deliveryOrderReferenceId"]
    got = _arrival("/deliveryorders/confirmations", "deliveryOrderReferenceId", ref)
    if got is None:
        return ["no delivery confirmation"]
    total = got.json.get("newTotalQuantity")
    return [] if total == 5 else [f"total {total} confirmed for 5"]


def activation_licenses(provider: Provider, dataset: Dataset) -> list[str]:
    request = _delivery(whole=False)
    _put(provider, "/delivery-api/v2/deliveryorders", request)
    ident = request["deliveryOrder"]["deliveryOrderId"]
    with provider.http(provider.token()) as http:
        found = http.get(f"/entitlement-api/v1/entitlements/deliveryorder/{ident}").json()
        first = found[0]
        espec = first["entitlementSpecification"]
        activation = {
            "entitlementId": first["entitlementId"],
            "productId": first["productId"],
            "entitlementType": first["entitlementType"],
            "school": espec["school"],
            "user": espec["student"],
            "usageDate": first["startDate"],
            "usageType": "initial-activation",
            "expirationDate": first["expirationDate"],
        }
        http.put("/usage-api/v1/usage/activation", json=activation)
        after = http.get(f"/entitlement-api/v1/entitlements/{first['entitlementId']}").json()
    status = after.get("entitlementStatus")
    return [] if status == "licensed" else [f"the entitlement is {status} after its activation"]


def bad_request_refused(provider: Provider, dataset: Dataset) -> list[str]:
    status = _put(provider, "/order-api/v0/orders", {"purchaseOrderId": "x"})
    return [] if status == 400 else [f"an order that is no valid message got {status}"]


def other_side_refused(provider: Provider, dataset: Dataset) -> list[str]:
    status = _put(provider, "/order-api/v0/orders/confirmations", {})
    return [] if status == 405 else [f"the ordering environment's operation got {status}"]


def results_created(provider: Provider, dataset: Dataset) -> list[str]:
    result = {**_chain().objects["results"][0], "id": str(uuid.uuid4())}
    with provider.http(provider.token()) as http:
        status = http.post("/results-api/v2/results", json=result).status_code
    return [] if status == 201 else [f"results got {status}"]


def _progress(school: dict[str, Any]) -> dict[str, Any]:
    entitlement = next(
        e
        for e in _chain().objects["entitlements"]
        if "student" in e.get("entitlementSpecification", {})
    )
    return {
        "id": str(uuid.uuid4()),
        "student": entitlement["entitlementSpecification"]["student"],
        "school": school,
        "assignableUnitId": "unit-1",
        "courseId": "course-1",
        "status": "started",
        "timestamp": "2026-01-05T10:00:00Z",
    }


def progress_accepted(provider: Provider, dataset: Dataset) -> list[str]:
    body = _progress({"organisationMasterIdentifier": dataset.schools[0].key})
    status = _put(provider, f"/progress-api/v0/progress/{body['id']}", body)
    return [] if status == 202 else [f"progress got {status}"]


def push_needs_consent(provider: Provider, dataset: Dataset) -> list[str]:
    school = {"organisationMasterIdentifier": CURRENT.without_consent}
    body = _progress(school)
    with provider.http(provider.token("one-school")) as http:
        status = http.put(f"/progress-api/v0/progress/{body['id']}", json=body).status_code
    return [] if status == 403 else [f"progress for a school without consent got {status}"]


WRITE_CHECKS: dict[str, WriteCheck] = {
    "confirmation-id-not-kept": repeat_keeps_id,
    "confirmation-reference-not-echoed": order_confirmed,
    "activation-codes-short": codes_counted,
    "withdrawn-code-not-echoed": withdrawal_echoed,
    "delivery-order-not-stored": delivery_served,
    "delivery-total-changed": total_confirmed,
    "initial-activation-ignored": activation_licenses,
    "confirmation-without-token": order_confirmed,
    "confirmation-not-retried": refused_sent_again,
    "writes-unvalidated": bad_request_refused,
    "other-side-accepted": other_side_refused,
    "results-answer-202": results_created,
    "progress-answer-200": progress_accepted,
    "push-consent-unchecked": push_needs_consent,
    "entitlements-kept-back": entitlements_pushed,
    "consent-request-unanswered": consent_answered,
    "consent-withdrawal-ignored": consent_withdrawn,
}
