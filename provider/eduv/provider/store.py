"""Writing to the provider's database: whole-dataset loads and the rows behind them.

Each public function is one transaction. A load that fails, or a process killed
half-way, leaves the previous data exactly as it was. The helpers here are shared with
``changes.py`` (provisioning), so a school's rows are built one way only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from eduv.dataset.model import Dataset, GroupOfferings, School, SchoolFacts, school_key
from eduv.provider import outbox, queries, schema
from eduv.provider.db import utc_now, writing
from eduv.provider.keys import (
    board_keys,
    branch_keys,
    location_branch,
    person_keys,
    school_keys,
)

JsonObject = dict[str, Any]
Resolve = Callable[[str, Any], "int | None"]

VIA_ASSIGNMENT = "assignment"
VIA_ROLE = "role"


class StoreError(ValueError):
    """A load or change that cannot be applied; nothing of it was written."""


MAX_REPORTED = 20


def invalid_objects(problems: list[str], what: str) -> StoreError:
    """The error for a dataset with objects that are not valid messages: the first
    problems, and how many more there are."""
    shown = "\n  ".join(problems[:MAX_REPORTED])
    more = len(problems) - MAX_REPORTED
    tail = f"\n  ... and {more} more" if more > 0 else ""
    return StoreError(f"{what} has objects that are not valid messages:\n  {shown}{tail}")


def dumps(doc: Any) -> str:
    return orjson.dumps(doc).decode()


@dataclass(slots=True)
class LoadSummary:
    schools: int = 0
    objects: dict[str, int] = field(default_factory=dict)
    notifications: int = 0


def load_dataset(
    engine: Engine, dataset: Dataset, *, notify: bool = True, deletes: bool = True
) -> LoadSummary:
    """Replace everything with ``dataset`` in one transaction.

    With ``notify``, every school gets one bulk notification per object type (telling
    subscribers to fetch the collections again) and a school that is no longer in the
    dataset gets a delete notification for its Organisation.
    """
    summary = LoadSummary(schools=len(dataset.schools), objects=dataset.count())
    with writing(engine) as conn:
        _clear_people(conn)
        existing = {
            str(key): (int(sid), str(doc))
            for key, sid, doc in conn.execute(
                select(schema.schools.c.school_key, schema.schools.c.id, schema.schools.c.doc)
            )
        }
        kept = _upsert_schools(conn, dataset, {k: v[0] for k, v in existing.items()})
        gone = {k: v for k, v in existing.items() if k not in kept}
        if gone:
            gone_ids = [sid for sid, _ in gone.values()]
            for sid in gone_ids:
                clear_school(conn, sid)
            conn.execute(delete(schema.schools).where(schema.schools.c.id.in_(gone_ids)))
        resolve = _index_resolver(_insert_people(conn, dataset.students, dataset.employees))
        for school in dataset.schools:
            insert_school_objects(
                conn, kept[school.key], school, dataset.facts.get(school.key), resolve
            )
        if notify:
            for school in dataset.schools:
                summary.notifications += len(bulk_notify(conn, school))
            for _sid, doc in gone.values():
                organisation = orjson.loads(doc)
                change = outbox.Change("Organisation", school_key(organisation), is_delete=True)
                summary.notifications += len(
                    outbox.write(conn, organisation, [change], deletes=deletes)
                )
        bump_revision(conn)
    return summary


def _upsert_schools(
    conn: Connection, dataset: Dataset, existing: Mapping[str, int]
) -> dict[str, int]:
    """Keep the row id of every school that stays."""
    kept: dict[str, int] = {}
    for school in dataset.schools:
        key = school.key
        if key in kept:
            raise StoreError(f"the dataset lists school {key!r} twice")
        facts = dataset.facts.get(key)
        if facts is None:
            raise StoreError(f"the dataset has no facts (sector) for school {key!r}")
        kept[key] = put_school(conn, existing.get(key), school.organisation, facts)
    return kept


def put_school(
    conn: Connection, sid: int | None, organisation: JsonObject, facts: SchoolFacts
) -> int:
    """Insert or overwrite a school row and its identifiers; clears its objects."""
    values = {
        "school_key": school_key(organisation),
        "sector": facts.sector,
        "name": str(organisation.get("name", "")),
        "doc": dumps(organisation),
    }
    if sid is None:
        result = conn.execute(
            insert(schema.schools).values(**values).returning(schema.schools.c.id)
        )
        sid = int(result.scalar_one())
    else:
        conn.execute(update(schema.schools).where(schema.schools.c.id == sid).values(**values))
        clear_school(conn, sid)
    put_school_ids(conn, sid, organisation)
    return sid


def put_school_ids(conn: Connection, sid: int, organisation: Mapping[str, Any]) -> None:
    """Every identifier a request may name the school by: own, branch and board keys."""
    ids = schema.school_ids
    conn.execute(delete(ids).where(ids.c.school_id == sid))
    keys = school_keys(organisation) + branch_keys(organisation) + board_keys(organisation)
    rows = [{"school_id": sid, "id_type": t, "id_value": v} for t, v in keys]
    if rows:
        conn.execute(insert(ids), rows)


def clear_school(conn: Connection, sid: int) -> None:
    """Remove a school's identifiers, objects and derived rows (the school row stays)."""
    tables = [schema.school_ids, schema.group_offerings, schema.group_members]
    tables += [*schema.TABLES.values(), *schema.LINKS.values()]
    for table in tables:
        conn.execute(delete(table).where(table.c.school_id == sid))
    ps = schema.person_schools
    conn.execute(delete(ps).where(ps.c.school_id == sid, ps.c.via == VIA_ASSIGNMENT))


