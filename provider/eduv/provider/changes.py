"""Changes while serving: replacing one school, deleting one, and single-object changes.

Each public function is one transaction that writes the data and the notifications the
standard requires for it: a notification per object added, updated or deleted, with
``isDeleteNotification`` for a deletion (the last one that object gets). People are
not school-scoped, so a change to a student or employee is notified for every school
the person belongs to (for a deletion: belonged to).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, delete, select, update

from eduv.dataset.model import GroupOfferings, School, SchoolFacts, school_key
from eduv.provider import outbox, queries, schema, store
from eduv.provider.db import writing
from eduv.provider.keys import person_keys, person_object_id
from eduv.provider.store import JsonObject, StoreError, dumps

PERSON_COLLECTIONS = {"students": "student", "employees": "employee"}
PERSON_TYPES = {"student": "Student", "employee": "Employee"}


@dataclass(slots=True)
class Outcome:
    """What a change wrote: counts per kind of change and the notifications."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    notifications: list[JsonObject] = field(default_factory=list)

    def to_json(self) -> JsonObject:
        return {
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "notifications": self.notifications,
        }


@dataclass(frozen=True, slots=True)
class ObjectChange:
    """One change of the provisioning API (already checked against its schema)."""

    op: str  # add, update or delete
    collection: str
    school: str | None = None
    obj: JsonObject | None = None
    obj_id: str | None = None
    offerings: GroupOfferings | None = None


class _Notes:
    """Notifications collected per school during one transaction, written at the end."""

    def __init__(self, deletes: bool) -> None:
        self.deletes = deletes
        self.by_school: dict[str, tuple[JsonObject, list[outbox.Change]]] = {}
        # Schools a person belonged to through objects deleted earlier in this transaction:
        # deleting a pupil's enrolments and then the pupil must still tell those schools.
        self.former: dict[tuple[str, int], set[int]] = {}

    def add(self, organisation: JsonObject, change: outbox.Change) -> None:
        key = school_key(organisation)
        self.by_school.setdefault(key, (organisation, []))[1].append(change)

    def write(self, conn: Connection, outcome: Outcome) -> None:
        for organisation, changes in self.by_school.values():
            outcome.notifications += outbox.write(conn, organisation, changes, deletes=self.deletes)


# -- one school ------------------------------------------------------------------------


def replace_school(
    engine: Engine,
    school: School,
    facts: SchoolFacts,
    students: Sequence[JsonObject],
    employees: Sequence[JsonObject],
    *,
    deletes: bool = True,
) -> Outcome:
    """Make one school exactly ``school``; the people given are added or updated.

    Notifications go out for every object that was added, changed or removed, found by
    comparing the old and new documents.
    """
    outcome, notes = Outcome(), _Notes(deletes)
    with writing(engine) as conn:
        row = _school_row(conn, school.key)
        old = _school_documents(conn, row[0]) if row else {}
        if row is not None and row[1] != _canonical(school.organisation):
            notes.add(school.organisation, outbox.Change("Organisation", school.key))
        sid = store.put_school(conn, row[0] if row else None, school.organisation, facts)
        if row is None:
            notes.add(school.organisation, outbox.Change("Organisation", school.key))
        touched = [
            found
            for kind, docs in (("student", students), ("employee", employees))
            for doc in docs
            if (found := _upsert_person(conn, kind, doc, outcome)) is not None
        ]
        store.insert_school_objects(conn, sid, school, facts, store.db_resolver(conn))
        for kind, pid, doc, before in touched:
            _notify_person(conn, kind, pid, doc, notes, extra=before)
        _diff(school, old, notes, outcome)
        notes.write(conn, outcome)
        store.bump_revision(conn)
    return outcome


def delete_school(engine: Engine, key: str, *, deletes: bool = True) -> Outcome:
    """Remove a school and all its objects; every object gets its delete notification."""
    outcome, notes = Outcome(), _Notes(deletes)
    with writing(engine) as conn:
        row = _school_row(conn, key)
        if row is None:
            raise StoreError(f"there is no school {key!r}")
        organisation = orjson.loads(row[2])
        for name, docs in _school_documents(conn, row[0]).items():
            component = schema.COLLECTIONS[name].component
            for obj_id in docs:
                notes.add(organisation, outbox.Change(component, obj_id, is_delete=True))
                outcome.deleted += 1
        notes.add(organisation, outbox.Change("Organisation", key, is_delete=True))
        store.clear_school(conn, row[0])
        conn.execute(delete(schema.schools).where(schema.schools.c.id == row[0]))
        notes.write(conn, outcome)
        store.bump_revision(conn)
    return outcome


def _school_row(conn: Connection, key: str) -> tuple[int, str, str] | None:
    s = schema.schools
    found = conn.execute(select(s.c.id, s.c.doc).where(s.c.school_key == key)).first()
    if found is None:
        return None
    return int(found[0]), _canonical(orjson.loads(found[1])), str(found[1])


