"""The built wheel works on its own: schemas, validators, models and the command,
installed into a fresh virtual environment away from the source tree."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO

CHECK = """
import eduv, eduv.spec as spec, eduv.models, pathlib
root = pathlib.Path(eduv.__file__).parent
assert (root / "_spec" / "index.json").is_file(), "schemas are not packaged"
assert "site-packages" in eduv.__file__, eduv.__file__
assert len(spec.apis()) == 16
example = spec.schema("association-api", "1.1.0", "Group")["examples"][0]
assert spec.validator("association-api", "1.1.0", "Group").is_valid(example)
assert not spec.validator("association-api", "1.1.0", "Group").is_valid({})
cls = eduv.models.model("students-api", "1.1.0", "Student")
assert cls.__name__ == "Student"
print("ok", len(spec.messages("association-api", "1.1.0")))
"""


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_environment(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("eduv-*.whl"))
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
    result = subprocess.run(
        [str(python), "-c", CHECK], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
    # the command line is an extra: `pip install eduv` alone says which one
    bare = subprocess.run(
        [str(env / "bin" / "eduv"), "--help"], capture_output=True, text=True, check=False
    )
    assert bare.returncode == 1 and "eduv[cli]" in bare.stderr
    subprocess.run([str(python), "-m", "pip", "install", "-q", f"{wheel}[cli]"], check=True)
    command = subprocess.run(
        [str(env / "bin" / "eduv"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert command.returncode == 0, command.stderr
