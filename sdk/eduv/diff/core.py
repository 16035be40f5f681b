"""Diffing two OpenAPI documents, or two versions of an API from the registry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eduv.diff.kinds import CLASSES, Change, ChangeClass
from eduv.diff.model import Api, load_api
from eduv.diff.operations import diff_apis
from eduv.diff.verdict import Verdict, verdict
from eduv.version import __version__

DIFF_VERSION = 1
DIFF_SCHEMA = "https://eduv.dev/spec/diff/1/diff.json"


@dataclass(frozen=True)
class Side:
    """One of the two documents: its version, where it came from and its title."""

    version: str
    source: str  # "registry", or the file as it was named
    title: str

    def to_json(self) -> dict[str, str]:
        return {"version": self.version, "source": self.source, "title": self.title}


@dataclass(frozen=True)
class DiffResult:
    api: str | None
    old: Side
    new: Side
    changes: tuple[Change, ...]
    verdict: Verdict

    def counts(self) -> dict[ChangeClass, int]:
        found = Counter(c.cls for c in self.changes)
        return {cls: found.get(cls, 0) for cls in CLASSES}

    def by_kind(self) -> Counter[str]:
        return Counter(c.id for c in self.changes)

    @property
    def breaking(self) -> bool:
        return any(c.cls == "breaking" for c in self.changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "$schema": DIFF_SCHEMA,
            "diffVersion": DIFF_VERSION,
            "tool": {"name": "eduv", "version": __version__},
            "api": self.api,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "summary": self.counts(),
            "verdict": self.verdict.to_json(),
            "changes": [c.to_json() for c in self.changes],
        }


def compare(
    old: Api, new: Api, old_side: Side, new_side: Side, api: str | None = None
) -> DiffResult:
    changes = tuple(diff_apis(old, new))
    counts: Mapping[ChangeClass, int] = Counter(c.cls for c in changes)
    return DiffResult(
        api, old_side, new_side, changes, verdict(old_side.version, new_side.version, counts)
    )


def diff_files(old: Path, new: Path) -> DiffResult:
    """Two OpenAPI 3.0 or 3.1 documents (JSON or YAML) with their local references."""
    before, after = load_api(old), load_api(new)
    return compare(
        before,
        after,
        Side(before.version, str(old), before.title),
        Side(after.version, str(new), after.title),
    )


def diff_versions(api: str, old: str, new: str) -> DiffResult:
    """Two versions of an API from the registry (``t`` and ``t-1`` are understood)."""
    from eduv import spec

    api_id, old_version = spec.resolve_version(api, old)
    _, new_version = spec.resolve_version(api, new)
    before = load_api(spec.openapi_path(api_id, old_version))
    after = load_api(spec.openapi_path(api_id, new_version))
    return compare(
        before,
        after,
        Side(old_version, "registry", before.title),
        Side(new_version, "registry", after.title),
        api_id,
    )
