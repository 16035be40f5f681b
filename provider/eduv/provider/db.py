"""Database engines and versioned schema migrations.

SQLite is the embedded default: one file in WAL mode, so that readers never wait for
the writer. PostgreSQL is reached through psycopg 3 with a ``postgresql://`` URL.

Every read request runs inside one snapshot (SQLite: a deferred transaction in WAL
mode; PostgreSQL: REPEATABLE READ), so that a request that needs several queries never
sees half of a concurrent write. Writers take turns: on SQLite they take the write lock
up front (``BEGIN IMMEDIATE``) instead of failing when they try to upgrade a read lock;
on PostgreSQL they hold a transaction-level advisory lock.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from eduv.dataset.chain.model import school_key_of
from eduv.provider import schema
from eduv.provider.private import prepare_sqlite_file

DEFAULT_SQLITE_FILE = "eduv-provider.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseError(RuntimeError):
    """The database cannot be used (bad URL, unreachable, or a newer schema)."""


def default_url(folder: Path | None = None) -> str:
    """SQLite in the working folder: what ``eduv serve`` uses when no URL is given."""
    path = (folder or Path.cwd()) / DEFAULT_SQLITE_FILE
    return f"sqlite:///{path}"


def normalise_url(url: str) -> str:
    """Accept the usual spellings and pick the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)
    raise DatabaseError(f"unsupported database {backend!r}: use a sqlite:/// or postgresql:// URL")


def _sqlite_engine(url: str) -> Engine:
    file = make_url(url).database
    if file and file != ":memory:" and not file.startswith("file:"):
        prepare_sqlite_file(Path(file))
    engine = create_engine(url, pool_size=20, max_overflow=40)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module, which would otherwise
        # run SELECTs outside any transaction and lose the snapshot between queries.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("eduv_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection whose queries all see one consistent snapshot."""
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


WRITER_LOCK = 0x65647576  # any fixed number; "eduv" in ASCII


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction: committed when the block ends, rolled back on any error.

    Writers take turns, on PostgreSQL as on SQLite: two replacements of one school that
    ran side by side under READ COMMITTED would each miss the other's new rows.
    """
    with engine.connect().execution_options(eduv_write=True) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})
        yield conn


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _initial(conn: Connection) -> None:
    # The first version creates every table of the provider as schema.py defines it;
    # later versions must change tables with explicit statements of their own.
    schema.metadata.create_all(conn)


def _chain_tables(conn: Connection) -> None:
    # A database of the first version gains the chain's tables; a new one already has
    # them from the first migration, which creates every table schema.py defines.
    for table in schema.CHAIN_TABLES:
        table.create(conn, checkfirst=True)


def _order_links(conn: Connection) -> None:
    # Before version 3 a usage report was stored without its delivery order, so it had
    # no school or contract either; and an object named a contract only when it carried
    # one. A load now takes both from the object's delivery order; this does the same
    # for what is stored, without a reload.
    t = schema.chain_objects
    conn.execute(
        update(t)
        .where(t.c.collection == "deliveryOrderUsage", t.c.delivery_order.is_(None))
        .values(delivery_order=t.c.obj_id)
    )
    order = t.alias("delivery_order_row")
    for column in ("school_key", "contract"):
        value = (
            select(order.c[column])
            .where(order.c.collection == "deliveryOrders", order.c.obj_id == t.c.delivery_order)
            .limit(1)
            .scalar_subquery()
        )
        conn.execute(
            update(t)
            .where(
                t.c.collection != "deliveryOrders",
                t.c.delivery_order.is_not(None),
                t.c[column].is_(None),
            )
            .values({column: value})
        )


# As the chain store fills them on a load (``eduv.provider.chain.store.COLUMNS``).
CONSENT_COLUMNS = {
    "obj_id": "providerReferenceId",
    "reference": "consumerReferenceId",
    "kind": "api",
    "status": "providerStatus",
}


def _consent_columns(conn: Connection) -> None:
    # Before version 4 a consent was stored without filter columns: no school, API,
    # status or references, so the Consent API could not find it. The new column holds
    # the consumer's reference; the others are filled from each stored document.
    t = schema.chain_objects
    if "reference" not in {c["name"] for c in inspect(conn).get_columns(t.name)}:
        conn.execute(text(f"ALTER TABLE {t.name} ADD COLUMN reference VARCHAR({schema.ID})"))
    rows = conn.execute(select(t.c.pk, t.c.doc).where(t.c.collection == "consents")).all()
    for pk, doc in rows:
        obj = json.loads(doc)
        values = {
            column: obj.get(member) if isinstance(obj.get(member), str) else None
            for column, member in CONSENT_COLUMNS.items()
        }
        school = obj.get("school")
        key = school_key_of(school) if isinstance(school, dict) else ""
        conn.execute(update(t).where(t.c.pk == pk).values(school_key=key or None, **values))


def _exchanges(conn: Connection) -> None:
    # The writing side of the chain came with version 5; a new database has the table
    # from the first migration already.
    schema.chain_exchanges.create(conn, checkfirst=True)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial tables", _initial),
    Migration(2, "chain objects and their schools", _chain_tables),
    Migration(3, "chain objects take school and contract from their delivery order", _order_links),
    Migration(
        4, "consents get their school, API, status and references as columns", _consent_columns
    ),
    Migration(5, "the chain's requests and the confirmations owed for them", _exchanges),
)


def schema_version(conn: Connection) -> int:
    """The newest migration applied, 0 for an empty database."""
    try:
        with conn.begin_nested():
            found = conn.execute(select(schema.migrations.c.version)).scalars().all()
    except (OperationalError, ProgrammingError):
        return 0
    return max(found, default=0)


def migrate(engine: Engine) -> int:
    """Bring the database to the newest schema; returns the version it is at."""
    newest = MIGRATIONS[-1].version
    with writing(engine) as conn:
        current = schema_version(conn)
        if current > newest:
            raise DatabaseError(
                f"the database has schema version {current}, newer than this provider "
                f"understands ({newest}); upgrade eduv or use another database"
            )
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            migration.apply(conn)
            conn.execute(
                insert(schema.migrations).values(
                    version=migration.version,
                    name=migration.name,
                    applied_at=utc_now(),
                )
            )
    return newest


def utc_now() -> str:
    """The current moment as an RFC 3339 UTC date-time with a Z, second precision."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def scratch_schema(base_url: str, prefix: str = "scratch") -> Iterator[str]:
    """A PostgreSQL URL whose search path is a new, empty schema, dropped afterwards.

    Tests and benchmarks get a database of their own without needing the right to
    create databases, and leave nothing behind.
    """
    import uuid

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def precise(moment: dt.datetime) -> str:
    """A moment in UTC with microseconds: the outbox's format, whose text order is time order."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_now_precise() -> str:
    """The current moment with microseconds, for ordering notifications."""
    return precise(dt.datetime.now(dt.UTC))
