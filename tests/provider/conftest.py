"""Fixtures of the provider tests: a database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from eduv.dataset.model import Dataset
from tests.provider.harness import POSTGRES_ENV, database, postgres_url, small_dataset

BACKENDS = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS, scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgres" and postgres_url() is None:
        pytest.skip(
            f"PostgreSQL tests need a server: set {POSTGRES_ENV} to a postgresql:// URL "
            "(.ci/run starts one)"
        )
    return name


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with database(backend, tmp_path) as found:
        yield found


@pytest.fixture(scope="module")
def module_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One database for a whole module of tests that only read."""
    with database(backend, tmp_path_factory.mktemp("db")) as found:
        yield found


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    with database("sqlite", tmp_path) as found:
        yield found


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return small_dataset()
