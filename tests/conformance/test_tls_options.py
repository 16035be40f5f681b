"""TLS options of the suite: read from the configuration, set on the command line, checked
before a run. The handshake itself is tested in tests/sdk/test_mtls.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from eduv.conformance.cli import app
from eduv.conformance.config import Limits, load
from eduv.conformance.http import tls

runner = CliRunner()


def test_certificate_paths_are_read_relative_to_the_configuration(tmp_path: Path) -> None:
    path = tmp_path / "suite.toml"
    path.write_text(
        '[limits]\nca_bundle = "pki/ca.pem"\nclient_cert = "pki/portal.pem"\n'
        'client_key = "pki/portal.key"\n',
        encoding="utf-8",
    )
    limits = load(path).limits
    assert (limits.ca_bundle, limits.client_cert, limits.client_key) == (
        str(tmp_path / "pki/ca.pem"),
        str(tmp_path / "pki/portal.pem"),
        str(tmp_path / "pki/portal.key"),
    )


def test_by_default_no_certificate_is_shown() -> None:
    assert (Limits().client_cert, Limits().client_key) == (None, None)
    assert tls(Limits()) is True
    assert tls(Limits(verify_tls=False)) is False


def test_a_key_without_its_certificate_is_refused() -> None:
    with pytest.raises(ValueError, match=r"client key 'portal\.key' given without a client cert"):
        tls(Limits(client_key="portal.key"))


def test_an_unusable_certificate_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    result = runner.invoke(
        app,
        ["run", "--root", "https://bron.example.nl", "--client-cert", str(missing)],
    )
    assert result.exit_code == 2
    assert "no such file" in result.output
    assert "Traceback" not in result.output


def test_the_key_password_is_named_by_an_environment_variable(tmp_path: Path) -> None:
    path = tmp_path / "suite.toml"
    path.write_text(
        '[limits]\nclient_cert = "c.pem"\nclient_key_password_env = "KEY_PASSWORD"\n',
        encoding="utf-8",
    )
    limits = load(path).limits
    assert limits.client_key_password_env == "KEY_PASSWORD"
    result = runner.invoke(
        app,
        [
            "run",
            "--root",
            "https://bron.example.nl",
            "--client-cert",
            str(tmp_path / "missing.pem"),
            "--client-key-password-env",
            "NOT_SET_ANYWHERE_42",
        ],
    )
    assert result.exit_code == 2
    assert "NOT_SET_ANYWHERE_42" in result.output
    assert "Traceback" not in result.output
