"""The versioning verdict: semver from 1.0 on, the shared URL major always."""

from __future__ import annotations

import pytest

from eduv.diff.kinds import ChangeClass
from eduv.diff.verdict import bump_of, parse, verdict

B: dict[ChangeClass, int] = {"breaking": 2}
ADD: dict[ChangeClass, int] = {"non-breaking": 3}
NOTE: dict[ChangeClass, int] = {"annotation": 1}
NONE: dict[ChangeClass, int] = {}

CASES = [
    # old, new, counts, bump, semver, findings
    ("1.0.2", "1.1.0", B, "minor", "breach", ["breaking-without-major-bump", "shared-url-broken"]),
    ("1.0.0", "1.0.1", ADD, "patch", "breach", ["change-under-patch-bump"]),
    ("1.0.0", "1.0.1", NOTE, "patch", "ok", []),
    ("1.1.0", "2.0.0", B, "major", "ok", []),
    ("1.1.0", "1.2.0", ADD, "minor", "ok", []),
    ("0.9.1", "0.9.2", B, "patch", "exempt", ["shared-url-broken"]),
    ("0.9.7", "1.0.0", B, "major", "exempt", []),
    ("1.1.0", "1.0.2", ADD, "downgrade", "not-applicable", ["version-not-increased"]),
    ("1.0.0", "1.0.0", NONE, "none", "not-applicable", []),
    ("1.0.0", "1.0.0", NOTE, "none", "not-applicable", ["version-not-increased"]),
    ("draft", "1.0.0", B, "unknown", "not-applicable", []),
]


@pytest.mark.parametrize(("old", "new", "counts", "bump", "semver", "findings"), CASES)
def test_verdict(
    old: str,
    new: str,
    counts: dict[ChangeClass, int],
    bump: str,
    semver: str,
    findings: list[str],
) -> None:
    found = verdict(old, new, counts)
    assert (found.bump, found.semver) == (bump, semver)
    assert [f.id for f in found.findings] == findings
    for finding in found.findings:
        assert finding.message("en") != finding.message("nl")
        assert old in finding.message("en") or new in finding.message("en")


def test_what_the_changes_need() -> None:
    assert verdict("1.0.0", "2.0.0", B).needed == "major"
    assert verdict("1.0.0", "1.1.0", ADD).needed == "minor"
    assert verdict("1.0.0", "1.0.1", NOTE).needed == "patch"
    assert verdict("1.0.0", "1.0.1", NONE).needed == "none"


def test_shared_major_is_the_url_major() -> None:
    assert verdict("1.0.2", "1.1.0", NONE).shared_major == 1
    assert verdict("0.1.0", "0.9.1", NONE).shared_major == 0
    assert verdict("1.1.0", "2.0.0", NONE).shared_major is None


def test_parse_and_bump() -> None:
    assert parse("1.2.3") == (1, 2, 3)
    assert parse("1.2") is None and parse("01.2.3") is None
    assert parse("2.0.0-rc.1") == (2, 0, 0)
    assert bump_of((1, 0, 0), (1, 0, 5)) == "patch"
