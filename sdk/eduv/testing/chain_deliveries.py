"""The steps of a generated chain after ordering: delivery orders, entitlements, activations."""

from __future__ import annotations

import datetime as dt

from eduv.dataset.model import JsonObject
from eduv.testing.chain_base import CATALOGUE_TO_DELIVERY, DIGITAL_DELIVERY, SchoolState, day, stamp
from eduv.testing.chain_orders import OrderDraft
from eduv.testing.chooser import pick


class DeliveryDraft(OrderDraft):
    """Adds delivery orders, the entitlements they yield, first activations and reports."""

    def _delivery_type(self, product: JsonObject, school: SchoolState) -> str:
        if not self.previous_only and self.choose.chance(8):
            return "school-admin"
        offered = [str(t) for t in product.get("deliveryTypes", ()) if t in DIGITAL_DELIVERY]
        chosen: str = pick(self.choose, offered or ["school-students"])
        return CATALOGUE_TO_DELIVERY.get(chosen, chosen)

    def add_deliveries(
        self, school: SchoolState, deliverable: list[tuple[JsonObject, int]]
    ) -> None:
        for index, (product, quantity) in enumerate(deliverable):
            sent = dt.date(self.year, 7, 1) + dt.timedelta(days=index % 20)
            self._delivery(school, product, quantity, sent)

    def _beneficiaries(
        self, school: SchoolState, kind: str, product: JsonObject, quantity: int, when: dt.date
    ) -> tuple[JsonObject, list[tuple[str, JsonObject]], JsonObject]:
        """(buyer, [(entitlementType, entitlementSpecification)], deliverySpecification)."""
        facts = school.facts
        ref = facts.reference()
        students = facts.students[:quantity]
        if kind in ("customer-user", "customer-activatoncode"):
            buyer = {
                "displayName": "Familie " + self.ids.number(3),
                "email": f"ouder{self.ids.number(4)}@example.nl",
            }
            if kind == "customer-user":
                student = {
                    "userMasterIdentifier": pick(self.choose, facts.students)[
                        "userMasterIdentifier"
                    ]
                }
                return buyer, [("customer-student", {"student": student})], {"student": student}
            [code] = self.issue_codes(product, 1, when)
            return (
                buyer,
                [("customer-activationcode", {"activationCode": code})],
                {"activationCode": code},
            )
        pupils = [
            (
                "school-student",
                {"school": ref, "student": {"userMasterIdentifier": s["userMasterIdentifier"]}},
            )
            for s in students
        ]
        if kind == "school-students":
            return ref, pupils, {"school": ref, "students": [p[1]["student"] for p in pupils]}
        if kind in ("school-employees", "school-admin"):
            staff = facts.employees[:quantity]
            entitled = [("school-employee", {"school": ref, "employee": dict(e)}) for e in staff]
            if kind == "school-admin":
                return ref, entitled, {"school": ref, "totalQuantity": quantity}
            return ref, entitled, {"school": ref, "employees": [dict(e) for e in staff]}
        if kind == "school-activationcodes":
            extra = 1 if self.choose.chance(40) else 0
            codes = self.issue_codes(product, quantity + extra, when)
            if extra:
                issued = self.dataset.items("activationCodeConfirmations")[-1][
                    "responseReferenceId"
                ]
                self.revoke_code(codes[-1], issued, when + dt.timedelta(days=3))
            codes = codes[:quantity]
            return (
                ref,
                [("school-activationcode", {"school": ref, "activationCode": c}) for c in codes],
                {"school": ref, "activationCodes": codes},
            )
        spec: JsonObject = {"school": ref, "totalQuantity": quantity}
        list_name, id_name, values = {
            "school-studies": ("studyYears", "studyYearId", facts.studyYearIds),
            "school-subjects": ("subjects", "subjectId", facts.subjectIds),
            "school-groups": ("groups", "groupId", facts.groupIds),
        }.get(kind, ("", "", []))
        if list_name:
            chosen = self.some(values, 1, 2)
            shares = [quantity // len(chosen)] * len(chosen)
            shares[0] += quantity - sum(shares)
            spec[list_name] = [
                {id_name: v, "quantity": q} for v, q in zip(chosen, shares, strict=True)
            ]
        return ref, pupils, spec

    def _delivery(
        self, school: SchoolState, product: JsonObject, quantity: int, sent: dt.date
    ) -> None:
        kind = self._delivery_type(product, school)
        if kind in ("school-employees", "school-admin") and not school.facts.employees:
            kind = "school-students"
        buyer, entitled, spec = self._beneficiaries(school, kind, product, quantity, sent)
        until = self._activation_until(product)
        portals: list[str] = []
        customer = kind.startswith("customer")
        if (
            not customer
            and "entitlement.portal" in school.consents.get("entitlement-api", ())
            and self.choose.chance(60)
        ):
            portals = [f"portal-{self.ids.number(3)}"]
        order: JsonObject = {
            "deliveryOrderId": self.ids.uuid(),
            "buyer": buyer,
            "productId": product["productId"],
            "deliveryType": kind,
            "deliverySpecification": spec,
            "startDate": day(self.start),
            "activationUntilDate": day(until),
            "status": "ordered",
            "dateCreated": stamp(sent, 8),
            "dateLastModified": stamp(sent, 8),
        }
        if portals:
            order["portals"] = portals
        if self.choose.chance(30):
            order["contractId"] = f"C-{self.year}-{self.ids.number(4)}"
        processed = sent + dt.timedelta(days=1)
        self._send_delivery(order, "processed", processed)
        order = {**order, "status": "processed", "dateLastModified": stamp(processed, 10)}
        entitlements = [
            self._entitle(order, product, etype, espec, processed, school)
            for etype, espec in entitled
        ]
        licensed = [e for e in entitlements if e["entitlementStatus"] == "licensed"]
        if not licensed and self.choose.chance(12):
            cancelled = dt.date(self.year, 10, 1)
            order = {
                **order,
                "status": "cancelled",
                "endDate": day(cancelled),
                "dateLastModified": stamp(cancelled, 9),
            }
            self._send_delivery(order, "cancelled", cancelled)
            for ent in entitlements:
                self._end_entitlement(ent, "cancelled", cancelled)
        elif licensed:
            first = min(dt.date.fromisoformat(e["_firstUse"]) for e in licensed)
            order = {**order, "status": "licensed", "dateLastModified": stamp(first, 18)}
            self._send_delivery(order, "licensed", first)
        if "totalQuantity" in spec and self.choose.chance(20) and order["status"] != "cancelled":
            lower = dict(spec, totalQuantity=max(len(entitlements), spec["totalQuantity"] - 1))
            for name in ("studyYears", "subjects", "groups"):
                if name in lower:
                    lower[name] = [
                        {k: v for k, v in item.items() if k != "quantity"} for item in lower[name]
                    ]
            order = {
                **order,
                "deliverySpecification": lower,
                "dateLastModified": stamp(dt.date(self.year, 11, 1), 9),
            }
            self._send_delivery(order, order["status"], dt.date(self.year, 11, 1))
        self._reports(order, entitlements)
        for ent in entitlements:
            self.add("entitlements", {k: v for k, v in ent.items() if not k.startswith("_")})
        self.add("deliveryOrders", order)

    def _send_delivery(self, order: JsonObject, answer: str, when: dt.date) -> None:
        request = {"deliveryOrderReferenceId": self.ids.uuid(), "deliveryOrder": dict(order)}
        self.add("deliveryOrderRequests", request)
        confirmation: JsonObject = {
            "deliveryOrderReferenceId": request["deliveryOrderReferenceId"],
            "deliveryOrderReceiveId": self.ids.uuid(),
            "deliveryOrderId": order["deliveryOrderId"],
            "productId": order["productId"],
            "processedTimestamp": stamp(when, 10),
            "newStatus": answer,
            "success": True,
            "status": 0,
        }
        total = order["deliverySpecification"].get("totalQuantity")
        if total is not None:
            confirmation["newTotalQuantity"] = total
        self.add("deliveryOrderConfirmations", confirmation)

    def _send_entitlement(self, state: JsonObject, answer: JsonObject, when: dt.date) -> None:
        sent = {k: v for k, v in state.items() if not k.startswith("_")}
        request = {"entitlementReferenceId": self.ids.uuid(), "entitlement": sent}
        self.add("entitlementRequests", request)
        self.add(
            "entitlementConfirmations",
            {
                "entitlementReferenceId": request["entitlementReferenceId"],
                "entitlementReceiveId": self.ids.uuid(),
                "entitlementId": state["entitlementId"],
                "productId": state["productId"],
                "processedTimestamp": stamp(when, 12),
                **answer,
                "success": True,
                "status": 0,
            },
        )

    def _entitle(
        self,
        order: JsonObject,
        product: JsonObject,
        etype: str,
        espec: JsonObject,
        created: dt.date,
        school: SchoolState,
    ) -> JsonObject:
        start = dt.date.fromisoformat(order["startDate"])
        state: JsonObject = {
            "entitlementId": self.ids.uuid(),
            "deliveryOrderId": order["deliveryOrderId"],
            "productId": order["productId"],
            "startDate": order["startDate"],
            "activationUntilDate": order["activationUntilDate"],
            "expirationDate": day(self._expiry(product, start)),
            "entitlementType": etype,
            "entitlementSpecification": espec,
            "entitlementStatus": "created",
            "urlStatuses": [
                {"portal": p, "urlStatus": "initialized"} for p in order.get("portals", ())
            ],
            "dateCreated": stamp(created, 11),
            "dateLastModified": stamp(created, 11),
        }
        if "contractId" in order:
            state["contractId"] = order["contractId"]
        confirmed = created + dt.timedelta(days=1)
        self._send_entitlement(state, {"newEntitlementStatus": "entitled"}, confirmed)
        for portal in order.get("portals", ()):
            self._send_entitlement(
                state, {"newUrlStatus": {"portal": portal, "urlStatus": "processed"}}, confirmed
            )
        state = {
            **state,
            "entitlementStatus": "entitled",
            "urlStatuses": [
                {"portal": p, "urlStatus": "processed"} for p in order.get("portals", ())
            ],
            "dateLastModified": stamp(confirmed, 12),
        }
        last = min(
            dt.date.fromisoformat(order["activationUntilDate"]), self.as_of - dt.timedelta(days=1)
        )
        if last >= start and self.choose.chance(55):
            used = start + dt.timedelta(days=self.choose.integer(0, (last - start).days))
            state = self._activate(state, product, used, school)
        elif self.choose.chance(5):
            blocked = dt.date(self.year, 9, 20)
            self._end_entitlement(state, "blocked", blocked)
        return state

    def _end_entitlement(self, state: JsonObject, status: str, when: dt.date) -> None:
        state.update(entitlementStatus=status, endDate=day(when), dateLastModified=stamp(when, 12))
        self._send_entitlement(state, {"newEntitlementStatus": status}, when)
        statuses = []
        for entry in state["urlStatuses"]:
            marked = {"portal": entry["portal"], "urlStatus": status}
            self._send_entitlement(
                {**state, "urlStatuses": [marked]}, {"newUrlStatus": marked}, when
            )
            statuses.append(marked)
        state["urlStatuses"] = statuses

    def _activate(
        self, state: JsonObject, product: JsonObject, used: dt.date, school: SchoolState
    ) -> JsonObject:
        spec = state["entitlementSpecification"]
        etype = state["entitlementType"]
        user = spec.get("student") or spec.get("employee")
        if user is None:
            person = pick(self.choose, school.facts.students)
            user = {"userMasterIdentifier": person["userMasterIdentifier"]}
        parts = product.get("bundledProducts") if product["type"] == "digital" else None
        activated = (
            pick(self.choose, parts) if parts and self.choose.chance(50) else state["productId"]
        )
        expires = max(self._expiry(product, used), dt.date.fromisoformat(state["expirationDate"]))
        activation: JsonObject = {
            "entitlementId": state["entitlementId"],
            "productId": activated,
            "entitlementType": etype,
            "user": user,
            "usageDate": day(used),
            "usageType": "initial-activation",
            "expirationDate": day(expires),
        }
        if "school" in spec:
            activation["school"] = spec["school"]
        if "activationCode" in spec:
            activation["activationCode"] = spec["activationCode"]
        self.add("initialActivations", activation)
        licensed: JsonObject = {
            **state,
            "entitlementStatus": "licensed",
            "expirationDate": day(expires),
            "urlStatuses": [
                {"portal": u["portal"], "urlStatus": "initialized"} for u in state["urlStatuses"]
            ],
            "dateLastModified": stamp(used, 18),
            "_firstUse": day(used),
            "_user": user,
        }
        for entry in licensed["urlStatuses"]:
            self._send_entitlement(
                licensed,
                {"newUrlStatus": {"portal": entry["portal"], "urlStatus": "processed"}},
                used,
            )
        licensed["urlStatuses"] = [
            {"portal": u["portal"], "urlStatus": "processed"} for u in state["urlStatuses"]
        ]
        if etype in ("school-student", "customer-student"):
            school.licensed.append((licensed, user))
        return licensed

    def _reports(self, order: JsonObject, entitlements: list[JsonObject]) -> None:
        if not entitlements:
            return
        counts = {
            s: sum(e["entitlementStatus"] == s for e in entitlements)
            for s in ("created", "entitled", "licensed", "cancelled", "blocked")
        }
        grouped: JsonObject = {"deliveryOrderId": order["deliveryOrderId"]}
        if "contractId" in order:
            grouped["contractId"] = order["contractId"]
        total = order["deliverySpecification"].get("totalQuantity")
        if total is not None:
            grouped["totalQuantity"] = total
        grouped.update({f"total{s.capitalize()}": n for s, n in counts.items()})
        grouped["entitlements"] = [
            {k: v for k, v in e.items() if not k.startswith("_")} for e in entitlements
        ]
        self.add("deliveryOrderEntitlements", grouped)
        usages = []
        for ent in entitlements:
            spec = ent.get("entitlementSpecification", {})
            item: JsonObject = {
                "entitlementId": ent["entitlementId"],
                "productId": ent["productId"],
                "entitlementType": ent["entitlementType"],
                "entitlementStatus": ent["entitlementStatus"],
            }
            if "school" in spec:
                item["school"] = spec["school"]
            user = spec.get("student") or spec.get("employee") or ent.get("_user")
            if user is not None:
                item["user"] = user
            if "activationCode" in spec:
                item["activationCode"] = spec["activationCode"]
            item["expirationDate"] = ent["expirationDate"]
            if "_firstUse" in ent:
                item["usage"] = {"firstUsed": ent["_firstUse"]}
            usages.append(item)
        usage: JsonObject = {"deliveryOrderId": order["deliveryOrderId"]}
        usage.update(
            {
                f"total{s.capitalize()}": counts[s]
                for s in ("entitled", "licensed", "cancelled", "blocked")
            }
        )
        usage["entitlements"] = usages
        self.add("deliveryOrderUsage", usage)
