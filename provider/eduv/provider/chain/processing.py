"""What taking each chain request does to the chain the provider serves.

One function per writing operation (the table is ``eduv.provider.chain.exchanges``):
each applies a request, in the current version's shape, to the stored chain objects the
reads serve, and returns the content of the confirmation it is owed. The order system
approves an order whose products are all in the catalogue; the entitlement manager
stores a delivery order with its next status and makes an entitlement for every person
or code it lists; the licence registry issues and withdraws activation codes; a first
activation makes its entitlement, and a processed delivery order, licensed.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from eduv.provider.chain.store import chain_objects_where, store_chain_object
from eduv.provider.config import Client
from eduv.provider.errors import OTHER, RefusalError
from eduv.provider.faults import Faults
from eduv.provider.faults_writes import (
    ACTIVATION_IGNORED,
    CODES_SHORT,
    DELIVERY_NOT_STORED,
    DELIVERY_TOTAL_CHANGED,
    REVOKE_NOT_ECHOED,
)
from eduv.provider.schema import chain_objects

JsonObject = dict[str, Any]
# More codes than this in one request is refused (success false): a guard, not a rule.
MAX_CODES = 1_000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class Work:
    """One request being taken: its body in the current shape, and where it runs.
    ``made`` collects the entitlements it made, which the entitlement manager then
    pushes to the licence registries and portals (``eduv.provider.chain.exchanges``)."""

    conn: Connection
    body: JsonObject
    client: Client
    faults: Faults
    now: str
    made: list[JsonObject] = field(default_factory=list)


def new_id() -> str:
    return str(uuid.uuid4())


# -- orders (the order system, OS) ------------------------------------------------------


def _product(conn: Connection, product_id: Any) -> JsonObject | None:
    found = chain_objects_where(conn, "products", [chain_objects.c.obj_id == str(product_id)])
    return orjson.loads(found[0].doc) if found else None


def order(work: Work) -> JsonObject:
    body = work.body
    sales = f"SO-{secrets.token_hex(4).upper()}"
    lines: list[JsonObject] = []
    unknown: list[str] = []
    for index, line in enumerate(body.get("orderLines", [])):
        known = _product(work.conn, line.get("productId")) is not None
        confirmed: JsonObject = {
            "salesOrderLineId": f"{sales}-{index + 1}",
            "productId": line["productId"],
            "quantity": line["quantity"],
            "status": 0 if known else OTHER,
        }
        if "purchaseOrderLineId" in line:
            confirmed["purchaseOrderLineId"] = line["purchaseOrderLineId"]
        if not known:
            confirmed["statusMessage"] = f"product {line['productId']} is not in the catalogue"
            unknown.append(str(line["productId"]))
        lines.append(confirmed)
    confirmation: JsonObject = {
        "responseReferenceId": new_id(),
        "requestReferenceId": body["requestReferenceId"],
        "purchaseOrderId": body["purchaseOrderId"],
        "salesOrderId": sales,
        "processedTimestamp": work.now,
        "orderStatus": "declined" if unknown else "approved",
        "success": not unknown,
        "status": OTHER if unknown else 0,
        "orderConfirmationLines": lines,
    }
    if unknown:
        confirmation["statusMessage"] = "not in the catalogue: " + ", ".join(unknown)
    store_chain_object(work.conn, "orderRequests", body)
    store_chain_object(work.conn, "orderConfirmations", confirmation)
    return confirmation


def credit(work: Work) -> JsonObject:
    body = work.body
    orders = [
        orjson.loads(s.doc)
        for s in chain_objects_where(work.conn, "orderConfirmations", [])
        if orjson.loads(s.doc).get("purchaseOrderId") == body["purchaseOrderId"]
    ]
    approved = [o for o in orders if o.get("orderStatus") == "approved"]
    confirmation: JsonObject = {
        "requestReferenceId": body["requestReferenceId"],
        "responseReferenceId": new_id(),
        "purchaseOrderId": body["purchaseOrderId"],
        "processedTimestamp": work.now,
        "creditOrderStatus": "approved" if approved else "declined",
        "success": bool(approved),
        "status": 0 if approved else OTHER,
    }
    if approved:
        confirmation["salesOrderId"] = approved[-1].get("salesOrderId", "")
        confirmation["creditOrderConfirmationLines"] = [
            {**{k: v for k, v in line.items() if k != "salesOrderLineId"}, "status": 0}
            for line in body.get("orderLines", [])
        ]
    else:
        confirmation["statusMessage"] = f"no approved order {body['purchaseOrderId']} here"
    store_chain_object(work.conn, "creditOrderRequests", body)
    store_chain_object(work.conn, "creditOrderConfirmations", confirmation)
    return confirmation


# -- delivery orders (the entitlement manager, AM) ---------------------------------------

# The status a delivery order gets when it arrives with the status of the request.
NEXT_STATUS = {"ordered": "processed"}
# Per delivery type: where its specification lists the people or codes, and the
# entitlement each one gets (type, member of the entitlement's specification).
ENTITLED = {
    "school-students": ("students", "school-student", "student"),
    "school-employees": ("employees", "school-employee", "employee"),
    "school-activationcodes": ("activationCodes", "school-activationcode", "activationCode"),
}


def delivery_order(work: Work) -> JsonObject:
    order = dict(work.body["deliveryOrder"])
    ident = str(order["deliveryOrderId"])
    earlier = chain_objects_where(work.conn, "deliveryOrders", [chain_objects.c.obj_id == ident])
    status = NEXT_STATUS.get(str(order.get("status")), str(order.get("status")))
    order.update(status=status, dateLastModified=work.now)
    if not work.faults.has(DELIVERY_NOT_STORED):
        store_chain_object(work.conn, "deliveryOrders", order, replace=True)
        if not earlier:
            for entitlement in _entitlements(order, work.now):
                store_chain_object(work.conn, "entitlements", entitlement)
                work.made.append(entitlement)
        elif status == "cancelled":
            _end_entitlements(work, ident, "cancelled")
    confirmation: JsonObject = {
        "deliveryOrderReferenceId": work.body["deliveryOrderReferenceId"],
        "deliveryOrderReceiveId": new_id(),
        "deliveryOrderId": ident,
        "productId": order["productId"],
        "processedTimestamp": work.now,
        "newStatus": status,
        "success": True,
        "status": 0,
    }
    total = order.get("deliverySpecification", {}).get("totalQuantity")
    if isinstance(total, int):
        shift = 1 if work.faults.has(DELIVERY_TOTAL_CHANGED) else 0
        confirmation["newTotalQuantity"] = total + shift
    store_chain_object(work.conn, "deliveryOrderRequests", work.body)
    store_chain_object(work.conn, "deliveryOrderConfirmations", confirmation)
    return confirmation


def _entitlements(order: JsonObject, now: str) -> list[JsonObject]:
    """One entitlement per person or code the delivery order lists; a delivery to a
    whole school, study, subject or group entitles whoever activates it, later."""
    found = ENTITLED.get(str(order.get("deliveryType")))
    if found is None:
        return []
    member, kind, holder = found
    specification = order.get("deliverySpecification", {})
    school = specification.get("school")
    out = []
    for item in specification.get(member, []):
        espec: JsonObject = {holder: item}
        if school is not None:
            espec = {"school": school, **espec}
        entitlement: JsonObject = {
            "entitlementId": new_id(),
            "deliveryOrderId": order["deliveryOrderId"],
            "productId": order["productId"],
            "startDate": order["startDate"],
            "activationUntilDate": order.get("activationUntilDate", order["startDate"]),
            "expirationDate": order.get("activationUntilDate", order["startDate"]),
            "entitlementType": kind,
            "entitlementSpecification": espec,
            "entitlementStatus": "entitled",
            "urlStatuses": [
                {"portal": p, "urlStatus": "initialized"} for p in order.get("portals", ())
            ],
            "dateCreated": now,
            "dateLastModified": now,
        }
        if "contractId" in order:
            entitlement["contractId"] = order["contractId"]
        out.append(entitlement)
    return out


def _end_entitlements(work: Work, delivery_order: str, status: str) -> None:
    condition = chain_objects.c.delivery_order == delivery_order
    for stored in chain_objects_where(work.conn, "entitlements", [condition]):
        doc = orjson.loads(stored.doc)
        doc.update(entitlementStatus=status, dateLastModified=work.now)
        store_chain_object(work.conn, "entitlements", doc, replace=True)


# -- activation codes (the licence registry, LR) -----------------------------------------


def codes(work: Work) -> JsonObject:
    body = work.body
    quantity = int(body["quantity"])
    known = _product(work.conn, body["productId"]) is not None
    confirmation: JsonObject = {
        "requestReferenceId": body["requestReferenceId"],
        "responseReferenceId": new_id(),
        "productId": body["productId"],
        "processedTimestamp": work.now,
        "success": False,
        "status": OTHER,
    }
    if not known:
        confirmation["statusMessage"] = f"product {body['productId']} is not in the catalogue"
    elif not 0 < quantity <= MAX_CODES:
        confirmation["statusMessage"] = f"between 1 and {MAX_CODES} codes per request"
    else:
        count = quantity - 1 if work.faults.has(CODES_SHORT) else quantity
        confirmation.update(activationCodes=[_code() for _ in range(count)], success=True, status=0)
    store_chain_object(work.conn, "activationCodeRequests", body)
    store_chain_object(work.conn, "activationCodeConfirmations", confirmation)
    return confirmation


def _code() -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def revoke(work: Work) -> JsonObject:
    body = work.body
    code = str(body["activationCode"])
    issued = any(
        code in orjson.loads(s.doc).get("activationCodes", [])
        for s in chain_objects_where(
            work.conn,
            "activationCodeConfirmations",
            [chain_objects.c.doc.contains(code, autoescape=True)],
        )
    )
    revoked = any(
        orjson.loads(s.doc).get("success")
        for s in chain_objects_where(
            work.conn,
            "activationCodeRevokeConfirmations",
            [chain_objects.c.doc.contains(code, autoescape=True)],
        )
    )
    done = issued and not revoked
    confirmation: JsonObject = {
        "requestReferenceId": body["requestReferenceId"],
        "responseReferenceId": new_id(),
        "activationCode": code.lower() if work.faults.has(REVOKE_NOT_ECHOED) else code,
        "processedTimestamp": work.now,
        "success": done,
        "status": 0 if done else OTHER,
    }
    if not done:
        why = "was withdrawn already" if revoked else "was not issued here"
        confirmation["statusMessage"] = f"the activation code {why}"
    store_chain_object(work.conn, "activationCodeRevokeRequests", body)
    store_chain_object(work.conn, "activationCodeRevokeConfirmations", confirmation)
    return confirmation


# -- first activations (the entitlement manager, AM) -------------------------------------


def activation(work: Work) -> None:
    body = work.body
    ident = str(body["entitlementId"])
    found = chain_objects_where(work.conn, "entitlements", [chain_objects.c.obj_id == ident])
    if not found:
        raise RefusalError(404, OTHER, f"no entitlement {ident!r} here")
    store_chain_object(work.conn, "initialActivations", body)
    if work.faults.has(ACTIVATION_IGNORED):
        return None
    entitlement = orjson.loads(found[0].doc)
    expires = max(str(entitlement.get("expirationDate", "")), str(body["expirationDate"]))
    entitlement.update(
        entitlementStatus="licensed", expirationDate=expires, dateLastModified=work.now
    )
    store_chain_object(work.conn, "entitlements", entitlement, replace=True)
    order_id = str(entitlement.get("deliveryOrderId"))
    for stored in chain_objects_where(
        work.conn, "deliveryOrders", [chain_objects.c.obj_id == order_id]
    ):
        order = orjson.loads(stored.doc)
        if order.get("status") == "processed":
            order.update(status="licensed", dateLastModified=work.now)
            store_chain_object(work.conn, "deliveryOrders", order, replace=True)
    return None


# -- pushed data (results administration ALR, dashboard LD) ------------------------------


def pushed(collection: str) -> Callable[[Work], None]:
    def take(work: Work) -> None:
        store_chain_object(work.conn, collection, work.body, replace=True)

    return take


def received(collection: str) -> Callable[[Work], None]:
    """A confirmation that comes back to a component that sent a request: kept with the
    chain's objects (the ordering environment and the entitlement manager hold them)."""

    def take(work: Work) -> None:
        store_chain_object(work.conn, collection, work.body)

    return take
