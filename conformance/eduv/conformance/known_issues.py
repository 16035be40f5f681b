"""Known issues: findings a tester accepts for a while, each with a reason and an expiry.

The file is TOML::

    [[issue]]
    check = "EDUV-CONF-SCOPE-002"
    api = "students-api"              # optional: only this API
    version = "1.0.1"                 # optional: only this version
    reason = "t-1 is retired on 1 August; not fixed there"
    expires = 2025-08-01

    [[issue]]
    fingerprint = "3f0c9a1be27d45c08e11"   # one finding, from a report's findings
    reason = "the vendor fixes this in release 4.2"
    expires = 2025-03-01

An entry with a ``fingerprint`` excuses that one finding (a later, different problem
under the same check still fails); an entry without one excuses every finding of its
check (and API and version, when given). Excused findings stay in every report, marked
with the issue. A result whose error findings are all excused passes. An expired entry
fails the run under EDUV-CONF-KNOWN-001 until the file is updated; an entry that matches
nothing is reported there as a warning, since it may pin a problem that has gone.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from eduv.conformance import strict
from eduv.conformance.model import Finding, Note, Outcome, Result
from eduv.conformance.state import SuiteState, guard
from eduv.conformance.tally import Tally

EXPIRED = "EDUV-CONF-KNOWN-001"
KNOWN_KEYS = {
    "": frozenset({"issue"}),
    "issue": frozenset({"check", "fingerprint", "api", "version", "reason", "expires"}),
}


class KnownIssuesError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class KnownIssue:
    reason: str
    expires: dt.date
    check: str | None = None
    fingerprint: str | None = None
    api: str | None = None
    version: str | None = None

    def covers(self, result: Result, finding: Finding) -> bool:
        if self.fingerprint is not None:
            return finding.fingerprint == self.fingerprint
        return (
            result.check_id == self.check
            and self.api in (None, finding.api)
            and self.version in (None, finding.version)
        )

    @property
    def label(self) -> str:
        return self.fingerprint or self.check or "?"

    def note(self) -> str:
        return f"known issue until {self.expires.isoformat()}: {self.reason}"


@dataclass(frozen=True, slots=True)
class KnownIssues:
    issues: tuple[KnownIssue, ...] = ()

    @classmethod
    def load(cls, path: str | Path) -> KnownIssues:
        try:
            text = Path(path).read_text(encoding="utf-8")
            doc = tomllib.loads(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise KnownIssuesError(f"{path}: cannot read the known-issues file ({exc})") from None
        try:
            strict.check(doc, KNOWN_KEYS, str(path), text)
        except strict.UnknownKeyError as exc:
            raise KnownIssuesError(str(exc)) from None
        entries = doc.get("issue", [])
        if not isinstance(entries, list):
            raise KnownIssuesError(f"{path}: issue must be an array of tables ([[issue]])")
        return cls(tuple(_issue(str(path), entry, index) for index, entry in enumerate(entries)))


def _issue(path: str, entry: dict[str, object], index: int) -> KnownIssue:
    where = f"{path}: [[issue]] entry {index + 1}"
    for name in ("reason", "expires"):
        if name not in entry:
            raise KnownIssuesError(f"{where}: {name} is required")
    if "check" not in entry and "fingerprint" not in entry:
        raise KnownIssuesError(f"{where}: give a check, or the fingerprint of one finding")
    expires = entry["expires"]
    if not isinstance(expires, dt.date) or isinstance(expires, dt.datetime):
        raise KnownIssuesError(f"{where}: expires must be a TOML date such as 2025-08-01")

    def text(name: str) -> str | None:
        value = entry.get(name)
        if value is not None and not isinstance(value, str):
            raise KnownIssuesError(f"{where}: {name} must be a string")
        return value

    return KnownIssue(
        reason=text("reason") or "",
        expires=expires,
        check=text("check"),
        fingerprint=text("fingerprint"),
        api=text("api"),
        version=text("version"),
    )


def excuse(results: list[Result], known: KnownIssues, today: dt.date) -> list[Result]:
    """Findings a known issue in force covers are marked with it; a failed result whose
    error findings are all excused passes."""
    live = [k for k in known.issues if k.expires >= today]
    out: list[Result] = []
    for result in results:
        marked = []
        for finding in result.findings:
            issue = next((k for k in live if k.covers(result, finding)), None)
            marked.append(finding if issue is None else replace(finding, known_issue=issue.note()))
        found = tuple(marked)
        if result.outcome is Outcome.FAIL and found and not any(f.is_error for f in found):
            excused = next(f.known_issue for f in found if f.known_issue)
            out.append(replace(result, outcome=Outcome.PASS, findings=found, known_issue=excused))
        else:
            out.append(replace(result, findings=found))
    return out


def verdict(known: KnownIssues, results: list[Result], today: dt.date) -> list[Result]:
    """EDUV-CONF-KNOWN-001: expired entries fail, entries that match nothing are warned of."""
    tally = Tally(EXPIRED)
    for issue in known.issues:
        params = {
            "issue": issue.label,
            "expires": issue.expires.isoformat(),
            "reason": issue.reason,
        }
        if issue.expires < today:
            tally.problem(None, None, "expired", params, distinct=issue.label)
        elif not any(issue.covers(r, f) for r in results for f in r.findings):
            tally.problem(None, None, "unused", params, severity="warning", distinct=issue.label)
        else:
            tally.ok(None, None)
    return tally.results([], Note("no-known-issues"))


def apply_known_issues(results: list[Result], known: KnownIssues, today: dt.date) -> list[Result]:
    """The results with the known issues applied, and the verdict on the file itself."""
    return excuse(results, known, today) + verdict(known, results, today)


def load(state: SuiteState) -> KnownIssues:
    path = state.cfg.known_issues
    return KnownIssues.load(path) if path else KnownIssues()


def _verdict_now(state: SuiteState) -> list[Result]:
    return verdict(load(state), state.results, dt.date.today())


# The report mode's one check.
CHECKS: dict[str, Callable[[SuiteState], list[Result]]] = {EXPIRED: _verdict_now}


def run(state: SuiteState) -> list[Result]:
    return [r for check_id, check in CHECKS.items() for r in guard(check_id, partial(check, state))]
