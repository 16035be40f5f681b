"""What observe mode's data checks share: comparing a t-1 list with its t list, finding
the object a rule finding is in, and reporting a rule finding in a check's tally.

Used by the checks over the administration APIs (:mod:`.data`) and over the chain
reads (:mod:`.chain`) alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from eduv import spec
from eduv.conformance.model import Where
from eduv.conformance.reads import (
    WHOLE_IDENTITY,
    JsonObject,
    ObserveContext,
    Observed,
    canonical,
    judge,
    object_id,
)
from eduv.conformance.tally import Tally
from eduv.findings import Finding
from eduv.pointer import escape, tokens

T = TypeVar("T")


def compare_versions(
    ctx: ObserveContext,
    tally: Tally,
    op: spec.Operation,
    current: str,
    school: str | None,
    down: Callable[[JsonObject], JsonObject | None],
) -> None:
    """The t-1 list ``op`` for ``school`` against its t list converted by ``down``
    (``None``: t-1 cannot express the object, so it is not expected)."""
    older = ctx.listing(op.api, op.version, op.operation_id, school)
    if older is None:
        return
    newer = ctx.listed(op.api, current, op.operation_id, school)
    compare_lists(tally, older, newer, current, down)


def compare_lists(
    tally: Tally,
    older: Observed,
    newer: list[JsonObject],
    current: str,
    down: Callable[[JsonObject], JsonObject | None],
) -> None:
    """The t-1 answer ``older`` against the t objects ``newer`` converted by ``down``."""
    op, school = older.op, older.school
    body = op.success[1]
    if body is None:
        return
    message = body.message
    converted = [(o, down(o)) for o in newer]
    # An object known by all its members is known by them in the older shape.
    whole = message in WHOLE_IDENTITY
    expected = {object_id(message, d if whole else o): d for o, d in converted if d is not None}
    base = {"operation": op.operation_id, "component": message, "current": current}
    seen = set()
    for index, obj in enumerate(older.objects()):
        key = object_id(message, obj)
        seen.add(key)
        params = {**base, "id": key}
        if key not in expected:
            judge(tally, older, "extra", params, index=index)
        elif canonical(expected[key]) != canonical(obj):
            judge(tally, older, "differs", params, index=index)
        else:
            judge(tally, older, None)
    for key in sorted(expected.keys() - seen):
        place = Where(op.operation_id, older.answer.exchange, message, key)
        tally.problem(
            op.api, op.version, "missing", {**base, "id": key}, where=place, subject=school
        )


def nearest(origins: Mapping[str, T], at: str) -> tuple[T, str] | None:
    """The entry of the longest pointer in ``origins`` that ``at`` starts with, and the
    rest of ``at`` after it: the object a finding is in, and the place inside it."""
    parts = tokens(at)
    for size in range(len(parts), 0, -1):
        base = "".join("/" + escape(t) for t in parts[:size])
        found = origins.get(base)
        if found is not None:
            return found, at[len(base) :]
    return None


def rule_finding(
    tally: Tally,
    violation: Finding,
    api: str | None,
    version: str | None,
    place: Where,
    subject: str | None,
) -> None:
    tally.problem(
        api,
        version,
        "rule",
        where=place,
        severity=violation.severity,
        subject=subject,
        distinct=violation.rule,
        message=violation.message,
        rule=violation.rule,
        source_kind=violation.source_kind,
        interval=violation.interval,
    )
