"""``eduv example DIR``: a folder of files to try every eduv command with.

Everything in it is made by eduv itself, so that the commands of README.md run as
written on a fresh machine:

=========================  ===========================================================
``group.json``             a Group of the current association-api, as the reference
                           provider serves it (valid)
``group-invalid.json``     the same Group with two mistakes, for ``eduv validate`` to find
``dataset/``               a generated school dataset (seeded: the same seed gives the
                           same dataset), as ``eduv serve --load`` and ``eduv validate`` read
``traffic.har``            a few exchanges with the reference provider serving that
                           dataset, recorded as a HAR file (the token masked)
``client.pem``             the private key of client ``demo`` (private_key_jwt), 0600
``client-no-consent.pem``  the private key of client ``demo-no-consent``, 0600
``provider.json``          the provider configuration: both clients with their public
                           keys, scopes and consents, and a provisioning token (0600)
``target.toml``            the conformance suite's configuration, pointed at the provider
                           of ``provider.json`` on ``127.0.0.1:PORT`` (0600: it holds the
                           provisioning token)
=========================  ===========================================================

The dataset and the two clients are those of the suite's embedded provider
(:mod:`eduv.provider.embedded`): ``demo`` has consent for every school but the last,
which ``target.toml`` marks ``consent = false``, and ``demo-no-consent`` for none, so a
conformance run against the served folder tests what a run against the embedded
provider tests.

Nothing is overwritten without ``force``; the files are made in a scratch folder inside
``DIR`` first and moved into place only when all of them were made.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

CLIENT = "demo"
CLIENT_WITHOUT_CONSENT = "demo-no-consent"
DEFAULT_PORT = 8000
# The names written, in the order they are listed; those holding a secret are 0600.
GROUP = "group.json"
INVALID_GROUP = "group-invalid.json"
DATASET = "dataset"
HAR = "traffic.har"
KEY = "client.pem"
KEY_WITHOUT_CONSENT = "client-no-consent.pem"
PROVIDER = "provider.json"
TARGET = "target.toml"
NAMES = (GROUP, INVALID_GROUP, DATASET, HAR, KEY, KEY_WITHOUT_CONSENT, PROVIDER, TARGET)
SECRET_FILES = frozenset({KEY, KEY_WITHOUT_CONSENT, PROVIDER, TARGET})


class ExampleError(ValueError):
    """The folder cannot be written as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Written:
    folder: Path
    names: tuple[str, ...]
    url: str


def provisioning_token() -> str:
    """A random token of 32 characters (192 bits), well over the 16 the format asks."""
    return secrets.token_urlsafe(24)


def check_folder(folder: Path, force: bool) -> None:
    """Refuse a folder that is a file, and files that exist unless ``force``."""
    if folder.exists() and not folder.is_dir():
        raise ExampleError(f"{folder} exists and is not a folder")
    present = [name for name in NAMES if (folder / name).exists() or (folder / name).is_symlink()]
    if present and not force:
        raise ExampleError(
            f"{folder} already holds {', '.join(present)}; refusing to overwrite "
            "(use --force, or choose another folder)"
        )
    for name in present:
        path = folder / name
        ours = name == DATASET and (path / "dataset.json").is_file()
        if path.is_dir() and not path.is_symlink() and not ours:
            raise ExampleError(
                f"{path} is a folder that eduv example did not write; refusing to replace "
                "it, even with --force (move it away, or choose another folder)"
            )


def write_example(
    folder: Path, *, port: int = DEFAULT_PORT, seed: int = 0, force: bool = False
) -> Written:
    """Write the example files into ``folder`` (made when missing)."""
    if not 0 < port < 65536:
        raise ExampleError(f"the port must be between 1 and 65535, not {port}")
    if seed < 0:
        raise ExampleError(f"the seed must be zero or more, not {seed}")
    check_folder(folder, force)
    folder.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix=".eduv-example-", dir=folder) as scratch:
        _make(Path(scratch), url, seed, str(folder))
        check_folder(folder, force)  # nothing appeared meanwhile
        for name in NAMES:
            _move(Path(scratch) / name, folder / name)
    return Written(folder, NAMES, url)


