"""The client's types as a type checker sees them (mypy --strict on two sample files)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

HERE = REPO / "tests" / "sdk"


def _mypy(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            "pyproject.toml",
            "--strict",
            "--no-error-summary",
            "--hide-error-context",
            str(HERE / name),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_the_checker_knows_what_each_call_returns() -> None:
    result = _mypy("typing_ok.py")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_checker_refuses_wrong_calls() -> None:
    source = (HERE / "typing_bad.py").read_text().splitlines()
    expected = {n for n, line in enumerate(source, start=1) if line.endswith("# error")}
    result = _mypy("typing_bad.py")
    reported = {int(m.group(1)) for m in re.finditer(r"typing_bad\.py:(\d+): error", result.stdout)}
    assert reported == expected, result.stdout
