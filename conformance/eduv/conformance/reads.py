"""Reading the source: what was read, and the one door every read goes through.

Preflight and observe mode never change anything at the source:
:meth:`ObserveContext.read` refuses any operation that is not on the read-only
allow-list (the operations the spec marks read-only: lists, lookups by id and the POST
searches that only read), and records every answer for the checks to judge.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from eduv import spec
from eduv.conformance.config import SOURCE_APIS, RunConfig, SchoolTarget, is_pre_release
from eduv.conformance.http import Answer
from eduv.conformance.mask import Masker
from eduv.conformance.session import Grant, Session, list_operations
from eduv.conformance.tally import Tally
from eduv.spec import Operation

JsonObject = dict[str, Any]

# The id member of the message each lookup-by-id operation returns.
ID_MEMBERS = {
    "SchoolPeriod": "schoolPeriodId",
    "Enrollment": "enrollmentId",
    "Assignment": "assignmentId",
    "Group": "groupId",
    "StudyOffering": "studyOfferingId",
    "SubjectOffering": "subjectOfferingId",
}


class NotAllowedError(RuntimeError):
    """A check tried an operation that observe mode may not call."""


def allowed(op: Operation) -> bool:
    return op.read_only and op.api in SOURCE_APIS


def probe_operation(api: str, version: str) -> Operation | None:
    """The operation a probe calls: the first list of a school's objects."""
    found = [op for op in list_operations(api, version) if allowed(op)]
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Observed:
    """One call made in observe mode: which operation, for which school, and the answer."""

    op: Operation
    school: str | None
    params: Mapping[str, Any]
    answer: Answer
    requested_version: str | None
    purpose: str = "read"  # read, or the probe that made it (auth, scope, ...)

    def objects(self) -> list[JsonObject]:
        """The objects of a successful answer (a list, or the one object)."""
        if self.answer.status is None or not 200 <= self.answer.status < 300:
            return []
        try:
            body = self.answer.json()
        except ValueError:
            return []
        if isinstance(body, list):
            return [o for o in body if isinstance(o, dict)]
        return [body] if isinstance(body, dict) else []


def judge(tally: Tally, item: Observed, problem: str | None) -> None:
    """Count one answer as fine, or as a problem with its exchange as the evidence."""
    if problem is None:
        tally.ok(item.op.api, item.op.version)
    else:
        tally.problem(item.op.api, item.op.version, problem, item.answer.exchange)


@dataclass
class ObserveContext:
    cfg: RunConfig
    session: Session
    masker: Masker
    grant: Grant | None
    pairs: list[tuple[str, str]]  # the (api, version) pairs observe mode covers
    observed: list[Observed] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # why a part could not be read

    @property
    def schools(self) -> tuple[SchoolTarget, ...]:
        return self.cfg.schools

    def read(
        self,
        op: Operation,
        school: str | None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        token: str | bool | None = True,
        version_header: str | None = None,
        purpose: str = "read",
    ) -> Observed:
        """Call an allow-listed operation; ``token=True`` uses the run's full token."""
        if not allowed(op):
            raise NotAllowedError(f"observe mode does not call {op.operation_id}")
        bearer = self.grant.token if token is True and self.grant else token
        answer = self.session.call(
            op,
            token=bearer if isinstance(bearer, str) else None,
            params=params,
            body=body,
            version_header=version_header,
        )
        found = Observed(
            op, school, dict(params or {}), answer, version_header or op.version, purpose
        )
        self.observed.append(found)
        return found

    def reads(self, api: str, version: str, operation_id: str | None = None) -> Iterator[Observed]:
        for item in self.observed:
            if item.purpose != "read" or item.op.api != api or item.op.version != version:
                continue
            if operation_id is None or item.op.operation_id == operation_id:
                yield item

    def listed(self, api: str, version: str, operation_id: str, school: str) -> list[JsonObject]:
        for item in self.reads(api, version, operation_id):
            if item.school == school and not _filtered(item):
                return item.objects()
        return []


def _filtered(item: Observed) -> bool:
    return any(k not in {"orgMasterId"} for k in item.params)


def observable_pairs(cfg: RunConfig) -> list[tuple[str, str]]:
    return [(a, v) for a, v in cfg.plan() if a in SOURCE_APIS and not is_pre_release(v)]


def operation(api: str, version: str, operation_id: str) -> Operation | None:
    for op in spec.operations(api, version):
        if op.operation_id == operation_id:
            return op
    return None
