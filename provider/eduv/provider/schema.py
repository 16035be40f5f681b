"""The relational storage of the reference provider.

Every API object is kept twice over: its JSON document, exactly in the shape of the
current API version (t), which is what gets served; and the handful of columns and link
rows that the list filters of the API need, so that every filter runs in SQL against an
index. The documents are never searched.

The collections are described once, in ``COLLECTIONS``; tables, loading and queries are
all built from that table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite only turns an INTEGER PRIMARY KEY into an auto-increment rowid when the type is
# exactly INTEGER, so the wide type is used on PostgreSQL only.
Serial = BigInteger().with_variant(Integer(), "sqlite")

ID = 200  # identifiers (UUIDs, ECK iDs are longer: they get TEXT)


@dataclass(frozen=True, slots=True)
class Collection:
    """One school-scoped collection of the dataset and how it is stored.

    ``columns`` maps a column name to the top-level member of the object it copies;
    ``person`` names the member holding a UserReference and the kind of person it refers
    to; ``links`` maps a link kind to the member holding a list of identifiers.
    """

    name: str
    table: str
    api: str
    component: str
    id_field: str
    columns: dict[str, str] = field(default_factory=dict)
    person: tuple[str, str] | None = None
    links: dict[str, str] = field(default_factory=dict)


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection("schoolPeriods", "school_periods", "association-api", "SchoolPeriod",
                   "schoolPeriodId"),
        Collection("studyOfferings", "study_offerings", "education-api", "StudyOffering",
                   "studyOfferingId", columns={"study_code": "studyCode"}),
        Collection("subjectOfferings", "subject_offerings", "education-api", "SubjectOffering",
                   "subjectOfferingId", columns={"subject_code": "subjectCode"},
                   links={"study": "studyOfferings"}),
        Collection("groups", "groups", "association-api", "Group", "groupId",
                   columns={"group_type": "groupType", "school_period": "schoolPeriod"}),
        Collection("enrollments", "enrollments", "association-api", "Enrollment",
                   "enrollmentId",
                   columns={"enrollment_type": "enrollmentType", "school_period": "schoolPeriod",
                            "study": "study", "subject": "subject"},
                   person=("student", "student")),
        Collection("assignments", "assignments", "association-api", "Assignment",
                   "assignmentId",
                   columns={"assignment_type": "assignmentType", "school_period": "schoolPeriod",
                            "group_ref": "group"},
                   person=("employee", "employee")),
    )
}  # fmt: skip

PERSON_KINDS = {"student": ("students-api", "Student"), "employee": ("employees-api", "Employee")}

meta = Table(
    "provider_meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

migrations = Table(
    "provider_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", String(40), nullable=False),
)

schools = Table(
    "schools",
    metadata,
    Column("id", Serial, primary_key=True),
    Column("school_key", String(ID), nullable=False, unique=True),
    Column("sector", String(2), nullable=False),
    Column("name", Text, nullable=False),
    Column("doc", Text, nullable=False),
)

# Every way to address a school: its RIO code ('master'), each secondary identifier by
# type, and the identifiers of its boards ('board:master', 'board:BGE_CODE').
school_ids = Table(
    "school_ids",
    metadata,
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("id_type", String(40), nullable=False),
    Column("id_value", String(ID), nullable=False),
    Index("ix_school_ids_lookup", "id_type", "id_value"),
    Index("ix_school_ids_school", "school_id"),
)

# Which offerings a group serves: a fact of the dataset, not of the Group message.
group_offerings = Table(
    "group_offerings",
    metadata,
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", String(ID), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("offering_id", String(ID), nullable=False),
    Index("ix_group_offerings_lookup", "school_id", "kind", "offering_id"),
    Index("ix_group_offerings_group", "school_id", "group_id"),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Serial, primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("doc", Text, nullable=False),
    Index("ix_persons_kind", "kind"),
)

# Every identifier of a person: 'master' for userMasterIdentifier, else the userIdType.
person_ids = Table(
    "person_ids",
    metadata,
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("id_type", String(40), nullable=False),
    Column("id_value", Text, nullable=False),
    Index("ix_person_ids_lookup", "kind", "id_type", "id_value"),
    Index("ix_person_ids_person", "person_id"),
)

# Employees belong to a school through their assignments or their organisation roles;
# this table records both (``via``: 'assignment' or 'role'), so that the employee list is
# one indexed join and each source can be recomputed on its own after a change.
person_schools = Table(
    "person_schools",
    metadata,
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("via", String(10), nullable=False),
    UniqueConstraint("person_id", "school_id", "via", name="uq_person_schools"),
    Index("ix_person_schools_school", "school_id", "person_id"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", String(ID), nullable=False),
    Column("person_id", ForeignKey("persons.id", ondelete="SET NULL"), nullable=True),
    Index("ix_group_members_group", "school_id", "group_id"),
    Index("ix_group_members_person", "person_id"),
)


def _collection_table(coll: Collection) -> Table:
    columns: list[Column[object]] = [
        Column("pk", Serial, primary_key=True),
        Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
        Column("obj_id", String(ID), nullable=False),
    ]
    columns += [Column(name, String(ID), nullable=True) for name in coll.columns]
    if coll.person is not None:
        columns.append(
            Column("person_id", ForeignKey("persons.id", ondelete="SET NULL"), nullable=True)
        )
    if coll.name == "enrollments":
        # The teaching location's BRIN6 code: what filterByOrgId narrows to for a V_ID.
        columns.append(Column("branch", String(ID), nullable=True))
    columns.append(Column("doc", Text, nullable=False))
    table = Table(coll.table, metadata, *columns)
    table.append_constraint(UniqueConstraint("school_id", "obj_id", name=f"uq_{coll.table}"))
    for name in coll.columns:
        Index(f"ix_{coll.table}_{name}", table.c.school_id, table.c[name])
    if coll.person is not None:
        Index(f"ix_{coll.table}_person", table.c.person_id, table.c.school_id)
    if coll.name == "enrollments":
        Index("ix_enrollments_branch", table.c.school_id, table.c.branch)
    return table


def _link_table(coll: Collection) -> Table | None:
    if not coll.links:
        return None
    return Table(
        f"{coll.table}_links",
        metadata,
        Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), nullable=False),
        Column("obj_id", String(ID), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("value", String(ID), nullable=False),
        Index(f"ix_{coll.table}_links_lookup", "school_id", "kind", "value"),
        Index(f"ix_{coll.table}_links_obj", "school_id", "obj_id"),
    )


TABLES: dict[str, Table] = {name: _collection_table(c) for name, c in COLLECTIONS.items()}
LINKS: dict[str, Table] = {
    name: link for name, c in COLLECTIONS.items() if (link := _link_table(c)) is not None
}

# The notification outbox: written in the same transaction as the change it reports.
outbox = Table(
    "outbox",
    metadata,
    Column("seq", Serial, primary_key=True),
    Column("id", String(40), nullable=False, unique=True),
    # The school by key, not by row id: notifications outlive a deleted school.
    Column("school_key", String(ID), nullable=False),
    Column("api", String(40), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_id", Text, nullable=True),
    Column("is_delete", Boolean, nullable=False),
    Column("created", String(40), nullable=False),
    Column("doc", Text, nullable=False),
    Index("ix_outbox_school", "school_key", "api", "seq"),
    Index("ix_outbox_created", "created"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("client_id", String(ID), nullable=False),
    Column("api", String(40), nullable=False),
    Column("start_seq", BigInteger, nullable=False),
    Column("created", String(40), nullable=False),
    UniqueConstraint("client_id", "api", name="uq_subscriptions"),
)

# How far each subscriber got, per school: delivery is in order per school, so one
# position and one retry clock per (subscriber, api, school) is all the state there is.
delivery_cursors = Table(
    "delivery_cursors",
    metadata,
    Column("client_id", String(ID), nullable=False),
    Column("api", String(40), nullable=False),
    Column("school_key", String(ID), nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt", String(40), nullable=True),
    Column("last_error", Text, nullable=True),
    UniqueConstraint("client_id", "api", "school_key", name="uq_delivery_cursors"),
)

# Client assertions already used (jti replay protection), kept until they expire.
used_assertions = Table(
    "used_assertions",
    metadata,
    Column("client_id", String(ID), nullable=False),
    Column("jti", String(ID), nullable=False),
    Column("expires", BigInteger, nullable=False),
    UniqueConstraint("client_id", "jti", name="uq_used_assertions"),
    Index("ix_used_assertions_expires", "expires"),
)


# -- the learning-materials chain ---------------------------------------------------------
# Chain objects are kept the same way: the JSON document in the shape of the current API
# version (t), with the few columns the chain reads filter on (school, delivery order,
# contract, status, delivery type, last change). The schools a chain dataset names are
# kept with every identifier a request may use. Migration 2 adds both tables.

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
    # A second reference the reads filter on: a consent's consumerReferenceId.
    Column("reference", String(ID), nullable=True),
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

# The writing side of the chain (migration 5): every request, message or confirmation a
# client sent, once per (client, operation, reference), and the confirmation it is
# owed. A confirmation waits here until the client's endpoint accepted it, with the
# retry clock of the sender; a repeated request sends the same confirmation again.
chain_exchanges = Table(
    "chain_exchanges",
    metadata,
    Column("pk", Serial, primary_key=True),
    Column("client_id", String(ID), nullable=False),
    Column("api", String(40), nullable=False),
    Column("version", String(20), nullable=False),
    Column("operation", String(80), nullable=False),
    Column("reference", String(ID), nullable=False),
    Column("received", String(40), nullable=False),
    Column("request", Text, nullable=False),
    # Where the confirmation goes (an operation of the same API) and what it says.
    Column("confirm_operation", String(80), nullable=True),
    Column("confirmation", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt", String(40), nullable=True),
    Column("sent", String(40), nullable=True),
    Column("last_error", Text, nullable=True),
    UniqueConstraint("client_id", "operation", "reference", name="uq_chain_exchanges"),
    Index("ix_chain_exchanges_due", "sent", "next_attempt"),
)
