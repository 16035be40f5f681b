"""`eduv spec`, `eduv rules` and `eduv keys`."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import jwt
import pytest

from eduv import keys, spec
from tests.sdk.conftest import Cli


def test_spec_list_names_t_and_t_minus_1(cli: Cli) -> None:
    rows = cli("spec", "list", "-f", "json").json()
    assert {r["api"] for r in rows} == {a.id for a in spec.apis()}
    association = next(r for r in rows if r["api"] == "association-api")
    assert (association["current"], association["previous"]) == ("1.1.0", "1.0.2")
    assert "association-api" in cli("spec", "list").out


def test_spec_show_operations_messages_and_schemas(cli: Cli) -> None:
    overview = cli("spec", "show", "association", "-V", "t-1", "-f", "json").json()
    assert overview["version"] == "1.0.2"
    assert "get-groups-for-school" in {o["operationId"] for o in overview["operations"]}
    op = cli("spec", "show", "association", "get-groups-for-school", "-f", "json").json()
    assert op["responses"]["200"] == "Group[]" and op["readOnly"] is True
    schema = cli("spec", "show", "association", "Group").json()
    # The newest revision of 1.1.0 is served (a fix ships as a folder 1.1.0+rN).
    assert schema["$id"] == spec.api_version("association", "1.1.0").base + "Group.json"
    text = cli("spec", "show", "association").out
    assert "GET    /groups/school" in text


def test_spec_show_unknown_names(cli: Cli) -> None:
    result = cli("spec", "show", "association", "nope")
    assert result.code == 2 and "has no operation 'nope'" in result.err


def test_rules_list_and_show(cli: Cli) -> None:
    rows = cli("rules", "list", "-f", "json").json()
    assert rows and all({"id", "severity", "kind", "title"} <= set(r) for r in rows)
    first = rows[0]["id"]
    shown = cli("rules", "show", first, "--lang", "nl").json()
    assert shown["id"] == first and shown["message"]
    assert cli("rules", "show", "NO-SUCH-RULE").code == 2
    only = cli("rules", "list", "--api", "association", "-f", "json").json()
    assert 0 < len(only) <= len(rows)


@pytest.mark.parametrize(("alg", "pyjwt_alg"), [("ES256", "ES256"), ("PS256", "PS256")])
def test_keys_generate_prints_a_jwks_that_verifies_signatures(
    cli: Cli, tmp_path: Path, alg: str, pyjwt_alg: str
) -> None:
    key_file = tmp_path / "client.pem"
    result = cli("keys", "generate", "--out", str(key_file), "--alg", alg, "--bits", "2048")
    assert result.code == 0, result.err
    jwks = result.json()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    public = jwks["keys"][0]
    assert public["alg"] == alg and "d" not in public and public["use"] == "sig"
    # An independent library signs with the written key and verifies with the JWKS.
    token = jwt.encode(
        {"sub": "x"}, key_file.read_bytes(), algorithm=pyjwt_alg, headers={"kid": public["kid"]}
    )
    verifier = jwt.PyJWK.from_dict(public)
    assert jwt.decode(token, verifier.key, algorithms=[pyjwt_alg]) == {"sub": "x"}
    again = cli("keys", "show", str(key_file)).json()
    assert again["keys"][0]["kid"] == public["kid"]


def test_keys_generate_never_overwrites_silently(cli: Cli, tmp_path: Path) -> None:
    key_file = tmp_path / "client.pem"
    assert cli("keys", "generate", "-o", str(key_file), "--alg", "ES256").code == 0
    before = key_file.read_bytes()
    refused = cli("keys", "generate", "-o", str(key_file), "--alg", "ES256")
    assert refused.code == 2 and "refusing to overwrite" in refused.err
    assert key_file.read_bytes() == before
    assert cli("keys", "generate", "-o", str(key_file), "--alg", "ES256", "--force").code == 0


def test_keys_reject_bad_input(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "junk.pem").write_text("not a key")
    result = cli("keys", "show", str(tmp_path / "junk.pem"))
    assert result.code == 2 and "not a usable private key" in result.err
    assert cli("keys", "generate", "-o", str(tmp_path / "k"), "--alg", "HS256").code == 2
    with pytest.raises(keys.InvalidKeyError, match="at least 2048"):
        keys.generate("RS256", bits=1024)
    ec_key = keys.generate("ES256")
    with pytest.raises(keys.InvalidKeyError, match="does not fit"):
        keys.load(ec_key.private_pem(), alg="RS256")


def _loaded(modules: tuple[str, ...], *args: str) -> bool:
    """Whether running the eduv command with ``args`` imports any of ``modules``."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from eduv.cli import main\n"
        "try:\n"
        "    main(sys.argv[2:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(any(m in sys.modules for m in sys.argv[1].split(',')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, ",".join(modules), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip().splitlines()[-1] == "True"


EXTENSIONS = ("eduv.conformance.cli", "eduv.provider.cli")
# What the extensions and the typed client bring, and `eduv validate` never needs; Dask
# and fsspec only under --dask.
HEAVY = ("fastapi", "sqlalchemy", "httpx", "pydantic", "dask", "distributed", "fsspec")


def test_own_commands_start_without_the_conformance_package(tmp_path: Path) -> None:
    """`eduv validate` and friends never load an extension; `eduv --help` still lists them."""
    message = tmp_path / "one.ndjson"
    message.write_bytes(b'{"api": "association-api", "message": "SchoolPeriod", "payload": {}}\n')
    assert not _loaded(EXTENSIONS, "validate", "--no-rules", str(message))
    assert not _loaded(EXTENSIONS, "spec", "list")
    assert _loaded(EXTENSIONS, "--help")


def test_validate_and_help_leave_the_heavy_libraries_unloaded(tmp_path: Path) -> None:
    message = tmp_path / "one.ndjson"
    message.write_bytes(b'{"api": "association-api", "message": "SchoolPeriod", "payload": {}}\n')
    assert not _loaded(HEAVY, "validate", str(message))
    assert not _loaded(("fastapi", "sqlalchemy"), "--help")
