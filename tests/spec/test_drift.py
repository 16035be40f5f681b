"""spec/ is exactly what the importer writes from the official files today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_spec_is_not_stale(reference: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.specbuild", "--reference", str(reference), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
