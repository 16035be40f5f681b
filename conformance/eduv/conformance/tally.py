"""Collecting a check's findings per API version and turning them into results.

A check counts what it judged (:meth:`Tally.ok`) and reports each problem as one
finding (:meth:`Tally.problem`) with where it was seen; the same problem seen twice in
one run (same fingerprint) is one finding seen twice. :meth:`Tally.results` makes one
result per (API, version): failed when an error finding is among them, passed (with its
warnings) otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from eduv.conformance import fingerprint
from eduv.conformance.model import Finding, Note, Outcome, Result, Where
from eduv.findings import Severity

Key = tuple[str | None, str | None]


@dataclass
class _Row:
    checked: int = 0
    findings: dict[str, Finding] = field(default_factory=dict)
    skip: Note | None = None
    error: Note | None = None


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

    def problem(
        self,
        api: str | None,
        version: str | None,
        key: str,
        params: Mapping[str, Any] | None = None,
        *,
        where: Where | None = None,
        severity: Severity = "error",
        subject: str | None = None,
        distinct: str | None = None,
        message: str | None = None,
        rule: str | None = None,
        source_kind: str | None = None,
        interval: tuple[str, str] | None = None,
    ) -> Finding:
        """Report one problem (and count the item it was found in as checked).

        ``key`` names the check's message for it, ``params`` the values the message
        shows; ``distinct`` tells apart problems of one key at one place (the schema
        keyword that failed, say) without showing in the message.
        """
        place = where or Where()
        found = Finding(
            check_id=self.check_id,
            key=key,
            fingerprint=fingerprint.of(
                self.check_id,
                key,
                distinct,
                api,
                version,
                place.operation,
                subject or self.subject,
                place.component,
                place.object_id,
                fingerprint.stable_pointer(place.item, place.pointer),
            ),
            params=dict(params or {}),
            severity=severity,
            api=api,
            version=version,
            subject=subject or self.subject,
            where=place,
            message=message,
            rule=rule,
            source_kind=source_kind,
            interval=interval,
        )
        row = self._row(api, version)
        row.checked += 1
        seen = row.findings.get(found.fingerprint)
        if seen is None:
            row.findings[found.fingerprint] = found
        else:
            row.findings[found.fingerprint] = replace(seen, count=seen.count + 1)
        return found

    def skip(self, api: str | None, version: str | None, key: str, **params: Any) -> None:
        self._row(api, version).skip = Note(key, params)

    def error(self, text: str, api: str | None = None, version: str | None = None) -> None:
        """The check could not be evaluated (it crashed): an error, not a verdict."""
        self._row(api, version).error = Note("crashed", {"error": text})

    def results(
        self, pairs: Iterable[tuple[str | None, str | None]] = (), empty: Note | None = None
    ) -> list[Result]:
        """One result per (api, version); ``pairs`` never looked at end as not applicable."""
        for api, version in pairs:
            self._row(api, version)
        return [self._result(key, row, empty) for key, row in self._rows.items()]

    def _result(self, key: Key, row: _Row, empty: Note | None) -> Result:
        api, version = key
        found = tuple(row.findings.values())
        errors = sum(1 for f in found if f.severity == "error")
        if row.error is not None:
            outcome, note = Outcome.ERROR, row.error
        elif errors:
            outcome = Outcome.FAIL
            note = Note("findings", {"errors": errors, "warnings": len(found) - errors})
        elif row.skip is not None:
            outcome, note = Outcome.SKIP, row.skip
        elif row.checked == 0:
            outcome, note = Outcome.NOT_APPLICABLE, empty or Note("nothing-served")
        else:
            outcome = Outcome.PASS
            note = Note("checked", {"items": row.checked, "warnings": len(found)})
        return Result(
            self.check_id, outcome, note, api, version, self.subject, found, checked=row.checked
        )
