"""The validation report: what was checked, what failed and where.

The JSON form is described by ``spec/report/2/report.json``. Only messages with
findings are listed as items (a bulk run over a million valid messages stays small);
``validate()`` on one message always lists that message.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from eduv.dataset.judged import Judged
from eduv.findings import Finding, InputError
from eduv.spec import Lang
from eduv.validation._i18n import label
from eduv.version import __version__

# Findings kept per message: enough to fix it, few enough that 200,000 broken members
# of one Group do not fill the memory. The rest are counted in the summary.
MAX_ITEM_FINDINGS = 1000

REPORT_VERSION = 2
REPORT_SCHEMA = "https://eduv.dev/spec/report/2/report.json"


@dataclass(slots=True)
class Item:
    """One validated message and its findings.

    ``source`` names the file (``-`` for standard input), ``line`` the line in it
    (NDJSON) and ``location`` a JSON pointer inside the source document (an element
    of a JSON array, or the request or response of a HAR entry).
    """

    api: str | None
    version: str | None
    message: str | None
    findings: list[Finding] = field(default_factory=list)
    source: str | None = None
    line: int | None = None
    location: str | None = None
    detected: bool = False

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "location": self.location,
            "api": self.api,
            "version": self.version,
            "message": self.message,
            "detected": self.detected,
            "valid": self.valid,
            "findings": [f.to_json() for f in self.findings],
        }


def _capped(findings: list[Finding], lang: Lang) -> list[Finding]:
    """The first :data:`MAX_ITEM_FINDINGS` findings, errors first, the last one counting
    the rest (a finding of its own would need a kind it does not have)."""
    # Errors first, so that the message stays invalid whatever is left out.
    ordered = [f for f in findings if f.is_error] + [f for f in findings if not f.is_error]
    kept = ordered[:MAX_ITEM_FINDINGS]
    rest = len(findings) - MAX_ITEM_FINDINGS
    note = label(lang, "findings_left_out", count=f"{rest:,}", limit=f"{MAX_ITEM_FINDINGS:,}")
    kept[-1] = replace(kept[-1], message=f"{kept[-1].message} ({note})")
    return kept


def _pointer_key(pointer: str | None) -> tuple[tuple[int, int, str], ...]:
    """A JSON pointer as a sort key in which array indexes sort as numbers."""
    if not pointer:
        return ()
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in pointer.split("/")
    )


@dataclass(slots=True)
class SourceSummary:
    """Counts for one input source."""

    source: str
    messages: int = 0
    invalid: int = 0
    skipped: int = 0
    input_errors: int = 0
    judged: Judged | None = None  # the days a dataset's rules were judged on

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "messages": self.messages,
            "valid": self.messages - self.invalid,
            "invalid": self.invalid,
            "skipped": self.skipped,
            "inputErrors": self.input_errors,
        }
        if self.judged is not None:
            out["judged"] = self.judged.to_json()
        return out


@dataclass(slots=True)
class Report:
    """The outcome of a validation run.

    ``valid`` is true when no message is invalid and all input could be read.
    ``items`` holds at most ``max_items`` invalid messages (``truncated`` says more
    were found); the counts always cover everything.
    """

    lang: Lang = "en"
    rules: bool = True
    max_items: int | None = None
    items: list[Item] = field(default_factory=list)
    input_errors: list[InputError] = field(default_factory=list)
    sources: list[SourceSummary] = field(default_factory=list)
    messages: int = 0
    invalid: int = 0
    skipped: int = 0
    truncated: int = 0
    input_error_count: int = 0
    finding_counts: dict[str, int] = field(
        default_factory=lambda: {"schema": 0, "rule": 0, "protocol": 0}
    )
    # Processor seconds per stage (input, schemas, rules, cross-school), summed over the
    # jobs: cheap timers per document, shown by ``eduv validate --timings``, never in
    # the report itself (two runs of the same input give the same report).
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.invalid == 0 and self.input_error_count == 0

    @property
    def exit_code(self) -> int:
        """0 all valid, 1 something invalid, 2 input that could not be read."""
        if self.input_error_count:
            return 2
        return 0 if self.invalid == 0 else 1

    @property
    def findings(self) -> list[Finding]:
        """Every finding of the listed items, in order."""
        return [f for item in self.items for f in item.findings]

    def source(self, name: str) -> SourceSummary:
        if not self.sources or self.sources[-1].source != name:
            self.sources.append(SourceSummary(name))
        return self.sources[-1]

    def add(self, item: Item, summary: SourceSummary | None = None) -> None:
        """Count one validated message; keep it when it has findings."""
        self.messages += 1
        if summary is not None:
            summary.messages += 1
        for finding in item.findings:
            self.finding_counts[finding.kind] += 1
        if not item.valid:
            self.invalid += 1
            if summary is not None:
                summary.invalid += 1
        if not item.findings:
            return
        if self.max_items is not None and len(self.items) >= self.max_items:
            self.truncated += 1
            return
        if len(item.findings) > MAX_ITEM_FINDINGS:
            item.findings = _capped(item.findings, self.lang)
        self.items.append(item)

    def spent(self, stage: str, since: float) -> float:
        """Add the processor time since ``since`` (a ``process_time`` value) to a stage;
        returns now. Processor time, not wall time: on a machine shared with other work
        the shares of the stages stay what they are."""
        now = time.process_time()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - since
        return now

    def order(self) -> None:
        """Items by source (in the order sources were first seen), then line, then pointer.

        The order of the items of a run does not depend on how many jobs ran it, nor on
        when a finding was made: the cross-school pass adds its findings last.
        """
        rank = {summary.source: index for index, summary in enumerate(self.sources)}
        self.items.sort(
            key=lambda item: (
                rank.get(item.source or "", -1),
                -1 if item.line is None else item.line,
                _pointer_key(item.location),
            )
        )

    def add_document(self, item: Item) -> None:
        """Keep findings about a JSON text as such (not one of its messages): not counted
        as a message."""
        for finding in item.findings:
            self.finding_counts[finding.kind] += 1
        self._keep(item)

    def add_input_error(self, error: InputError, summary: SourceSummary | None = None) -> None:
        self.input_error_count += 1
        if summary is not None:
            summary.input_errors += 1
        self._keep_input_error(error)

    def _keep_input_error(self, error: InputError) -> None:
        # Beyond the cap input errors are only counted, like invalid messages.
        if self.max_items is None or len(self.input_errors) < self.max_items:
            self.input_errors.append(error)

    def merge(self, other: Report) -> None:
        """Fold in a partial report (from another job or another source)."""
        self.messages += other.messages
        self.invalid += other.invalid
        self.skipped += other.skipped
        self.truncated += other.truncated
        for kind, count in other.finding_counts.items():
            self.finding_counts[kind] += count
        for item in other.items:
            self._keep(item)
        self.input_error_count += other.input_error_count
        for error in other.input_errors:
            self._keep_input_error(error)
        self._merge_sources(other.sources)
        for stage, seconds in other.timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def _keep(self, item: Item) -> None:
        if self.max_items is not None and len(self.items) >= self.max_items:
            self.truncated += 1
            return
        self.items.append(item)

    def _merge_sources(self, sources: Iterable[SourceSummary]) -> None:
        for theirs in sources:
            mine = self.source(theirs.source)
            mine.messages += theirs.messages
            mine.invalid += theirs.invalid
            mine.skipped += theirs.skipped
            mine.input_errors += theirs.input_errors
            mine.judged = mine.judged or theirs.judged

    def to_json(self) -> dict[str, Any]:
        return {
            "$schema": REPORT_SCHEMA,
            "reportVersion": REPORT_VERSION,
            "tool": {"name": "eduv", "version": __version__},
            "lang": self.lang,
            "rules": self.rules,
            "valid": self.valid,
            "summary": {
                "messages": self.messages,
                "valid": self.messages - self.invalid,
                "invalid": self.invalid,
                "skipped": self.skipped,
                "inputErrors": self.input_error_count,
                "findings": dict(self.finding_counts),
                "truncated": self.truncated,
            },
            "sources": [s.to_json() for s in self.sources],
            "items": [item.to_json() for item in self.items],
            "inputErrors": [e.to_json() for e in self.input_errors],
        }
