"""Check the import contracts in pyproject.toml over the package as it ships.

    python -m tools.imports            # every contract, as the tests run them

The four source roots (``sdk/``, ``generated/``, ``provider/``, ``conformance/``) form
the one package ``eduv`` only once installed; import-linter reads one folder per
package. So this assembles ``eduv`` the way the wheel does, as links to the source
files in a temporary folder, and runs ``lint-imports`` on it with the contracts of
``pyproject.toml``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROOTS = ("sdk", "generated", "provider", "conformance")
_RUN = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def assemble(target: Path) -> Path:
    """The package ``eduv`` under ``target``, merged from the source roots; returns it."""
    for root in ROOTS:
        source = REPO / root / "eduv"
        for path in sorted(source.rglob("*.py")):
            link = target / "eduv" / path.relative_to(source)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)
    return target / "eduv"


def check(verbose: bool = False) -> subprocess.CompletedProcess[str]:
    """Run lint-imports over the assembled package; the result carries its report."""
    with tempfile.TemporaryDirectory(prefix="eduv-imports-") as folder:
        assemble(Path(folder))
        env = {**os.environ, "PYTHONPATH": folder}
        command = [sys.executable, "-c", _RUN, "--no-cache"]
        if verbose:
            command.append("--verbose")
        return subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, check=False
        )


def main() -> int:
    result = check()
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
