"""What `pip install eduv` brings: the client and validation, not the command line, the
provider or the suite, and a clear word on which extra to install for those."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from tests.conftest import REPO


def _project() -> dict[str, object]:
    with (REPO / "pyproject.toml").open("rb") as handle:
        found: dict[str, object] = tomllib.load(handle)["project"]
    return found


def test_the_core_install_leaves_the_command_line_provider_and_suite_to_extras() -> None:
    project = _project()
    core = " ".join(project["dependencies"])  # type: ignore[arg-type]
    for heavy in ("typer", "rich", "fastapi", "uvicorn", "sqlalchemy", "hypothesis"):
        assert heavy not in core, heavy
    extras = project["optional-dependencies"]
    assert {"cli", "server", "conformance"} <= set(extras)  # type: ignore[arg-type]


def test_the_client_imports_nothing_of_the_extras() -> None:
    # rich is left out of the check: httpx imports it for its own command line when present.
    code = (
        "import sys\n"
        "from eduv.client import Client\n"
        "from eduv import validate\n"
        "import eduv.notifications\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(loaded & {'typer', 'fastapi', 'sqlalchemy', 'uvicorn', 'hypothesis'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_without_the_cli_extra_the_command_says_what_to_install() -> None:
    code = "import sys\nsys.modules['typer'] = None\nfrom eduv.cli import main\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "pip install 'eduv[cli]'" in done.stderr