def _canonical(doc: Any) -> str:
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS).decode()


def _school_documents(conn: Connection, sid: int) -> dict[str, dict[str, str]]:
    """Every object of a school, canonically encoded, by collection and id."""
    found: dict[str, dict[str, str]] = {}
    for name, table in schema.TABLES.items():
        rows = conn.execute(select(table.c.obj_id, table.c.doc).where(table.c.school_id == sid))
        found[name] = {str(i): _canonical(orjson.loads(d)) for i, d in rows}
    return found


def _diff(
    school: School, old: Mapping[str, Mapping[str, str]], notes: _Notes, outcome: Outcome
) -> None:
    for name, coll in schema.COLLECTIONS.items():
        before = old.get(name, {})
        seen: set[str] = set()
        for doc in school.items(name):
            obj_id = str(doc[coll.id_field])
            seen.add(obj_id)
            if obj_id not in before:
                outcome.added += 1
            elif before[obj_id] != _canonical(doc):
                outcome.updated += 1
            else:
                outcome.unchanged += 1
                continue
            notes.add(school.organisation, outbox.Change(coll.component, obj_id))
        for obj_id in before.keys() - seen:
            outcome.deleted += 1
            notes.add(school.organisation, outbox.Change(coll.component, obj_id, is_delete=True))


# -- single changes ----------------------------------------------------------------------


def apply_changes(
    engine: Engine, changes: Sequence[ObjectChange], *, deletes: bool = True
) -> Outcome:
    """Apply changes in order, all or nothing."""
    outcome, notes = Outcome(), _Notes(deletes)
    with writing(engine) as conn:
        for index, change in enumerate(changes):
            try:
                _apply(conn, change, notes, outcome)
            except StoreError as exc:
                raise StoreError(f"change {index}: {exc}") from None
        notes.write(conn, outcome)
        store.bump_revision(conn)
    return outcome


def _apply(conn: Connection, change: ObjectChange, notes: _Notes, outcome: Outcome) -> None:
    if change.collection in PERSON_COLLECTIONS:
        _apply_person(conn, PERSON_COLLECTIONS[change.collection], change, notes, outcome)
        return
    row = _school_row(conn, change.school or "")
    if row is None:
        raise StoreError(f"there is no school {change.school!r}")
    sid, organisation = row[0], orjson.loads(row[2])
    if change.collection == "organisation":
        _update_organisation(conn, sid, change, notes, outcome)
        return
    coll = schema.COLLECTIONS.get(change.collection)
    if coll is None:
        raise StoreError(f"unknown collection {change.collection!r}")
    obj_id = change.obj_id if change.op == "delete" else str((change.obj or {}).get(coll.id_field))
    exists = queries.get_object(conn, coll.name, sid, obj_id or "") is not None
    if change.op == "add" and exists:
        raise StoreError(f"{coll.component} {obj_id!r} already exists at school {change.school}")
    if change.op in ("update", "delete") and not exists:
        raise StoreError(f"there is no {coll.component} {obj_id!r} at school {change.school}")
    if exists:
        _remember_person(conn, coll, sid, obj_id or "", notes)
        store.delete_objects(conn, coll, sid, [obj_id or ""])
    if change.op == "delete":
        _drop_offerings(conn, sid, coll, obj_id or "")
        outcome.deleted += 1
    else:
        assert change.obj is not None
        store.insert_objects(conn, coll, sid, [change.obj], store.db_resolver(conn))
        if coll.name == "groups" and change.offerings is not None:
            _drop_offerings(conn, sid, coll, obj_id or "")
            store.insert_group_offerings(conn, sid, {obj_id or "": change.offerings})
        outcome.added += change.op == "add"
        outcome.updated += change.op == "update"
    is_delete = change.op == "delete"
    notes.add(organisation, outbox.Change(coll.component, obj_id, is_delete=is_delete))


def _remember_person(
    conn: Connection, coll: schema.Collection, sid: int, obj_id: str, notes: _Notes
) -> None:
    if coll.person is None:
        return
    table = schema.TABLES[coll.name]
    pid = conn.execute(
        select(table.c.person_id).where(table.c.school_id == sid, table.c.obj_id == obj_id)
    ).scalar()
    if pid is not None:
        notes.former.setdefault((coll.person[0], int(pid)), set()).add(sid)


def _drop_offerings(conn: Connection, sid: int, coll: schema.Collection, group_id: str) -> None:
    if coll.name != "groups":
        return
    go = schema.group_offerings
    conn.execute(delete(go).where(go.c.school_id == sid, go.c.group_id == group_id))


