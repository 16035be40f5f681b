"""Indexes a chain dataset once, so that every chain rule answers by lookup.

A chain rule asks questions such as "which request does this confirmation answer?",
"was this code ever issued?" or "is this pupil a pupil of that school?"; the answers come
from dictionaries built on first use and shared by all rules of one run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from eduv.dataset.chain.model import ChainDataset, SchoolFacts, chain_collection
from eduv.findings import ObjectRef
from eduv.rules.catalogue import Rule
from eduv.rules.hits import DatasetHit, JsonObject
from eduv.rules.values import as_list, dicts, person_keys, person_label, school_label


def keys_of(person: Any) -> set[str]:
    """The keys a person reference can be matched by (see :func:`eduv.rules.values.person_keys`)."""
    return set(person_keys(person)) if isinstance(person, dict) else set()


def label_of(person: Any) -> str:
    """How messages name a person reference, whatever value stands in its place."""
    return person_label(person) if isinstance(person, dict) else "(no identifier)"


def order_lines(request: JsonObject) -> list[JsonObject]:
    """The lines of an order or credit request: its orderLines (t), or itself (t-1)."""
    if "orderLines" in request:
        return [line for _, line in dicts(request.get("orderLines"))]
    if "productId" in request:
        return [request]
    return []


@dataclass
class ChainContext:
    """A chain dataset and the lookups its rules share."""

    dataset: ChainDataset
    _people: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)

    # --- walking and reporting -------------------------------------------------

    def each(self, name: str) -> Iterator[tuple[str, JsonObject]]:
        """(pointer, object) for every object of one collection."""
        for index, item in enumerate(self.dataset.objects.get(name, ())):
            if isinstance(item, dict):
                yield f"/{name}/{index}", item

    def hit(self, where: str, params: Mapping[str, object]) -> DatasetHit:
        """A finding at ``where`` (a pointer into the single-document form), on its object."""
        parts = where.split("/")
        name, index = parts[1], int(parts[2])
        obj = self.dataset.objects[name][index]
        return DatasetHit((where,), (self.ref(name, obj),), dict(params))

    @staticmethod
    def ref(name: str, obj: JsonObject) -> ObjectRef:
        coll = chain_collection(name)
        if coll.id_field is not None:
            return ObjectRef(coll.component, str(obj.get(coll.id_field)))
        # A consent has no identifier of its own; the API and the school name it.
        return ObjectRef(coll.component, f"{obj.get('api')} at {school_label(obj.get('school'))}")

    # --- schools and people ----------------------------------------------------

    def school(self, ref: Any) -> SchoolFacts | None:
        """The school a SchoolReference means, or None."""
        return self.dataset.school(ref) if isinstance(ref, dict) else None

    def consenting_school(self, consent: JsonObject) -> SchoolFacts | None:
        """The school a consent is for: its SchoolReference (t) or its edu_org_id (t-1)."""
        if "school" in consent:
            return self.school(consent["school"])
        identifier = consent.get("edu_org_id")
        return next((s for s in self.dataset.schools if identifier in s.identifiers()), None)

    def people(self, school: SchoolFacts, role: str) -> frozenset[str]:
        """Every key of the school's students (``student``) or employees (``employee``)."""
        key = (school.key, role)
        found = self._people.get(key)
        if found is None:
            listed = school.students if role == "student" else school.employees
            found = frozenset(k for person in listed for k in keys_of(person))
            self._people[key] = found
        return found

    # --- the catalogue and the exchanges ---------------------------------------

    def by(self, name: str, key: str) -> dict[Any, JsonObject]:
        """The objects of one collection by one member (the first one wins)."""
        found: dict[Any, JsonObject] = {}
        for _, obj in self.each(name):
            found.setdefault(obj.get(key), obj)
        return found

    @cached_property
    def products(self) -> dict[Any, JsonObject]:
        return self.by("products", "productId")

    @cached_property
    def orders(self) -> dict[Any, JsonObject]:
        return self.by("orderRequests", "requestReferenceId")

    @cached_property
    def order_lines(self) -> dict[tuple[str, str], JsonObject]:
        """Every ordered line by (purchaseOrderId, purchaseOrderLineId)."""
        found: dict[tuple[str, str], JsonObject] = {}
        for request in self.orders.values():
            for line in order_lines(request):
                key = (str(request.get("purchaseOrderId")), str(line.get("purchaseOrderLineId")))
                found[key] = line
        return found

    @cached_property
    def delivery_orders(self) -> dict[Any, JsonObject]:
        return self.by("deliveryOrders", "deliveryOrderId")

    @cached_property
    def entitlements(self) -> dict[Any, JsonObject]:
        return self.by("entitlements", "entitlementId")

    @cached_property
    def issued(self) -> dict[Any, tuple[Any, Any]]:
        """Every issued activation code: (its product, the confirmation that issued it)."""
        found: dict[Any, tuple[Any, Any]] = {}
        for _, conf in self.each("activationCodeConfirmations"):
            for code in as_list(conf.get("activationCodes")):
                found.setdefault(code, (conf.get("productId"), conf.get("responseReferenceId")))
        return found

    @cached_property
    def activations(self) -> dict[Any, list[JsonObject]]:
        """The initial activations of each entitlement, in the order of the dataset."""
        found: dict[Any, list[JsonObject]] = defaultdict(list)
        for _, act in self.each("initialActivations"):
            found[act.get("entitlementId")].append(act)
        return found

    @cached_property
    def approved_products(self) -> set[Any]:
        """Products of approved order lines and of issued activation codes."""
        approved = {
            c.get("requestReferenceId")
            for _, c in self.each("orderConfirmations")
            if c.get("orderStatus") == "approved"
        }
        found = {
            line.get("productId")
            for ref, request in self.orders.items()
            if ref in approved
            for line in order_lines(request)
        }
        return found | {product for product, _ in self.issued.values()}


