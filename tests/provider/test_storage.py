"""Storage: migrations, atomic loads, SQLite's WAL mode and indexed filters."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select, text

from eduv.dataset.convert import convert_dataset, current_shapes
from eduv.dataset.model import Dataset
from eduv.provider import queries, schema
from eduv.provider.datasets import prepare
from eduv.provider.db import MIGRATIONS, DatabaseError, migrate, utc_now
from eduv.provider.queries import Column, GroupOffering, SchoolRow, Scope
from eduv.provider.store import StoreError, load_dataset


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(schema.metadata.tables[table])
            ).scalar_one()
        )


def test_migrations_are_idempotent_and_refuse_newer_databases(engine: Engine) -> None:
    newest = MIGRATIONS[-1].version
    assert migrate(engine) == newest
    assert migrate(engine) == newest
    with engine.begin() as conn:
        conn.execute(
            insert(schema.migrations).values(
                version=newest + 1, name="future", applied_at=utc_now()
            )
        )
    with pytest.raises(DatabaseError, match="newer"):
        migrate(engine)


def test_a_failed_load_leaves_the_previous_data(engine: Engine, dataset: Dataset) -> None:
    load_dataset(engine, dataset)
    before = {t: _count(engine, t) for t in ("schools", "groups", "persons", "outbox")}
    broken = copy.deepcopy(dataset)
    broken.schools[1].groups.append(copy.deepcopy(broken.schools[1].groups[0]))
    with pytest.raises(StoreError, match="groups"):
        load_dataset(engine, broken)
    assert {t: _count(engine, t) for t in before} == before


def test_reload_replaces_everything(engine: Engine, dataset: Dataset) -> None:
    load_dataset(engine, dataset)
    smaller = copy.deepcopy(dataset)
    gone = smaller.schools.pop()
    del smaller.facts[gone.key]
    summary = load_dataset(engine, smaller)
    assert _count(engine, "schools") == len(smaller.schools)
    assert _count(engine, "groups") == sum(len(s.groups) for s in smaller.schools)
    assert summary.notifications > 0


def test_datasets_in_previous_shapes_are_converted_and_invalid_objects_refused(
    dataset: Dataset,
) -> None:
    previous = convert_dataset(dataset, "down")
    assert prepare(previous).shapes == current_shapes()
    broken = copy.deepcopy(dataset)
    broken.schools[0].groups[0]["groupType"] = "klas"
    with pytest.raises(StoreError, match="groupType"):
        prepare(broken)


def test_sqlite_runs_in_wal_mode(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_group_filters_use_indexes(sqlite_engine: Engine, dataset: Dataset) -> None:
    load_dataset(sqlite_engine, dataset)
    school = SchoolRow(1, "", "VO", "")
    stmt = queries.list_statement(
        "groups",
        Scope(school),
        [(Column("school_period"), "2024-2025"), (GroupOffering("subject"), "x")],
    )
    compiled = stmt.compile(sqlite_engine, compile_kwargs={"literal_binds": True})
    with sqlite_engine.connect() as conn:
        plan = " | ".join(
            str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
    assert "USING INDEX ix_groups_school_period" in plan, plan
    assert "ix_group_offerings" in plan, plan
    assert " SCAN groups" not in plan.replace("SCAN groups USING", ""), plan


def test_default_database_is_a_file_in_the_working_folder(tmp_path: Path) -> None:
    from eduv.provider.db import default_url

    assert default_url(tmp_path) == f"sqlite:///{tmp_path / 'eduv-provider.db'}"
