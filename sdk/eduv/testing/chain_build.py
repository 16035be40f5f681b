"""Building consistent learning-materials chains, for any chooser.

A :class:`ChainDraft` follows the chain the way the texts describe it: a supplier's
catalogue; per school orders (some declined, some credited), activation codes, delivery
orders handed to the entitlement manager, entitlements sent to the licence registry and
the portals, first activations, usage reports, results and progress for schools that
consented, and the processing agreements their boards signed. Every object refers to
objects that exist, every confirmation answers a request that was sent, so each dataset
is valid by construction. The hypothesis strategies (:mod:`eduv.testing.chain`) and the
seeded bulk generator (:mod:`eduv.testing.chain_bulk`) both build with it.

``within_previous`` keeps to what the previous API versions can express as well (one
line per order, no tier prices, no delivery to school officials, ...), so that such a
dataset survives a round trip to the previous shapes unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eduv.dataset.chain.model import ChainDataset, SchoolFacts, chain_apis, supported_shapes
from eduv.dataset.model import JsonObject
from eduv.testing.chain_vocab import (
    ASSESSMENTS,
    FAMILIES,
    PUBLISHERS,
    RESELLERS,
    SIGNALS,
    STREETS,
    STUDIES,
)
from eduv.testing.chooser import Chooser, pick
from eduv.testing.ids import Ids
from eduv.testing.vocab import PLACES

VAT = 1.09
CATALOGUE_TO_DELIVERY = {
    "customer-student": "customer-user",
    "customer-activationcode": "customer-activatoncode",
}
DIGITAL_DELIVERY = (
    "school-all",
    "school-studies",
    "school-subjects",
    "school-groups",
    "school-students",
    "school-employees",
    "school-activationcodes",
    "customer-student",
    "customer-activationcode",
)
# The data service a processing agreement must cover for consent on an API (the
# dataService of spec/chain/roles.json).
DATA_SERVICE = {
    "delivery-api": "Leveringsorders",
    "entitlement-api": "Aanspraken",
    "usage-api": "Leermiddelgebruik",
    "progress-api": "Leermateriaalgebruik",
    "results-api": "Leerresultaten",
}
ADMIN_SERVICES = (
    "Onderwijsaanbod",
    "Onderwijsinrichting",
    "Onderwijsdeelnemers",
    "Onderwijsmedewerkers",
)


@dataclass(frozen=True)
class ChainScale:
    """How big a generated chain is."""

    schools: tuple[int, int] = (1, 3)
    students: tuple[int, int] = (3, 8)
    employees: tuple[int, int] = (2, 3)
    families: tuple[int, int] = (1, 3)
    years_per_family: tuple[int, int] = (1, 2)
    orders_per_school: tuple[int, int] = (1, 2)
    lines_per_order: tuple[int, int] = (1, 3)


SMALL_CHAIN = ChainScale()


def day(value: dt.date) -> str:
    return value.isoformat()


def stamp(value: dt.date, hour: int = 9, minute: int = 0) -> str:
    return f"{value.isoformat()}T{hour:02d}:{minute:02d}:00Z"


def ean13(digits12: str) -> str:
    """The 13-digit EAN (or ISBN-13) with its GS1 check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return digits12 + str((10 - total % 10) % 10)


def money(value: float) -> float:
    return round(value, 2)


@dataclass
class Family:
    name: str
    subject: JsonObject
    sector: str
    products: list[JsonObject] = field(default_factory=list)


@dataclass
class SchoolState:
    """A school under construction, with what later steps need."""

    facts: SchoolFacts
    address: JsonObject
    consents: dict[str, list[str]] = field(default_factory=dict)
    licensed: list[tuple[JsonObject, JsonObject]] = field(default_factory=list)


