"""What the conformance suite reports: checks, their outcomes and the evidence behind them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from eduv.spec import Lang

# The modes of spec/conformance/checks.json; the catalogue gives their order and needs.
Mode = Literal["preflight", "observe", "scenario", "consumer", "report"]


class Outcome(StrEnum):
    """How one check ended for one API version (or one subject)."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    NOT_APPLICABLE = "not-applicable"
    ERROR = "error"


# When results of one check are folded into one line, the worst outcome wins.
SEVERITY = {
    Outcome.ERROR: 5,
    Outcome.FAIL: 4,
    Outcome.PASS: 3,
    Outcome.SKIP: 2,
    Outcome.NOT_APPLICABLE: 1,
}


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence in English and Dutch."""

    en: str
    nl: str

    def get(self, lang: Lang) -> str:
        return self.nl if lang == "nl" else self.en

    def to_json(self) -> dict[str, str]:
        return {"en": self.en, "nl": self.nl}


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """The fixed description of one check.

    ``cites`` names what the check tests: rule ids of the catalogue (``EDUV-GROUP-015``),
    conventions of ``spec/deviations.json`` (``convention:unauthenticated-401``) or
    official fields (``association-api#/components/schemas/Group/properties/endDate``).
    ``applies`` maps API ids to the versions the check applies to; empty means the
    check is not about one API (consumer checks, preflight of the token endpoint).
    ``also`` names other modes that report under this check over their own data.
    """

    id: str
    mode: Mode
    title: Text
    explain: Text
    cites: tuple[str, ...]
    applies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    also: tuple[Mode, ...] = ()

    def runs_in(self, mode: Mode) -> bool:
        return mode == self.mode or mode in self.also

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mode": self.mode,
            "title": self.title.to_json(),
            "explanation": self.explain.to_json(),
            "cites": list(self.cites),
            "appliesTo": {api: list(vs) for api, vs in self.applies.items()},
        }


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request and its answer, already masked and cut to size."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: str | None
    status: int | None
    response_headers: Mapping[str, str]
    response_excerpt: str | None
    curl: str
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "url": self.url,
            "requestHeaders": dict(self.request_headers),
            "status": self.status,
            "responseHeaders": dict(self.response_headers),
            "curl": self.curl,
        }
        if self.request_body is not None:
            out["requestBody"] = self.request_body
        if self.response_excerpt is not None:
            out["responseExcerpt"] = self.response_excerpt
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True, slots=True)
class Result:
    """How one check ended for one subject (an API version, a school, a scenario)."""

    check_id: str
    outcome: Outcome
    message: str = ""
    api: str | None = None
    version: str | None = None
    subject: str | None = None
    details: tuple[str, ...] = ()
    evidence: tuple[Exchange, ...] = ()
    known_issue: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"checkId": self.check_id, "outcome": self.outcome.value}
        for name, value in (
            ("api", self.api),
            ("version", self.version),
            ("subject", self.subject),
            ("knownIssue", self.known_issue),
        ):
            if value is not None:
                out[name] = value
        out["message"] = self.message
        out["details"] = list(self.details)
        out["evidence"] = [e.to_json() for e in self.evidence]
        return out


def worst(outcomes: list[Outcome]) -> Outcome:
    """The outcome that represents a set of results (an empty set was not applicable)."""
    if not outcomes:
        return Outcome.NOT_APPLICABLE
    return max(outcomes, key=lambda o: SEVERITY[o])
