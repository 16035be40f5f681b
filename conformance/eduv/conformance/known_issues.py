"""Known issues: failures a tester accepts for a while, each with a reason and an expiry.

The file is TOML::

    [[issue]]
    check = "EDUV-CONF-SCOPE-002"
    api = "students-api"              # optional: only this API
    version = "1.0.1"                 # optional: only this version
    reason = "t-1 is retired on 1 August; not fixed there"
    expires = 2025-08-01

A failure matching an entry that has not expired becomes a pass marked as a known issue
(it stays visible in every report). An expired entry fails the run: it shows up as a
failed result of EDUV-CONF-KNOWN-001, whether or not the failure is still there.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from eduv.conformance.model import Outcome, Result
from eduv.conformance.state import SuiteState, guard

EXPIRED = "EDUV-CONF-KNOWN-001"


class KnownIssuesError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class KnownIssue:
    check: str
    reason: str
    expires: dt.date
    api: str | None = None
    version: str | None = None

    def matches(self, result: Result) -> bool:
        return (
            result.check_id == self.check
            and self.api in (None, result.api)
            and self.version in (None, result.version)
        )


@dataclass(frozen=True, slots=True)
class KnownIssues:
    issues: tuple[KnownIssue, ...] = ()

    @classmethod
    def load(cls, path: str | Path) -> KnownIssues:
        try:
            doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise KnownIssuesError(f"{path}: cannot read the known-issues file ({exc})") from None
        return cls(tuple(_issue(entry, index) for index, entry in enumerate(doc.get("issue", []))))


def _issue(entry: dict[str, object], index: int) -> KnownIssue:
    where = f"issue[{index}]"
    for name in ("check", "reason", "expires"):
        if name not in entry:
            raise KnownIssuesError(f"{where}: {name} is required")
    expires = entry["expires"]
    if not isinstance(expires, dt.date):
        raise KnownIssuesError(f"{where}: expires must be a TOML date (2025-08-01)")
    return KnownIssue(
        check=str(entry["check"]),
        reason=str(entry["reason"]),
        expires=expires,
        api=str(entry["api"]) if "api" in entry else None,
        version=str(entry["version"]) if "version" in entry else None,
    )


def excuse(results: list[Result], known: KnownIssues, today: dt.date) -> list[Result]:
    """Failures a known issue in force covers become passes that name the issue."""
    out: list[Result] = []
    for result in results:
        match = next((k for k in known.issues if k.matches(result)), None)
        if match is None or result.outcome is not Outcome.FAIL or match.expires < today:
            out.append(result)
            continue
        note = f"known issue until {match.expires.isoformat()}: {match.reason}"
        out.append(replace(result, outcome=Outcome.PASS, known_issue=note))
    return out


def expired(known: KnownIssues, today: dt.date) -> list[Result]:
    """EDUV-CONF-KNOWN-001: an expired entry fails the run until the file is updated."""
    out = [
        Result(
            EXPIRED,
            Outcome.FAIL,
            f"the known issue for {issue.check} expired on {issue.expires.isoformat()}: "
            f"{issue.reason}",
            issue.api,
            issue.version,
        )
        for issue in known.issues
        if issue.expires < today
    ]
    if known.issues and not out:
        out.append(Result(EXPIRED, Outcome.PASS, f"{len(known.issues)} known issue(s) in force"))
    return out


def apply_known_issues(results: list[Result], known: KnownIssues, today: dt.date) -> list[Result]:
    """The results with the known issues applied, and the verdict on the file itself."""
    return excuse(results, known, today) + expired(known, today)


def load(state: SuiteState) -> KnownIssues:
    path = state.cfg.known_issues
    return KnownIssues.load(path) if path else KnownIssues()


def _expired_now(state: SuiteState) -> list[Result]:
    return expired(load(state), dt.date.today())


# The report mode's one check.
CHECKS: dict[str, Callable[[SuiteState], list[Result]]] = {EXPIRED: _expired_now}


def run(state: SuiteState) -> list[Result]:
    return [r for check_id, check in CHECKS.items() for r in guard(check_id, partial(check, state))]
