"""The pytest plugin: each check becomes a test item of the vendor's own pytest run."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from tests.conformance.test_consumer import TOKEN, broken, no_validation, sdk_receiver


def load_plugin() -> list[str]:
    """``-p`` the plugin unless it is installed as a pytest entry point already."""
    installed = {ep.value for ep in entry_points(group="pytest11")}
    return (
        []
        if "eduv.conformance.pytest_plugin" in installed
        else ["-p", "eduv.conformance.pytest_plugin"]
    )


def run_pytest(folder: Path, url: str) -> subprocess.CompletedProcess[str]:
    config = folder / "conformance.toml"
    config.write_text(
        f'[run]\nmodes = ["consumer"]\n\n[consumer]\nurl = "{url}"\n'
        'token_env = "EDUV_TEST_CONSUMER_TOKEN"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "EDUV_TEST_CONSUMER_TOKEN": TOKEN}
    command = [
        sys.executable,
        "-m",
        "pytest",
        *load_plugin(),
        "--eduv-conformance",
        str(config),
        "-p",
        "no:cacheprovider",
        "-q",
        "--rootdir",
        str(folder),
    ]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_a_conforming_consumer_passes_every_item(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = run_pytest(tmp_path, served(sdk_receiver([])).url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout


def test_a_broken_consumer_fails_the_items_of_the_broken_checks(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = run_pytest(tmp_path, served(broken(no_validation)).url)
    assert done.returncode == 1
    assert "2 failed, 6 passed" in done.stdout
    assert "conformance.toml::EDUV-CONF-CONS-003" in done.stdout
    assert "conformance.toml::EDUV-CONF-CONS-004" in done.stdout
