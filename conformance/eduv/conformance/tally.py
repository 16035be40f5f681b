"""Collecting a check's findings per API version and turning them into results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from eduv.conformance.model import Exchange, Outcome, Result

MAX_DETAILS = 25
MAX_EVIDENCE = 3

Key = tuple[str | None, str | None]


@dataclass
class _Row:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    evidence: list[Exchange] = field(default_factory=list)
    skip: str | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None


class Tally:
    """Findings of one check, grouped by (api, version)."""

    def __init__(self, check_id: str, subject: str | None = None) -> None:
        self.check_id = check_id
        self.subject = subject
        self._rows: dict[Key, _Row] = {}

    def _row(self, api: str | None, version: str | None) -> _Row:
        return self._rows.setdefault((api, version), _Row())

    def ok(self, api: str | None, version: str | None, count: int = 1) -> None:
        self._row(api, version).checked += count

    def note(self, api: str | None, version: str | None, text: str) -> None:
        """A remark that does not fail the check (a warning-severity rule, say)."""
        self._row(api, version).notes.append(text)

    def problem(
        self,
        api: str | None,
        version: str | None,
        text: str,
        evidence: Exchange | None = None,
    ) -> None:
        row = self._row(api, version)
        row.checked += 1
        row.problems.append(text)
        if evidence is not None and len(row.evidence) < MAX_EVIDENCE:
            row.evidence.append(evidence)

    def skip(self, api: str | None, version: str | None, reason: str) -> None:
        self._row(api, version).skip = reason

    def error(self, text: str, api: str | None = None, version: str | None = None) -> None:
        """The check could not be evaluated (it crashed): an error, not a verdict."""
        self._row(api, version).error = text

    def results(
        self, pairs: Iterable[tuple[str | None, str | None]] = (), empty: str = ""
    ) -> list[Result]:
        """One result per (api, version); ``pairs`` never looked at end as not applicable."""
        for api, version in pairs:
            self._row(api, version)
        return [self._result(key, row, empty) for key, row in self._rows.items()]

    def _result(self, key: Key, row: _Row, empty: str) -> Result:
        api, version = key
        if row.error is not None:
            return Result(self.check_id, Outcome.ERROR, row.error, api, version, self.subject)
        if row.problems:
            shown = row.problems[:MAX_DETAILS]
            more = len(row.problems) - len(shown)
            details = (*shown, f"... and {more} more") if more else tuple(shown)
            message = f"{len(row.problems)} problem(s) in {row.checked} item(s) checked"
            return Result(
                self.check_id,
                Outcome.FAIL,
                message,
                api,
                version,
                self.subject,
                details,
                tuple(row.evidence),
            )
        if row.skip is not None:
            return Result(self.check_id, Outcome.SKIP, row.skip, api, version, self.subject)
        if row.checked == 0:
            reason = empty or "nothing the check applies to was served"
            return Result(self.check_id, Outcome.NOT_APPLICABLE, reason, api, version, self.subject)
        message = f"{row.checked} item(s) checked"
        if row.notes:
            message += f"; {len(row.notes)} warning(s)"
        return Result(
            self.check_id,
            Outcome.PASS,
            message,
            api,
            version,
            self.subject,
            tuple(row.notes[:MAX_DETAILS]),
        )