def _clear_people(conn: Connection) -> None:
    conn.execute(delete(schema.group_members))
    for table in schema.TABLES.values():
        if "person_id" in table.c:
            conn.execute(update(table).values(person_id=None))
    for table in (schema.person_schools, schema.person_ids, schema.persons):
        conn.execute(delete(table))


# -- people ------------------------------------------------------------------------------

PersonIndex = dict[str, dict[tuple[str, str], int]]


def _insert_people(
    conn: Connection, students: Sequence[JsonObject], employees: Sequence[JsonObject]
) -> PersonIndex:
    index: PersonIndex = {"student": {}, "employee": {}}
    for kind, docs in (("student", students), ("employee", employees)):
        ids = insert_persons(conn, kind, docs)
        for pid, doc in zip(ids, docs, strict=True):
            for key in person_keys(doc):
                index[kind].setdefault(key, pid)
    return index


def insert_persons(conn: Connection, kind: str, docs: Sequence[JsonObject]) -> list[int]:
    """Insert people with their identifiers (and, for employees, their role schools)."""
    if not docs:
        return []
    stmt = insert(schema.persons).returning(schema.persons.c.id, sort_by_parameter_order=True)
    result = conn.execute(stmt, [{"kind": kind, "doc": dumps(doc)} for doc in docs])
    ids = [int(row[0]) for row in result]
    people = list(zip(ids, docs, strict=True))
    insert_person_ids(conn, kind, people)
    if kind == "employee":
        insert_role_schools(conn, people)
    return ids


def insert_person_ids(
    conn: Connection, kind: str, people: Iterable[tuple[int, JsonObject]]
) -> None:
    rows = [
        {"person_id": pid, "kind": kind, "id_type": t, "id_value": v}
        for pid, doc in people
        for t, v in person_keys(doc)
    ]
    if rows:
        conn.execute(insert(schema.person_ids), rows)


def insert_role_schools(conn: Connection, people: Sequence[tuple[int, JsonObject]]) -> None:
    """Employees belong to the schools their organisation roles name."""
    lookup = _school_lookup(conn)
    pairs = {(pid, sid) for pid, doc in people for sid in _role_schools(doc, lookup)}
    rows = [{"person_id": p, "school_id": s, "via": VIA_ROLE} for p, s in sorted(pairs)]
    if rows:
        conn.execute(insert(schema.person_schools), rows)


