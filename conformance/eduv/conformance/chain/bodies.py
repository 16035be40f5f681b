"""The requests the suite sends a chain component, built for the schools under test.

A chain generated for the configured schools (``eduv.testing.chain_build``) supplies
realistic orders, delivery orders, code requests, results and progress; the products
they name are swapped for products the target's own catalogue serves, when it serves
one, so that an order system has a reason to approve them. Every request gets fresh
references, so that a run never repeats one of an earlier run by accident.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import orjson

from eduv.dataset.chain import ChainDataset, SchoolFacts

JsonObject = dict[str, Any]


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Bodies:
    """Request bodies in the current versions' shapes, for one school under test."""

    chain: ChainDataset
    school: SchoolFacts

    @classmethod
    def build(cls, school_ids: list[str], products: list[str], seed: int) -> Bodies:
        from eduv.testing.chain_build import chain_for_schools

        chain = chain_for_schools(school_ids, seed)
        if products:
            generated = [str(p["productId"]) for p in chain.objects.get("products", [])]
            text = orjson.dumps(chain.to_json()).decode()
            for index, old in enumerate(generated):
                if old not in products:
                    text = text.replace(f'"{old}"', f'"{products[index % len(products)]}"')
            from eduv.dataset.chain import chain_dataset_from_json

            chain = chain_dataset_from_json(orjson.loads(text), "requests for the target")
        first = chain.schools[0] if chain.schools else SchoolFacts(sector="PO")
        return cls(chain, first)

    @property
    def school_ref(self) -> JsonObject:
        return dict(self.school.reference())

    def _first(self, collection: str) -> JsonObject | None:
        items = self.chain.objects.get(collection, [])
        return dict(items[0]) if items else None

    def product(self) -> str:
        order = self._first("orderRequests")
        if order is not None:
            return str(order["orderLines"][0]["productId"])
        return str(self.chain.objects["products"][0]["productId"])

    def order(self, *, lines: int | None = None) -> JsonObject:
        """An order; ``lines`` keeps the first lines only (the previous version takes
        one product per order)."""
        found = self._first("orderRequests") or {
            "purchaseOrderId": "PO-EDUV-1",
            "orderLines": [
                {"purchaseOrderLineId": "1", "productId": self.product(), "quantity": 1}
            ],
        }
        kept = found["orderLines"][:lines] if lines is not None else found["orderLines"]
        return {**found, "orderLines": kept, "requestReferenceId": new_id()}

    def credit(self, order: JsonObject) -> JsonObject:
        line = order["orderLines"][0]
        credited: JsonObject = {"productId": line["productId"], "quantity": 1}
        if "purchaseOrderLineId" in line:
            credited["purchaseOrderLineId"] = line["purchaseOrderLineId"]
        return {
            "requestReferenceId": new_id(),
            "purchaseOrderId": order["purchaseOrderId"],
            "orderLines": [credited],
        }

    def students(self, count: int) -> list[JsonObject]:
        return [
            {"userMasterIdentifier": s["userMasterIdentifier"]}
            for s in self.school.students[:count]
            if s.get("userMasterIdentifier")
        ]

    def delivery_order(self, product: str, count: int = 2, *, whole: bool = False) -> JsonObject:
        """A new delivery order for ``count`` listed pupils of the school, or with
        ``whole`` for ``count`` licences for the whole school (a total to confirm)."""
        today = dt.date.today()
        kind = "school-all" if whole else "school-students"
        specification: JsonObject = {"school": self.school_ref}
        if whole:
            specification["totalQuantity"] = count
        else:
            specification["students"] = self.students(count)
        order: JsonObject = {
            "deliveryOrderId": new_id(),
            "buyer": self.school_ref,
            "productId": product,
            "deliveryType": kind,
            "deliverySpecification": specification,
            "startDate": today.isoformat(),
            "activationUntilDate": (today + dt.timedelta(days=300)).isoformat(),
            "status": "ordered",
            "dateCreated": now(),
            "dateLastModified": now(),
        }
        return {"deliveryOrderReferenceId": new_id(), "deliveryOrder": order}

    def codes(self, product: str, quantity: int = 2) -> JsonObject:
        return {"requestReferenceId": new_id(), "productId": product, "quantity": quantity}

    def revoke(self, code: str) -> JsonObject:
        return {"requestReferenceId": new_id(), "activationCode": code}

    def activation(self, entitlement: JsonObject) -> JsonObject:
        """The first activation of a served entitlement by the person it names."""
        espec = entitlement.get("entitlementSpecification", {})
        user = espec.get("student") or espec.get("employee") or self.students(1)[0]
        found: JsonObject = {
            "entitlementId": entitlement["entitlementId"],
            "productId": entitlement["productId"],
            "entitlementType": entitlement["entitlementType"],
            "user": user,
            "usageDate": dt.date.today().isoformat(),
            "usageType": "initial-activation",
            "expirationDate": entitlement.get("expirationDate", dt.date.today().isoformat()),
        }
        if "school" in espec:
            found["school"] = espec["school"]
        if "activationCode" in espec:
            found["activationCode"] = espec["activationCode"]
        return found

    def results(self, school: JsonObject | None = None) -> JsonObject:
        found = self._first("results")
        assert found is not None, "the generated chain has results"
        return {**found, "id": new_id(), "school": school or self.school_ref}

    def progress(
        self, school: JsonObject | None = None, student: JsonObject | None = None
    ) -> JsonObject:
        return {
            "id": new_id(),
            "student": student or self.students(1)[0],
            "school": school or self.school_ref,
            "assignableUnitId": "eduv-unit-1",
            "courseId": "eduv-course-1",
            "status": "started",
            "timestamp": now(),
        }

    def delivery_confirmation(self) -> JsonObject:
        return {
            "deliveryOrderReferenceId": new_id(),
            "deliveryOrderReceiveId": new_id(),
            "deliveryOrderId": new_id(),
            "productId": self.product(),
            "processedTimestamp": now(),
            "newStatus": "processed",
            "success": True,
            "status": 0,
        }

    def entitlement_confirmation(self) -> JsonObject:
        return {
            "entitlementReferenceId": new_id(),
            "entitlementReceiveId": new_id(),
            "entitlementId": new_id(),
            "productId": self.product(),
            "processedTimestamp": now(),
            "newEntitlementStatus": "entitled",
            "success": True,
            "status": 0,
        }
