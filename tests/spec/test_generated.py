"""Every generated file names the spec it came from, with that spec's digest, and is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tools.provenance import digest, parse, source_files

GENERATED = sorted((REPO / "generated" / "eduv").rglob("*.py"))


def test_there_are_generated_files() -> None:
    assert len(GENERATED) > 60


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: str(p.relative_to(REPO)))
def test_the_header_digest_matches_the_spec_it_names(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    found = parse(first)
    assert found is not None, f"{path.name}: no provenance header: {first!r}"
    tool, source, recorded = found
    assert (REPO / tool).is_file(), tool
    files = source_files(source)
    assert files, f"{source} names no spec files"
    assert digest(files) == recorded, f"{path}: generated from another spec; run {tool}"
