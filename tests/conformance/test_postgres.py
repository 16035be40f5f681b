"""The default run passes against the reference provider on PostgreSQL as well."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from eduv.conformance.embedded import configure
from eduv.conformance.model import Outcome
from eduv.conformance.runner import run_suite
from eduv.provider import embedded
from eduv.provider.db import scratch_schema
from tests.conformance.conftest import QUICK

POSTGRES_ENV = "EDUV_TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose search path is a fresh schema, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"set {POSTGRES_ENV} to a postgresql:// URL (.ci/run starts a server)")
    with scratch_schema(base, "c") as url:
        yield url


@pytest.mark.postgres
def test_the_default_run_passes_on_postgresql(postgres_url: str) -> None:
    with embedded.running(database=postgres_url, seed=0) as provider:
        run = run_suite(configure(QUICK, provider))
    failures = [
        (r.check_id, r.message) for r in run.results if r.outcome in (Outcome.FAIL, Outcome.ERROR)
    ]
    assert failures == []
