"""Whether a release's version number keeps the promise semantic versioning makes.

From 1.0.0 on, a breaking change needs a new major version, and a patch release may
only fix (annotations). Before 1.0.0 semantic versioning promises nothing, so those
releases are exempt. Separately, Edu-V puts the major version in the URL
(``/{api}/v{major}``): two versions with the same major share a URL, so a breaking
change between them breaks that URL's clients, whatever semver allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from eduv.diff.kinds import ChangeClass, table
from eduv.spec import Lang

Bump = Literal["major", "minor", "patch", "none", "downgrade", "unknown"]
Needed = Literal["major", "minor", "patch", "none"]
Semver = Literal["ok", "breach", "exempt", "not-applicable"]

_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:[-+][0-9A-Za-z.+-]*)?$")
_SEMVER_FINDINGS = frozenset({"breaking-without-major-bump", "change-under-patch-bump"})


@dataclass(frozen=True)
class PolicyFinding:
    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: Lang) -> str:
        template = next(p for p in table()["policy"] if p["id"] == self.id)["message"][lang]
        return str(template.format(**self.params))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "message": {"en": self.message("en"), "nl": self.message("nl")}}


@dataclass(frozen=True)
class Verdict:
    old: str
    new: str
    bump: Bump
    needed: Needed
    semver: Semver
    shared_major: int | None  # the URL major both versions share, if they do
    findings: tuple[PolicyFinding, ...]

    @property
    def semver_breach(self) -> bool:
        return self.semver == "breach"

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "bump": self.bump,
            "needed": self.needed,
            "semver": self.semver,
            "sharedUrlMajor": self.shared_major,
            "findings": [f.to_json() for f in self.findings],
        }


def parse(version: str) -> tuple[int, int, int] | None:
    found = _SEMVER.match(version.strip())
    if found is None:
        return None
    return int(found[1]), int(found[2]), int(found[3])


def bump_of(old: tuple[int, int, int] | None, new: tuple[int, int, int] | None) -> Bump:
    if old is None or new is None:
        return "unknown"
    if new <= old:
        return "none" if new == old else "downgrade"
    for position, name in enumerate(("major", "minor")):
        if new[position] != old[position]:
            return name  # type: ignore[return-value]
    return "patch"


def needed_bump(counts: Mapping[ChangeClass, int]) -> Needed:
    if counts.get("breaking"):
        return "major"
    if counts.get("potentially-breaking") or counts.get("non-breaking"):
        return "minor"
    return "patch" if counts.get("annotation") else "none"


def verdict(old: str, new: str, counts: Mapping[ChangeClass, int]) -> Verdict:
    before, after = parse(old), parse(new)
    bump = bump_of(before, after)
    breaking = counts.get("breaking", 0)
    behaviour = counts.get("potentially-breaking", 0) + counts.get("non-breaking", 0)
    findings: list[PolicyFinding] = []
    base = {"old": old, "new": new, "bump": bump}
    if bump in ("none", "downgrade") and any(counts.values()):
        findings.append(PolicyFinding("version-not-increased", base))
    upgrade = bump in ("major", "minor", "patch")
    if upgrade and before is not None and before[0] >= 1:
        if breaking and bump != "major":
            findings.append(
                PolicyFinding("breaking-without-major-bump", base | {"count": breaking})
            )
        if bump == "patch" and behaviour:
            findings.append(PolicyFinding("change-under-patch-bump", base | {"count": behaviour}))
    shared = before[0] if before and after and before[0] == after[0] else None
    if shared is not None and breaking:
        params = base | {"count": breaking, "major": shared}
        findings.append(PolicyFinding("shared-url-broken", params))
    return Verdict(
        old,
        new,
        bump,
        needed_bump(counts),
        _semver(bump, before, findings),
        shared,
        tuple(findings),
    )


def _semver(
    bump: Bump, before: tuple[int, int, int] | None, findings: list[PolicyFinding]
) -> Semver:
    if bump not in ("major", "minor", "patch") or before is None:
        return "not-applicable"
    if before[0] == 0:
        return "exempt"
    return "breach" if any(f.id in _SEMVER_FINDINGS for f in findings) else "ok"