def _role_schools(doc: Mapping[str, Any], lookup: Mapping[tuple[str, str], int]) -> set[int]:
    found: set[int] = set()
    for role in doc.get("organisationRoles", []) or []:
        ref = role.get("organisation") if isinstance(role, Mapping) else None
        if isinstance(ref, Mapping):
            found |= {lookup[k] for k in school_keys(ref) if k in lookup}
    return found


def _school_lookup(conn: Connection) -> dict[tuple[str, str], int]:
    ids = schema.school_ids
    rows = conn.execute(select(ids.c.id_type, ids.c.id_value, ids.c.school_id)).all()
    return {(t, v): int(sid) for t, v, sid in rows if not t.startswith("board:")}


def _index_resolver(index: PersonIndex) -> Resolve:
    def resolve(kind: str, ref: Any) -> int | None:
        if not isinstance(ref, Mapping):
            return None
        for key in person_keys(ref):
            if key in index[kind]:
                return index[kind][key]
        return None

    return resolve


def db_resolver(conn: Connection) -> Resolve:
    """Resolves references against the stored people, remembering what it looked up."""
    memo: dict[tuple[str, bytes], int | None] = {}

    def resolve(kind: str, ref: Any) -> int | None:
        if not isinstance(ref, Mapping):
            return None
        key = (kind, orjson.dumps(ref, option=orjson.OPT_SORT_KEYS))
        if key not in memo:
            memo[key] = queries.find_person(conn, kind, ref)
        return memo[key]

    return resolve


# -- school objects ----------------------------------------------------------------------


def insert_school_objects(
    conn: Connection, sid: int, school: School, facts: SchoolFacts | None, resolve: Resolve
) -> None:
    """Insert every collection of one school with its link, member and offering rows."""
    for name, coll in schema.COLLECTIONS.items():
        insert_objects(conn, coll, sid, school.items(name), resolve)
    insert_group_offerings(conn, sid, facts.group_offerings if facts else {})


def insert_objects(
    conn: Connection,
    coll: schema.Collection,
    sid: int,
    docs: Sequence[Mapping[str, Any]],
    resolve: Resolve,
) -> None:
    if not docs:
        return
    rows = [object_row(coll, sid, doc, resolve) for doc in docs]
    try:
        with conn.begin_nested():
            conn.execute(insert(schema.TABLES[coll.name]), rows)
    except IntegrityError:
        ids = [r["obj_id"] for r in rows]
        twice = sorted({i for i in ids if ids.count(i) > 1}) or ids[:1]
        raise StoreError(
            f"{coll.name}: an identifier is used twice in one school: " + ", ".join(twice[:10])
        ) from None
    _insert_links(conn, coll, sid, docs)
    if coll.name == "groups":
        _insert_group_members(conn, sid, docs, resolve)
    if coll.name == "assignments":
        people = {r["person_id"] for r in rows if r["person_id"] is not None}
        refresh_assignment_schools(conn, sid, people)


def object_row(
    coll: schema.Collection, sid: int, doc: Mapping[str, Any], resolve: Resolve
) -> JsonObject:
    obj_id = doc.get(coll.id_field)
    if not isinstance(obj_id, str) or not obj_id:
        raise StoreError(f"a {coll.component} has no {coll.id_field}")
    row: JsonObject = {"school_id": sid, "obj_id": obj_id, "doc": dumps(doc)}
    for column, member in coll.columns.items():
        value = doc.get(member)
        row[column] = value if isinstance(value, str) else None
    if coll.person is not None:
        row["person_id"] = resolve(coll.person[0], doc.get(coll.person[1]))
    if coll.name == "enrollments":
        row["branch"] = location_branch(doc.get("location"))
    return row


