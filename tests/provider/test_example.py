"""`eduv example DIR`: every file it writes is usable by the command that reads it."""

from __future__ import annotations

import stat
from dataclasses import astuple
from pathlib import Path

import orjson
import pytest

from eduv.provider.example import NAMES, SECRET_FILES, provisioning_token
from tests.sdk.conftest import Cli, cli

# The command runner of the command-line tests.
__all__ = ["cli"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from eduv.provider.example import write_example

    folder = tmp_path_factory.mktemp("example") / "demo"
    written = write_example(folder, port=18123, seed=3)
    assert written.names == NAMES and written.url == "http://127.0.0.1:18123"
    return folder


def test_every_file_is_written_and_secrets_are_private(demo: Path) -> None:
    assert sorted(p.name for p in demo.iterdir()) == sorted(NAMES)  # no scratch left
    for name in NAMES:
        mode = stat.S_IMODE((demo / name).stat().st_mode)
        if name in SECRET_FILES:
            assert mode == 0o600, name
        else:
            assert mode & 0o077 != 0o077 and not mode & 0o002, name


def test_the_payloads_validate_as_documented(demo: Path, cli: Cli) -> None:
    group = ("--api", "association", "--message", "Group")
    assert cli("validate", str(demo / "group.json"), *group).code == 0
    code, out, _ = astuple(cli("validate", str(demo / "group-invalid.json"), *group))
    assert code == 1 and '"groupName" is missing' in out and '"klas"' in out
    code, out, _ = astuple(cli("validate", str(demo / "traffic.har")))
    assert code == 0 and "8 valid" in out
    code, out, _ = astuple(cli("validate", str(demo / "dataset")))
    assert code == 0 and " 0 invalid" in out


def test_the_dataset_is_the_seeded_one(demo: Path) -> None:
    from eduv.dataset import load_dataset
    from eduv.provider.embedded import default_dataset

    loaded = load_dataset(demo / "dataset")
    assert [s.key for s in loaded.schools] == [s.key for s in default_dataset(3).schools]


def test_the_configurations_load_and_agree(demo: Path) -> None:
    from eduv import keys
    from eduv.conformance.config import load
    from eduv.provider.config import load_config

    provider = load_config(demo / "provider.json")
    target = load(demo / "target.toml")
    assert target.root == "http://127.0.0.1:18123"
    assert target.token_url == "http://127.0.0.1:18123/oauth2/token"
    assert target.provisioning.token == provider.provisioning_token
    assert target.provisioning.url == target.root
    for credential in target.credentials:
        client = provider.clients[credential.client_id]
        assert credential.private_key is not None and client.jwks is not None
        assert keys.load(credential.private_key).jwks() == dict(client.jwks)
        assert client.has_consent(target.schools[0].id, "students-api") is credential.consent
    facts = orjson.loads((demo / "dataset" / "dataset.json").read_bytes())["facts"]["schools"]
    assert {s.id: s.sector for s in target.schools} == {k: f["sector"] for k, f in facts.items()}


def test_the_provisioning_token_is_long_and_random() -> None:
    tokens = {provisioning_token() for _ in range(20)}
    assert len(tokens) == 20 and all(len(t) >= 32 for t in tokens)


def test_existing_files_are_kept_unless_forced(tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "group.json").write_text("my own payload")
    (folder / "notes.txt").write_text("not the example's")
    code, _, err = astuple(cli("example", str(folder)))
    assert code == 2 and "group.json" in err and "--force" in err
    assert sorted(p.name for p in folder.iterdir()) == ["group.json", "notes.txt"]
    assert (folder / "group.json").read_text() == "my own payload"
    code, out, _ = astuple(cli("example", str(folder), "--force", "--port", "9001"))
    assert code == 0 and "group.json" in out
    assert orjson.loads((folder / "group.json").read_bytes())["groupId"]
    assert (folder / "notes.txt").read_text() == "not the example's"
    assert 'root = "http://127.0.0.1:9001"' in (folder / "target.toml").read_text()


@pytest.mark.parametrize(
    "args",
    [["--port", "0"], ["--port", "70000"], ["--seed", "-1"], ["--port", "x"]],
    ids=["port-0", "port-high", "seed-negative", "port-text"],
)
def test_bad_options_exit_2(args: list[str], tmp_path: Path, cli: Cli) -> None:
    code, _, _ = astuple(cli("example", str(tmp_path / "x"), *args))
    assert code == 2
    assert not (tmp_path / "x").exists()


def test_a_file_in_the_way_exits_2(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "demo").write_text("a file, not a folder")
    code, _, err = astuple(cli("example", str(tmp_path / "demo")))
    assert code == 2 and "not a folder" in err


def test_force_replaces_only_folders_it_wrote(tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "mine"
    (folder / "dataset").mkdir(parents=True)
    (folder / "dataset" / "thesis.txt").write_text("months of work")
    code, _, err = astuple(cli("example", str(folder), "--force"))
    assert code == 2 and "did not write" in err
    assert (folder / "dataset" / "thesis.txt").read_text() == "months of work"
    assert sorted(p.name for p in folder.iterdir()) == ["dataset"]
    (folder / "dataset" / "thesis.txt").unlink()
    (folder / "dataset").rmdir()
    assert cli("example", str(folder)).code == 0
    (folder / "dataset" / "stale.ndjson").write_text("")
    assert cli("example", str(folder), "--force").code == 0
    assert not (folder / "dataset" / "stale.ndjson").exists()  # the dataset is whole again
