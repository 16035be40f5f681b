"""Lint, format and strict typing of the hand-written code are part of the tests."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_lint() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = _run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts() -> None:
    """The layers, private modules and acyclic imports of pyproject.toml hold."""
    from tools.imports import check

    result = check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# Rooms a reader can take in at once; generated code and tests are exempt.
MAX_MODULE_LINES = 500
SIZED = ("sdk", "provider", "conformance", "tools")


def test_no_hand_written_module_exceeds_500_lines() -> None:
    too_long = {
        str(path.relative_to(REPO)): lines
        for root in SIZED
        for path in (REPO / root).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"
