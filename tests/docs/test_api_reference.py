"""The generated API reference (docs/api/) is current and names every method of the client."""

from __future__ import annotations

import subprocess
import sys

from eduv import spec
from tests.conftest import REPO
from tools.gen_client import snake


def test_the_api_reference_is_not_stale() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.gen_api_reference", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_method_has_its_signature_scopes_and_errors() -> None:
    for entry in spec.apis():
        page = (REPO / "docs" / "api" / f"{entry.id}.md").read_text(encoding="utf-8")
        for version in entry.versions:
            assert f"## {entry.id} {version}" in page
            for op in spec.operations(entry.id, version):
                assert f"def {snake(op.operation_id)}(self" in page, op.operation_id
    students = (REPO / "docs" / "api" / "students-api.md").read_text(encoding="utf-8")
    assert "asks for eduv.student.basic unless more are given" in students
    assert "403: `PermissionDeniedError`, `ConsentRequiredError`" in students
    delivery = (REPO / "docs" / "api" / "delivery-api.md").read_text(encoding="utf-8")
    assert "no default: the client's scopes must name one" in delivery
