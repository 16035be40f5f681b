"""Secrets: client authentication answers, token issuer, provisioning tokens, key files."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from eduv.dataset.model import Dataset
from eduv.provider import Settings, create_app, make_engine, migrate, schema
from eduv.provider.cli import app as cli_app
from eduv.provider.config import ConfigError, ProviderConfig, config_from_json
from eduv.provider.private import SIGNING_KEY_ENV, KeyFileError
from tests.provider.harness import SECRET, Provider, client, config, running

RUNNER = CliRunner()


@pytest.fixture
def provider(sqlite_engine: Engine, dataset: Dataset) -> Iterator[Provider]:
    cfg = config([client("full"), client("jwt-only", jwks={"keys": [{"kty": "EC"}]})])
    with running(sqlite_engine, cfg, dataset=dataset, deliver=False) as found:
        yield found


def _token(provider: Provider, user: str, password: str) -> httpx.Response:
    form = {"grant_type": "client_credentials"}
    return httpx.post(provider.url + "/oauth2/token", data=form, auth=(user, password))


def test_failed_client_authentication_does_not_tell_which_clients_exist(
    provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    unknown = _token(provider, "someone-else", SECRET)
    wrong = _token(provider, "full", "not-the-secret")
    no_secret = _token(provider, "jwt-only", SECRET)
    posted = httpx.post(
        provider.url + "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
    )
    for answer in (unknown, wrong, no_secret, posted):
        assert answer.status_code == 401
        assert answer.json() == {
            "error": "invalid_client",
            "error_description": "client authentication failed",
        }
    # The log says why, with the client id masked.
    assert "unknown client" in caplog.text and "wrong secret" in caplog.text
    assert "someone-else" not in caplog.text


def _stored_key(engine: Engine) -> OctKey:
    with engine.connect() as conn:
        secret = conn.execute(
            select(schema.meta.c.value).where(schema.meta.c.key == "token-key")
        ).scalar_one()
    return OctKey.import_key(bytes.fromhex(secret))


def test_access_tokens_from_another_issuer_are_refused(
    provider: Provider, dataset: Dataset
) -> None:
    now = int(time.time())
    claims = {
        "sub": "full",
        "aud": "eduv-reference-provider",
        "scope": "eduv.association",
        "exp": now + 300,
    }
    key = _stored_key(provider.engine)
    params = {"orgMasterId": dataset.schools[0].key}
    answers = []
    for issuer in ("eduv-reference-provider", "someone-else", None):
        doc = {**claims, "iss": issuer} if issuer else claims
        token = jwt.encode({"alg": "HS256"}, doc, key)
        with provider.http(token) as http:
            answers.append(http.get("/association-api/v1/groups/school", params=params))
    assert [a.status_code for a in answers] == [200, 401, 401]


# -- provisioning tokens -------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["x", "short-token", "aaaaaaaaaaaaaaaaaaaa"])
def test_weak_provisioning_tokens_are_refused_from_every_source(
    weak: str, tmp_path: Path, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    # A provider that wrongly accepts the token would start serving; record it instead.
    monkeypatch.setattr("uvicorn.run", lambda app, **_: started.append(app))
    database = ["--database", f"sqlite:///{tmp_path / 'p.db'}", "--provisioning", "--no-docs"]
    option = RUNNER.invoke(cli_app, ["serve", *database, "--provisioning-token", weak])
    env = RUNNER.invoke(cli_app, ["serve", *database], env={"EDUV_PROVISIONING_TOKEN": weak})
    assert not started
    for answer in (option, env):
        assert answer.exit_code != 0
        assert "provisioning token" in answer.output + str(answer.exception)
    with pytest.raises(ConfigError, match="provisioning"):
        config_from_json(
            {"configVersion": 1, "clients": [], "provisioning": {"token": weak}}, "file"
        )
    settings = Settings(ProviderConfig(provisioning_token=weak), "http://x", provisioning=True)
    with pytest.raises(ConfigError, match="provisioning token"):
        create_app(sqlite_engine, settings)


# -- files and keys ------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_files_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, under which files come out world-readable
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'provider.db'}")
        migrate(engine)
        with engine.connect() as conn:  # keep the -wal and -shm files open while looking
            conn.execute(text("SELECT 1"))
            files = sorted(tmp_path.iterdir())
            modes = {path.name: _mode(path) for path in files}
        engine.dispose()
    finally:
        os.umask(old)
    assert {"provider.db", "provider.db-wal", "provider.db-shm"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


def _settings(key_file: Path | None) -> Settings:
    cfg = config([client("full")])
    cfg = ProviderConfig(
        clients=cfg.clients,
        signing_key_file=str(key_file) if key_file else None,
    )
    return Settings(cfg, "http://127.0.0.1", deliver=False)


def _key_in_database(engine: Engine) -> bool:
    with engine.connect() as conn:
        found = conn.execute(select(schema.meta.c.key).where(schema.meta.c.key == "token-key"))
        return found.first() is not None


def test_signing_key_file_is_created_private_and_kept_out_of_the_database(
    tmp_path: Path, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SIGNING_KEY_ENV, raising=False)
    key_file = tmp_path / "keys" / "signing.key"
    key_file.parent.mkdir()
    create_app(sqlite_engine, _settings(key_file))
    assert _mode(key_file) == 0o600
    assert len(key_file.read_text().strip()) >= 32
    assert not _key_in_database(sqlite_engine)
    key_file.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        create_app(sqlite_engine, _settings(key_file))


def test_signing_key_from_the_environment(
    sqlite_engine: Engine, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "k" * 16 + "0123456789abcdef0123"
    monkeypatch.setenv(SIGNING_KEY_ENV, key)
    with running(sqlite_engine, config([client("full")]), deliver=False) as provider:
        token = provider.token()
    claims = jwt.decode(token, OctKey.import_key(key.encode())).claims
    assert claims["sub"] == "full"
    assert not _key_in_database(sqlite_engine)
    monkeypatch.setenv(SIGNING_KEY_ENV, "too-short")
    with pytest.raises(KeyFileError, match="at least 32"):
        create_app(sqlite_engine, _settings(None))
