"""The storage of chain objects: one table for every collection of a chain dataset.

As with the administration collections, each object is kept as its JSON document in the
shape of the current API version (t), with the few columns the chain reads filter on:
its school, delivery order, contract, status, delivery type and last change. The
schools a chain dataset names are kept with every identifier a request may use.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from eduv.provider.schema import ID, Serial, metadata

chain_objects = Table(
    "chain_objects",
    metadata,
    Column("pk", Serial, primary_key=True),
    Column("collection", String(40), nullable=False),
    Column("position", Integer, nullable=False),
    Column("obj_id", String(ID), nullable=True),
    Column("school_key", String(ID), nullable=True),
    Column("delivery_order", String(ID), nullable=True),
    Column("contract", String(ID), nullable=True),
    Column("status", String(40), nullable=True),
    Column("kind", String(60), nullable=True),
    Column("modified", String(40), nullable=True),
    Column("doc", Text, nullable=False),
    Index("ix_chain_objects_id", "collection", "obj_id"),
    Index("ix_chain_objects_school", "collection", "school_key"),
    Index("ix_chain_objects_delivery", "collection", "delivery_order"),
    Index("ix_chain_objects_contract", "collection", "contract"),
)

# Every way a request may name a school of the chain data: 'master' for its RIO code,
# else the organisationIdType of a secondary identifier.
chain_schools = Table(
    "chain_schools",
    metadata,
    Column("school_key", String(ID), nullable=False),
    Column("id_type", String(40), nullable=False),
    Column("id_value", String(ID), nullable=False),
    Column("sector", String(2), nullable=False),
    Index("ix_chain_schools_lookup", "id_type", "id_value"),
)

CHAIN_TABLES = (chain_objects, chain_schools)
