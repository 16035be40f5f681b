"""What every check of eduv reports: a finding in a message or dataset, and input it cannot read.

One :class:`Finding` serves the schema validator, the rule engine, the HAR checker, the
typed client's request and response checks and the conformance suite (which adds where
the finding was seen). :class:`InputError` is input that could not be read as messages
at all: a file that is missing, not JSON, or a dataset folder with a broken file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from eduv.days import previous_day

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")
FindingKind = Literal["schema", "rule", "protocol"]
FINDING_KINDS: tuple[FindingKind, ...] = ("schema", "rule", "protocol")
# What kind of text a rule rests on; only normative rules may be errors.
SourceKind = Literal["normative", "inferred", "convention", "flexibility"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("normative", "inferred", "convention", "flexibility")


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One object a finding is about: its component, identifier and school key."""

    component: str
    id: str
    school: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"component": self.component, "id": self.id}
        if self.school is not None:
            out["school"] = self.school
        return out


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one message or dataset.

    ``kind`` is ``schema`` (the JSON Schema rejects it), ``rule`` (a rule of the
    catalogue does not hold; ``rule`` names it) or ``protocol`` (captured traffic that
    breaks the exchange itself, e.g. an undeclared status code). ``instance_path`` is a
    JSON pointer to the place; ``related`` holds further places a finding involves (the
    other class of a pupil in two classes at once) and ``objects`` the objects it is
    about. ``keyword`` and ``schema_location`` say which schema keyword failed.
    ``interval`` is the days ``[begin, end)`` on which a time-dependent finding holds;
    ``source_kind`` what kind of text the rule of a rule finding rests on.
    """

    kind: FindingKind
    message: str
    instance_path: str = ""
    severity: Severity = "error"
    keyword: str | None = None
    schema_location: str | None = None
    rule: str | None = None
    objects: tuple[ObjectRef, ...] = ()
    related: tuple[str, ...] = ()
    interval: tuple[str, str] | None = None
    source_kind: SourceKind | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def pointers(self) -> tuple[str, ...]:
        """Every place the finding involves, its own first."""
        return (self.instance_path, *self.related)

    def under(self, base: str) -> Finding:
        """The same finding with its pointers inside a larger document, under ``base``."""
        if not base:
            return self
        return replace(
            self,
            instance_path=base + self.instance_path,
            related=tuple(base + p for p in self.related),
        )

    def to_json(self) -> dict[str, Any]:
        """The form of the validation report (``spec/report/2``)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "severity": self.severity,
            "instancePath": self.instance_path,
            "message": self.message,
        }
        for key, value in (
            ("keyword", self.keyword),
            ("schemaLocation", self.schema_location),
            ("rule", self.rule),
            ("sourceKind", self.source_kind),
        ):
            if value is not None:
                out[key] = value
        if self.interval is not None:
            out["interval"] = {"from": self.interval[0], "to": previous_day(self.interval[1])}
        return out


@dataclass(frozen=True, slots=True)
class InputError:
    """Input that could not be read as messages at all (exit code 2).

    ``source`` names the file (``-`` for standard input), ``line`` and ``column`` the
    place in it, ``location`` a JSON pointer inside the document where that helps.
    """

    source: str
    message: str
    line: int | None = None
    column: int | None = None
    location: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "location": self.location,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.location:
            where += f" at {self.location}"
        return f"{where}: {self.message}"


def sort_findings(found: Iterable[Finding]) -> list[Finding]:
    """Errors first, then by rule and place, so that reports are stable."""
    return sorted(found, key=lambda f: (f.severity != "error", f.rule or "", f.pointers))