def _update_organisation(
    conn: Connection, sid: int, change: ObjectChange, notes: _Notes, outcome: Outcome
) -> None:
    if change.op != "update" or change.obj is None:
        raise StoreError(
            "a school's organisation can only be updated; replace or delete the school instead"
        )
    if school_key(change.obj) != change.school:
        raise StoreError(
            "an update cannot change the school's key (its RIO code or first identifier)"
        )
    s = schema.schools
    conn.execute(
        update(s)
        .where(s.c.id == sid)
        .values(doc=dumps(change.obj), name=str(change.obj.get("name", "")))
    )
    store.put_school_ids(conn, sid, change.obj)
    outcome.updated += 1
    notes.add(change.obj, outbox.Change("Organisation", change.school))


# -- people ------------------------------------------------------------------------------


def _apply_person(
    conn: Connection, kind: str, change: ObjectChange, notes: _Notes, outcome: Outcome
) -> None:
    if change.op == "delete":
        pid = _person_by_id(conn, kind, change.obj_id or "")
        if pid is None:
            raise StoreError(f"there is no {kind} {change.obj_id!r}")
        doc = orjson.loads(_person_doc(conn, pid))
        former = notes.former.get((kind, pid), set())
        _notify_person(conn, kind, pid, doc, notes, is_delete=True, extra=former)
        conn.execute(delete(schema.persons).where(schema.persons.c.id == pid))
        outcome.deleted += 1
        return
    assert change.obj is not None
    pid = queries.find_person(conn, kind, change.obj)
    if change.op == "add" and pid is not None:
        raise StoreError(f"a {kind} with one of these identifiers already exists")
    if change.op == "update" and pid is None:
        raise StoreError(f"there is no {kind} with any of these identifiers")
    found = _upsert_person(conn, kind, change.obj, outcome)
    if found is None:
        return
    _, pid, doc, before = found
    if change.op == "add":
        _relink(conn, kind, pid, doc)
    _notify_person(conn, kind, pid, doc, notes, extra=before)


Touched = tuple[str, int, JsonObject, set[int]]


def _upsert_person(
    conn: Connection, kind: str, doc: JsonObject, outcome: Outcome
) -> Touched | None:
    """Add or update one person; what to notify once the school's objects are in place."""
    pid = queries.find_person(conn, kind, doc)
    if pid is None:
        (new,) = store.insert_persons(conn, kind, [doc])
        outcome.added += 1
        return kind, new, doc, set()
    if _canonical(orjson.loads(_person_doc(conn, pid))) == _canonical(doc):
        outcome.unchanged += 1
        return None
    before = set(queries.person_schools(conn, kind, pid))
    p, ids, ps = schema.persons, schema.person_ids, schema.person_schools
    conn.execute(update(p).where(p.c.id == pid).values(doc=dumps(doc)))
    conn.execute(delete(ids).where(ids.c.person_id == pid))
    store.insert_person_ids(conn, kind, [(pid, doc)])
    if kind == "employee":
        conn.execute(delete(ps).where(ps.c.person_id == pid, ps.c.via == store.VIA_ROLE))
        store.insert_role_schools(conn, [(pid, doc)])
    outcome.updated += 1
    return kind, pid, doc, before


def _relink(conn: Connection, kind: str, pid: int, doc: JsonObject) -> None:
    """A person added after the objects that refer to them: connect those references."""
    keys = person_keys(doc)
    for name, coll in schema.COLLECTIONS.items():
        if coll.person is None or coll.person[0] != kind:
            continue
        table = schema.TABLES[name]
        rows = conn.execute(
            select(table.c.pk, table.c.school_id, table.c.doc).where(table.c.person_id.is_(None))
        ).all()
        linked: dict[int, set[int]] = {}
        for pk, sid, text in rows:
            ref = orjson.loads(text).get(coll.person[1])
            if isinstance(ref, Mapping) and set(person_keys(ref)) & set(keys):
                conn.execute(update(table).where(table.c.pk == pk).values(person_id=pid))
                linked.setdefault(int(sid), set()).add(pid)
        if name == "assignments":
            for sid, people in linked.items():
                store.refresh_assignment_schools(conn, sid, people)


def _notify_person(
    conn: Connection,
    kind: str,
    pid: int,
    doc: JsonObject,
    notes: _Notes,
    *,
    is_delete: bool = False,
    extra: set[int] | None = None,
) -> None:
    schools = set(queries.person_schools(conn, kind, pid)) | (extra or set())
    for sid in sorted(schools):
        row = queries.school_by_id(conn, sid)
        if row is None:
            continue
        change = outbox.Change(PERSON_TYPES[kind], person_object_id(doc), is_delete=is_delete)
        notes.add(orjson.loads(row.doc), change)


def _person_by_id(conn: Connection, kind: str, value: str) -> int | None:
    ids = schema.person_ids
    found = conn.execute(
        select(ids.c.person_id).where(ids.c.kind == kind, ids.c.id_value == value).limit(1)
    ).scalar()
    return None if found is None else int(found)


def _person_doc(conn: Connection, pid: int) -> str:
    p = schema.persons
    return str(conn.execute(select(p.c.doc).where(p.c.id == pid)).scalar_one())