def _move(source: Path, target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()
    source.replace(target)


def _make(scratch: Path, url: str, seed: int, label: str) -> None:
    from eduv import keys
    from eduv.dataset import save_dataset
    from eduv.provider.embedded import default_dataset, without_consent
    from eduv.provider.example_har import record

    dataset = default_dataset(seed)
    pairs = {CLIENT: keys.generate("ES256"), CLIENT_WITHOUT_CONSENT: keys.generate("ES256")}
    token = provisioning_token()
    refusing = without_consent(dataset)
    config = provider_document(pairs, token, refusing)
    save_dataset(dataset, scratch / DATASET, folder=True)
    capture = record(dataset, config, CLIENT, pairs[CLIENT], url)
    _write(scratch / HAR, orjson.dumps(capture.har, option=orjson.OPT_INDENT_2) + b"\n")
    _write(scratch / GROUP, _json(capture.group))
    _write(scratch / INVALID_GROUP, _json(invalid_group(capture.group)))
    _write(scratch / KEY, pairs[CLIENT].private_pem())
    _write(scratch / KEY_WITHOUT_CONSENT, pairs[CLIENT_WITHOUT_CONSENT].private_pem())
    _write(scratch / PROVIDER, _json(config))
    schools = [(s.key, dataset.facts[s.key].sector, s.key not in refusing) for s in dataset.schools]
    _write(scratch / TARGET, target_toml(url, token, schools, seed, label).encode())


def _json(doc: Any) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


def _write(path: Path, data: bytes) -> None:
    mode = 0o600 if path.name in SECRET_FILES else 0o644
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)  # the umask may have taken bits away from 0o644


def invalid_group(group: dict[str, Any]) -> dict[str, Any]:
    """The Group with two mistakes: its name left out and a Dutch group type."""
    broken = {k: v for k, v in group.items() if k != "groupName"}
    broken["groupType"] = "klas"
    return broken


def provider_document(
    pairs: dict[str, Any], token: str, refusing: Sequence[str] = ()
) -> dict[str, Any]:
    """The provider configuration (``spec/provider/1/config.schema.json``)."""
    from eduv.provider.versions import served_scopes

    scopes = served_scopes()
    return {
        "$schema": "https://eduv.dev/spec/provider/1/config.schema.json",
        "configVersion": 1,
        "clients": [
            {
                "clientId": CLIENT,
                "name": "eduv example client with consent for every school but one",
                "jwks": pairs[CLIENT].jwks(),
                "scopes": scopes,
                # '*' also covers the schools scenario mode provisions during a run.
                "consents": [{"school": "*"}, *({"school": k, "apis": []} for k in refusing)],
            },
            {
                "clientId": CLIENT_WITHOUT_CONSENT,
                "name": "eduv example client without any consent",
                "jwks": pairs[CLIENT_WITHOUT_CONSENT].jwks(),
                "scopes": scopes,
                "consents": [],
            },
        ],
        "provisioning": {"token": token},
    }


def target_toml(
    url: str, token: str, schools: Sequence[tuple[str, str, bool]], seed: int, folder: str
) -> str:
    """The suite's configuration (docs/conformance.md) for the provider at ``url``."""
    lines = [
        "# The conformance suite's configuration for the reference provider of provider.json",
        "# (docs/conformance.md). Start that provider first:",
        f"#   eduv serve --config {folder}/{PROVIDER} --load {folder}/{DATASET} "
        f"--provisioning --port {url.rsplit(':', 1)[1]}",
        "",
        "[target]",
        f'root = "{url}"',
        f'token_url = "{url}/oauth2/token"',
        "",
        "[[credentials]]",
        f'name = "{CLIENT}"',
        f'client_id = "{CLIENT}"',
        f'private_key = "{KEY}"                 # relative to this file',
        "",
        "[[credentials]]",
        'name = "without-consent"',
        f'client_id = "{CLIENT_WITHOUT_CONSENT}"',
        f'private_key = "{KEY_WITHOUT_CONSENT}"',
        "consent = false",
    ]
    for key, sector, consent in schools:
        lines += ["", "[[schools]]", f'id = "{key}"', f'sector = "{sector}"']
        if not consent:
            lines.append("consent = false                         # tested for 403, status 22")
    lines += [
        "",
        "[run]",
        f"seed = {seed}",
        "",
        "[provisioning]                          # scenario mode loads its schools here",
        f'url = "{url}"',
        f'token = "{token}"',
        "",
    ]
    return "\n".join(lines)