def delete_objects(conn: Connection, coll: schema.Collection, sid: int, ids: Sequence[str]) -> None:
    """Remove objects with their link and member rows (offerings facts stay with groups)."""
    table = schema.TABLES[coll.name]
    people: set[int] = set()
    if coll.name == "assignments":
        people = {
            int(p)
            for p in conn.execute(
                select(table.c.person_id).where(table.c.school_id == sid, table.c.obj_id.in_(ids))
            ).scalars()
            if p is not None
        }
    conn.execute(delete(table).where(table.c.school_id == sid, table.c.obj_id.in_(ids)))
    if coll.name in schema.LINKS:
        link = schema.LINKS[coll.name]
        conn.execute(delete(link).where(link.c.school_id == sid, link.c.obj_id.in_(ids)))
    if coll.name == "groups":
        gm = schema.group_members
        conn.execute(delete(gm).where(gm.c.school_id == sid, gm.c.group_id.in_(ids)))
    if people:
        refresh_assignment_schools(conn, sid, people)


def refresh_assignment_schools(conn: Connection, sid: int, people: Iterable[int]) -> None:
    """Recompute which of these employees belong to the school through an assignment."""
    wanted = sorted(set(people))
    if not wanted:
        return
    ps, asg = schema.person_schools, schema.TABLES["assignments"]
    conn.execute(
        delete(ps).where(
            ps.c.school_id == sid, ps.c.via == VIA_ASSIGNMENT, ps.c.person_id.in_(wanted)
        )
    )
    still = conn.execute(
        select(asg.c.person_id)
        .where(asg.c.school_id == sid, asg.c.person_id.in_(wanted))
        .distinct()
    ).scalars()
    rows = [{"person_id": int(p), "school_id": sid, "via": VIA_ASSIGNMENT} for p in still]
    if rows:
        conn.execute(insert(ps), rows)


def _insert_links(
    conn: Connection, coll: schema.Collection, sid: int, docs: Sequence[Mapping[str, Any]]
) -> None:
    if coll.name not in schema.LINKS:
        return
    rows = [
        {"school_id": sid, "obj_id": doc[coll.id_field], "kind": kind, "value": value}
        for doc in docs
        for kind, member in coll.links.items()
        for value in doc.get(member, []) or []
        if isinstance(value, str)
    ]
    if rows:
        conn.execute(insert(schema.LINKS[coll.name]), rows)


def _insert_group_members(
    conn: Connection, sid: int, groups: Sequence[Mapping[str, Any]], resolve: Resolve
) -> None:
    rows = [
        {"school_id": sid, "group_id": group["groupId"], "person_id": pid}
        for group in groups
        for ref in group.get("students", []) or []
        if (pid := resolve("student", ref)) is not None
    ]
    if rows:
        conn.execute(insert(schema.group_members), rows)


def insert_group_offerings(
    conn: Connection, sid: int, offerings: Mapping[str, GroupOfferings]
) -> None:
    rows = [
        {"school_id": sid, "group_id": group_id, "kind": kind, "offering_id": value}
        for group_id, facts in offerings.items()
        for kind, values in (("study", facts.study_offerings), ("subject", facts.subject_offerings))
        for value in values
    ]
    if rows:
        conn.execute(insert(schema.group_offerings), rows)


def bulk_notify(conn: Connection, school: School) -> list[JsonObject]:
    present = ["Organisation"] + [
        coll.component for name, coll in schema.COLLECTIONS.items() if school.items(name)
    ]
    present += ["Student", "Employee"]
    changes = [outbox.Change(kind, None, bulk=True) for kind in present]
    return outbox.write(conn, school.organisation, changes)


def bump_revision(conn: Connection) -> None:
    table = schema.meta
    done = conn.execute(
        update(table).where(table.c.key == "revision").values(value=utc_now())
    ).rowcount
    if not done:
        conn.execute(insert(table).values(key="revision", value=utc_now()))
