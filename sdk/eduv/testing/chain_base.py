"""What every step of a generated chain shares, and the first step: the catalogue.

The steps of :class:`eduv.testing.chain_build.ChainDraft` are split over four modules,
each a class that adds its steps to the one before: this one (the draft's state and the
supplier's catalogue), :mod:`.chain_orders` (schools, orders, credits and activation
codes), :mod:`.chain_deliveries` (delivery orders, entitlements, activations and the
reports on them) and :mod:`.chain_build` (results, progress and agreements).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eduv.dataset.chain.model import ChainDataset, SchoolFacts, chain_apis, supported_shapes
from eduv.dataset.model import JsonObject
from eduv.testing.chain_vocab import FAMILIES, PUBLISHERS, RESELLERS, STUDIES
from eduv.testing.chooser import Chooser, pick
from eduv.testing.ids import Ids

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


class CatalogueDraft:
    """The draft's state, its helpers and the catalogue step."""

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
