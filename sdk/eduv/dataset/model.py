"""The in-memory form of a dataset (format 1, ``spec/dataset/1/Dataset.json``).

API objects stay plain JSON dictionaries in the shape of their API version, so that
what the engine checks and what a provider serves are the very same values. Only the
container and the facts section get Python types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from eduv import spec

JsonObject = dict[str, Any]
Sector = Literal["PO", "VO"]

DATASET_VERSION = 1


@dataclass(frozen=True, slots=True)
class Collection:
    """One list of API objects in a dataset, as declared in the dataset schema."""

    name: str
    api: str
    component: str
    id_field: str | None
    school_scoped: bool


@cache
def dataset_schema() -> JsonObject:
    """The dataset JSON Schema, read from the packaged specification."""
    return dict(spec.document("dataset/1/Dataset.json"))


@cache
def collections() -> tuple[Collection, ...]:
    """Every collection of the format, read from the ``x-eduv-*`` annotations of the schema.

    The schema is the single place that says which component lives where, so adding a
    collection there is enough for loading, saving and the engine to pick it up.
    """
    schema = dataset_schema()
    school_props: JsonObject = schema["$defs"]["School"]["properties"]
    top_props: JsonObject = schema["properties"]
    found = [_collection(name, prop, True) for name, prop in school_props.items()]
    found += [_collection(name, prop, False) for name, prop in top_props.items()]
    return tuple(c for c in found if c is not None)


def _collection(name: str, prop: JsonObject, school_scoped: bool) -> Collection | None:
    component = prop.get("x-eduv-component")
    if component is None:
        return None
    return Collection(
        name=name,
        api=prop["x-eduv-api"],
        component=component,
        id_field=prop.get("x-eduv-id"),
        school_scoped=school_scoped,
    )


@cache
def school_collections() -> tuple[Collection, ...]:
    """The lists inside a school entry (``organisation`` excluded: it is a single object)."""
    return tuple(c for c in collections() if c.school_scoped and c.name != "organisation")


@cache
def collection(name: str) -> Collection:
    for item in collections():
        if item.name == name:
            return item
    raise KeyError(f"the dataset format has no collection {name!r}")


def school_key(organisation: JsonObject) -> str:
    """The key under which facts name a school.

    The RIO onderwijsaanbiedercode when the Organisation has one, else
    ``<type>:<id>`` of its first secondary identifier, else the empty string (which
    the rules report).
    """
    master = organisation.get("organisationMasterIdentifier")
    if isinstance(master, str) and master:
        return master
    ids = organisation.get("organisationIds")
    if isinstance(ids, list) and ids and isinstance(ids[0], dict):
        first = ids[0]
        return f"{first.get('organisationIdType', '')}:{first.get('organisationId', '')}"
    return ""


@dataclass(slots=True)
class GroupOfferings:
    """The offerings one group serves (a fact no Group message carries)."""

    study_offerings: list[str] = field(default_factory=list)
    subject_offerings: list[str] = field(default_factory=list)

    def to_json(self) -> JsonObject:
        out: JsonObject = {}
        if self.study_offerings:
            out["studyOfferings"] = list(self.study_offerings)
        if self.subject_offerings:
            out["subjectOfferings"] = list(self.subject_offerings)
        return out

    @classmethod
    def from_json(cls, doc: JsonObject) -> GroupOfferings:
        return cls(list(doc.get("studyOfferings", [])), list(doc.get("subjectOfferings", [])))


@dataclass(slots=True)
class SchoolFacts:
    """Facts about one school that the API cannot carry."""

    sector: Sector
    group_offerings: dict[str, GroupOfferings] = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        out: JsonObject = {"sector": self.sector}
        if self.group_offerings:
            out["groupOfferings"] = {k: v.to_json() for k, v in self.group_offerings.items()}
        return out

    @classmethod
    def from_json(cls, doc: JsonObject) -> SchoolFacts:
        offerings = doc.get("groupOfferings", {})
        return cls(
            sector=doc["sector"],
            group_offerings={k: GroupOfferings.from_json(v) for k, v in offerings.items()},
        )


@dataclass(slots=True)
class School:
    """One school: its Organisation and the objects that belong to it."""

    organisation: JsonObject
    schoolPeriods: list[JsonObject] = field(default_factory=list)
    studyOfferings: list[JsonObject] = field(default_factory=list)
    subjectOfferings: list[JsonObject] = field(default_factory=list)
    groups: list[JsonObject] = field(default_factory=list)
    enrollments: list[JsonObject] = field(default_factory=list)
    assignments: list[JsonObject] = field(default_factory=list)

    @property
    def key(self) -> str:
        return school_key(self.organisation)

    def items(self, name: str) -> list[JsonObject]:
        """The list of one school collection, by its name in the format."""
        found: list[JsonObject] = getattr(self, collection(name).name)
        return found

    def to_json(self) -> JsonObject:
        out: JsonObject = {"organisation": self.organisation}
        for coll in school_collections():
            values = self.items(coll.name)
            if values:
                out[coll.name] = values
        return out

    @classmethod
    def from_json(cls, doc: JsonObject) -> School:
        school = cls(organisation=doc["organisation"])
        for coll in school_collections():
            setattr(school, coll.name, list(doc.get(coll.name, [])))
        return school


@dataclass(slots=True)
class Dataset:
    """A whole dataset: schools, people and facts."""

    shapes: dict[str, str]
    schools: list[School] = field(default_factory=list)
    students: list[JsonObject] = field(default_factory=list)
    employees: list[JsonObject] = field(default_factory=list)
    facts: dict[str, SchoolFacts] = field(default_factory=dict)
    as_of: str | None = None

    def school(self, key: str) -> School | None:
        for school in self.schools:
            if school.key == key:
                return school
        return None

    def count(self) -> dict[str, int]:
        """Number of objects per collection, e.g. for reports and benchmarks."""
        counts = {c.name: 0 for c in school_collections()}
        for school in self.schools:
            for name in counts:
                counts[name] += len(school.items(name))
        counts["organisations"] = len(self.schools)
        counts["students"] = len(self.students)
        counts["employees"] = len(self.employees)
        return counts

    def iter_objects(self) -> Iterator[tuple[str, Collection, JsonObject]]:
        """Every API object with its JSON pointer in the single-document form."""
        for s_index, school in enumerate(self.schools):
            yield (
                f"/schools/{s_index}/organisation",
                collection("organisation"),
                school.organisation,
            )
            for coll in school_collections():
                for index, obj in enumerate(school.items(coll.name)):
                    yield f"/schools/{s_index}/{coll.name}/{index}", coll, obj
        for name, values in (("students", self.students), ("employees", self.employees)):
            coll = collection(name)
            for index, obj in enumerate(values):
                yield f"/{name}/{index}", coll, obj

    def header_json(self) -> JsonObject:
        """Everything except the object lists: what the folder form keeps in dataset.json."""
        out: JsonObject = {"datasetVersion": DATASET_VERSION}
        if self.as_of is not None:
            out["asOf"] = self.as_of
        out["shapes"] = dict(self.shapes)
        out["facts"] = {"schools": {k: v.to_json() for k, v in self.facts.items()}}
        return out

    def to_json(self) -> JsonObject:
        out = self.header_json()
        out["schools"] = [school.to_json() for school in self.schools]
        out["students"] = self.students
        out["employees"] = self.employees
        return out

    @classmethod
    def from_json(cls, doc: JsonObject) -> Dataset:
        """Build from a document that already passed the dataset schema."""
        facts = doc["facts"]["schools"]
        return cls(
            shapes=dict(doc["shapes"]),
            schools=[School.from_json(s) for s in doc["schools"]],
            students=list(doc["students"]),
            employees=list(doc["employees"]),
            facts={key: SchoolFacts.from_json(value) for key, value in facts.items()},
            as_of=doc.get("asOf"),
        )
