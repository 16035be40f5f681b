"""The project's own inputs to the spec: descriptions, fixtures, scopes, deviations."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.specbuild.official import load_yaml

AUTHORED = Path(__file__).with_name("authored")


def _load(path: Path) -> Any:
    if not path.is_file():
        return {}
    return load_yaml(path.read_text(encoding="utf-8")) or {}


def deep_merge(base: Any, top: Any) -> Any:
    if isinstance(base, dict) and isinstance(top, dict):
        merged = dict(base)
        for key, value in top.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else value
        return merged
    return copy.deepcopy(top)


def _versioned(table: dict[str, Any], name: str, version: str) -> Any:
    base = table.get(name)
    override = table.get(f"{name}@{version}")
    if override is None:
        return base
    return deep_merge(base or {}, override)


@dataclass
class Descriptions:
    api: str
    version: str
    data: dict[str, Any]
    common: dict[str, Any]

    def api_text(self) -> str | None:
        text = self.data.get("api")
        return str(text).strip() if text else None

    def component(self, name: str) -> str | None:
        entry = _versioned(self.data.get("components") or {}, name, self.version) or {}
        text = entry.get("description") if isinstance(entry, dict) else None
        return str(text).strip() if text else None

    def prop(self, component: str | None, path: str) -> str | None:
        if component is not None:
            entry = _versioned(self.data.get("components") or {}, component, self.version) or {}
            props = entry.get("properties") or {} if isinstance(entry, dict) else {}
            if props.get(path):
                return str(props[path]).strip()
        leaf = path.rsplit("/", 1)[-1]
        for table in (self.data.get("common") or {}, self.common):
            if table.get(leaf):
                return str(table[leaf]).strip()
        return None

    def operation(self, operation_id: str) -> dict[str, str]:
        entry = (self.data.get("operations") or {}).get(operation_id) or {}
        return {k: str(v).strip() for k, v in entry.items() if v}

    def parameter(self, name: str) -> str | None:
        text = (self.data.get("parameters") or {}).get(name)
        return str(text).strip() if text else None


@dataclass
class Authored:
    descriptions: dict[str, Any] = field(default_factory=dict)
    common: dict[str, Any] = field(default_factory=dict)
    fixtures: dict[str, Any] = field(default_factory=dict)
    scopes: dict[str, Any] = field(default_factory=dict)
    deviations: list[dict[str, Any]] = field(default_factory=list)
    conventions: list[dict[str, Any]] = field(default_factory=list)
    apis: dict[str, Any] = field(default_factory=dict)
    revisions: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path = AUTHORED) -> Authored:
        out = cls()
        for path in sorted((root / "descriptions").glob("*.yaml")):
            if path.stem == "_common":
                out.common = (_load(path).get("properties")) or {}
            else:
                out.descriptions[path.stem] = _load(path)
        for path in sorted((root / "fixtures").glob("*.yaml")):
            out.fixtures[path.stem] = _load(path)
        for path in sorted((root / "scopes").glob("*.yaml")):
            out.scopes[path.stem] = _load(path)
        out.deviations = list(_load(root / "deviations.yaml") or [])
        out.conventions = list(_load(root / "conventions.yaml") or [])
        out.apis = dict(_load(root / "apis.yaml") or {})
        out.revisions = dict(_load(root / "revisions.yaml") or {})
        return out

    def revision(self, api: str, version: str) -> tuple[int, str | None]:
        """The newest revision of an API version and what it fixed (1, None: as released)."""
        fixes = (self.revisions.get(api) or {}).get(version) or {}
        if not fixes:
            return 1, None
        newest = max(int(n) for n in fixes)
        return newest, str(fixes[newest] if newest in fixes else fixes[str(newest)])

    def descriptions_for(self, api: str, version: str) -> Descriptions:
        return Descriptions(api, version, self.descriptions.get(api) or {}, self.common)

    def fixture(self, api: str, component: str, version: str) -> Any:
        return _versioned(self.fixtures.get(api) or {}, component, version)
