"""The in-memory form of a chain dataset (format 2, ``spec/dataset/2/Dataset.json``).

As in format 1, API objects stay plain JSON dictionaries in the shape of their API
version; only the container and the school facts get Python types. Which collections
exist, and which API component each holds, is read from the ``x-eduv-*`` annotations of
the schema, so adding a collection there is enough for loading, saving, iterating and
converting to pick it up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eduv import spec
from eduv.dataset.model import JsonObject

CHAIN_DATASET_VERSION = 2
SCHOOL_FIELDS = (
    "organisationMasterIdentifier",
    "organisationIds",
    "boardId",
    "sector",
    "students",
    "employees",
    "studyYearIds",
    "subjectIds",
    "groupIds",
)


@dataclass(frozen=True, slots=True)
class ChainCollection:
    """One list of API objects in a chain dataset."""

    name: str
    api: str
    component: str
    id_field: str | None


@cache
def chain_schema() -> JsonObject:
    """The format-2 JSON Schema, read from the packaged specification."""
    return dict(spec.document(f"dataset/{CHAIN_DATASET_VERSION}/Dataset.json"))


@cache
def chain_collections() -> tuple[ChainCollection, ...]:
    """Every collection of the format, in the order the schema lists them."""
    found = []
    for name, prop in chain_schema()["properties"].items():
        component = prop.get("x-eduv-component")
        if component is not None:
            found.append(
                ChainCollection(name, prop["x-eduv-api"], component, prop.get("x-eduv-id"))
            )
    return tuple(found)


@cache
def chain_collection(name: str) -> ChainCollection:
    for item in chain_collections():
        if item.name == name:
            return item
    raise KeyError(f"the chain dataset format has no collection {name!r}")


@cache
def chain_apis() -> tuple[str, ...]:
    """The APIs whose messages a chain dataset stores, as ``shapes`` lists them."""
    return tuple(chain_schema()["properties"]["shapes"]["required"])


def supported_shapes(api: str) -> tuple[str, str]:
    """(t, t-1) of one chain API, as the format pins them."""
    current, previous = chain_schema()["properties"]["shapes"]["properties"][api]["enum"]
    return str(current), str(previous)


def school_key_of(reference: JsonObject) -> str:
    """The key of a school given any object with school identifiers (as in format 1)."""
    master = reference.get("organisationMasterIdentifier")
    if isinstance(master, str) and master:
        return master
    ids = reference.get("organisationIds")
    if isinstance(ids, list) and ids and isinstance(ids[0], dict):
        first = ids[0]
        return f"{first.get('organisationIdType', '')}:{first.get('organisationId', '')}"
    return ""


@dataclass(slots=True)
class SchoolFacts:
    """What the chain checks need to know about one school."""

    sector: str
    organisationMasterIdentifier: str | None = None
    organisationIds: list[JsonObject] = field(default_factory=list)
    boardId: str | None = None
    students: list[JsonObject] = field(default_factory=list)
    employees: list[JsonObject] = field(default_factory=list)
    studyYearIds: list[str] = field(default_factory=list)
    subjectIds: list[str] = field(default_factory=list)
    groupIds: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return school_key_of(self.reference())

    def reference(self) -> JsonObject:
        """The school as a SchoolReference: its primary identifier when it has one."""
        if self.organisationMasterIdentifier:
            return {"organisationMasterIdentifier": self.organisationMasterIdentifier}
        return {"organisationIds": [dict(i) for i in self.organisationIds]}

    def identifiers(self) -> set[str]:
        """Every identifier value the school is known by (primary and secondary)."""
        found = {str(i.get("organisationId")) for i in self.organisationIds}
        if self.organisationMasterIdentifier:
            found.add(self.organisationMasterIdentifier)
        return found

    def matches(self, reference: JsonObject) -> bool:
        """Whether a SchoolReference (or a bare identifier in ``edu_org_id``) means this school."""
        master = reference.get("organisationMasterIdentifier")
        if isinstance(master, str) and master:
            return master == self.organisationMasterIdentifier
        ids = reference.get("organisationIds")
        if not isinstance(ids, list):
            return False
        known = {
            (i.get("organisationIdType"), i.get("organisationId")) for i in self.organisationIds
        }
        return any(
            isinstance(i, dict) and (i.get("organisationIdType"), i.get("organisationId")) in known
            for i in ids
        )

    def to_json(self) -> JsonObject:
        out: JsonObject = {}
        for name in SCHOOL_FIELDS:
            value = getattr(self, name)
            if value not in (None, []):
                out[name] = value
        return out

    @classmethod
    def from_json(cls, doc: JsonObject) -> SchoolFacts:
        school = cls(sector=doc["sector"])
        for name in SCHOOL_FIELDS:
            if name in doc:
                setattr(school, name, doc[name])
        return school


@dataclass(slots=True)
class ChainDataset:
    """A whole chain dataset: header, school facts and one list per collection."""

    shapes: dict[str, str]
    schools: list[SchoolFacts] = field(default_factory=list)
    objects: dict[str, list[JsonObject]] = field(default_factory=dict)
    as_of: str | None = None
    catalogue_provider: JsonObject | None = None

    def items(self, name: str) -> list[JsonObject]:
        """The list of one collection (created empty on first use)."""
        chain_collection(name)
        return self.objects.setdefault(name, [])

    def school(self, reference: JsonObject) -> SchoolFacts | None:
        """The school a SchoolReference means, or None when the dataset has none such."""
        for school in self.schools:
            if school.matches(reference):
                return school
        return None

    def count(self) -> dict[str, int]:
        counts = {c.name: len(self.objects.get(c.name, ())) for c in chain_collections()}
        counts["schools"] = len(self.schools)
        return counts

    def iter_objects(self) -> Iterator[tuple[str, str, str, JsonObject]]:
        """Every API object as (pointer in the single-document form, api, component, object)."""
        for coll in chain_collections():
            for index, obj in enumerate(self.objects.get(coll.name, ())):
                yield f"/{coll.name}/{index}", coll.api, coll.component, obj

    def header_json(self) -> JsonObject:
        """Everything but schools and objects: what dataset.json holds in the folder form."""
        out: JsonObject = {"datasetVersion": CHAIN_DATASET_VERSION}
        if self.as_of is not None:
            out["asOf"] = self.as_of
        out["shapes"] = dict(self.shapes)
        if self.catalogue_provider is not None:
            out["catalogueProvider"] = dict(self.catalogue_provider)
        return out

    def to_json(self) -> JsonObject:
        out = self.header_json()
        out["schools"] = [school.to_json() for school in self.schools]
        for coll in chain_collections():
            values = self.objects.get(coll.name)
            if values:
                out[coll.name] = values
        return out

    @classmethod
    def from_json(cls, doc: JsonObject) -> ChainDataset:
        """Build from a document that already passed the container schema."""
        objects: dict[str, list[Any]] = {}
        for coll in chain_collections():
            if coll.name in doc:
                objects[coll.name] = list(doc[coll.name])
        return cls(
            shapes=dict(doc["shapes"]),
            schools=[SchoolFacts.from_json(s) for s in doc["schools"]],
            objects=objects,
            as_of=doc.get("asOf"),
            catalogue_provider=doc.get("catalogueProvider"),
        )
