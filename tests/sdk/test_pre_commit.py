"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit itself on a throwaway
repository: a valid payload and dataset pass, an invalid payload fails the hook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
import yaml

from eduv import spec
from tests.conftest import REPO

HOOKS = ["eduv-validate", "eduv-validate-dataset"]


def test_the_manifest_names_the_documented_hooks() -> None:
    manifest = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in manifest] == HOOKS
    assert all(hook["entry"] == "eduv validate" for hook in manifest)
    docs = (REPO / "docs" / "sdk.md").read_text()
    assert all(f"id: {hook}" in docs for hook in HOOKS)


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def _vendor_repo(folder: Path, group: dict[str, object]) -> None:
    _git(folder, "init", "-q")
    _git(folder, "config", "user.email", "dev@vendor.test")
    _git(folder, "config", "user.name", "dev")
    (folder / "fixtures").mkdir()
    (folder / "fixtures" / "group.json").write_bytes(orjson.dumps(group))
    from eduv.provider.embedded import default_dataset

    (folder / "fixtures" / "dataset.json").write_bytes(orjson.dumps(default_dataset(0).to_json()))
    _git(folder, "add", ".")


def _try_repo(folder: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "SKIP": ""}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "--all-files"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_pre_commit_runs_the_hooks_on_a_vendor_repository(tmp_path: Path) -> None:
    group = dict(spec.schema("association-api", "1.1.0", "Group")["examples"][0])
    good = tmp_path / "good"
    good.mkdir()
    _vendor_repo(good, group)
    passed = _try_repo(good, tmp_path / "cache")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.count("Passed") == 2, passed.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    _vendor_repo(bad, {**group, "groupType": "club"})
    failed = _try_repo(bad, tmp_path / "cache")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "/groupType" in failed.stdout and "Failed" in failed.stdout
