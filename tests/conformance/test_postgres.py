"""The default run passes against the reference provider on PostgreSQL as well."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from eduv.conformance.provider import make_engine
from eduv.conformance.suite import embedded
from eduv.conformance.suite.model import Outcome
from eduv.conformance.suite.runner import run_suite
from sqlalchemy import text

from tests.conformance.conftest import QUICK

POSTGRES_ENV = "EDUV_TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search path is a fresh schema, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"set {POSTGRES_ENV} to a postgresql:// URL (.ci/run starts a server)")
    name = f"c_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_the_default_run_passes_on_postgresql(postgres_url: str) -> None:
    with embedded.running(database=postgres_url, seed=0) as provider:
        run = run_suite(provider.configure(QUICK))
    failures = [
        (r.check_id, r.message) for r in run.results if r.outcome in (Outcome.FAIL, Outcome.ERROR)
    ]
    assert failures == []
