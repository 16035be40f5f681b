"""What the conformance suite reports: checks, their outcomes, the findings behind them and
the evidence of each finding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from eduv.findings import Severity
from eduv.spec import Lang
from eduv.text import fill

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
    ``messages`` holds the sentence of each kind of finding the check reports, by key,
    with ``{placeholders}`` for the finding's values.
    """

    id: str
    mode: Mode
    title: Text
    explain: Text
    cites: tuple[str, ...]
    applies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    also: tuple[Mode, ...] = ()
    messages: Mapping[str, Text] = field(default_factory=dict)

    def runs_in(self, mode: Mode) -> bool:
        return mode == self.mode or mode in self.also

    def render(self, key: str, params: Mapping[str, Any], lang: Lang) -> str:
        """The sentence of finding ``key`` with its values, in ``lang``.

        A value that is missing shows as ``<name?>`` instead of failing the report; the
        tests render every message and fail on such a gap.
        """
        text = self.messages.get(key)
        if text is None:
            return f"<{self.id}: no message {key!r}>"
        return fill(text.get(lang), params)

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
    """One HTTP request and its answer, already masked and cut to size.

    ``token`` says how the access token the request carried was obtained (the
    credential's name and the scopes asked for), so that the curl line can be repeated.
    """

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: str | None
    status: int | None
    response_headers: Mapping[str, str]
    response_excerpt: str | None
    curl: str
    error: str | None = None
    token: TokenHint | None = None

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
        if self.token is not None:
            out["token"] = self.token.to_json()
        return out


@dataclass(frozen=True, slots=True)
class TokenHint:
    """Which credential, with which scopes, obtained the token a request carried."""

    credential: str
    scopes: tuple[str, ...] | None = None  # None: whatever the client is registered for

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"credential": self.credential}
        if self.scopes is not None:
            out["scopes"] = list(self.scopes)
        return out


@dataclass(frozen=True, slots=True)
class Where:
    """Where a finding was seen: the operation, the exchange and the place in its answer.

    ``object_id`` is the offending object's own identifier (``component`` says what it
    is), ``pointer`` the place inside that object and ``at`` the JSON pointer of the
    place in the answer's body; ``item`` is the offending object as served, shown as
    evidence. ``object_id`` and ``pointer`` enter the fingerprint, ``at`` does not (it
    holds list indexes, which change when a list is reordered).
    """

    operation: str | None = None
    evidence: Exchange | None = None
    component: str | None = None
    object_id: str | None = None
    pointer: str = ""
    at: str | None = None
    item: Any = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a check found, with its evidence and its fingerprint.

    ``key`` names the check's message (``spec/conformance/checks.json``, a check's
    ``messages``) and ``params`` fills it in; a rule finding brings its ``message``
    already rendered by the rule engine. ``fingerprint`` identifies the problem across
    runs: it is computed from the check, API, version, operation, subject, object, the
    stable form of the pointer and the key, never from list indexes, ports, times,
    tokens or masked values (:func:`eduv.conformance.fingerprint.of`).
    """

    check_id: str
    key: str
    fingerprint: str
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "error"
    api: str | None = None
    version: str | None = None
    subject: str | None = None
    where: Where = field(default_factory=Where)
    message: str | None = None
    rule: str | None = None
    source_kind: str | None = None
    interval: tuple[str, str] | None = None
    known_issue: str | None = None
    count: int = 1  # how often the same problem was seen in the run

    @property
    def is_error(self) -> bool:
        return self.severity == "error" and self.known_issue is None


@dataclass(frozen=True, slots=True)
class Note:
    """What a result says, as a message key and its values: rendered in the report's
    language from the check's ``messages`` or the catalogue's shared ``texts``."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    """How one check ended for one subject (an API version, a school, a scenario).

    A failed result holds at least one error finding; a passed one may hold warnings
    (and findings excused as known issues). ``checked`` counts the items judged.
    """

    check_id: str
    outcome: Outcome
    note: Note = field(default_factory=lambda: Note("none"))
    api: str | None = None
    version: str | None = None
    subject: str | None = None
    findings: tuple[Finding, ...] = ()
    known_issue: str | None = None
    checked: int = 0


def result(
    check_id: str,
    outcome: Outcome,
    key: str,
    api: str | None = None,
    version: str | None = None,
    subject: str | None = None,
    **params: Any,
) -> Result:
    """A result without findings (a skip, a pass, not applicable), its note by key."""
    return Result(check_id, outcome, Note(key, params), api, version, subject)


def worst(outcomes: list[Outcome]) -> Outcome:
    """The outcome that represents a set of results (an empty set was not applicable)."""
    if not outcomes:
        return Outcome.NOT_APPLICABLE
    return max(outcomes, key=lambda o: SEVERITY[o])