# Where chain objects name a school: the collection, and the paths inside its objects.
SCHOOL_PLACES = (
    ("deliveryOrders", ("/buyer", "/deliverySpecification/school")),
    ("entitlements", ("/entitlementSpecification/school",)),
    ("initialActivations", ("/school",)),
    ("deliveryOrderUsage", ("/entitlements/*/school",)),
    ("progress", ("/school",)),
    ("consents", ("/school",)),
    ("results", ("/school",)),
)


def reach(root: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(pointer, value) for every value a path reaches, ``*`` standing for each array item."""
    found: list[tuple[str, Any]] = [("", root)]
    for part in path.split("/")[1:]:
        following: list[tuple[str, Any]] = []
        for where, value in found:
            if part == "*":
                following += [(f"{where}/{i}", v) for i, v in enumerate(as_list(value))]
            elif isinstance(value, dict) and part in value:
                following.append((f"{where}/{part}", value[part]))
        found = following
    return iter(found)


def school_refs(ctx: ChainContext) -> Iterator[tuple[str, str, JsonObject]]:
    """(pointer, collection, reference) of every school reference in the chain objects.

    A customer who buys a delivery order is no school: only references with school
    identifiers count.
    """
    for name, paths in SCHOOL_PLACES:
        for where, item in ctx.each(name):
            for path in paths:
                for at, ref in reach(item, path):
                    if isinstance(ref, dict) and (
                        "organisationMasterIdentifier" in ref or "organisationIds" in ref
                    ):
                        yield f"{where}{at}", name, ref


def spec_total(spec: JsonObject) -> int | None:
    """How many a delivery specification is for: its total, or what it lists, or one."""
    total = spec.get("totalQuantity")
    if isinstance(total, int):
        return total
    for name in ("students", "employees", "activationCodes"):
        listed = spec.get(name)
        if isinstance(listed, list):
            return len(listed)
    if "student" in spec or "activationCode" in spec:
        return 1
    return None


ChainCheck = Callable[[ChainContext, Rule], Iterable[DatasetHit]]
