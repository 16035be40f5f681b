"""The committed change notes are what the generator writes from the official files,
and every stored release is a valid diff report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema_rs

from eduv import spec
from tests.conftest import REPO


def test_change_notes_are_not_stale(reference: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.changenotes", "--reference", str(reference), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_stored_releases_follow_the_diff_schema() -> None:
    schema = json.loads((spec.root() / "diff" / "1" / "diff.json").read_text())
    validator = jsonschema_rs.validator_for(schema)
    files = sorted((spec.root() / "changes").glob("*.json"))
    assert len(files) == 16
    for path in files:
        data = json.loads(path.read_text())
        assert data["api"] == path.stem
        versions = [r["old"]["version"] for r in data["releases"]]
        assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))))
        for release in data["releases"]:
            report = {
                "$schema": schema["$id"],
                "diffVersion": 1,
                "tool": {"name": "eduv", "version": "0"},
                "api": data["api"],
                **release,
            }
            errors = [e.message for e in validator.iter_errors(report)]
            assert errors == [], (path.name, release["new"]["version"], errors[:3])


def test_the_index_lists_every_release_once() -> None:
    index = (REPO / "docs" / "changes" / "README.md").read_text()
    for path in sorted((spec.root() / "changes").glob("*.json")):
        for release in json.loads(path.read_text())["releases"]:
            row = f"| {path.stem} | {release['old']['version']} | {release['new']['version']} |"
            assert index.count(row) == 1, row