class ChainDraft:
    """Adds the objects of a chain one step at a time, keeping every reference right."""

    def __init__(
        self,
        chooser: Chooser,
        ids: Ids,
        year: int,
        *,
        within_previous: bool = False,
        scale: ChainScale = SMALL_CHAIN,
    ) -> None:
        self.choose = chooser
        self.ids = ids
        self.year = year
        self.previous_only = within_previous
        self.scale = scale
        self.start = dt.date(year, 8, 1)
        self.until = dt.date(year + 1, 7, 31)
        self.as_of = dt.date(year + 1, 3, 1)
        shapes = {api: supported_shapes(api)[0] for api in chain_apis()}
        self.dataset = ChainDataset(shapes=shapes, as_of=day(self.as_of))
        self.publisher = pick(chooser, PUBLISHERS)
        self.families: list[Family] = []
        self.products: dict[str, JsonObject] = {}
        self.boards: dict[str, set[str]] = {}
        # data services each board's schools consented to: what its agreement must cover
        self.board_services: dict[str, set[str]] = {}
        self.sequence = 0

    # ------------------------------------------------------------------ helpers

    def add(self, collection: str, obj: JsonObject) -> JsonObject:
        self.dataset.items(collection).append(obj)
        return obj

    def integer(self, bounds: tuple[int, int]) -> int:
        return self.choose.integer(*bounds)

    def next_number(self) -> int:
        self.sequence += 1
        return self.sequence

    def some(self, items: Sequence[Any], low: int, high: int) -> list[Any]:
        """A few distinct items, in their original order."""
        if not items:
            return []
        count = self.choose.integer(min(low, len(items)), min(high, len(items)))
        chosen: list[int] = []
        while len(chosen) < count:
            index = self.choose.integer(0, len(items) - 1)
            while index in chosen:
                index = (index + 1) % len(items)
            chosen.append(index)
        return [items[i] for i in sorted(chosen)]

    # ------------------------------------------------------------------ catalogue

    def add_catalogue(self) -> None:
        """Method families with books, licences, sets, combis, demos and an old edition."""
        reseller = self.choose.chance(30)
        provider = pick(self.choose, RESELLERS) if reseller else self.publisher
        self.dataset.catalogue_provider = {
            "kind": "reseller" if reseller else "publisher",
            "name": provider,
        }
        count = self.integer(self.scale.families)
        offset = self.choose.integer(0, len(FAMILIES) - 1)
        for index in range(count):
            name, subject_name, prefix, sector = FAMILIES[(offset + index) % len(FAMILIES)]
            family = Family(name, {"subjectPrefix": prefix, "subjectName": subject_name}, sector)
            self.families.append(family)
            for year in range(1, self.integer(self.scale.years_per_family) + 1):
                self._family_year(family, year)
        for product in self.products.values():
            self.add("products", product)
            if product["type"] in ("digital", "combi"):
                self.add("productInfo", self._info(product))

    def _study(self, sector: str, year: int) -> JsonObject:
        name, prefix, level, years = STUDIES[sector][0 if sector == "PO" else year % 3]
        shown = min(year + (2 if sector == "PO" else 0), years)
        level_prefix = prefix + shown - 1
        return {
            "studyName": name,
            "studyCode": self.ids.opleidingseenheid(),
            "studyLevels": [
                {
                    "studyLevelId": self.ids.level_uuid(level_prefix),
                    "studyLevelPrefix": str(level_prefix),
                    "studyLevelName": f"{level} {shown}",
                }
            ],
        }

    def _base(
        self, family: Family, year: int, kind: str, title: str, *, for_sale: bool
    ) -> JsonObject:
        product_id = ean13("978" + self.ids.number(9)) if for_sale else self.ids.uuid()
        published = dt.date(self.year - self.choose.integer(1, 3), 5, 1)
        product: JsonObject = {
            "productId": product_id,
            "publisher": self.publisher,
            "type": kind,
            "status": "available",
            "forSale": for_sale,
            "saleUnitSize": 1,
            "name": f"{family.name} {year} {title}",
            "productFamilyName": family.name,
            "edition": f"{self.choose.integer(1, 4)}e druk",
            "studies": [self._study(family.sector, year)],
            "subjects": [dict(family.subject)],
            "shortDescription": f"{family.name}, leerjaar {year}: {title}"[:80],
            "copyrightType": pick(self.choose, ("yes", "cc-by-sa-40", "cc-by-40")),
            "media": {"publisherThumbnailUrl": {"url": "https://media.example.org/logo.png"}},
            "firstPublishedDate": day(published),
            "dateCreated": stamp(published, 8),
            "dateLastModified": stamp(dt.date(self.year, 6, 1), 8),
        }
        provider = self.dataset.catalogue_provider or {}
        if provider.get("kind") == "reseller":
            product["reseller"] = provider["name"]
            product["media"]["resellerThumbnailUrl"] = {
                "url": "https://media.example.org/reseller.png"
            }
        if for_sale:
            product["price"] = self._prices(kind)
        self.products[product_id] = product
        family.products.append(product)
        return product

    def _prices(self, kind: str) -> list[JsonObject]:
        base = self.choose.integer(500, 6000) / 100
        kinds = ["standard"] if self.previous_only else ["standard", "tier", "schoolSize"]
        price_type = pick(self.choose, kinds)
        entries = []
        for offset, factor in ((0, 1.0), (1, 1.04)):
            if offset and not self.choose.chance(40):
                continue
            excl = money(base * factor)
            entry: JsonObject = {
                "priceExcl": excl,
                "priceIncl": money(excl * VAT),
                "priceCurrency": "EUR",
                "validFrom": day(dt.date(self.year + offset, 8, 1)),
            }
            if not self.previous_only:
                entry["priceType"] = price_type
            steps = {
                "tier": ("tierPricing", (1, 25, 100)),
                "schoolSize": ("schoolSizePricing", (1, 200, 500)),
            }
            if price_type in steps and not self.previous_only:
                name, quantities = steps[price_type]
                entry[name] = [
                    {
                        "qty": qty,
                        "priceExcl": money(excl * (1 - 0.05 * i)),
                        "priceIncl": money(excl * (1 - 0.05 * i) * VAT),
                    }
                    for i, qty in enumerate(quantities)
                ]
            entries.append(entry)
        return entries

    def _licence_terms(self, product: JsonObject) -> None:
        variant = pick(self.choose, ("days", "month", "year", "schoolyear"))
        period: JsonObject = {"licenseVariant": variant}
        if variant == "days":
            period["licenseDays"] = pick(self.choose, (180, 365, 730))
        product["licensePeriod"] = period
        activation = pick(self.choose, ("days", "date", "schoolyear"))
        terms: JsonObject = {"activationVariant": activation}
        if activation == "days":
            terms["activationDays"] = pick(self.choose, (90, 180, 300))
        elif activation == "date":
            terms["activationUntilDate"] = day(dt.date(self.year + 1, 6, 30))
        product["activationPeriod"] = terms
        product["defaultAccessUrl"] = f"https://app.example.org/start/{product['productId']}"
        offered = self.some(DIGITAL_DELIVERY, 3, 6)
        product["deliveryTypes"] = sorted(set(offered) | {"school-students"})
        product["paymentModels"] = ["pre-paid"]

    def _family_year(self, family: Family, year: int) -> None:
        book = self._base(family, year, "physical", "leerboek", for_sale=True)
        book["productUsages"] = ["leerboek"]
        licence = self._base(family, year, "digital", "licentie", for_sale=True)
        self._licence_terms(licence)
        licence["intendedEndUserRole"] = "student"
        combi = self._base(family, year, "combi", "boek en licentie", for_sale=True)
        self._licence_terms(combi)
        combi["bundledProducts"] = [book["productId"], licence["productId"]]
        if self.choose.chance(50):
            workbooks = self._base(family, year, "physical", "werkboeken, set van 5", for_sale=True)
            workbooks["saleUnitSize"] = 5
            workbooks["bundledProducts"] = [book["productId"]]
        if self.choose.chance(50):
            parts = [
                self._base(family, year, "digital", f"module {n}", for_sale=False) for n in (1, 2)
            ]
            for part in parts:
                self._licence_terms(part)
            digital_set = self._base(family, year, "digital", "modules, set van 2", for_sale=True)
            self._licence_terms(digital_set)
            digital_set["saleUnitSize"] = 2
            digital_set["bundledProducts"] = [p["productId"] for p in parts]
        if self.choose.chance(40):
            demo = self._base(family, year, "digital", "demo", for_sale=False)
            self._licence_terms(demo)
        if self.choose.chance(30):
            old = self._base(family, year, "digital", "licentie, vorige editie", for_sale=True)
            self._licence_terms(old)
            old["status"] = "no-longer-available"
            old["deprecationDate"] = day(dt.date(self.year - 1, 8, 1))
            old["followUpProduct"] = licence["productId"]
            old["supportedUntilDate"] = day(dt.date(self.year, 7, 31))
            old["endOfLifeDate"] = day(dt.date(self.year + 1, 7, 31))

    def _info(self, product: JsonObject) -> JsonObject:
        info: JsonObject = {
            name: product[name]
            for name in (
                "productId",
                "publisher",
                "type",
                "status",
                "name",
                "productFamilyName",
                "studies",
                "subjects",
                "defaultAccessUrl",
                "shortDescription",
                "bundledProducts",
                "deprecationDate",
                "supportedUntilDate",
                "endOfLifeDate",
                "firstPublishedDate",
                "dateCreated",
                "dateLastModified",
            )
            if name in product
        }
        info["media"] = {
            "publisherThumbnailUrl": product["media"]["publisherThumbnailUrl"],
            "mainThumbnailUrl": {"url": f"https://media.example.org/{product['productId']}.png"},
        }
        return info

    def orderable(self, sector: str) -> list[JsonObject]:
        return [
            p
            for f in self.families
            if f.sector == sector
            for p in f.products
            if p["forSale"] and p["status"] == "available"
        ]

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

    # ------------------------------------------------------------------ results and progress

    def add_results(self, school: SchoolState) -> None:
        if "results-api" not in school.consents or not school.facts.students:
            return
        name, prefix, subject = pick(self.choose, ASSESSMENTS)
        sitting = dt.date(self.year, 11, 1) + dt.timedelta(days=self.choose.integer(0, 60))
        assessment_id = self.ids.uuid()
        parts = [
            {"id": f"{assessment_id}-d{i}", "name": f"Onderdeel {i}", "index": i} for i in (1, 2)
        ]
        definition: JsonObject = {
            "id": assessment_id,
            "name": name,
            "subjects": [{"subjectPrefix": prefix, "subjectName": subject}],
            "parts": parts,
        }
        if not self.previous_only:
            definition["version"] = f"{self.year}.1"
        scale_id = f"{assessment_id}-schaal"
        rows = (
            [{"LHS": "0", "RHS": "onvoldoende"}]
            if self.previous_only
            else [
                {"LHS": "0-19", "RHS": "onvoldoende"},
                {"LHS": "20-31", "RHS": "voldoende"},
                {"LHS": "32", "RHS": "goed"},
            ]
        )
        statements = []
        for person in self.some(school.facts.students, 1, 6):
            written = stamp(sitting, 15)
            statement: JsonObject = {
                "id": self.ids.uuid(),
                "student": {"userMasterIdentifier": person["userMasterIdentifier"]},
                "status": "Final",
                "dateCreated": written,
                "dateLastModified": written,
            }
            if self.choose.chance(10):
                statement["missing"] = True
                statement["additionalInfo"] = "afwezig"
            else:
                points = self.choose.integer(0, 40)
                grade = f"{max(1.0, points / 4):.1f}"
                statement["scores"] = [
                    {
                        "scoreValue": str(points),
                        "scoreType": "ScorePoints",
                        "scoreMaximum": "40",
                        "assessmentId": assessment_id,
                        "scoreScaleIds": [scale_id],
                    }
                ]
                statement["results"] = [
                    {
                        "resultValue": grade,
                        "resultType": "Grade0.0-10.0",
                        "assessmentId": assessment_id,
                    },
                    {
                        "resultValue": str(self.choose.integer(1, 10)),
                        "resultType": "Grade0-10",
                        "assessmentId": assessment_id,
                        "assessmentPartId": parts[0]["id"],
                    },
                ]
                if not self.previous_only and self.choose.chance(30):
                    statement["results"].append(
                        {"resultValue": "E5", "resultType": "AVI", "assessmentId": assessment_id}
                    )
            statements.append(statement)
        self.add(
            "results",
            {
                "id": self.ids.uuid(),
                "assessmentDateTime": stamp(sitting, 9),
                "assessmentDefinition": definition,
                "school": school.facts.reference(),
                "schoolPeriod": f"{self.year}-{self.year + 1}",
                "scoreScaleDefinitions": [
                    {"id": scale_id, "name": "Punten naar oordeel", "scoreScaleEntries": rows}
                ],
                "studentScoresAndResults": statements,
                "timestamp": stamp(sitting, 16),
                "toolName": "Toetsomgeving Waalkant",
            },
        )

    def add_progress(self, school: SchoolState) -> None:
        if "progress-api" not in school.consents:
            return
        for entitlement, user in school.licensed[:4]:
            used = dt.date.fromisoformat(entitlement["_firstUse"])
            report_id = self.ids.uuid()
            course = f"course-{entitlement['productId'][-6:]}"
            student: JsonObject = {"userMasterIdentifier": user["userMasterIdentifier"]}
            if "userMasterIdentifier" not in user:
                continue
            facts_student = next(
                (
                    s
                    for s in school.facts.students
                    if s.get("userMasterIdentifier") == user["userMasterIdentifier"]
                ),
                None,
            )
            if facts_student and "userIds" in facts_student and self.choose.chance(50):
                student["userIds"] = [dict(i) for i in facts_student["userIds"]]
            base: JsonObject = {
                "id": report_id,
                "student": student,
                "school": school.facts.reference(),
                "assignableUnitId": f"{course}-au{self.choose.integer(1, 20)}",
                "courseId": course,
            }
            self.add("progress", {**base, "status": "started", "timestamp": stamp(used, 10)})
            end = pick(self.choose, ("completed", "completed", "abandoned", None))
            if end is not None:
                report: JsonObject = {
                    **base,
                    "status": end,
                    "timestamp": stamp(used + dt.timedelta(days=2), 11),
                }
                if self.choose.chance(30):
                    report.update(
                        additionalInfo=pick(self.choose, SIGNALS),
                        detailsUrl=f"https://app.example.org/voortgang/{report_id}",
                        pleaseFollowup=True,
                    )
                self.add("progress", report)

    # ------------------------------------------------------------------ agreements

    def add_agreements(self) -> None:
        """One processing agreement per board, covering what its schools consented to."""
        oin = "00000003" + self.ids.number(8) + "0000"
        for board, needed in sorted(self.board_services.items()):
            # chain services first, then the administration ones in register order
            listed = sorted(needed)
            if self.choose.chance(50):
                listed += ADMIN_SERVICES
            self.add(
                "agreements",
                {
                    "agreementId": self.ids.uuid(),
                    "supplierOin": oin,
                    "boardId": board,
                    "ecosystem": "Edu-V",
                    "dataServices": listed,
                    "valid": True,
                    "startDate": day(dt.date(self.year - 1, 1, 1)),
                    "endDate": day(dt.date(self.year + 3, 12, 31)),
                },
            )

    # ------------------------------------------------------------------ whole chains

    def add_school_chain(self) -> SchoolState:
        """One school with everything that happens for it in the chain."""
        school = self.add_school()
        deliverable = self.add_orders(school)
        self.add_deliveries(school, deliverable)
        self.add_results(school)
        self.add_progress(school)
        return school

    def finish(self) -> ChainDataset:
        self.add_agreements()
        return self.dataset


def build_chain(
    chooser: Chooser,
    *,
    within_previous: bool = False,
    scale: ChainScale = SMALL_CHAIN,
) -> ChainDataset:
    """A whole chain: a catalogue, some schools and all that follows."""
    seed = chooser.integer(0, 2**31 - 1)
    year = chooser.integer(2023, 2026)
    draft = ChainDraft(chooser, Ids(seed), year, within_previous=within_previous, scale=scale)
    draft.add_catalogue()
    for _ in range(draft.integer(scale.schools)):
        draft.add_school_chain()
    return draft.finish()
