"""`eduv serve` and `eduv load` as a user runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import typer
from typer.testing import CliRunner

from eduv.dataset.model import Dataset
from eduv.provider import cli
from eduv.provider.faults import FAULTS
from tests.provider.harness import free_port_socket

RUNNER = CliRunner()


def test_register_adds_serve_load_and_example() -> None:
    root = typer.Typer()

    @root.command()
    def version() -> None:  # a root needs commands of its own to take sub-commands
        typer.echo("0")

    cli.register(root)
    answer = RUNNER.invoke(root, ["--help"])
    assert answer.exit_code == 0
    assert "serve" in answer.output and "load" in answer.output
    assert "example" in answer.output


def test_list_faults() -> None:
    answer = RUNNER.invoke(cli.app, ["serve", "--list-faults"])
    assert answer.exit_code == 0
    for name in FAULTS:
        assert name in answer.output


def test_unknown_fault_and_missing_provisioning_token() -> None:
    unknown = RUNNER.invoke(cli.app, ["serve", "--fault", "no-such-fault"])
    no_token = RUNNER.invoke(
        cli.app, ["serve", "--provisioning"], env={"EDUV_PROVISIONING_TOKEN": ""}
    )
    assert unknown.exit_code != 0 and "no-such-fault" in str(unknown.exception)
    assert no_token.exit_code != 0


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    answer = RUNNER.invoke(
        cli.app,
        ["load", str(tmp_path / "none.json"), "--database", "postgresql://nobody@127.0.0.1:1/x"],
    )
    assert answer.exit_code == 1
    assert "the database cannot be used" in answer.output


def test_load_then_serve_with_a_development_client(tmp_path: Path, dataset: Dataset) -> None:
    data = tmp_path / "dataset.json"
    data.write_bytes(orjson.dumps(dataset.to_json()))
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    loaded = RUNNER.invoke(cli.app, ["load", str(data), "--database", database])
    assert loaded.exit_code == 0, loaded.output
    sock = free_port_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "EDUV_DEV_SECRET": "cli-test-secret"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eduv.provider.cli",
            "serve",
            "--dev",
            "--database",
            database,
            "--port",
            str(port),
            "--no-deliver",
            "--log-level",
            "warning",
        ],
        env=env,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server)
        token = httpx.post(
            url + "/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=("dev", "cli-test-secret"),
        ).json()["access_token"]
        answer = httpx.get(
            url + "/association-api/v1/groups/school",
            params={"orgMasterId": dataset.schools[0].key},
            headers={"Authorization": f"Bearer {token}"},
        )
        # the documentation site, built on start into the cache folder
        site = httpx.get(url + "/docs/site/en/index.html")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert answer.status_code == 200
    assert len(answer.json()) == len(dataset.schools[0].groups)
    assert site.status_code == 200 and "association-api" in site.text


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(server.stderr.read().decode() if server.stderr else "exited")
        try:
            if httpx.get(url + "/", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError("the provider did not come up")
