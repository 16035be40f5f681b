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
from dataclasses import dataclass, replace
from pathlib import Path

from eduv.conformance.model import Outcome, Result
from eduv.conformance.registry import register, spec_of

EXPIRED = "EDUV-CONF-KNOWN-001"

register(
    spec_of(
        EXPIRED,
        "preflight",
        ("No known issue has expired", "Geen bekend probleem is verlopen"),
        (
            "Every entry of the known-issues file has an expiry date; after it the entry no "
            "longer excuses a failure and the run fails until the file is updated.",
            "Elke regel in het bestand met bekende problemen heeft een vervaldatum; daarna "
            "verontschuldigt de regel geen fout meer en faalt de run tot het bestand is "
            "bijgewerkt.",
        ),
        ("suite:known-issues",),
    )
)


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


def apply_known_issues(results: list[Result], known: KnownIssues, today: dt.date) -> list[Result]:
    out: list[Result] = []
    for result in results:
        match = next((k for k in known.issues if k.matches(result)), None)
        if match is None or result.outcome is not Outcome.FAIL or match.expires < today:
            out.append(result)
            continue
        note = f"known issue until {match.expires.isoformat()}: {match.reason}"
        out.append(replace(result, outcome=Outcome.PASS, known_issue=note))
    expired = [k for k in known.issues if k.expires < today]
    for issue in expired:
        out.append(
            Result(
                EXPIRED,
                Outcome.FAIL,
                f"the known issue for {issue.check} expired on {issue.expires.isoformat()}: "
                f"{issue.reason}",
                issue.api,
                issue.version,
            )
        )
    if known.issues and not expired:
        out.append(Result(EXPIRED, Outcome.PASS, f"{len(known.issues)} known issue(s) in force"))
    return out
