"""Chain datasets in the provider's database: loading them whole, and the reads.

A load replaces every chain object and chain school in one transaction, beside the
administration data, which it leaves alone. A dataset in the previous shapes (t-1) is
converted up first with the chain conversion table; every object must be a valid
message of its API. The reads return stored documents (t shapes) in dataset order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Engine, delete, func, insert, select, update

from eduv.dataset.chain import (
    CHAIN_DATASET_VERSION,
    ChainDataset,
    chain_collection,
    chain_collections,
    convert_chain_dataset,
    supported_shapes,
    validate_chain_objects,
)
from eduv.dataset.chain.model import school_key_of
from eduv.provider import queries
from eduv.provider.db import writing
from eduv.provider.errors import ORGANISATION_UNKNOWN, RefusalError
from eduv.provider.schema import chain_objects, chain_schools
from eduv.provider.store import bump_revision, invalid_objects

JsonObject = dict[str, Any]
MASTER = "master"

# Per collection: the member copied into each filter column (the id is the collection's).
COLUMNS: Mapping[str, Mapping[str, str]] = {
    "products": {"modified": "dateLastModified"},
    "productInfo": {"modified": "dateLastModified"},
    "deliveryOrders": {
        "contract": "contractId",
        "status": "status",
        "kind": "deliveryType",
        "modified": "dateLastModified",
    },
    "entitlements": {
        "delivery_order": "deliveryOrderId",
        "contract": "contractId",
        "status": "entitlementStatus",
        "kind": "entitlementType",
        "modified": "dateLastModified",
    },
    "deliveryOrderEntitlements": {"delivery_order": "deliveryOrderId", "contract": "contractId"},
    # A usage report names neither school nor contract: both come from its delivery order.
    "deliveryOrderUsage": {"delivery_order": "deliveryOrderId"},
    # A consent has no id of its own: the provider's reference is the one it keeps.
    "consents": {
        "obj_id": "providerReferenceId",
        "reference": "consumerReferenceId",
        "kind": "api",
        "status": "providerStatus",
    },
}
# The filter columns a row has besides its collection, position, school and document.
FILTER_COLUMNS = ("obj_id", "delivery_order", "contract", "status", "kind", "modified", "reference")


@dataclass(frozen=True, slots=True)
class ChainLoadSummary:
    schools: int
    objects: dict[str, int]


def prepare_chain(dataset: ChainDataset) -> ChainDataset:
    """The dataset in current shapes, after checking every object against its message."""
    if any(version != supported_shapes(api)[0] for api, version in dataset.shapes.items()):
        conversion = convert_chain_dataset(dataset, "up")
        dataset = conversion.dataset
    problems = [str(p) for p in validate_chain_objects(dataset)]
    if problems:
        raise invalid_objects(problems, "the chain dataset")
    return dataset


def load_chain(engine: Engine, dataset: ChainDataset) -> ChainLoadSummary:
    """Replace every chain object and chain school with ``dataset``, in one transaction."""
    dataset = prepare_chain(dataset)
    with writing(engine) as conn:
        conn.execute(delete(chain_objects))
        conn.execute(delete(chain_schools))
        school_rows = list(_school_rows(dataset))
        if school_rows:
            conn.execute(insert(chain_schools), school_rows)
        rows = list(_object_rows(dataset))
        if rows:
            conn.execute(insert(chain_objects), rows)
        bump_revision(conn)
    counts = {k: v for k, v in dataset.count().items() if k != "schools"}
    return ChainLoadSummary(len(dataset.schools), counts)


def _school_rows(dataset: ChainDataset) -> Iterator[JsonObject]:
    for school in dataset.schools:
        key = school.key
        ids = (
            [(MASTER, school.organisationMasterIdentifier)]
            if school.organisationMasterIdentifier
            else []
        )
        ids += [
            (str(i.get("organisationIdType")), str(i.get("organisationId")))
            for i in school.organisationIds
        ]
        for id_type, value in ids:
            yield {
                "school_key": key,
                "id_type": id_type,
                "id_value": value,
                "sector": school.sector,
            }


def _object_rows(dataset: ChainDataset) -> Iterator[JsonObject]:
    orders = dataset.objects.get("deliveryOrders", ())
    order_school = {
        str(o.get("deliveryOrderId")): _school_of(o, "deliverySpecification") for o in orders
    }
    order_contract = {str(o.get("deliveryOrderId")): _text(o.get("contractId")) for o in orders}
    for coll in chain_collections():
        for position, obj in enumerate(dataset.objects.get(coll.name, ())):
            row = object_columns(coll.name, obj)
            school = _school_of(obj, "entitlementSpecification") or _school_of(
                obj, "deliverySpecification"
            )
            if row["delivery_order"] is not None:
                if school is None:
                    school = order_school.get(row["delivery_order"])
                if row["contract"] is None:
                    row["contract"] = order_contract.get(row["delivery_order"])
            if coll.id_field:
                row["obj_id"] = _text(obj.get(coll.id_field))
            row.update(
                collection=coll.name,
                position=position,
                school_key=school,
                doc=orjson.dumps(obj).decode(),
            )
            yield row


def store_chain_object(
    conn: Connection, collection: str, obj: Mapping[str, Any], *, replace: bool = False
) -> None:
    """Add one object to the stored chain, as a load would store it; with ``replace``,
    in place of the stored object with the same id, keeping its position."""
    coll = chain_collection(collection)
    row = object_columns(collection, obj)
    if coll.id_field:
        row["obj_id"] = _text(obj.get(coll.id_field))
    school = _school_of(obj, "entitlementSpecification") or _school_of(obj, "deliverySpecification")
    if row["delivery_order"] is not None:
        order = chain_objects_where(
            conn, "deliveryOrders", [chain_objects.c.obj_id == row["delivery_order"]]
        )
        if order:
            doc = orjson.loads(order[0].doc)
            school = school or order[0].school
            row["contract"] = row["contract"] or _text(doc.get("contractId"))
    row.update(collection=collection, school_key=school, doc=orjson.dumps(obj).decode())
    t = chain_objects
    if replace and row["obj_id"] is not None:
        done = conn.execute(
            update(t).where(t.c.collection == collection, t.c.obj_id == row["obj_id"]).values(row)
        ).rowcount
        if done:
            bump_revision(conn)
            return
    last = conn.execute(select(func.max(t.c.position)).where(t.c.collection == collection))
    found = last.scalar()
    row["position"] = int(found) + 1 if found is not None else 0
    conn.execute(insert(t).values(row))
    bump_revision(conn)


def object_columns(collection: str, obj: Mapping[str, Any]) -> JsonObject:
    """The filter columns of one object of ``collection`` as ``COLUMNS`` fills them (the
    id and the links to a delivery order are completed by the load)."""
    row: JsonObject = dict.fromkeys(FILTER_COLUMNS)
    for name, member in COLUMNS.get(collection, {}).items():
        row[name] = _text(obj.get(member))
    return row


def _school_of(obj: Mapping[str, Any], member: str) -> str | None:
    """The key of the school an object is for: its specification's school, else the
    buyer when that is a school, else the school it names itself (a consent)."""
    for ref in (_get(obj, member, "school"), obj.get("buyer"), obj.get("school")):
        if isinstance(ref, Mapping):
            key = school_key_of(dict(ref))
            if key:
                return key
    return None


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    value: Any = obj
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# -- reads ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stored:
    """One stored chain object: its document and the school it is for."""

    doc: str
    school: str | None


def find_chain_school(conn: Connection, keys: Sequence[tuple[str, str]]) -> str | None:
    """The key of the chain school any of ``keys`` (type, value) names."""
    t = chain_schools
    for id_type, value in keys:
        found = conn.execute(
            select(t.c.school_key).where(t.c.id_type == id_type, t.c.id_value == value).limit(1)
        ).scalar()
        if found is not None:
            return str(found)
    return None


def known_school(conn: Connection, keys: Sequence[tuple[str, str]]) -> str | None:
    """The key of the school ``keys`` name: a school of the chain, else one of the
    administration data (which has no chain data yet)."""
    key = find_chain_school(conn, keys)
    if key is None:
        found = queries.find_school(conn, keys)
        key = found.key if found is not None else None
    return key


def unknown_school(keys: Sequence[tuple[str, str]]) -> RefusalError:
    """The refusal for a school no one knows here (400, status 23)."""
    named = " / ".join(v for _, v in keys) or "(none given)"
    return RefusalError(400, ORGANISATION_UNKNOWN, f"organisation {named} is not known here")


def chain_objects_where(
    conn: Connection, collection: str, conditions: Sequence[ColumnElement[bool]]
) -> list[Stored]:
    t = chain_objects
    stmt = (
        select(t.c.doc, t.c.school_key)
        .where(t.c.collection == collection, *conditions)
        .order_by(t.c.position)
    )
    return [Stored(str(doc), school) for doc, school in conn.execute(stmt)]


def chain_format(path: Path) -> bool:
    """Whether the dataset file or folder at ``path`` is a chain dataset (format 2)."""
    header = path / "dataset.json" if path.is_dir() else path
    try:
        doc = orjson.loads(header.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return False
    return isinstance(doc, dict) and doc.get("datasetVersion") == CHAIN_DATASET_VERSION
