"""Reading the official Edu-V OpenAPI files.

The official files are YAML; PyYAML reads them as YAML 1.1, which turns the
catalogue's ``yes``/``no`` values into booleans and unquoted dates into date
objects. ruamel.yaml reads YAML 1.2, and timestamps are kept as the exact
text that was written so that nothing is reformatted on the way.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

DEPRECATED_APIS = frozenset({"sis-api"})


class _TextTimestamps(SafeConstructor):
    pass


def _timestamp_as_text(constructor: SafeConstructor, node: Any) -> str:
    return str(constructor.construct_scalar(node))


_TextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def load_yaml(text: str) -> Any:
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _TextTimestamps
    return yaml.load(io.StringIO(text))


def semver_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class OfficialVersion:
    api: str
    version: str
    path: Path

    def load(self) -> Any:
        return load_yaml(self.path.read_text(encoding="utf-8"))


def supported_versions(reference: Path) -> dict[str, tuple[OfficialVersion, OfficialVersion]]:
    """Per API the highest version by semver (t) and the next lower entry (t-1)."""
    root = reference / "edu-v-openapi"
    by_api: dict[str, list[str]] = {}
    with (root / "INDEX.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            by_api.setdefault(row["api"], []).append(row["version"])
    result: dict[str, tuple[OfficialVersion, OfficialVersion]] = {}
    for api, versions in sorted(by_api.items()):
        if api in DEPRECATED_APIS or len(versions) < 2:
            continue
        ordered = sorted(versions, key=semver_key)
        t, t1 = ordered[-1], ordered[-2]
        result[api] = (
            OfficialVersion(api, t, root / api / f"{t}.yaml"),
            OfficialVersion(api, t1, root / api / f"{t1}.yaml"),
        )
    return result
