"""Shared test set-up: hypothesis profiles and where the official reference files are."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"

# "ci" keeps the whole suite within the CI budget; "deep" is for nightly or manual runs:
#   HYPOTHESIS_PROFILE=deep pytest
settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "deep", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=10, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def reference() -> Path:
    """The official Edu-V files; tests that compare against them skip when absent."""
    if not (REFERENCE / "edu-v-openapi" / "INDEX.tsv").is_file():
        pytest.skip(
            "the official Edu-V reference files (../shared/reference) are not present beside "
            "this checkout; parity with the official text cannot be checked here"
        )
    return REFERENCE


@pytest.fixture(scope="session", autouse=True)
def _cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What eduv keeps in its cache folder (the documentation site ``eduv serve`` builds)
    goes to a folder of the test session, unless ``EDUV_CACHE_DIR`` names one already."""
    if os.environ.get("EDUV_CACHE_DIR"):
        yield
        return
    os.environ["EDUV_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    try:
        yield
    finally:
        del os.environ["EDUV_CACHE_DIR"]
