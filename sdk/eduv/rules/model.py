"""What the engine reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]
Kind = Literal["message", "dataset"]
Language = Literal["en", "nl"]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1}


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One object a violation is about: its component, identifier and school key."""

    component: str
    id: str
    school: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"component": self.component, "id": self.id}
        if self.school is not None:
            out["school"] = self.school
        return out


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule that does not hold, where, and why (in the chosen language)."""

    rule_id: str
    severity: Severity
    message: str
    objects: tuple[ObjectRef, ...]
    pointers: tuple[str, ...]

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_json(self) -> dict[str, Any]:
        return {
            "ruleId": self.rule_id,
            "severity": self.severity,
            "message": self.message,
            "objects": [o.to_json() for o in self.objects],
            "pointers": list(self.pointers),
        }
