"""The steps of a generated chain at a school: its facts and consents, orders, credits, codes."""

from __future__ import annotations

import datetime as dt

from eduv.dataset.chain.model import SchoolFacts
from eduv.dataset.model import JsonObject
from eduv.testing.chain_base import DATA_SERVICE, CatalogueDraft, SchoolState, day, stamp
from eduv.testing.chain_vocab import STREETS
from eduv.testing.chooser import pick
from eduv.testing.vocab import PLACES


class OrderDraft(CatalogueDraft):
    """Adds a school with its consents, and the orders, credits and codes it asks for."""

    # ------------------------------------------------------------------ schools

    def add_school(self) -> SchoolState:
        sectors = sorted({f.sector for f in self.families}) or ["PO"]
        sector = pick(self.choose, sectors)
        board = self.ids.rio("B")
        if self.boards and self.choose.chance(40):
            board = pick(self.choose, sorted(self.boards))
        code = self.ids.rio("A")
        self.boards.setdefault(board, set()).add(code)
        facts = SchoolFacts(
            sector=sector,
            organisationMasterIdentifier=code,
            organisationIds=[
                {"organisationId": self.ids.brin4(), "organisationIdType": "OIE_CODE"}
            ],
            boardId=board,
        )
        domain = f"{code.lower()}.school.example.nl"
        for _ in range(self.integer(self.scale.students)):
            student: JsonObject = {"userMasterIdentifier": self.ids.eck_id()}
            if self.choose.chance(50):
                student["userIds"] = [
                    {"userId": f"{self.ids.number(6)}@{domain}", "userIdType": "NEPPI"}
                ]
            facts.students.append(student)
        for _ in range(self.integer(self.scale.employees)):
            kind = pick(self.choose, ("NEPPI", "BPI", "eduID"))
            facts.employees.append(
                {"userIds": [{"userId": f"m{self.ids.number(5)}@{domain}", "userIdType": kind}]}
            )
        facts.studyYearIds = [self.ids.uuid() for _ in range(3)]
        facts.subjectIds = [self.ids.uuid() for _ in range(3)]
        facts.groupIds = [self.ids.uuid() for _ in range(3)]
        self.dataset.schools.append(facts)
        address = {
            "name": "Leermiddelencoördinator",
            "street": pick(self.choose, STREETS),
            "houseNumber": self.choose.integer(1, 120),
            "zipCode": f"{self.choose.integer(1000, 9999)} {pick(self.choose, ('AB', 'KL', 'XZ'))}",
            "city": pick(self.choose, PLACES),
            "countryCode": "NL",
            "country": "Nederland",
        }
        school = SchoolState(facts, address)
        self._consents(school)
        return school

    def _consents(self, school: SchoolState) -> None:
        """Which data services the school consented to, and their consent registrations."""
        options: list[tuple[str, list[str]]] = [
            ("entitlement-api", ["entitlement.portal", "entitlement.dashboard"]),
            ("usage-api", ["usage.dashboard"]),
            ("progress-api", ["progress"]),
            ("results-api", ["result"]),
        ]
        if not self.previous_only:
            options.append(("delivery-api", ["delivery.portal", "delivery.dashboard"]))
        for api, offered in options:
            if not self.choose.chance(75):
                continue
            scopes = offered
            if api == "entitlement-api" and not self.previous_only and self.choose.chance(30):
                scopes = ["entitlement.portal"]
            school.consents[api] = scopes
            if school.facts.boardId is not None:
                self.board_services.setdefault(school.facts.boardId, set()).add(DATA_SERVICE[api])
            self.add(
                "consents",
                {
                    "providerReferenceId": self.ids.uuid(),
                    "consumerReferenceId": self.ids.uuid(),
                    "school": school.facts.reference(),
                    "api": api,
                    "scopes": scopes,
                    "providerStatus": "accepted",
                    "consumerStatus": "accepted",
                },
            )
        if self.choose.chance(30):
            self.add(
                "consents",
                {
                    "providerReferenceId": "",
                    "school": school.facts.reference(),
                    "api": "usage-api",
                    "scopes": ["usage.dashboard"],
                    "providerStatus": "pending",
                    "consumerStatus": "pending",
                },
            )

    # ------------------------------------------------------------------ orders

    def add_orders(self, school: SchoolState) -> list[tuple[JsonObject, int]]:
        """Orders with their confirmations and credits; returns approved lines to deliver."""
        deliverable: list[tuple[JsonObject, int]] = []
        offered = self.orderable(school.facts.sector)
        if not offered:
            return deliverable
        pupils = len(school.facts.students)
        for _ in range(self.integer(self.scale.orders_per_school)):
            most = 1 if self.previous_only else self.scale.lines_per_order[1]
            chosen = self.some(offered, 1, most)
            number = self.next_number()
            sent = dt.date(self.year, 6, 1) + dt.timedelta(days=number % 40)
            lines = [
                {
                    "purchaseOrderLineId": str(i + 1),
                    "productId": p["productId"],
                    "quantity": pupils + self.choose.integer(0, 3),
                }
                for i, p in enumerate(chosen)
            ]
            request: JsonObject = {
                "requestReferenceId": self.ids.uuid(),
                "purchaseOrderId": f"PO-{self.year}-{number:05d}",
                "orderLines": lines,
            }
            if any(self.products[line["productId"]]["type"] != "digital" for line in lines):
                request["deliveryLocation"] = dict(school.address)
                request["deliveryDate"] = day(dt.date(self.year, 7, 15))
            self.add("orderRequests", request)
            outcome = pick(self.choose, ("approved", "approved", "approved", "pending", "declined"))
            sales = f"SO-{number:06d}"
            if outcome == "pending":
                self._confirm_order(request, sales, "pending", sent + dt.timedelta(days=1))
                outcome = "approved"
            confirmation = self._confirm_order(request, sales, outcome, sent + dt.timedelta(days=2))
            if outcome == "declined":
                continue
            remaining = {line["purchaseOrderLineId"]: line["quantity"] for line in lines}
            if self.choose.chance(35):
                self._credit(request, confirmation, remaining, sent + dt.timedelta(days=5))
            for line in lines:
                left = remaining[line["purchaseOrderLineId"]]
                product = self.products[line["productId"]]
                if left > 0 and product["type"] in ("digital", "combi"):
                    deliverable.append((product, left))
                    if self.choose.chance(8):
                        self.decline_codes(product, sent + dt.timedelta(days=3))
        return deliverable

    def _confirm_order(
        self, request: JsonObject, sales: str, outcome: str, when: dt.date
    ) -> JsonObject:
        success = outcome != "declined"
        status = 0 if success else 99
        message = None if success else "Productcombinatie niet leverbaar"
        lines = []
        for index, line in enumerate(request["orderLines"]):
            confirmed: JsonObject = {
                "salesOrderLineId": f"{sales}-{index + 1}",
                "purchaseOrderLineId": line["purchaseOrderLineId"],
                "productId": line["productId"],
                "quantity": line["quantity"],
                "status": status,
            }
            if message:
                confirmed["statusMessage"] = message
            lines.append(confirmed)
        confirmation: JsonObject = {
            "responseReferenceId": self.ids.uuid(),
            "requestReferenceId": request["requestReferenceId"],
            "purchaseOrderId": request["purchaseOrderId"],
            "salesOrderId": sales,
            "processedTimestamp": stamp(when, 10),
            "orderStatus": outcome,
            "success": success,
            "status": status,
            "orderConfirmationLines": lines,
        }
        if message:
            confirmation["statusMessage"] = message
        return self.add("orderConfirmations", confirmation)

    def _credit(
        self,
        request: JsonObject,
        confirmation: JsonObject,
        remaining: dict[str, int],
        when: dt.date,
    ) -> None:
        confirmed = confirmation["orderConfirmationLines"]
        line = pick(self.choose, confirmed)
        ordered = remaining[line["purchaseOrderLineId"]]
        quantity = (
            ordered
            if self.previous_only or self.choose.chance(50)
            else self.choose.integer(1, ordered)
        )
        remaining[line["purchaseOrderLineId"]] = ordered - quantity
        credited = {
            "purchaseOrderLineId": line["purchaseOrderLineId"],
            "salesOrderLineId": line["salesOrderLineId"],
            "productId": line["productId"],
            "quantity": quantity,
        }
        credit: JsonObject = {
            "requestReferenceId": self.ids.uuid(),
            "purchaseOrderId": request["purchaseOrderId"],
            "salesOrderId": confirmation["salesOrderId"],
            "responseReferenceId": confirmation["responseReferenceId"],
            "orderLines": [credited],
        }
        self.add("creditOrderRequests", credit)
        self.add(
            "creditOrderConfirmations",
            {
                "requestReferenceId": credit["requestReferenceId"],
                "responseReferenceId": self.ids.uuid(),
                "purchaseOrderId": request["purchaseOrderId"],
                "salesOrderId": confirmation["salesOrderId"],
                "processedTimestamp": stamp(when, 11),
                "creditOrderStatus": "approved",
                "success": True,
                "status": 0,
                "creditOrderConfirmationLines": [{**credited, "status": 0}],
            },
        )

    # ------------------------------------------------------------------ activation codes

    def issue_codes(self, product: JsonObject, quantity: int, when: dt.date) -> list[str]:
        """Request codes from the licence registry; returns the codes it issued."""
        request = {
            "requestReferenceId": self.ids.uuid(),
            "productId": product["productId"],
            "quantity": quantity,
        }
        self.add("activationCodeRequests", request)
        prefix = "".join(w[0] for w in product["name"].split()[:3]).upper()
        codes = [
            f"{prefix}-{self.ids.number(4)}-{self.ids.number(4)}-{self.next_number():05d}"
            for _ in range(quantity)
        ]
        self.add(
            "activationCodeConfirmations",
            {
                "requestReferenceId": request["requestReferenceId"],
                "responseReferenceId": self.ids.uuid(),
                "productId": product["productId"],
                "activationCodes": codes,
                "processedTimestamp": stamp(when, 13),
                "success": True,
                "status": 0,
            },
        )
        return codes

    def decline_codes(self, product: JsonObject, when: dt.date) -> None:
        request = {
            "requestReferenceId": self.ids.uuid(),
            "productId": product["productId"],
            "quantity": 10,
        }
        self.add("activationCodeRequests", request)
        self.add(
            "activationCodeConfirmations",
            {
                "requestReferenceId": request["requestReferenceId"],
                "responseReferenceId": self.ids.uuid(),
                "productId": product["productId"],
                "processedTimestamp": stamp(when, 13),
                "success": False,
                "status": 99,
                "statusMessage": "Geen codes beschikbaar voor dit product",
            },
        )

    def revoke_code(self, code: str, issued_by: str, when: dt.date) -> None:
        request = {
            "requestReferenceId": self.ids.uuid(),
            "activationCode": code,
            "responseReferenceId": issued_by,
        }
        self.add("activationCodeRevokeRequests", request)
        self.add(
            "activationCodeRevokeConfirmations",
            {
                "requestReferenceId": request["requestReferenceId"],
                "responseReferenceId": self.ids.uuid(),
                "activationCode": code,
                "processedTimestamp": stamp(when, 14),
                "success": True,
                "status": 0,
            },
        )

    # ------------------------------------------------------------------ delivery and entitlements

    def _activation_until(self, product: JsonObject) -> dt.date:
        terms = product.get("activationPeriod") or {"activationVariant": "schoolyear"}
        if terms["activationVariant"] == "days":
            return self.start + dt.timedelta(days=int(terms["activationDays"]))
        if terms["activationVariant"] == "date":
            return dt.date.fromisoformat(terms["activationUntilDate"])
        return self.until

    def _expiry(self, product: JsonObject, first: dt.date) -> dt.date:
        period = product.get("licensePeriod") or {"licenseVariant": "schoolyear"}
        variant = period["licenseVariant"]
        if variant == "days":
            return first + dt.timedelta(days=int(period["licenseDays"]))
        if variant == "month":
            return first + dt.timedelta(days=31)
        if variant == "year":
            return first + dt.timedelta(days=366)
        july = dt.date(first.year, 7, 31)
        return july if first <= july else dt.date(first.year + 1, 7, 31)
