"""Reading from the provider's database: every filter of the APIs becomes SQL.

Filters are small values (``Column``, ``Offering`` ...) that the route table attaches to
query parameters; each one turns into a condition on an indexed column or an EXISTS on a
link table. Documents are only read to be served, never searched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, and_, exists, func, or_, select

from eduv.provider import schema
from eduv.provider.keys import MASTER, person_keys


@dataclass(frozen=True, slots=True)
class SchoolRow:
    id: int
    key: str
    sector: str
    doc: str
    branch: str | None = None  # set when the request narrows to one branch (filterByOrgId)


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a list query looks: one school, maybe one branch, maybe one school period."""

    school: SchoolRow
    period: str | None = None


# -- filters -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """The object's own member, copied into an indexed column."""

    column: str


@dataclass(frozen=True, slots=True)
class GroupOffering:
    """A group serves the offering (a dataset fact, not a Group member)."""

    kind: str


@dataclass(frozen=True, slots=True)
class Link:
    """The object lists the value in one of its arrays (e.g. SubjectOffering.studyOfferings)."""

    kind: str


@dataclass(frozen=True, slots=True)
class OfferingInPeriod:
    """An offering is in use in a school period when an enrolment or a group of that
    period refers to it; offerings themselves carry no period."""

    kind: str


@dataclass(frozen=True, slots=True)
class PersonEnrolled:
    """A student with an enrolment at the school for the offering (in the period, if any)."""

    column: str


@dataclass(frozen=True, slots=True)
class PersonInPeriod:
    """A student enrolled, or an employee assigned, at the school in the school period."""


Filter = Column | GroupOffering | Link | OfferingInPeriod | PersonEnrolled | PersonInPeriod

OFFERING_COLUMN = {"study": "study", "subject": "subject"}


def object_condition(
    name: str, table: Table, flt: Filter, value: Any, scope: Scope
) -> ColumnElement[bool]:
    """The SQL condition one filter puts on a school collection."""
    if isinstance(flt, Column):
        condition: ColumnElement[bool] = table.c[flt.column] == value
        return condition
    if isinstance(flt, GroupOffering):
        go = schema.group_offerings
        return exists().where(
            go.c.school_id == table.c.school_id,
            go.c.group_id == table.c.obj_id,
            go.c.kind == flt.kind,
            go.c.offering_id == value,
        )
    if isinstance(flt, Link):
        link = schema.LINKS[name]
        return exists().where(
            link.c.school_id == table.c.school_id,
            link.c.obj_id == table.c.obj_id,
            link.c.kind == flt.kind,
            link.c.value == value,
        )
    if isinstance(flt, OfferingInPeriod):
        return _offering_in_period(table, flt.kind, value)
    raise TypeError(f"filter {flt!r} does not apply to {name}")


def _offering_in_period(table: Table, kind: str, period: str) -> ColumnElement[bool]:
    enr, groups, go = schema.TABLES["enrollments"], schema.TABLES["groups"], schema.group_offerings
    by_enrollment = exists().where(
        enr.c.school_id == table.c.school_id,
        enr.c[OFFERING_COLUMN[kind]] == table.c.obj_id,
        enr.c.school_period == period,
    )
    by_group = exists().where(
        go.c.school_id == table.c.school_id,
        go.c.kind == kind,
        go.c.offering_id == table.c.obj_id,
        groups.c.school_id == go.c.school_id,
        groups.c.obj_id == go.c.group_id,
        groups.c.school_period == period,
    )
    return or_(by_enrollment, by_group)


def _branch_condition(name: str, table: Table, branch: str) -> ColumnElement[bool] | None:
    """Narrowing to one branch: enrolments by their location, groups by their members'."""
    enr = schema.TABLES["enrollments"]
    if name == "enrollments":
        return table.c.branch == branch
    if name == "groups":
        gm = schema.group_members
        return exists().where(
            gm.c.school_id == table.c.school_id,
            gm.c.group_id == table.c.obj_id,
            enr.c.school_id == gm.c.school_id,
            enr.c.person_id == gm.c.person_id,
            enr.c.branch == branch,
        )
    return None


