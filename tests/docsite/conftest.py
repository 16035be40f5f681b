"""One built site for all documentation-site tests (building takes about a second)."""

from __future__ import annotations

import pytest

from eduv.docsite import BuildResult, build


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(tmp_path_factory.mktemp("docs") / "site")