# -- schools -----------------------------------------------------------------------------


def find_school(conn: Connection, keys: Sequence[tuple[str, str]]) -> SchoolRow | None:
    """The school any of the (type, value) identifiers names, the first match winning."""
    s, ids = schema.schools, schema.school_ids
    for id_type, value in keys:
        row = conn.execute(
            select(s.c.id, s.c.school_key, s.c.sector, s.c.doc)
            .join(ids, ids.c.school_id == s.c.id)
            .where(ids.c.id_type == id_type, ids.c.id_value == value)
            .limit(1)
        ).first()
        if row is not None:
            return SchoolRow(int(row[0]), str(row[1]), str(row[2]), str(row[3]))
    return None


def school_by_id(conn: Connection, school_id: int) -> SchoolRow | None:
    s = schema.schools
    row = conn.execute(
        select(s.c.id, s.c.school_key, s.c.sector, s.c.doc).where(s.c.id == school_id)
    ).first()
    return None if row is None else SchoolRow(int(row[0]), str(row[1]), str(row[2]), str(row[3]))


def schools_by_key(conn: Connection, keys: frozenset[str] | None) -> list[SchoolRow]:
    """Schools with the given keys (all schools for ``None``), in storage order."""
    s = schema.schools
    stmt = select(s.c.id, s.c.school_key, s.c.sector, s.c.doc).order_by(s.c.id)
    if keys is not None:
        stmt = stmt.where(s.c.school_key.in_(sorted(keys)))
    return [SchoolRow(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in conn.execute(stmt)]


def organisation_matches(conn: Connection, school: SchoolRow, params: Mapping[str, Any]) -> bool:
    """Whether the named school also passes the board and name filters of the search."""
    s = schema.schools
    found = conn.execute(select(s.c.id).where(s.c.id == school.id, *_search(params))).first()
    return found is not None


def search_organisations(conn: Connection, params: Mapping[str, Any]) -> list[SchoolRow]:
    """The schools that pass the board and name filters of a search that names no school."""
    s = schema.schools
    stmt = select(s.c.id, s.c.school_key, s.c.sector, s.c.doc).where(*_search(params))
    rows = conn.execute(stmt.order_by(s.c.id))
    return [SchoolRow(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def _search(params: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    s, ids = schema.schools, schema.school_ids
    conditions: list[ColumnElement[bool]] = []
    boards: list[tuple[str, str]] = []
    if "boardMasterId" in params:
        boards.append((f"board:{MASTER}", params["boardMasterId"]))
    if "boardId" in params:
        # A boardId without its type (only under a fault) matches no board.
        boards.append((f"board:{params.get('boardIdType')}", params["boardId"]))
    for id_type, value in boards:
        conditions.append(
            exists().where(
                ids.c.school_id == s.c.id, ids.c.id_type == id_type, ids.c.id_value == value
            )
        )
    if "name" in params:
        name = str(params["name"]).lower()
        conditions.append(func.lower(s.c.name).contains(name, autoescape=True))
    return conditions


# -- school collections ------------------------------------------------------------------


def get_object(conn: Connection, name: str, school_id: int, obj_id: str) -> str | None:
    table = schema.TABLES[name]
    found = conn.execute(
        select(table.c.doc).where(table.c.school_id == school_id, table.c.obj_id == obj_id)
    ).scalar()
    return None if found is None else str(found)


def list_objects(
    conn: Connection,
    name: str,
    scope: Scope,
    filters: Sequence[tuple[Filter, Any]],
    person_id: int | None = None,
) -> list[str]:
    """The documents of one school collection that pass every filter, in storage order."""
    stmt = list_statement(name, scope, filters, person_id)
    return [str(doc) for doc in conn.execute(stmt).scalars().all()]


def list_statement(
    name: str,
    scope: Scope,
    filters: Sequence[tuple[Filter, Any]],
    person_id: int | None = None,
) -> Select[tuple[Any]]:
    table = schema.TABLES[name]
    conditions = [table.c.school_id == scope.school.id]
    conditions += [object_condition(name, table, flt, value, scope) for flt, value in filters]
    if person_id is not None:
        conditions.append(table.c.person_id == person_id)
    if scope.school.branch is not None:
        branch = _branch_condition(name, table, scope.school.branch)
        if branch is not None:
            conditions.append(branch)
    return select(table.c.doc).where(and_(*conditions)).order_by(table.c.pk)


# -- people ------------------------------------------------------------------------------


def list_people(
    conn: Connection, kind: str, scope: Scope, filters: Sequence[tuple[Filter, Any]]
) -> list[str]:
    """The students or employees of a school, narrowed by period, offering and branch."""
    p = schema.persons
    conditions = [p.c.kind == kind, _belongs(kind, scope, None)]
    for flt, value in filters:
        if isinstance(flt, PersonEnrolled):
            conditions.append(_belongs(kind, scope, (flt.column, value)))
    stmt = select(p.c.doc).where(and_(*conditions)).order_by(p.c.id)
    return [str(doc) for doc in conn.execute(stmt).scalars().all()]


def _belongs(kind: str, scope: Scope, offering: tuple[str, str] | None) -> ColumnElement[bool]:
    p = schema.persons
    if kind == "employee":
        return _employee_belongs(scope)
    enr = schema.TABLES["enrollments"]
    conditions = [enr.c.person_id == p.c.id, enr.c.school_id == scope.school.id]
    if scope.period is not None:
        conditions.append(enr.c.school_period == scope.period)
    if scope.school.branch is not None:
        conditions.append(enr.c.branch == scope.school.branch)
    if offering is not None:
        conditions.append(enr.c[offering[0]] == offering[1])
    return exists().where(*conditions)


def _employee_belongs(scope: Scope) -> ColumnElement[bool]:
    p = schema.persons
    if scope.period is None:
        ps = schema.person_schools
        return exists().where(ps.c.person_id == p.c.id, ps.c.school_id == scope.school.id)
    asg = schema.TABLES["assignments"]
    return exists().where(
        asg.c.person_id == p.c.id,
        asg.c.school_id == scope.school.id,
        asg.c.school_period == scope.period,
    )


def person_at_school(conn: Connection, kind: str, person_id: int, school_id: int) -> str | None:
    """The person's document when the person belongs to the school, else ``None``."""
    p = schema.persons
    scope = Scope(SchoolRow(school_id, "", "", ""))
    stmt = select(p.c.doc).where(p.c.id == person_id, _belongs(kind, scope, None))
    found = conn.execute(stmt).scalar()
    return None if found is None else str(found)


def person_schools(conn: Connection, kind: str, person_id: int) -> list[int]:
    """The schools a person belongs to (students: enrolments; employees: assignments, roles)."""
    if kind == "employee":
        ps = schema.person_schools
        stmt = select(ps.c.school_id).where(ps.c.person_id == person_id)
    else:
        enr = schema.TABLES["enrollments"]
        stmt = select(enr.c.school_id).where(enr.c.person_id == person_id)
    return sorted({int(s) for s in conn.execute(stmt.distinct()).scalars()})


def find_person(conn: Connection, kind: str, ref: Mapping[str, Any]) -> int | None:
    """The stored person a UserReference names: by master id first, then any other id."""
    table = schema.person_ids
    for id_type, value in person_keys(ref):
        found = conn.execute(
            select(table.c.person_id)
            .where(table.c.kind == kind, table.c.id_type == id_type, table.c.id_value == value)
            .limit(1)
        ).scalar()
        if found is not None:
            return int(found)
    return None
